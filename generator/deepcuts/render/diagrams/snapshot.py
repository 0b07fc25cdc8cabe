"""The stack at one moment: one box per frame with its code name, its locals, its ``f_back`` link
and the slot its return value will fill. Boxes are as wide as their longest line."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcuts.model import Trace
from deepcuts.render.diagrams.text import PAD, capped, width

BOX_HEAD = 24.0
BOX_LINE = 18.0
BOX_GAP = 24.0
MAX_LOCALS = 12


@dataclass
class Box:
    """One frame in a snapshot."""

    y: float
    name: str
    locals: list[tuple[str, str]]
    returns: str
    back: str  # the frame its f_back points to, or "" for the outermost
    height: float = 0.0


@dataclass
class Snapshot:
    """The stack of frames at one moment."""

    target: str
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    summary: str = ""


def moment(trace: Trace, function: str, line: int | None) -> int | None:
    """The index of the event a moment names: the first call of ``function``, or (with
    ``line``) the first recorded event on that line of the snippet."""
    for index, event in enumerate(trace.events):
        if line is None and event.event == "call" and function in (event.qualname, event.function):
            return index
        if line is not None and event.line == line and event.file == trace.snippet:
            return index
    return None


def snapshot(trace: Trace, function: str, line: int | None = None) -> Snapshot | None:
    """The stack, innermost first, when ``function``'s first frame starts, or (with ``line``)
    at the first recorded event on that line of the snippet; None if that never happened."""
    start = moment(trace, function, line)
    if start is None:
        return None
    events = list(trace.events)
    by_frame = {e.frame: e for e in events[: start + 1] if e.event in ("call", "resume")}
    latest = {
        e.frame: e.locals
        for e in events[: start + 1]
        if e.event in ("line", "resume") and e.locals is not None
    }
    chain = []
    frame: int | None = events[start].frame
    while frame is not None and frame in by_frame:
        chain.append(by_frame[frame])
        frame = by_frame[frame].parent
    diagram = Snapshot(target=function, width=0.0, height=0.0)
    y = 0.0
    for index, call in enumerate(chain):
        names = [
            (k, capped(v))
            for k, v in (latest.get(call.frame) or call.locals or {}).items()
            if not (call.qualname == "<module>" and k.startswith("__") and k.endswith("__"))
        ]  # a module's own dunders (__name__, __file__, ...) say nothing about the program
        names = names[:MAX_LOCALS]
        returned = next(
            (e.value for e in events[start + 1 :] if e.frame == call.frame and e.event == "return"),
            None,
        )
        box = Box(
            y=y,
            name=call.qualname,
            locals=names,
            returns=(
                capped(f"will return {returned}") if returned is not None else "not returned yet"
            ),
            back=chain[index + 1].qualname if index + 1 < len(chain) else "",
        )
        box.height = BOX_HEAD + max(len(names), 1) * BOX_LINE + BOX_LINE + 6
        diagram.boxes.append(box)
        y += box.height + BOX_GAP
    texts = [f"frame of {b.name}" for b in diagram.boxes]
    texts += [f"{k} = {v}" for b in diagram.boxes for k, v in b.locals]
    texts += [f"return value: {b.returns}" for b in diagram.boxes]
    texts += [f"f_back \u2193 {b.back}" for b in diagram.boxes]
    diagram.width = max(width(t) for t in texts) + 3 * PAD
    diagram.height = y
    diagram.summary = f"The stack when {function} starts, innermost first: " + "; ".join(
        f"{b.name} with "
        + (", ".join(f"{k}={v}" for k, v in b.locals) or "no arguments")
        + (f", called from {b.back}" if b.back else ", the outermost frame")
        for b in diagram.boxes
    )
    return diagram
