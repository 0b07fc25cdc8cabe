"""The call-stack timeline: every recorded frame as a bar from its call to its end, one row per
depth, one lane per thread; a generator's bar is solid while it runs and dashed while suspended.

Time runs left to right in events, not seconds; each event gets as much room as the bars around
it need to show their labels whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcuts.model import Event, Trace
from deepcuts.render.diagrams.text import PAD, ROW, capped, fit_steps, width

MAX_STEPS = 400  # events drawn at most; a longer trace is cut, and the diagram says so


@dataclass
class Bar:
    """One stretch of a frame on the timeline (x and width in px once laid out)."""

    first: int  # first step
    last: int  # last step, exclusive
    row: float  # y in px
    label: str
    title: str
    suspended: bool = False
    ends: str = ""  # "returns 5", "raises ValueError(...)", "never started"
    x: float = 0.0
    width: float = 0.0


@dataclass
class Timeline:
    """The whole timeline diagram."""

    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    lanes: list[tuple[float, str]] = field(default_factory=list)  # (y, "thread 1")
    cut: int = 0  # events left out
    summary: str = ""


def call_label(event: Event) -> str:
    """``add(a=2, b=3)``: a frame's call with its bound arguments."""
    args = ", ".join(f"{k}={v}" for k, v in (event.locals or {}).items())
    return f"{event.qualname}({args})"


def _closes(event: Event) -> bool:
    return event.event == "return" or (event.event == "exception" and event.how == "propagated")


def timeline(trace: Trace) -> Timeline:
    """Lay out the call-stack timeline of ``trace``."""
    kept = [e for e in trace.events if e.event != "line"]
    events = kept[:MAX_STEPS]
    threads = sorted({e.thread for e in events})
    lane_top: dict[int, float] = {}
    lanes = []
    top = 0.0
    for thread in threads:
        lane_top[thread] = top + (ROW / 2 if len(threads) > 1 else 0)
        if len(threads) > 1:
            lanes.append((top + 12, "main thread" if thread == 0 else f"thread {thread}"))
        deepest = max([e.depth for e in events if e.thread == thread] + [0])
        top = lane_top[thread] + (deepest + 1) * ROW
    diagram = Timeline(width=0, height=top + 4, cut=len(kept) - len(events), lanes=lanes)

    open_since: dict[int, tuple[int, Event, bool]] = {}  # frame -> (step, call event, running)
    frames = set()
    for index, event in enumerate(events):
        if event.event == "abandoned":
            frames.add(event.frame)
            label = f"{event.qualname} (never started)"
            diagram.bars.append(
                Bar(index, index + 1, lane_top[event.thread] + event.depth * ROW, label,
                    f"{event.qualname}: created, never started", True, "never started")
            )  # fmt: skip
            continue
        if event.event == "call":
            frames.add(event.frame)
            open_since[event.frame] = (index, event, True)
            continue
        if event.frame not in open_since:
            continue
        start, call, running = open_since[event.frame]
        row = lane_top[call.thread] + call.depth * ROW
        if event.event in ("yield", "resume"):
            label = call_label(call) if running else "suspended"
            diagram.bars.append(
                Bar(start, index, row, capped(label), call_label(call), suspended=not running)
            )
            open_since[event.frame] = (index, call, event.event == "resume")
        elif _closes(event):
            ends = f"returns {event.value}" if event.event == "return" else f"raises {event.value}"
            label = f"{call_label(call)} \u2192 {event.value}" if running else "suspended"
            diagram.bars.append(
                Bar(start, index + 1, row, capped(label), f"{call_label(call)} {ends}",
                    suspended=not running, ends=ends)
            )  # fmt: skip
            del open_since[event.frame]
    for start, call, running in open_since.values():  # still open when the recording ended
        row = lane_top[call.thread] + call.depth * ROW
        diagram.bars.append(
            Bar(start, len(events), row, capped(call_label(call)),
                f"{call_label(call)} (still open)", suspended=not running)
        )  # fmt: skip

    positions = fit_steps(
        len(events), [(b.first, b.last, width(b.label) + 2 * PAD) for b in diagram.bars]
    )
    for bar in diagram.bars:
        bar.x = positions[bar.first]
        bar.width = positions[min(bar.last, len(events))] - bar.x
    label_room = max((width(name) + PAD for _y, name in lanes), default=0.0)
    diagram.width = max(positions[-1], label_room)
    diagram.summary = (
        f"Timeline of {len(frames)} frame{'s' if len(frames) != 1 else ''} over "
        f"{len(events)} events"
        + (f"; {diagram.cut} later events are not drawn" if diagram.cut else "")
        + ". "
        + "; ".join(b.title for b in diagram.bars[:40])
    )
    return diagram
