"""The step-through viewer's data, from a trace.

Pure Python over :mod:`deepcuts.model` (json only): the build runs it, and so does a reader's
"Edit and run" in the browser (Pyodide), so that both produce the same data from the same trace.
"""

from __future__ import annotations

import json

from deepcuts.model import Trace

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
