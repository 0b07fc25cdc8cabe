"""Tasks taking turns: one lane per coroutine chain the event loop drives, a solid slice while it
runs and a gap while it waits, each slice labelled with the ``await`` (or ``yield``) line it
stopped at.

A chain's root is a suspendable frame (a coroutine or generator) whose caller is not one: the
frame an event loop, or a plain ``send()`` loop, resumes. Everything it awaits runs inside its
slices. Time runs left to right in events, as in the timeline; only one lane is ever solid at a
time, which is the point the diagram makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcuts.model import Event, Trace
from deepcuts.render.diagrams.text import PAD, ROW, capped, fit_steps, width
from deepcuts.render.diagrams.timeline import call_label

MAX_STEPS = 400
GAP = 3.0  # px between one slice and the next
WAITS = "waits, line"  # a slice that ended at a yield or an await: "waits, line 7"


@dataclass
class Slice:
    """A stretch when a lane's chain runs."""

    first: int
    last: int  # exclusive
    label: str  # what stopped it: "awaits, line 7", "returns 'a'", "raises KeyError()"
    x: float = 0.0
    width: float = 0.0


@dataclass
class Lane:
    """One coroutine chain."""

    root: int  # frame number of its outermost suspendable frame
    y: float
    name: str
    slices: list[Slice] = field(default_factory=list)


@dataclass
class Lanes:
    """The whole diagram."""

    width: float
    height: float
    name_width: float
    lanes: list[Lane] = field(default_factory=list)
    cut: int = 0
    summary: str = ""


def _suspendable(events: list[Event]) -> set[int]:
    return {e.frame for e in events if e.event in ("yield", "resume", "abandoned")}


def _roots(events: list[Event], suspendable: set[int]) -> dict[int, int]:
    """frame -> the root of its chain, for every suspendable frame; parents as first called."""
    parent: dict[int, int | None] = {}
    for event in events:
        if event.event == "call" and event.frame in suspendable:
            parent.setdefault(event.frame, event.parent)
    roots = {}
    for frame in suspendable:
        root = frame
        seen = {root}
        while parent.get(root) in suspendable and parent[root] not in seen:
            root = parent[root]  # type: ignore[assignment]
            seen.add(root)
        roots[frame] = root
    return roots


def _slices(events: list[Event], roots: dict[int, int], root: int) -> list[Slice]:
    """The stretches when the chain rooted at ``root`` runs, each with what ended it."""
    slices: list[Slice] = []
    since: int | None = None
    waiting_line: int | None = None  # the innermost frame of this chain that yielded
    for index, event in enumerate(events):
        if roots.get(event.frame) != root:
            continue
        if event.event == "yield" and waiting_line is None:
            waiting_line = event.line
        if event.frame != root:
            continue
        if event.event in ("call", "resume"):
            since, waiting_line = index, None
        elif since is not None and event.event == "yield":
            line = waiting_line if waiting_line is not None else event.line
            slices.append(Slice(since, index + 1, f"{WAITS} {line}"))
            since, waiting_line = None, None
        elif since is not None and (
            event.event == "return" or (event.event == "exception" and event.how == "propagated")
        ):
            verb = "returns" if event.event == "return" else "raises"
            slices.append(Slice(since, index + 1, capped(f"{verb} {event.value}")))
            since = None
    if since is not None:
        slices.append(Slice(since, len(events), "still running"))
    return slices


def lanes(trace: Trace) -> Lanes | None:
    """One lane per chain; None when fewer than two chains ran (nothing takes turns)."""
    kept = [e for e in trace.events if e.event != "line"]
    events = kept[:MAX_STEPS]
    suspendable = _suspendable(events)
    roots = _roots(events, suspendable)
    order: list[int] = []
    calls: dict[int, Event] = {}
    for event in events:
        if event.event == "call" and roots.get(event.frame) == event.frame:
            calls.setdefault(event.frame, event)
            if event.frame not in order:
                order.append(event.frame)
    # Chains that take turns: each one's life (first to last event of any of its frames)
    # overlaps another's. A generator run to the end by list() takes turns with nobody.
    life = {root: [i for i, e in enumerate(events) if roots.get(e.frame) == root] for root in order}
    order = [
        root for root in order
        if any(other != root and life[root][0] < life[other][-1]
               and life[other][0] < life[root][-1] for other in order)
    ]  # fmt: skip
    if len(order) < 2:
        return None
    # The axis spans the chains' lives only: what ran before and after is not part of the story.
    begin = min(life[root][0] for root in order)
    end = max(life[root][-1] for root in order) + 1
    cut = len(kept) - len(events)
    events = events[begin:end]
    diagram = Lanes(width=0.0, height=0.0, name_width=0.0, cut=cut)
    for row, root in enumerate(order):
        lane = Lane(root, row * (ROW + 8), capped(call_label(calls[root])))
        lane.slices = _slices(events, roots, root)
        diagram.lanes.append(lane)
    spans = [(s.first, s.last, width(s.label) + 2 * PAD + GAP) for lane in diagram.lanes
             for s in lane.slices]  # fmt: skip
    positions = fit_steps(len(events), spans)
    diagram.name_width = max(width(lane.name) for lane in diagram.lanes) + 2 * PAD
    for lane in diagram.lanes:
        for piece in lane.slices:
            piece.x = diagram.name_width + positions[piece.first]
            piece.width = positions[min(piece.last, len(positions) - 1)] - positions[piece.first]
            piece.width -= GAP  # two turns in a row stay two blocks
    diagram.width = diagram.name_width + positions[-1]
    diagram.height = len(diagram.lanes) * (ROW + 8)
    turns = sorted(
        (piece.first, lane.name, piece.label.replace(WAITS, "waits at line"))
        for lane in diagram.lanes
        for piece in lane.slices
    )
    diagram.summary = (
        f"{len(diagram.lanes)} coroutine chains take {len(turns)} turns, one at a time: "
        + "; ".join(f"{name} runs until it {label}" for _f, name, label in turns)
        + (f"; {diagram.cut} later events are not drawn" if diagram.cut else "")
    )
    return diagram
