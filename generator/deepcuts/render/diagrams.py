"""Diagrams of a trace, laid out here as numbers; ``templates/diagram_*.svg.j2`` turn them into
inline SVG (readable without JavaScript, coloured by Material's CSS variables through classes in
``docs/assets/deepcuts.css``, each with a title and a text alternative).

- **timeline**: every recorded frame as a bar from its call to its end, one row per depth, one
  lane per thread; a generator's bar is solid while it runs and dashed while suspended.
- **snapshot**: the stack at the moment a function's frame starts: one box per frame with its
  code name, its locals, its ``f_back`` link, and the slot its return value will fill.
- **lifecycle**: each generator or coroutine frame's states over time: created, running,
  suspended, closed, including one that was created and never started.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcuts.model import Event, Trace

MAX_STEPS = 400  # events drawn at most; a longer trace is cut, and the diagram says so
STEP = 60.0  # px per event on the time axis at most; fewer when the events must fit WIDTH
WIDTH = 720.0
ROW = 26.0
LABEL_CHARS = 7.0  # px per character of label text, for truncation


@dataclass
class Bar:
    """One stretch of a frame on the timeline."""

    x: float
    y: float
    width: float
    label: str
    title: str
    suspended: bool = False
    ends: str = ""  # "returns 5", "raises ValueError(...)", ...


@dataclass
class Timeline:
    """The whole timeline diagram."""

    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    lanes: list[tuple[float, str]] = field(default_factory=list)  # (y, "thread 1")
    cut: int = 0  # events left out
    summary: str = ""


def _fit(text: str, width: float) -> str:
    room = max(int(width / LABEL_CHARS), 0)
    if len(text) <= room:
        return text
    return text[: max(room - 1, 0)] + "\u2026" if room > 1 else ""


def _call_label(event: Event) -> str:
    args = ", ".join(f"{k}={v}" for k, v in (event.locals or {}).items())
    return f"{event.qualname}({args})"


def timeline(trace: Trace) -> Timeline:
    """Lay out the call-stack timeline of ``trace``."""
    events = [e for e in trace.events if e.event != "line"][:MAX_STEPS]
    cut = len([e for e in trace.events if e.event != "line"]) - len(events)
    step = min(STEP, WIDTH / max(len(events), 1))
    threads = sorted({e.thread for e in events})
    depth_of_thread = {
        t: max([e.depth for e in events if e.thread == t] + [0]) + 1 for t in threads
    }
    lane_top: dict[int, float] = {}
    top = 0.0
    lanes = []
    for thread in threads:
        lane_top[thread] = top
        if len(threads) > 1:
            lanes.append((top, "main thread" if thread == 0 else f"thread {thread}"))
        top += depth_of_thread[thread] * ROW + (ROW / 2 if len(threads) > 1 else 0)
    diagram = Timeline(width=WIDTH, height=top + 4, cut=cut)

    open_since: dict[int, tuple[float, Event, bool]] = {}  # frame -> (x, call event, running)
    calls: dict[int, Event] = {}
    for index, event in enumerate(events):
        x = index * step
        if event.event in ("call", "abandoned"):
            calls[event.frame] = event
            if event.event == "call":
                open_since[event.frame] = (x, event, True)
            else:
                y = lane_top[event.thread] + event.depth * ROW
                diagram.bars.append(
                    Bar(
                        x,
                        y,
                        step,
                        "",
                        f"{event.qualname}: created, never started",
                        suspended=True,
                        ends="never started",
                    )
                )
            continue
        if event.frame not in open_since:
            continue
        start, call, running = open_since[event.frame]
        y = lane_top[call.thread] + call.depth * ROW
        width = max(x - start, step)
        if event.event in {"yield", "resume"}:
            label = _call_label(call) if running else "suspended"
            diagram.bars.append(
                Bar(start, y, width, _fit(label, width), _call_label(call), suspended=not running)
            )
            open_since[event.frame] = (x, call, event.event == "resume")
            continue
        if event.event in ("return", "exception") and (
            event.event == "return" or event.how == "propagated"
        ):
            ends = f"returns {event.value}" if event.event == "return" else f"raises {event.value}"
            label = f"{_call_label(call)} \u2192 {event.value}" if running else "suspended"
            diagram.bars.append(
                Bar(
                    start,
                    y,
                    width + step,
                    _fit(label, width + step),
                    f"{_call_label(call)} {ends}",
                    suspended=not running,
                    ends=ends,
                )
            )
            del open_since[event.frame]
    end = len(events) * step
    for start, call, running in open_since.values():  # still open when the recording ended
        y = lane_top[call.thread] + call.depth * ROW
        diagram.bars.append(
            Bar(
                start,
                y,
                max(end - start, step),
                _fit(_call_label(call), end - start),
                f"{_call_label(call)} (still open)",
                suspended=not running,
            )
        )
    frames = len(calls)
    diagram.summary = (
        f"Timeline of {frames} frame{'s' if frames != 1 else ''} over {len(events)} events"
        + (f"; {cut} later events are not drawn" if cut else "")
        + ". "
        + "; ".join(f"{b.title}" for b in diagram.bars[:40])
    )
    return diagram


@dataclass
class Box:
    """One frame in a snapshot."""

    y: float
    name: str
    locals: list[tuple[str, str]]
    returns: str
    back: str  # the frame its f_back points to, or "" for the outermost


@dataclass
class Snapshot:
    """The stack of frames at one moment."""

    target: str
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    summary: str = ""


BOX_HEAD = 24.0
BOX_LINE = 18.0
BOX_GAP = 22.0


def snapshot(trace: Trace, function: str, line: int | None = None) -> Snapshot | None:
    """The stack, innermost first, when ``function``'s first frame starts, or (with ``line``)
    at the first recorded event on that line of the snippet; None if that never happened."""
    events = list(trace.events)
    if line is None:
        found = [
            i
            for i, e in enumerate(events)
            if e.event == "call" and function in (e.qualname, e.function)
        ]
    else:
        found = [i for i, e in enumerate(events) if e.line == line and e.file == trace.snippet]
    if not found:
        return None
    start = found[0]
    by_frame = {e.frame: e for e in events[: start + 1] if e.event == "call"}
    latest = {
        e.frame: e.locals for e in events[: start + 1] if e.event == "line" and e.locals is not None
    }
    chain = []
    frame: int | None = events[start].frame
    while frame is not None and frame in by_frame:
        chain.append(by_frame[frame])
        frame = by_frame[frame].parent
    diagram = Snapshot(target=function, width=WIDTH * 0.75, height=0)
    y = 0.0
    for index, call in enumerate(chain):
        names = list((latest.get(call.frame) or call.locals or {}).items())[:8]
        returned = next(
            (e.value for e in events[start + 1 :] if e.frame == call.frame and e.event == "return"),
            None,
        )
        back = chain[index + 1].qualname if index + 1 < len(chain) else ""
        diagram.boxes.append(
            Box(
                y=y,
                name=call.qualname,
                locals=[(k, _fit(v, diagram.width - 140)) for k, v in names],
                returns=f"will return {returned}" if returned is not None else "not returned yet",
                back=back,
            )
        )
        y += BOX_HEAD + max(len(names), 1) * BOX_LINE + BOX_LINE + BOX_GAP
    diagram.height = y
    diagram.summary = f"The stack when {function} starts, innermost first: " + "; ".join(
        f"{b.name} with "
        + (", ".join(f"{k}={v}" for k, v in b.locals) or "no arguments")
        + (f", called from {b.back}" if b.back else ", the outermost frame")
        for b in diagram.boxes
    )
    return diagram


@dataclass
class Life:
    """One generator or coroutine frame's states."""

    y: float
    name: str
    states: list[tuple[float, float, str]]  # (x, width, state)


@dataclass
class Lifecycle:
    """Every generator-like frame of the trace."""

    width: float
    height: float
    lives: list[Life] = field(default_factory=list)
    summary: str = ""


def lifecycle(trace: Trace) -> Lifecycle | None:
    """States of each generator or coroutine frame; None when the trace has none."""
    events = [e for e in trace.events if e.event != "line"][:MAX_STEPS]
    suspending = {e.frame for e in events if e.event in ("yield", "resume", "abandoned")}
    if not suspending:
        return None
    step = min(STEP, (WIDTH - 160) / max(len(events), 1))
    diagram = Lifecycle(width=WIDTH, height=0)
    y = 0.0
    for frame in sorted(suspending):
        mine = [(i, e) for i, e in enumerate(events) if e.frame == frame]
        name = mine[0][1].qualname
        states: list[tuple[float, float, str]] = []
        if mine[0][1].event == "abandoned":
            states = [
                (0.0, mine[0][0] * step, "created"),
                (mine[0][0] * step, step * 2, "closed (never started)"),
            ]
        else:
            state, since = "running", mine[0][0] * step
            for index, event in mine[1:]:
                x = index * step
                new = (
                    {
                        "yield": "suspended",
                        "resume": "running",
                        "return": "closed",
                        "exception": "closed" if event.how == "propagated" else state,
                    }[event.event]
                    if event.event in ("yield", "resume", "return", "exception")
                    else state
                )
                if new != state:
                    states.append((since, max(x - since, 2.0), state))
                    state, since = new, x
            states.append((since, max(len(events) * step - since, step), state))
        diagram.lives.append(Life(y=y, name=name, states=states))
        y += ROW + 6
    diagram.height = y
    diagram.summary = "; ".join(
        f"{life.name}: " + " then ".join(state for _x, _w, state in life.states)
        for life in diagram.lives
    )
    return diagram
