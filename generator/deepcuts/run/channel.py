"""Turn what the recorder sent over the channel into normalised :class:`Event` objects.

The recorder writes JSON lines: a header, chunks of records, and an end record (see
``record/_deepcuts_recorder.py``, ``Recorder._make_emitters``). To keep the child's cost per event
low, only a call says who the parent, the code and the thread are; every later event of that frame
names just the frame, and this module fills the rest in (depth included). Output offsets arrive as
raw byte offsets whenever they change; here they become character offsets into the *normalised*
text, which is normalised segment by segment so that both agree exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from deepcuts.model import EVENT_KINDS, Event
from deepcuts.run.normalise import Normaliser

_KINDS = EVENT_KINDS  # the recorder sends the kind as its index in this list
_CALL, _LINE, _RETURN, _EXCEPTION, _YIELD, _RESUME, _ABANDONED = range(7)


@dataclass
class Recording:
    """What one channel held."""

    header: dict[str, Any] = field(default_factory=dict)
    records: list[list[Any]] = field(default_factory=list)  # events and output records, in order
    codes: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # name, qualname, file
    end: dict[str, Any] | None = None
    garbled: int = 0  # lines that were not ours (a snippet may write to any descriptor)


def parse_channel(data: bytes) -> Recording:
    """Split the channel's bytes into header, events and end; tolerate damage."""
    recording = Recording()
    for line in data.split(b"\n"):
        if not line:
            continue
        try:
            item = json.loads(line)
        except ValueError:
            recording.garbled += 1
            continue
        if isinstance(item, list):
            for entry in item:
                if not isinstance(entry, list) or not entry:
                    recording.garbled += 1
                elif entry[0] == "c" and len(entry) == 5:
                    recording.codes[int(entry[1])] = (str(entry[2]), str(entry[3]), str(entry[4]))
                else:
                    recording.records.append(entry)
        elif isinstance(item, dict) and isinstance(item.get("header"), dict):
            recording.header = item["header"]
        elif isinstance(item, dict) and isinstance(item.get("end"), dict):
            recording.end = item["end"]
        else:
            recording.garbled += 1
    return recording


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


def _clean_map(values: Any, normaliser: Normaliser) -> dict[str, str] | None:
    """Normalised ``{name: repr}``: values always, names only when they could hold a path or an
    address (they are identifiers almost always, and this runs for every call event)."""
    if not isinstance(values, dict):
        return None
    text = normaliser.text
    return {
        (k if k.isidentifier() else text(str(k))): text(v) if type(v) is str else text(str(v))
        for k, v in values.items()
    }


def output_offsets(recording: Recording) -> tuple[set[int], set[int]]:
    """The raw byte offsets of stdout and stderr that events refer to."""
    out: set[int] = set()
    err: set[int] = set()
    for record in recording.records:
        if record[0] == "o" and len(record) == 3:
            if isinstance(record[1], int):
                out.add(record[1])
            if isinstance(record[2], int):
                err.add(record[2])
    return out, err


def to_events(
    recording: Recording,
    normaliser: Normaliser,
    out_offsets: dict[int, int],
    err_offsets: dict[int, int],
) -> tuple[Event, ...]:
    """Normalised events; output offsets clamped to what was captured. A record that does not
    have the recorder's shape (a snippet can write to any descriptor) is dropped and counted."""
    out_end = max(out_offsets.values())
    err_end = max(err_offsets.values())
    codes = {
        number: (name, qualname, normaliser.path(file))
        for number, (name, qualname, file) in recording.codes.items()
    }
    text = normaliser.text
    # frame -> (parent, depth, function, qualname, file, thread)
    frames: dict[int, tuple[int | None, int, str, str, str, int]] = {}
    out: int | None = 0
    err: int | None = 0
    events = []
    for record in recording.records:
        try:
            kind = record[0]
            if kind == "o":
                out = None if record[1] < 0 else out_offsets.get(record[1], out_end)
                err = None if record[2] < 0 else err_offsets.get(record[2], err_end)
                continue
            frame = int(record[1])
            if kind in (_CALL, _ABANDONED):
                _, _, parent_raw, code, line, thread, payload, *rest = record
                parent = None if parent_raw < 0 else int(parent_raw)
                depth = 0 if parent is None or parent not in frames else frames[parent][1] + 1
                function, qualname, file = codes[code]
                frames[frame] = (parent, depth, function, qualname, file, int(thread))
                if kind == _CALL:
                    names, value, how = payload, None, None
                else:
                    names, value, how = None, payload, "never started"
                objects = rest[0] if rest else None
            else:
                parent, depth, function, qualname, file, thread = frames[frame]
                line = record[2]
                names = value = how = objects = None
                if kind in (_RETURN, _YIELD):
                    value = record[3]
                    objects = record[4] if len(record) > 4 else None
                elif kind == _LINE:
                    names = record[3]
                    objects = record[4] if len(record) > 4 else None
                elif kind == _EXCEPTION:
                    value, how = record[3], str(record[4])
                elif kind == _RESUME:
                    thread = int(record[3])
                    frames[frame] = (parent, depth, function, qualname, file, thread)
                else:
                    raise ValueError(kind)
            events.append(
                Event(
                    _KINDS[kind],
                    frame,
                    parent,
                    depth,
                    function,
                    qualname,
                    int(line),
                    thread,
                    file,
                    None if names is None else _clean_map(names, normaliser),
                    None if value is None else text(str(value)),
                    how,
                    None if objects is None else _clean_map(objects, normaliser),
                    out,
                    err,
                )
            )
        except (KeyError, IndexError, TypeError, ValueError):
            recording.garbled += 1
    return tuple(events)
