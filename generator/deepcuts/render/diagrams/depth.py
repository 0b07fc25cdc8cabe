"""How deep the stack goes over time: one step per call and per frame ended, the stack's height
after it. A long run of calls each one deeper (or of frames ended each one shallower) is folded:
its first and last steps stay, and the middle becomes "... N more frames ...", on both axes, so a
recursion of any depth stays readable. A RecursionError is marked where it was raised."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepcuts.model import Trace
from deepcuts.render.diagrams.text import PAD, width

STEP = 9.0  # px per event
LEVEL = 6.0  # px per frame of depth
LABEL_ROOM = 14.0  # px between two depth labels at least
KEEP = 4  # steps kept at each end of a folded run
FOLD = 3 * KEEP  # runs longer than this are folded
GAP = 4  # the room a fold takes, in steps and in levels


@dataclass
class Point:
    """The stack's height after one event (x, y in px)."""

    x: float
    y: float
    depth: int


@dataclass
class Fold:
    """A folded run: what it stands for and where it is drawn."""

    x: float
    y: float
    text: str


@dataclass
class Depth:
    """The whole diagram."""

    width: float
    height: float
    points: list[Point] = field(default_factory=list)
    folds: list[Fold] = field(default_factory=list)
    marks: list[tuple[float, float, str]] = field(default_factory=list)  # (x, y, text)
    levels: list[tuple[float, str]] = field(default_factory=list)  # (y, "depth 10")
    deepest: int = 0
    summary: str = ""


def _heights(trace: Trace) -> list[tuple[int, str, str]]:
    """(stack height after, event kind, label) for each call and each frame ended."""
    found = []
    height = 0
    for event in trace.events:
        if event.event == "call":
            height = event.depth + 1
            found.append((height, "call", event.qualname))
        elif event.event in ("return", "yield") or (
            event.event == "exception" and event.how == "propagated"
        ):
            height = event.depth
            found.append((height, "end", event.qualname))
        elif event.event == "resume":
            height = event.depth + 1
            found.append((height, "call", event.qualname))
        elif event.event == "exception" and event.how == "raised":
            found.append((height, "raise", event.value or ""))
    return found


def _runs(steps: list[tuple[int, str, str]]) -> list[tuple[int, int]]:
    """(first, last) indexes of runs of monotonic steps (each one deeper, or shallower)."""
    runs = []
    first = 0
    for index in range(1, len(steps) + 1):
        same = index < len(steps) and steps[index][1] == steps[first][1] != "raise" and abs(
            steps[index][0] - steps[index - 1][0]) == 1  # fmt: skip
        if not same:
            runs.append((first, index - 1))
            first = index
    return runs


def _fold(
    steps: list[tuple[int, str, str]],
) -> tuple[list[tuple[int, int, str, str]], set[int], int]:
    """Which steps are drawn (x in steps, height, kind, label), the depth levels folded away,
    and the width of the axis in steps."""
    shown: list[tuple[int, int, str, str]] = []  # (step index, height, kind, label)
    hidden_levels: set[int] = set()
    x_steps = 0
    for first, last in _runs(steps):
        if last - first + 1 > FOLD:
            kept = [*range(first, first + KEEP), *range(last - KEEP + 1, last + 1)]
            lows = sorted({steps[first + KEEP - 1][0], steps[last - KEEP + 1][0]})
            hidden_levels.update(range(lows[0] + 1, lows[1]))
            for index in kept[:KEEP]:
                shown.append((x_steps, *steps[index]))
                x_steps += 1
            folded = last - first + 1 - 2 * KEEP
            shown.append((x_steps, -1, "fold", f"\u2026 {folded} more frames \u2026"))
            x_steps += GAP
            for index in kept[KEEP:]:
                shown.append((x_steps, *steps[index]))
                x_steps += 1
        else:
            for index in range(first, last + 1):
                shown.append((x_steps, *steps[index]))
                x_steps += 1
    return shown, hidden_levels, x_steps


def depth(trace: Trace) -> Depth | None:
    """The stack's height over the run; None for a run that called nothing from the module."""
    steps = _heights(trace)
    if not any(kind == "call" and height > 1 for height, kind, _l in steps):
        return None
    deepest = max(h for h, _k, _l in steps)
    diagram = Depth(width=0.0, height=0.0, deepest=deepest)
    shown, hidden_levels, x_steps = _fold(steps)
    hidden_levels -= {height for _x, height, kind, _l in shown if kind != "fold"}
    visible = [level for level in range(deepest + 1) if level not in hidden_levels]
    row: dict[int, float] = {}
    y = 8.0  # room for the top label's ascent
    for index, level in enumerate(sorted(visible, reverse=True)):
        if index and sorted(visible, reverse=True)[index - 1] - level > 1:
            y += GAP * LEVEL
        row[level] = y
        y += LEVEL
    margin = width(f"depth {deepest}") + PAD
    previous = 0
    for x_step, height, kind, label in shown:
        x = margin + x_step * STEP
        if kind == "fold":
            middle = (row[previous] + row[0]) / 2 if previous else row[0]
            diagram.folds.append(Fold(x, middle, label))
            continue
        diagram.points.append(Point(x, row[height], height))
        if kind == "raise":
            diagram.marks.append((x, row[height], f"raises {label}"))
        previous = height
    for level in sorted({deepest, 0, *(p.depth for p in diagram.points[:1])}, reverse=True):
        if all(abs(row[level] - y) >= LABEL_ROOM for y, _t in diagram.levels):
            diagram.levels.append((row[level], f"depth {level}"))
    text_end = max(
        [x + width(t) + PAD for x, _y, t in diagram.marks]
        + [f.x + width(f.text) for f in diagram.folds]
        + [margin + x_steps * STEP]
    )
    diagram.width = text_end + PAD
    diagram.height = y + 16
    marked = {(x, y) for x, y, _t in diagram.marks}
    depths = [p.depth for p in diagram.points if (p.x, p.y) in marked]
    diagram.summary = (
        f"The stack's height over {len(steps)} calls and returns: at most {deepest} frames"
        + "".join(f"; {f.text.strip(chr(0x2026) + ' ')} folded" for f in diagram.folds)
        + "".join(
            f"; {t} at depth {d}" for (_x, _y, t), d in zip(diagram.marks, depths, strict=False)
        )
    )
    return diagram
