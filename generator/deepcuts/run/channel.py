"""The parent's side of the recorder's channel: records in, normalised events and notes out.

The format is ``record/_deepcuts_protocol.py``'s. :meth:`ChannelDecoder.feed` is called with the
channel's bytes as the child writes them (``process.run_process`` reads the pipe while the child
runs), so decoding overlaps with the child instead of following it: each complete line is parsed
and its records turned into :class:`Event` values at once. Two things can only be settled once the
child has exited, in :meth:`ChannelDecoder.finish`:

- output offsets: the recorder sends byte offsets into the raw output files; events must carry
  character offsets into the *normalised* text, which is normalised segment by segment so that
  both agree exactly;
- memory addresses: numbered in order of first appearance, stdout first, then stderr, then the
  events (so that a snippet's printed output does not depend on what was recorded). Events are
  fed before the output is known, so those that hold an address are remembered and renumbered at
  the end; file paths are normalised as they come.

To keep the child's cost per event low, only a call says who the parent, the code and the thread
are; every later event of that frame names just the frame, and the decoder fills the rest in
(depth included). Nothing the decoder is given is modified.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from deepcuts.model import Event
from deepcuts.record import _deepcuts_protocol as protocol
from deepcuts.run.normalise import Normaliser

_KINDS = protocol.KINDS
_CALL, _ABANDONED, _LINE = protocol.CALL, protocol.ABANDONED, protocol.LINE
_VALUE_KINDS = (protocol.RETURN, protocol.YIELD)
_EXCEPTION, _RESUME = protocol.EXCEPTION, protocol.RESUME
_CODE, _OUTPUT = protocol.CODE_RECORD, protocol.OUTPUT_RECORD
_AMEND, _DELETED = protocol.AMEND_RECORD, protocol.DELETED_RECORD
_NEW = tuple.__new__  # builds an Event without its generated __new__: a trace holds many


@dataclass(frozen=True)
class Decoded:
    """What a channel said, once the child has exited."""

    events: tuple[Event, ...]
    scopes: dict[str, dict[str, list[str]]]  # qualname -> {"free": [...], "cell": [...]}
    notes: tuple[str, ...]
    truncated: bool
    recorder: dict[str, str]  # backend and why it was chosen
    stdout: str  # normalised
    stderr: str


@dataclass
class ChannelDecoder:
    """Decodes one run's channel. ``normaliser`` is the run's: it also normalises the output."""

    normaliser: Normaliser
    max_events: int = protocol.MAX_EVENTS
    header: dict[str, Any] = field(default_factory=dict)
    end: dict[str, Any] | None = None
    garbled: int = 0  # lines or records that were not ours (a snippet may write to any fd)
    _pending: bytes = b""
    _events: list[Event | None] = field(default_factory=list)  # None: an event taken back
    _addressed: list[int] = field(default_factory=list)  # events holding an address, by index
    _amendments: dict[int, str | None] = field(default_factory=dict)  # event number -> new how
    _scopes: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # qualname -> vars
    _codes: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # name, qualname, file
    # frame -> (parent, depth, function, qualname, file, thread)
    _frames: dict[int, tuple[int | None, int, str, str, str, int]] = field(default_factory=dict)
    _out: int | None = 0  # raw byte offsets the latest output record gave
    _err: int | None = 0
    # raw offsets events refer to (-1: unknown), for the character offsets at the end
    _cuts: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))

    # -- while the child runs ----------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """More of the channel: decode every complete line in it."""
        lines = (self._pending + data).split(b"\n")
        self._pending = lines.pop()
        for line in lines:
            if line:
                self._line(line)

    def _line(self, line: bytes) -> None:
        try:
            item = json.loads(line)
        except ValueError:
            self.garbled += 1
            return
        if isinstance(item, list):
            # Most chunks hold no path and no address: then no field needs normalising.
            self._records(item, b"/" in line, b"0x" in line)
        elif isinstance(item, dict) and isinstance(item.get("header"), dict):
            self.header = item["header"]
        elif isinstance(item, dict) and isinstance(item.get("end"), dict):
            self.end = item["end"]
        else:
            self.garbled += 1

    def _records(  # noqa: PLR0912, PLR0915 - one flat loop: a call per record costs more
        self, records: list[Any], paths: bool, addresses: bool
    ) -> None:
        # The hot loop of the parent: one pass per record, locals only, values used as the JSON
        # decoder made them where no path can be in them (the usual case).
        events = self._events
        append = events.append
        frames = self._frames
        codes = self._codes
        clean = self._clean if paths else _same
        clean_map = self._clean_map if paths else _same_map
        out, err = self._out, self._err
        for record in records:
            try:
                kind = record[0]
                if kind == _CALL:
                    _, frame, parent, code, line, thread, names, *rest = record
                    if parent < 0:
                        parent, depth = None, 0
                    else:
                        depth = frames[parent][1] + 1 if parent in frames else 0
                    function, qualname, file = codes[code]
                    frames[frame] = (parent, depth, function, qualname, file, thread)
                    names = clean_map(names)
                    value = how = None
                    objects = clean_map(rest[0]) if rest else None
                elif kind == _OUTPUT:
                    out = None if record[1] < 0 else record[1]
                    err = None if record[2] < 0 else record[2]
                    self._cuts[0].add(-1 if out is None else out)
                    self._cuts[1].add(-1 if err is None else err)
                    continue
                elif kind == _CODE:
                    codes[record[1]] = (
                        str(record[2]),
                        str(record[3]),
                        self.normaliser.path(str(record[4])),
                    )
                    if len(record) > 6 and (record[5] or record[6]):
                        self._scopes[str(record[3])] = {
                            "free": [str(n) for n in record[5]],
                            "cell": [str(n) for n in record[6]],
                        }
                    continue
                elif kind == _AMEND:
                    self._amendments[int(record[1])] = None if record[2] is None else str(record[2])
                    continue
                elif kind == _DELETED:
                    self._amendments[len(events)] = None
                    append(None)  # a numbered slot, dropped at finish
                    continue
                elif kind == _ABANDONED:
                    _, frame, parent, code, line, thread, payload, *rest = record
                    if parent < 0:
                        parent, depth = None, 0
                    else:
                        depth = frames[parent][1] + 1 if parent in frames else 0
                    function, qualname, file = codes[code]
                    frames[frame] = (parent, depth, function, qualname, file, thread)
                    names, value, how = None, clean(payload), protocol.NEVER_STARTED
                    objects = clean_map(rest[0]) if rest else None
                else:
                    frame = record[1]
                    line = record[2]
                    parent, depth, function, qualname, file, thread = frames[frame]
                    names = how = objects = None
                    if kind in _VALUE_KINDS:
                        value = clean(record[3])
                        if len(record) > 4:
                            objects = clean_map(record[4])
                    elif kind == _LINE:
                        value = None
                        names = clean_map(record[3])
                        if len(record) > 4:
                            objects = clean_map(record[4])
                    elif kind == _EXCEPTION:
                        value, how = clean(record[3]), str(record[4])
                    elif kind == _RESUME:  # below whichever frame resumed it this time
                        value = None
                        parent, line, thread = record[2], record[3], record[4]
                        if len(record) > 5:
                            names = clean_map(record[5])
                            if len(record) > 6:
                                objects = clean_map(record[6])
                        if parent < 0:
                            parent, depth = None, 0
                        else:
                            depth = frames[parent][1] + 1 if parent in frames else 0
                        frames[frame] = (parent, depth, function, qualname, file, thread)
                    else:
                        raise ValueError(kind)
                if addresses and _has_address(value, names, objects):
                    self._addressed.append(len(events))
                append(
                    _NEW(
                        Event,
                        (
                            _KINDS[kind],
                            frame,
                            parent,
                            depth,
                            function,
                            qualname,
                            line,
                            thread,
                            file,
                            names,
                            value,
                            how,
                            objects,
                            out,
                            err,
                        ),
                    )
                )
            except (KeyError, IndexError, TypeError, ValueError):
                self.garbled += 1
        self._out, self._err = out, err

    def _clean(self, value: Any) -> str:
        return self.normaliser.path(value if type(value) is str else str(value))

    def _clean_map(self, values: Any) -> dict[str, str] | None:
        """Paths normalised in ``{name: repr}``: values always, names only when they could hold
        one (they are identifiers almost always)."""
        if not isinstance(values, dict):
            return None
        path = self.normaliser.path
        return {
            (k if k.isidentifier() else path(str(k))): path(v if type(v) is str else str(v))
            for k, v in values.items()
        }

    # -- once it has exited ------------------------------------------------------------------
    def finish(self, stdout: bytes, stderr: bytes) -> Decoded:
        """The events with character offsets into the normalised output, addresses numbered,
        and the notes the end record (or its absence) calls for."""
        if self._pending:
            self._line(self._pending)
            self._pending = b""
        normaliser = self.normaliser
        out_text, out_map = normalise_stream(stdout, self._cuts[0], normaliser)
        err_text, err_map = normalise_stream(stderr, self._cuts[1], normaliser)
        events: list[Event | None] = list(self._events)
        for number, how in self._amendments.items():
            if 0 <= number < len(events) and events[number] is not None:
                event = events[number]
                events[number] = None if how is None else event._replace(how=how)  # type: ignore[union-attr]
        for index in self._addressed:
            event = events[index]
            if event is None:
                continue
            names = _addresses_in(event.locals, normaliser)  # numbered in the order they came
            value = None if event.value is None else normaliser.addresses(event.value)
            events[index] = event._replace(
                locals=names, value=value, objects=_addresses_in(event.objects, normaliser)
            )
        kept = [e for e in events if e is not None]
        out_end, err_end = max(out_map.values()), max(err_map.values())
        if _shifted(out_map, self._cuts[0], len(stdout)) or _shifted(
            err_map, self._cuts[1], len(stderr)
        ):
            # Normalisation changed lengths (or the output was cut): map every offset.
            kept = [
                _NEW(
                    Event,
                    (
                        *e[:13],
                        None if e.stdout is None else out_map.get(e.stdout, out_end),
                        None if e.stderr is None else err_map.get(e.stderr, err_end),
                    ),
                )
                for e in kept
            ]
        return Decoded(
            events=tuple(kept),
            scopes=dict(self._scopes),
            notes=tuple(self._notes()),
            truncated=bool(self.end and self.end.get("truncated")),
            recorder={
                "backend": str(self.header.get("backend", "unknown")),
                "reason": str(self.header.get("reason", "")),
            },
            stdout=out_text,
            stderr=err_text,
        )

    def _notes(self) -> list[str]:
        notes = []
        end = self.end
        if "error" in self.header:
            notes.append(f"the recorder could not start: {self.header['error']}")
        elif end is None:
            notes.append("the recording ended abruptly: the process died before it could finish")
        else:
            if end.get("error"):
                notes.append(f"the recorder failed and stopped: {end['error']}")
            if end.get("stopped_for") == "recursion":
                notes.append(
                    "recording stopped near the recursion limit, so that the recorder's own frames "
                    "cannot change where the program's RecursionError happens (Python 3.10)"
                )
            elif end.get("truncated"):
                notes.append(
                    f"recording stopped after {self.max_events} events (the cap); "
                    "the program ran on unrecorded"
                )
        if self.garbled:
            notes.append(f"{self.garbled} unreadable line(s) on the recorder's channel")
        return notes


def _shifted(offsets: dict[int, int], cuts: set[int], size: int) -> bool:
    """Whether any byte offset an event holds is not the character offset it stands for."""
    return any(k != v for k, v in offsets.items()) or any(c > size for c in cuts)


def _same(value: Any) -> str:
    return value if type(value) is str else str(value)


def _same_map(values: Any) -> dict[str, str] | None:
    # The JSON decoder made it, and only this event holds it: no copy needed.
    return values if type(values) is dict else None


def _has_address(value: str | None, names: dict[str, str] | None, objects: Any) -> bool:
    return (
        (value is not None and "0x" in value)
        or (names is not None and any("0x" in v for v in names.values()))
        or (objects is not None and any("0x" in k or "0x" in v for k, v in objects.items()))
    )


def _addresses_in(values: dict[str, str] | None, normaliser: Normaliser) -> dict[str, str] | None:
    if values is None:
        return None
    fix = normaliser.addresses
    return {fix(k): fix(v) for k, v in values.items()}


def decode(data: bytes) -> str:
    """Output bytes as text: invalid UTF-8 becomes backslash escapes, nothing is dropped."""
    return data.decode("utf-8", errors="backslashreplace")


def normalise_stream(
    raw: bytes, cuts: set[int], normaliser: Normaliser
) -> tuple[str, dict[int, int]]:
    """Normalised text of ``raw`` and a map from each byte offset in ``cuts`` to the character
    offset in that text. Segments end at event boundaries, which are whole writes."""
    offsets = {0: 0}
    parts: list[str] = []
    total = previous = 0
    for cut in [*sorted(c for c in cuts if 0 < c < len(raw)), len(raw)]:
        part = normaliser.text(decode(raw[previous:cut]))
        parts.append(part)
        total += len(part)
        offsets[cut] = total
        previous = cut
    return "".join(parts), offsets
