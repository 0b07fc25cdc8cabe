"""Each generator or coroutine frame's life: created, running, suspended, closed, including one
that was created and never started. A run that began with ``throw()`` (the exception raised at
the suspended ``yield``) or ``close()`` (GeneratorExit) says so; a frame that delegates to another
(``yield from``, ``await``) is linked to it while the other runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcuts.model import Event, Trace
from deepcuts.render.diagrams.text import PAD, ROW, fit_steps, width

MAX_STEPS = 400


@dataclass
class State:
    """One stretch of a frame's life."""

    first: int
    last: int
    state: str  # created, running, suspended, closed
    label: str
    x: float = 0.0
    width: float = 0.0


@dataclass
class Life:
    """One generator or coroutine frame."""

    frame: int
    y: float
    name: str
    states: list[State] = field(default_factory=list)


@dataclass
class Delegation:
    """A frame suspended in ``yield from`` / ``await`` of another: drawn between their rows."""

    outer: int  # frame numbers
    inner: int
    first: int
    last: int
    x: float = 0.0
    width: float = 0.0
    top: float = 0.0
    bottom: float = 0.0


@dataclass
class Lifecycle:
    """Every generator-like frame of the trace."""

    width: float
    height: float
    name_width: float
    lives: list[Life] = field(default_factory=list)
    delegations: list[Delegation] = field(default_factory=list)
    summary: str = ""


def _how_resumed(events: list[Event], index: int) -> str:
    """What a resumption at ``index`` was: the next event of that frame tells a throw() or a
    close() (an exception raised at the yield) from a next() or send()."""
    frame = events[index].frame
    for event in events[index + 1 :]:
        if event.frame != frame:
            continue
        if event.event == "exception" and event.how == "raised":
            if (event.value or "").startswith("GeneratorExit"):
                return "closing"
            return "running (thrown into)"
        return "running"
    return "running"


def _states(events: list[Event], mine: list[tuple[int, Event]]) -> list[State]:
    """One frame's stretches of life, from its events (``mine``: index in ``events``, event)."""
    first_index, first = mine[0]
    if first.event == "abandoned":
        return [
            State(0, first_index + 1, "created", "created"),
            State(first_index + 1, first_index + 2, "closed", "closed (never started)"),
        ]
    states = []
    state, label, since = "running", "running", first_index
    for index, event in mine[1:]:
        new, new_label = state, label
        if event.event == "yield":
            new, new_label = "suspended", "suspended"
        elif event.event == "resume":
            new, new_label = "running", _how_resumed(events, index)
        elif event.event == "return" or (event.event == "exception" and event.how == "propagated"):
            new, new_label = "closed", "closed"
        if new != state or new_label != label:
            states.append(State(since, index, state, label))
            state, label, since = new, new_label, index
    states.append(State(since, max(len(events), since + 1), state, label))
    return states


def lifecycle(trace: Trace) -> Lifecycle | None:
    """States of each generator or coroutine frame; None when the trace has none."""
    events = [e for e in trace.events if e.event != "line"][:MAX_STEPS]
    suspending = sorted({e.frame for e in events if e.event in ("yield", "resume", "abandoned")})
    if not suspending:
        return None
    diagram = Lifecycle(width=0.0, height=0.0, name_width=0.0)
    for row, frame in enumerate(suspending):
        mine = [(i, e) for i, e in enumerate(events) if e.frame == frame]
        life = Life(frame=frame, y=row * (ROW + 6), name=mine[0][1].qualname)
        life.states = _states(events, mine)
        diagram.lives.append(life)
    rows = {life.frame: life for life in diagram.lives}
    for life in diagram.lives:  # delegation: a suspendable frame called by another
        for index, event in enumerate(events):
            if event.event == "call" and event.frame == life.frame and event.parent in rows:
                end = next(
                    (i for i, e in enumerate(events) if e.frame == life.frame and i > index
                     and (e.event == "return" or (e.event == "exception"
                                                  and e.how == "propagated"))),
                    len(events) - 1,
                )  # fmt: skip
                diagram.delegations.append(Delegation(event.parent or 0, life.frame, index, end))
    spans = [(s.first, s.last, width(s.label) + 2 * PAD) for life in diagram.lives
             for s in life.states]  # fmt: skip
    positions = fit_steps(len(events) + 1, spans)
    diagram.name_width = max(width(life.name) for life in diagram.lives) + 2 * PAD
    for life in diagram.lives:
        for state in life.states:
            state.x = diagram.name_width + positions[state.first]
            state.width = positions[min(state.last, len(positions) - 1)] - positions[state.first]
    for link in diagram.delegations:
        link.x = diagram.name_width + positions[link.first]
        link.width = positions[min(link.last + 1, len(positions) - 1)] - positions[link.first]
        link.top = rows[link.outer].y + 22
        link.bottom = rows[link.inner].y + 2
    diagram.width = diagram.name_width + positions[-1]
    diagram.height = len(diagram.lives) * (ROW + 6)
    diagram.summary = "; ".join(
        f"{life.name}: " + " then ".join(s.label for s in life.states) for life in diagram.lives
    ) + "".join(
        f"; {rows[link.outer].name} delegates to {rows[link.inner].name}"
        for link in diagram.delegations
    )
    return diagram
