"""The superfences side of the ``deepcut`` fence: a validator and a formatter.

Nothing here imports MkDocs: any Python-Markdown host that runs ``pymdownx.superfences`` (with the
``deepcuts`` Markdown extension for configuration and line numbers) can use the fence.
"""

from __future__ import annotations

from typing import Any

from deepcuts.engine import engine_for
from deepcuts.errors import Location

#: Header options that carry where a fence stands: the Markdown extension adds the line (of the
#: Markdown it is given); the MkDocs plugin adds the article and the line in the article's file
#: (front matter counted) before the extension runs, so that every call says where it is.
LINE_OPTION = "deepcuts_line"
ARTICLE_OPTION = "deepcuts_article"


def validate(
    language: str, inputs: dict[str, str], options: dict[str, Any], attrs: dict[str, Any], md: Any
) -> bool:
    """Superfences validator: accept every ``deepcut`` fence, so that none silently falls back to
    a plain code block. Header options other than the location are reported by the formatter."""
    for key, value in inputs.items():
        options[key] = value
    return True


def format(
    source: str,
    language: str,
    css_class: str,
    options: dict[str, Any],
    md: Any,
    **kwargs: Any,
) -> str:
    """Superfences formatter: run the snippet (or fetch it from the cache) and return its HTML.

    It never raises: superfences would swallow the exception and show the raw fence. Errors are
    rendered into the page and reported through the engine instead."""
    line = options.get(LINE_OPTION)
    article = options.get(ARTICLE_OPTION)
    location = Location(
        article=article if isinstance(article, str) and article else None,
        line=int(line) if isinstance(line, str) and line.isdigit() else None,
    )
    header = tuple(sorted(k for k in options if k not in (LINE_OPTION, ARTICLE_OPTION)))
    return engine_for(md).render_fence(source, location, md, header)
