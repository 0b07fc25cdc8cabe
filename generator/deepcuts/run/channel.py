"""Turn what the recorder sent over the channel into normalised :class:`Event` objects.

The recorder writes JSON lines: a header, chunks of events, and an end record (see
``record/_deepcuts_recorder.py``). Events carry raw byte offsets into stdout and stderr; here they
become character offsets into the *normalised* text, which is normalised segment by segment so that
both agree exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from deepcuts.model import Event
from deepcuts.run.normalise import Normaliser

# Positions of the recorder's event lists (record/_deepcuts_recorder.py: FIELDS).
_FIELDS = (
    "event", "frame", "parent", "depth", "function", "qualname", "file", "line", "thread",
    "locals", "value", "how", "objects", "stdout", "stderr",
)  # fmt: skip


@dataclass
class Recording:
    """What one channel held."""

    header: dict[str, Any] = field(default_factory=dict)
    raw_events: list[list[Any]] = field(default_factory=list)
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
            recording.raw_events.extend(e for e in item if isinstance(e, list) and len(e) == 15)
        elif isinstance(item, dict) and "header" in item:
            recording.header = dict(item["header"])
        elif isinstance(item, dict) and "end" in item:
            recording.end = dict(item["end"])
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
    if not isinstance(values, dict):
        return None
    return {normaliser.text(str(k)): normaliser.text(str(v)) for k, v in values.items()}


def to_events(
    raw_events: list[list[Any]],
    normaliser: Normaliser,
    out_offsets: dict[int, int],
    err_offsets: dict[int, int],
) -> tuple[Event, ...]:
    """Normalised events; output offsets clamped to what was captured."""
    out_end = max(out_offsets.values())
    err_end = max(err_offsets.values())
    events = []
    for raw in raw_events:
        item = dict(zip(_FIELDS, raw, strict=True))
        out_pos, err_pos = item["stdout"], item["stderr"]
        events.append(
            Event(
                event=str(item["event"]),
                frame=int(item["frame"]),
                parent=None if item["parent"] is None else int(item["parent"]),
                depth=int(item["depth"]),
                function=str(item["function"]),
                qualname=str(item["qualname"]),
                line=int(item["line"] or 0),
                thread=int(item["thread"]),
                file=normaliser.path(str(item["file"])),
                locals=_clean_map(item["locals"], normaliser),
                value=None if item["value"] is None else normaliser.text(str(item["value"])),
                how=None if item["how"] is None else str(item["how"]),
                objects=_clean_map(item["objects"], normaliser),
                stdout=None if out_pos is None else out_offsets.get(out_pos, out_end),
                stderr=None if err_pos is None else err_offsets.get(err_pos, err_end),
            )
        )
    return tuple(events)
