"""The diagrams a fence asks for, as HTML: layout from :mod:`diagrams`, markup from templates."""

from __future__ import annotations

import json
import re

from deepcuts.errors import FenceError, Location
from deepcuts.model import Trace
from deepcuts.render import diagrams as layout
from deepcuts.render import render
from deepcuts.render.outputs import tab_anchor
from deepcuts.spec import FenceSpec


def _snapshot_line(argument: str, source: str) -> int | None:
    """The line a snapshot names: a number, or the line of a ``# snapshot: NAME`` marker."""
    if argument.isdigit():
        return int(argument)
    if argument.startswith("marker "):
        name = argument.removeprefix("marker ").strip()
        for number, text in enumerate(source.splitlines(), start=1):
            if re.search(rf"#\s*snapshot:\s*{re.escape(name)}\s*$", text):
                return number
        raise FenceError(f"no '# snapshot: {name}' comment in the snippet")
    return None


def render_diagrams(
    spec: FenceSpec, trace: Trace, location: Location, source: str = ""
) -> list[str]:
    """Inline SVG figures for the fence's ``diagrams``, drawn from ``trace``."""
    figures = []
    base = tab_anchor(location)
    for index, (kind, argument) in enumerate(spec.diagrams):
        ident = f"{base}-d{index}"
        if kind == "timeline":
            figures.append(
                render(
                    "diagram_timeline.svg.j2",
                    d=layout.timeline(trace),
                    id=ident,
                    snippet=trace.snippet,
                )
            )
        elif kind == "snapshot":
            line = _snapshot_line(argument, source)
            drawn = layout.snapshot(trace, argument if line is None else f"line {line}", line)
            if drawn is None:
                what = f"line {line} was never reached" if line else f"{argument} was never called"
                raise FenceError(
                    f"snapshot: {what} in the recorded run (a line needs 'trace: lines' unless "
                    "a call or a return happens on it)",
                    location,
                )
            figures.append(render("diagram_snapshot.svg.j2", d=drawn, id=ident))
        elif kind == "lifecycle":
            life = layout.lifecycle(trace)
            if life is None:
                raise FenceError("lifecycle: the run has no generator or coroutine frame", location)
            figures.append(
                render("diagram_lifecycle.svg.j2", d=life, id=ident, snippet=trace.snippet)
            )
    return figures


MAX_STEPS = 2000  # steps a viewer carries at most (the page's size budget)


def viewer_data(trace: Trace, source: str) -> str:
    """The step-through viewer's data, as JSON safe inside a <script> element: the file's lines,
    frame names, events as [kind, frame, line, value-or-locals, how, stdout offset], stdout."""
    events = trace.events[:MAX_STEPS]
    data = {
        "source": source.splitlines(),
        "first": 1,
        "frames": {str(e.frame): e.qualname for e in events},
        "events": [
            [
                e.event,
                str(e.frame),
                e.line,
                e.locals if e.event in ("call", "line") else e.value,
                e.how,
                e.stdout,
            ]
            for e in events
        ],
        "stdout": trace.stdout,
        "cut": max(len(trace.events) - MAX_STEPS, 0),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
