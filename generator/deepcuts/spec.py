"""The ``deepcut`` fence's syntax: its body, parsed into a :class:`FenceSpec`.

A fence body is a small YAML mapping::

    ```deepcut
    file: function_call/add.py     # required, relative to the snippets folder
    section: add                   # optional: show only a marked section
    lines: 3-9                     # optional: or show only these lines
    raises: ZeroDivisionError      # optional: the run is expected to end with this exception
    timeout: 5                     # optional: seconds, at most 60
    title: Binding arguments       # optional: caption above the source
    trace: lines                   # optional: calls (default), lines, or off
    max_events: 20000              # optional: the recorder's event cap (protocol.MAX_EVENTS)
    claims:                        # optional: statements about the run, checked (claims/)
      - add is called with a=2, b=3
    varies: true                   # optional: the output differs between runs (not compared)
    stdlib: true                   # optional: also record frames of the standard library
    diagrams:                      # optional: drawn from the recorded run (render/diagrams/)
      - timeline
      - snapshot: add              # the stack when add's frame starts
      - lifecycle                  # also: depth, lanes, cells[: LINE], unwinding[: FUNCTION]
    viewer: true                   # optional: step through the recorded run in the page
    ```

See ``docs/reference/fence.md`` for the contributor-facing description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from deepcuts.errors import FenceError, Location
from deepcuts.record import _deepcuts_protocol as protocol

MAX_TIMEOUT = protocol.MAX_TIMEOUT
# libyaml's safe loader where PyYAML has it: 7x faster, and a build parses every fence.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LINES_RE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")
_KNOWN = (
    "file", "section", "lines", "raises", "timeout", "title", "trace", "max_events", "claims",
    "varies", "stdlib", "diagrams", "viewer",
)  # fmt: skip
TRACE_LEVELS = ("calls", "lines", "off")
DEFAULT_MAX_EVENTS = protocol.MAX_EVENTS
MAX_EVENTS_LIMIT = protocol.MAX_EVENTS_LIMIT


@dataclass(frozen=True)
class FenceSpec:
    """A parsed fence."""

    file: str
    section: str | None = None
    lines: tuple[int, int] | None = None
    raises: str | None = None  # exception type name, or "*" for any exception
    timeout: float | None = None
    title: str | None = None
    trace: str = "calls"  # one of TRACE_LEVELS
    max_events: int = DEFAULT_MAX_EVENTS
    claims: tuple[str, ...] = ()
    varies: bool = False
    stdlib: bool = False
    diagrams: tuple[tuple[str, str], ...] = ()  # (kind, argument): ("snapshot", "add")
    viewer: bool = False  # a step-through of the recorded run (docs/assets/deepcuts-viewer.js)


def _yaml_error_line(exc: yaml.YAMLError, location: Location) -> Location:
    mark = getattr(exc, "problem_mark", None)
    if mark is None or location.line is None:
        return location
    # The body starts on the line after the opening fence.
    return Location(location.article, location.line + 1 + mark.line, location.snippet)


def _parse_lines(data: dict[str, Any], location: Location) -> tuple[int, int] | None:
    if data.get("lines") is None:
        return None
    match = _LINES_RE.match(str(data["lines"]))
    if match is None:
        raise FenceError(f"'lines' must look like 3-9, not {data['lines']!r}", location)
    if data.get("section") is not None:
        raise FenceError("use 'section' or 'lines', not both", location)
    return int(match[1]), int(match[2])


def _parse_raises(value: Any, location: Location) -> str | None:
    if value is True:
        return "*"
    if value is None or value is False:
        return None
    if isinstance(value, str) and value.isidentifier():
        return value
    raise FenceError("'raises' is an exception name (ValueError) or true", location)


def _parse_timeout(value: Any, location: Location) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FenceError("'timeout' is a number of seconds", location)
    if not 0 < value <= MAX_TIMEOUT:
        raise FenceError(f"'timeout' must be more than 0 and at most {MAX_TIMEOUT:g}", location)
    return float(value)


def _parse_trace(data: dict[str, Any], location: Location) -> tuple[str, int]:
    level = data.get("trace", "calls")
    if level is False:  # YAML reads a bare `off` as false
        level = "off"
    if level not in TRACE_LEVELS:
        raise FenceError(f"'trace' is one of {', '.join(TRACE_LEVELS)}, not {level!r}", location)
    cap = data.get("max_events", DEFAULT_MAX_EVENTS)
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_EVENTS_LIMIT:
        raise FenceError(f"'max_events' is a whole number from 1 to {MAX_EVENTS_LIMIT}", location)
    return str(level), cap


def _parse_claims(data: dict[str, Any], location: Location) -> tuple[str, ...]:
    claims = data.get("claims") or []
    if isinstance(claims, str):
        claims = [claims]
    if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
        raise FenceError(
            "'claims' is a list of statements, one per line starting with '- '", location
        )
    return tuple(claims)


DIAGRAMS = ("timeline", "lifecycle", "depth", "lanes", "cells", "unwinding")
# Kinds that take an argument: what it names, for the error message.
DIAGRAM_ARGUMENTS = {
    "snapshot": "FUNCTION, a line number, or 'marker NAME'",
    "cells": "a line number or 'marker NAME' (the moment to show)",
    "unwinding": "FUNCTION (the exception raised first in it)",
}


def _parse_diagrams(data: dict[str, Any], location: Location) -> tuple[tuple[str, str], ...]:
    wanted = data.get("diagrams") or []
    if not isinstance(wanted, list):
        wanted = [wanted]
    diagrams = []
    for item in wanted:
        if item in DIAGRAMS:
            diagrams.append((str(item), ""))
        elif (
            isinstance(item, dict)
            and len(item) == 1
            and next(iter(item)) in DIAGRAM_ARGUMENTS
            and isinstance(next(iter(item.values())), str | int)
            and not isinstance(next(iter(item.values())), bool)
        ):
            # A function name, a line number, or "marker NAME" (a `# snapshot: NAME` comment).
            ((kind, argument),) = item.items()
            diagrams.append((str(kind), str(argument)))
        else:
            raise FenceError(
                f"unknown diagram {item!r}: use one of {', '.join(DIAGRAMS)}, or "
                + "; ".join(f"'{k}: ' followed by {v}" for k, v in DIAGRAM_ARGUMENTS.items()),
                location,
            )
    return tuple(diagrams)


def _optional_text(data: dict[str, Any], key: str, location: Location) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise FenceError(f"'{key}' must be text", location)
    return value


def parse_spec(body: str, location: Location) -> FenceSpec:
    """Parse a fence body; :class:`FenceError` names the offending key or YAML line."""
    try:
        data: Any = yaml.load(body, Loader=_LOADER) if body.strip() else None  # noqa: S506
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
    trace, max_events = _parse_trace(data, location)
    return FenceSpec(
        file=file.strip(),
        section=_optional_text(data, "section", location),
        lines=_parse_lines(data, location),
        raises=_parse_raises(data.get("raises"), location),
        timeout=_parse_timeout(data.get("timeout"), location),
        title=_optional_text(data, "title", location),
        trace=trace,
        max_events=max_events,
        claims=_parse_claims(data, location),
        varies=bool(data.get("varies", False)),
        stdlib=bool(data.get("stdlib", False)),
        diagrams=_parse_diagrams(data, location),
        viewer=bool(data.get("viewer", False)),
    )
