"""The ``deepcut`` fence: its syntax, and the superfences validator and formatter that drive it.

A fence body is a small YAML mapping::

    ```deepcut
    file: function_call/add.py     # required, relative to the snippets folder
    section: add                   # optional: show only a marked section
    lines: 3-9                     # optional: or show only these lines
    raises: ZeroDivisionError      # optional: the run is expected to end with this exception
    timeout: 5                     # optional: seconds, at most 60
    title: Binding arguments       # optional: caption above the source
    ```

Nothing here imports MkDocs: any Python-Markdown host that runs ``pymdownx.superfences`` can use
the fence. See ``docs/reference/fence.md`` for the contributor-facing description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from deepcuts.errors import FenceError, Location

#: Header option that :mod:`deepcuts.extension` adds so that errors can name the article line.
LINE_OPTION = "deepcuts_line"

MAX_TIMEOUT = 60.0
_LINES_RE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")
_KNOWN = ("file", "section", "lines", "raises", "timeout", "title")


@dataclass(frozen=True)
class FenceSpec:
    """A parsed fence."""

    file: str
    section: str | None = None
    lines: tuple[int, int] | None = None
    raises: str | None = None  # exception type name, or "*" for any exception
    timeout: float | None = None
    title: str | None = None


def _yaml_error_line(exc: yaml.YAMLError, location: Location) -> Location:
    mark = getattr(exc, "problem_mark", None)
    if mark is None or location.line is None:
        return location
    # The body starts on the line after the opening fence.
    return Location(location.article, location.line + 1 + mark.line, location.snippet)


def parse_spec(body: str, location: Location) -> FenceSpec:
    """Parse a fence body; :class:`FenceError` names the offending key or YAML line."""
    try:
        data: Any = yaml.safe_load(body) if body.strip() else None
    except yaml.YAMLError as exc:
        raise FenceError(
            f"the deepcut fence is not valid YAML: {exc}", _yaml_error_line(exc, location)
        ) from None
    if not isinstance(data, dict):
        raise FenceError("a deepcut fence holds a YAML mapping; at least 'file: path.py'", location)
    unknown = sorted(str(k) for k in data if k not in _KNOWN)
    if unknown:
        raise FenceError(
            f"unknown deepcut option(s) {', '.join(unknown)}; known: {', '.join(_KNOWN)}", location
        )
    file = data.get("file")
    if not isinstance(file, str) or not file.strip():
        raise FenceError("the deepcut fence needs 'file: <path under snippets/>'", location)
    location = Location(location.article, location.line, file)

    section = data.get("section")
    if section is not None and not isinstance(section, str):
        raise FenceError("'section' must be a name", location)

    lines = None
    if data.get("lines") is not None:
        match = _LINES_RE.match(str(data["lines"]))
        if match is None:
            raise FenceError(f"'lines' must look like 3-9, not {data['lines']!r}", location)
        lines = (int(match[1]), int(match[2]))
        if section is not None:
            raise FenceError("use 'section' or 'lines', not both", location)

    raises = data.get("raises")
    if raises is True:
        raises = "*"
    elif raises is False:
        raises = None
    elif raises is not None and not (isinstance(raises, str) and raises.isidentifier()):
        raise FenceError("'raises' is an exception name (ValueError) or true", location)

    timeout = data.get("timeout")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise FenceError("'timeout' is a number of seconds", location)
        if not 0 < timeout <= MAX_TIMEOUT:
            raise FenceError(f"'timeout' must be more than 0 and at most {MAX_TIMEOUT:g}", location)
        timeout = float(timeout)

    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise FenceError("'title' must be text", location)
    return FenceSpec(file.strip(), section, lines, raises, timeout, title)


def validate(
    language: str, inputs: dict[str, str], options: dict[str, Any], attrs: dict[str, Any], md: Any
) -> bool:
    """Superfences validator: accept every ``deepcut`` fence, so that none silently falls back to
    a plain code block. Header options other than the line marker are reported by the formatter."""
    for key, value in inputs.items():
        options[key] = value
    return True


def format(  # noqa: A001 - superfences looks the formatter up by this conventional name
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
    from deepcuts.engine import engine_for  # late: the engine imports rendering and running

    engine = engine_for(md)
    line = options.get(LINE_OPTION)
    location = Location(
        article=engine.current_article,
        line=int(line) if isinstance(line, str) and line.isdigit() else None,
    )
    header = sorted(k for k in options if k != LINE_OPTION)
    return engine.render_fence(source, location, md, header_options=header)
