"""The diagrams a fence asks for, as HTML: layout from :mod:`diagrams`, markup from templates.

The step-through viewer's data is made in :mod:`deepcuts.render.steps` (it also runs in the
reader's browser); it is re-exported here."""

from __future__ import annotations

import re
from collections.abc import Callable

from deepcuts.errors import FenceError, Location
from deepcuts.model import Trace
from deepcuts.render import diagrams as layout
from deepcuts.render import render
from deepcuts.render.outputs import tab_anchor
from deepcuts.render.steps import MAX_STEPS, viewer_data
from deepcuts.spec import FenceSpec

MARKER = r"#\s*(?:snapshot|cells|marker):\s*{name}\s*$"


def _marked_line(argument: str, source: str) -> int | None:
    """The line an argument names: a number, or the line of a ``# marker: NAME`` comment
    (``# snapshot: NAME`` and ``# cells: NAME`` work too); None for a function name."""
    if argument.isdigit():
        return int(argument)
    if argument.startswith("marker "):
        name = argument.removeprefix("marker ").strip()
        for number, text in enumerate(source.splitlines(), start=1):
            if re.search(MARKER.format(name=re.escape(name)), text):
                return number
        raise FenceError(f"no '# marker: {name}' comment in the snippet")
    return None


def _cells(trace: Trace, argument: str, source: str) -> layout.Cells | None:
    line = _marked_line(argument, source) if argument else None
    until = None if line is None else layout.moment(trace, "", line)
    if line is not None and until is None:
        return None
    moment = f"when line {line} is about to run" if line else "at the end of the run"
    return layout.cells(trace, until, moment)


def _snapshot(trace: Trace, argument: str, source: str) -> layout.Snapshot | None:
    line = _marked_line(argument, source)
    return layout.snapshot(trace, argument if line is None else f"line {line}", line)


# kind -> how to lay it out from (trace, argument, snippet source)
_LAYOUTS: dict[str, Callable[[Trace, str, str], object | None]] = {
    "timeline": lambda trace, _argument, _source: layout.timeline(trace),
    "snapshot": _snapshot,
    "cells": _cells,
    "unwinding": lambda trace, argument, _source: layout.unwinding(trace, argument),
    "lifecycle": lambda trace, _argument, _source: layout.lifecycle(trace),
    "depth": lambda trace, _argument, _source: layout.depth(trace),
    "lanes": lambda trace, _argument, _source: layout.lanes(trace),
}


def _figure(kind: str, argument: str, trace: Trace, source: str, ident: str) -> str | None:
    """One diagram's HTML, or None when the run has nothing it could draw."""
    drawn = _LAYOUTS[kind](trace, argument, source)
    if drawn is None:
        return None
    return render(f"diagram_{kind}.svg.j2", d=drawn, id=ident, snippet=trace.snippet)


# Why a diagram could not be drawn: what the reader of the error should change.
_MISSING = {
    "timeline": "the run recorded no call",
    "snapshot": "{argument} was never reached in the recorded run (a line needs 'trace: lines' "
    "unless a call or a return happens on it)",
    "cells": "no function with a closure was seen {moment}; closures show in the values the "
    "recorder sees (a local, an argument, a return value)",
    "unwinding": "no exception was raised{where} in the recorded run",
    "lifecycle": "the run has no generator or coroutine frame",
    "depth": "the run recorded no call below the module's own frame",
    "lanes": "fewer than two coroutine chains ran, so nothing takes turns",
}


def render_diagrams(
    spec: FenceSpec, trace: Trace, location: Location, source: str = ""
) -> list[str]:
    """Figures for the fence's ``diagrams``, drawn from ``trace``."""
    figures = []
    base = tab_anchor(location)
    for index, (kind, argument) in enumerate(spec.diagrams):
        try:
            html = _figure(kind, argument, trace, source, f"{base}-d{index}")
        except FenceError as error:
            raise FenceError(f"{kind}: {error.message}", location) from None
        if html is None:
            why = _MISSING[kind].format(
                argument=argument,
                moment=f"before line {argument}" if argument else "in the run",
                where=f" in {argument}" if argument else "",
            )
            raise FenceError(f"{kind}: {why}", location)
        figures.append(html)
    return figures


__all__ = ["MAX_STEPS", "render_diagrams", "viewer_data"]
