"""Claims about closure cells and recursion depth.

NAME reads X from a closure cell        (X is a free variable of NAME's code: co_freevars)
NAME keeps X in a cell                  (X is a local of NAME that an inner function closes
                                         over: co_cellvars)
A and B share the cell X                (a function A and a function B seen in the run close
                                         over the same cell for X)
NAME reaches depth N                    (at most N frames of NAME were on the stack at once)
RecursionError is raised at depth N     (in a frame that was the Nth of its function on the
                                         stack)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from deepcuts.claims.common import NAME, Form, name_is
from deepcuts.model import Trace, closure_cells

_FUNCTION_REPR = re.compile(r"^<function (?P<qualname>[\w.<>]+) at ")


def _scope(trace: Trace, name: str) -> dict[str, list[str]] | None:
    for qualname, scope in trace.scopes.items():
        if name in (qualname, qualname.rsplit(".", 1)[-1]):
            return scope
    return None


def _variables(m: re.Match[str], kind: str, what: str) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        scope = _scope(trace, m["name"])
        if scope is not None and m["var"] in scope[kind]:
            return None
        held = ", ".join(scope[kind]) if scope else "none"
        return f"{m['name']}'s {what} are: {held or 'none'}"

    return check


def _reads(m: re.Match[str]) -> Callable[[Trace], str | None]:
    return _variables(m, "free", "free variables (read from cells)")


def _keeps(m: re.Match[str]) -> Callable[[Trace], str | None]:
    return _variables(m, "cell", "cell variables (kept in cells)")


def cells_of(trace: Trace) -> dict[str, dict[str, int]]:
    """Every function seen in the run that closes over cells: its repr -> {free variable: cell
    number}, from the ``objects`` of every event."""
    found: dict[str, dict[str, int]] = {}
    for event in trace.events:
        for text, state in (event.objects or {}).items():
            cells = closure_cells(state)
            if cells is not None:
                found.setdefault(text, {}).update({name: n for name, n, _held in cells})
    return found


def _share(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        numbers: dict[str, set[int]] = {"a": set(), "b": set()}
        for text, cells in cells_of(trace).items():
            found = _FUNCTION_REPR.match(text)
            if found is None or m["var"] not in cells:
                continue
            qualname = found["qualname"]
            for side in ("a", "b"):
                if m[side] in (qualname, qualname.rsplit(".", 1)[-1]):
                    numbers[side].add(cells[m["var"]])
        if numbers["a"] & numbers["b"]:
            return None
        return (
            f"the cells for {m['var']}: {m['a']} has {sorted(numbers['a']) or 'none'}, "
            f"{m['b']} has {sorted(numbers['b']) or 'none'}"
        )

    return check


def nesting(trace: Trace) -> dict[int, int]:
    """Each frame (by number) -> how many frames of its function were on the stack, itself
    included, when it started: its recursion depth."""
    active: dict[int, str] = {}
    depth: dict[int, int] = {}
    for event in trace.events:
        if event.event in ("call", "resume"):
            if event.event == "call" or event.frame not in active:
                active[event.frame] = event.qualname
                depth[event.frame] = sum(1 for q in active.values() if q == event.qualname)
        elif event.event in ("return", "yield") or (
            event.event == "exception" and event.how == "propagated"
        ):
            active.pop(event.frame, None)
    return depth


def _reaches(m: re.Match[str]) -> Callable[[Trace], str | None]:
    wanted = int(m["count"])

    def check(trace: Trace) -> str | None:
        depth = nesting(trace)
        deepest = max(
            (depth.get(e.frame, 0) for e in trace.events if name_is(e, m["name"])), default=0
        )
        return None if deepest == wanted else f"{m['name']} reached depth {deepest}"

    return check


def _recursion_error(m: re.Match[str]) -> Callable[[Trace], str | None]:
    wanted = int(m["count"])

    def check(trace: Trace) -> str | None:
        depth = nesting(trace)
        raised = [
            depth.get(e.frame, 0)
            for e in trace.events
            if e.event == "exception"
            and e.how == "raised"
            and (e.value or "").startswith("RecursionError")
        ]
        if wanted in raised:
            return None
        return f"RecursionError was raised at depth {', '.join(map(str, raised)) or 'none'}"

    return check


FORMS: list[Form] = [
    (rf"{NAME.format('name')} reads `?(?P<var>\w+)`? from a closure cell", _reads),
    (rf"{NAME.format('name')} keeps `?(?P<var>\w+)`? in a cell", _keeps),
    (rf"{NAME.format('a')} and {NAME.format('b')} share the cell `?(?P<var>\w+)`?", _share),
    (rf"{NAME.format('name')} reaches depth (?P<count>\d+)", _reaches),
    (r"`?RecursionError`? is raised at depth (?P<count>\d+)", _recursion_error),
]
