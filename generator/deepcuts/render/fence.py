"""A fence's HTML, from its plan and its verified runs.

The highlighted source is made apart from the rest: its line anchors count the code blocks before
it on the page, so it is rendered anew every time, while the rest (outputs per version, diagrams,
the viewer's data, the claims) is the same wherever the fence is rendered from the same inputs,
and the engine keeps it in the cache with :data:`SOURCE_MARK` where the source goes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import deepcuts
from deepcuts import render
from deepcuts.discover import excerpt
from deepcuts.model import Trace
from deepcuts.plan import Plan
from deepcuts.record import _deepcuts_protocol as protocol
from deepcuts.render.figures import render_diagrams, viewer_data
from deepcuts.render.outputs import group_outputs, tab_anchor

#: Where a fence's highlighted source goes in its HTML as kept in the cache.
SOURCE_MARK = "\x00deepcuts-source\x00"


def fence_html(plan: Plan, traces: list[Trace], source: str) -> str:
    """The fence's HTML: source (given), outputs per version, diagrams, viewer, claims."""
    spec, snippet = plan.spec, plan.snippet
    return render.render(
        "snippet.html.j2",
        diagrams=render_diagrams(spec, traces[0], plan.location, snippet.source),
        viewer=viewer_data(traces[0], snippet.source) if spec.viewer else None,
        # the recorder's options, for a reader's own run of this fence (Edit and run)
        record=protocol.encode_options(
            {"lines": spec.trace == "lines", "max_events": spec.max_events, "stdlib": spec.stdlib}
        ),
        groups=group_outputs(traces),
        anchor=tab_anchor(plan.location),
        claims=spec.claims,
        varies=spec.varies,
        snippet=snippet.name,
        source_html=source,
        expected_error=spec.raises is not None,
    )


def source_html(plan: Plan, md: Any) -> str:
    """The shown part of the snippet, highlighted as the page highlights code."""
    spec, snippet = plan.spec, plan.snippet
    shown = excerpt(snippet, spec.section, spec.lines)
    return render.highlight_source(md, shown.text, shown.first_line, spec.title or snippet.name)


def renderer_digest() -> str:
    """Hash of the code that verifies and renders a fence: a change re-renders every fence."""
    digest = hashlib.sha256(deepcuts.__version__.encode())
    package = Path(__file__).resolve().parent.parent
    parts = [
        *package.glob("render/**/*.py"),
        *package.glob("render/templates/*"),
        *package.glob("claims/*.py"),
    ]
    for name in ("verify.py", "engine.py", "model.py", "spec.py"):
        parts.append(package / name)
    for part in sorted(parts):
        digest.update(part.read_bytes())
    return digest.hexdigest()
