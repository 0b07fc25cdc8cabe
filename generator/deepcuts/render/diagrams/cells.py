"""Closures and their cells: each function seen in the run that closes over cells, the cells it
holds (one per free variable, ``__closure__``), and what each cell holds, at one moment. A cell
two functions share is drawn once, with an arrow from each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deepcuts.model import Trace, closure_cells
from deepcuts.render.diagrams.text import PAD, capped, width

_FUNCTION = re.compile(r"^<function (?P<qualname>[\w.<>]+) at (?P<address>0xADDR\d+)>")
HEAD = 24.0
LINE = 20.0
GAP = 18.0
ARROWS = 90.0  # px between the function column and the cell column


@dataclass
class Function:
    """A function object with a closure."""

    label: str  # make_counter.<locals>.increment (0xADDR1)
    y: float
    variables: list[tuple[str, int]]  # (free variable, cell number), in __closure__ order
    height: float = 0.0


@dataclass
class Cell:
    """A cell and what it holds."""

    number: int
    holds: str
    y: float
    names: list[str]  # the free variables that refer to it (usually one name)


@dataclass
class Arrow:
    """From a function's free variable to its cell."""

    y1: float
    y2: float


@dataclass
class Cells:
    """The whole diagram."""

    width: float
    height: float
    column: float  # x of the cell column
    functions: list[Function] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    moment: str = ""
    summary: str = ""


def cells(trace: Trace, until: int | None, moment: str) -> Cells | None:
    """The closures seen in events up to index ``until`` (the whole run when None), each with
    its cells and their latest contents; None when no closure was seen."""
    found: dict[str, list[tuple[str, int, str]]] = {}
    for event in trace.events[: None if until is None else until + 1]:
        for text, state in (event.objects or {}).items():
            held = closure_cells(state)
            if held is not None:
                found[text] = held  # the latest: what its cells hold now
    if not found:
        return None
    contents: dict[int, str] = {}
    names: dict[int, list[str]] = {}
    for held in found.values():
        for name, number, value in held:
            contents[number] = capped(value)
            if name not in names.setdefault(number, []):
                names[number].append(name)
    diagram = Cells(width=0.0, height=0.0, column=0.0, moment=moment)
    y = 0.0
    for text, held in found.items():
        match = _FUNCTION.match(text)
        label = f"{match['qualname']} ({match['address']})" if match else capped(text)
        function = Function(label, y, [(name, number) for name, number, _v in held])
        function.height = HEAD + len(held) * LINE + 6
        diagram.functions.append(function)
        y += function.height + GAP
    order = sorted(contents, key=lambda n: min(
        f.y + HEAD + i * LINE for f in diagram.functions for i, (_name, m) in
        enumerate(f.variables) if m == n))  # fmt: skip
    cell_y = 0.0
    for number in order:
        cell = Cell(number, contents[number], cell_y, names[number])
        diagram.cells.append(cell)
        cell_y += 2 * LINE + GAP
    where = {cell.number: cell.y + LINE for cell in diagram.cells}
    for function in diagram.functions:
        for index, (_name, number) in enumerate(function.variables):
            diagram.arrows.append(Arrow(function.y + HEAD + index * LINE + 14, where[number]))
    left = max(width(f.label) for f in diagram.functions) + 2 * PAD
    left = max(left, *(width(f"{n} \u2192") + 2 * PAD for f in diagram.functions
                       for n, _m in f.variables))  # fmt: skip
    diagram.column = left + ARROWS
    right = (
        max(
            max(width(f"cell {c.number} ({', '.join(c.names)})"), width(c.holds))
            for c in diagram.cells
        )
        + 2 * PAD
    )
    diagram.width = diagram.column + right
    diagram.height = max(y, cell_y)
    shared = [c for c in diagram.cells if sum(
        1 for f in diagram.functions for _n, m in f.variables if m == c.number) > 1]  # fmt: skip
    diagram.summary = (
        f"Closures {moment}: "
        + "; ".join(
            f"{f.label} holds "
            + ", ".join(f"{n} in cell {m} ({contents[m]})" for n, m in f.variables)
            for f in diagram.functions
        )
        + "".join(f"; cell {c.number} is shared" for c in shared)
    )
    return diagram
