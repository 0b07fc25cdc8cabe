"""An exception on its way up the stack: the frames that were live when it was raised, innermost
at the top, and what happened in each, in order: raised here, a ``finally`` (or ``with`` exit) ran,
it propagated out of the frame, or an ``except`` clause caught it. Frames above the one that
caught it are gone by the time the handler runs; the diagram greys them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcuts.model import Event, Trace
from deepcuts.render.diagrams.text import PAD, capped, width

ROW = 30.0
STEP_GAP = 16.0  # px between the labels of one frame's steps
ARROW = "\u2192"


@dataclass
class Step:
    """What happened to the exception in one frame."""

    how: str  # raised, finally, propagated, caught
    text: str  # "raised, line 4"
    x: float = 0.0
    width: float = 0.0  # of its box


@dataclass
class Row:
    """One frame the exception passed through."""

    frame: int
    name: str
    y: float
    steps: list[Step] = field(default_factory=list)
    gone: bool = False  # unwound: the exception left it


@dataclass
class Unwinding:
    """The whole diagram."""

    width: float
    height: float
    name_width: float
    exception: str
    rows: list[Row] = field(default_factory=list)
    summary: str = ""
    caught: bool = False  # a handler caught it: the frames below that handler are not drawn


def _raise_at(trace: Trace, function: str) -> int | None:
    """The first ``raised`` event, or the first one in ``function`` when given."""
    for index, event in enumerate(trace.events):
        named = not function or function in (event.qualname, event.function)
        if event.event == "exception" and event.how == "raised" and named:
            return index
    return None


def _same_exception(first: Event, event: Event) -> bool:
    """Whether ``event`` follows the exception raised at ``first``: same repr, same thread."""
    return event.thread == first.thread and event.value == first.value


def _follow(events: list[Event], start: int, rows: dict[int, Row]) -> bool:
    """Add to ``rows`` what happened to the exception raised at ``events[start]`` in each
    frame, until it was caught (returns True) or the run moved on."""
    raised = events[start]
    rows[raised.frame].steps.append(Step("raised", f"raised, line {raised.line}"))
    what = {"finally": "finally runs", "propagated": "leaves the frame", "caught": "caught"}
    for event in events[start + 1 :]:
        if event.frame not in rows:
            continue
        if event.event == "call":
            return False  # a frame number reused: the run has moved on
        if event.event != "exception":
            continue
        if event.how == "raised":
            if rows[event.frame].steps:
                return False  # another exception started in a frame of the chain
            continue
        if not _same_exception(raised, event) or event.how not in what:
            continue
        row = rows[event.frame]
        row.steps.append(Step(event.how, f"{what[event.how]}, line {event.line}"))
        row.gone = row.gone or event.how == "propagated"
        if event.how == "caught":
            return True
    return False


def unwinding(trace: Trace, function: str = "") -> Unwinding | None:
    """How the first exception raised (in ``function``, when given) unwound; None if none was."""
    start = _raise_at(trace, function)
    if start is None:
        return None
    events = list(trace.events)
    raised = events[start]
    calls = {e.frame: e for e in events[: start + 1] if e.event in ("call", "resume")}
    chain: list[int] = []
    frame: int | None = raised.frame
    while frame is not None and frame in calls and frame not in chain:
        chain.append(frame)
        frame = calls[frame].parent
    diagram = Unwinding(0.0, 0.0, 0.0, capped(raised.value or "an exception"))
    rows = {}
    for number, frame in enumerate(chain):
        row = Row(frame, calls[frame].qualname, number * ROW)
        rows[frame] = row
        diagram.rows.append(row)
    caught = _follow(events, start, rows)
    diagram.caught = caught
    diagram.rows = [row for row in diagram.rows if row.steps or not caught]
    if caught:  # frames above the catcher that never saw it cannot exist; keep the path only
        last = max(i for i, row in enumerate(diagram.rows) if row.steps)
        diagram.rows = diagram.rows[: last + 1]
    for number, row in enumerate(diagram.rows):
        row.y = number * ROW
    diagram.name_width = max(width(row.name) for row in diagram.rows) + 2 * PAD
    right = 0.0
    for row in diagram.rows:
        x = diagram.name_width
        for step in row.steps:
            step.x = x
            step.width = width(step.text) + 2 * PAD
            x += step.width + width(ARROW) + STEP_GAP
        right = max(right, x)
    diagram.width = right
    diagram.height = len(diagram.rows) * ROW
    ending = next(
        (f"caught in {row.name}" for row in diagram.rows for s in row.steps if s.how == "caught"),
        "not caught in the snippet",
    )
    diagram.summary = (
        f"{diagram.exception} unwinds through {len(diagram.rows)} frames, innermost first: "
        + "; ".join(
            f"{row.name}: " + (", then ".join(s.text for s in row.steps) or "not reached")
            for row in diagram.rows
        )
        + f"; {ending}"
    )
    return diagram
