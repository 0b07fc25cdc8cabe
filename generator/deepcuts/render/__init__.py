"""Turn traces into HTML: layout decisions in Python, markup in ``templates/*.j2``.

The Jinja2 environment autoescapes everything, and every piece of snippet output passes through
:func:`terminal_text` first, so a snippet that prints ``<script>`` or terminal escape sequences
shows them as inert text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2

# CSI and OSC escape sequences, then any other C0/C1 control character except tab and newline.
_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """What a reader should see of terminal output: no escape sequences, no control characters
    (shown as ``\\xNN`` so that nothing is silently lost)."""
    text = _ANSI_RE.sub("", text.replace("\r\n", "\n"))
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


@cache
def environment() -> jinja2.Environment:
    """The one template environment; filters are registered here and nowhere else."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("deepcuts.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["terminal"] = terminal_text
    env.filters["px"] = lambda value: f"{value:.1f}".removesuffix(".0")
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)


def highlight_source(md: Any, source: str, first_line: int, title: str | None) -> str:
    """Highlight Python source the way the site's other code blocks are highlighted, with real
    file line numbers, using the host page's own superfences/highlight settings."""
    registry = getattr(md, "preprocessors", None)
    fenced = registry["fenced_code_block"] if registry and "fenced_code_block" in registry else None
    if fenced is not None and hasattr(fenced, "highlight"):
        options: dict[str, Any] = {"linenums": str(first_line)}
        if title:
            options["title"] = title
        html: str = fenced.highlight(
            src=source,
            language="python",
            options=options,
            md=md,
            classes=["deepcut-source"],
            id_value="",
            attrs={},
        )
        return html
    # No superfences host (a unit test, or a bare Markdown): plain escaped code, still readable.
    return render("plain_source.html.j2", source=source, first_line=first_line, title=title)
