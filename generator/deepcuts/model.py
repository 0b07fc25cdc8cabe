"""Plain data that crosses process and cache boundaries: no live objects, only JSON-able values.

A :class:`Trace` is the one document a snippet run produces. Its JSON form is documented in
``docs/reference/trace-format.md``; bump :data:`SCHEMA_VERSION` whenever that form changes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from deepcuts.record import _deepcuts_protocol as protocol

SCHEMA_VERSION = 2

#: Event kinds (``Event.event``); see docs/reference/trace-format.md.
EVENT_KINDS = protocol.KINDS

#: Error kinds a run can end with (``Trace.error.kind``).
ERROR_KINDS = (
    "exception",  # an uncaught exception: the traceback is in stderr
    "exit",  # SystemExit or os._exit with a non-zero status
    "signal",  # killed by a signal (segfault, abort, kill)
    "timeout",  # the wall-clock deadline passed; the process group was killed
    "output-limit",  # stdout or stderr grew past the cap; the process group was killed
    "sandbox",  # the sandbox itself could not start the interpreter
)


def closure_cells(state: str) -> list[tuple[str, int, str]] | None:
    """The cells of a function that closes over some, from its ``objects`` state
    (``closure:[[name, cell number, contents repr], ...]``); None for any other state."""
    if not state.startswith("closure:"):
        return None
    try:
        cells = json.loads(state.removeprefix("closure:"))
        return [(str(name), int(number), str(held)) for name, number, held in cells]
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class RunError:
    """Why a run did not end normally."""

    kind: str
    message: str


_OPTIONAL = frozenset(("locals", "value", "how", "objects", "stdout", "stderr"))


class Event(NamedTuple):
    """One thing the interpreter did, as the recorder saw it (see the trace format reference).

    A named tuple rather than a dataclass: a trace holds up to hundreds of thousands of them,
    and a tuple is built at C speed."""

    event: str
    frame: int
    parent: int | None
    depth: int
    function: str
    qualname: str
    line: int
    thread: int = 0
    file: str = ""
    locals: dict[str, str] | None = None
    value: str | None = None
    how: str | None = None
    objects: dict[str, str] | None = None
    stdout: int | None = None  # characters of Trace.stdout written when this happened
    stderr: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object; optional fields that are unset are left out to keep
        traces small (``parent`` is always there: ``null`` for a frame with no traced caller)."""
        return {
            k: v
            for k, v in zip(self._fields, self, strict=True)
            if v is not None or k not in _OPTIONAL
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        """Build from a decoded JSON object, ignoring keys this version does not know."""
        return cls(**{k: v for k, v in data.items() if k in cls._fields})


@dataclass(frozen=True)
class Trace:
    """Everything one run of one snippet on one interpreter produced, normalised."""

    python: str
    snippet: str
    stdout: str
    stderr: str
    exit_code: int | None
    error: RunError | None = None
    truncated: bool = False
    events: tuple[Event, ...] = ()
    schema: int = SCHEMA_VERSION
    notes: tuple[str, ...] = field(default=())
    recorder: dict[str, str] | None = None  # backend and why it was chosen; None: not recorded
    # qualname -> {"free": [...], "cell": [...]}: the closure variables of the recorded code
    # (only code that has some): what comes from an enclosing function's cell, what is kept in one
    scopes: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the snippet ended on its own with status 0."""
        return self.error is None and self.exit_code == 0

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form."""
        return {
            "schema": self.schema,
            "python": self.python,
            "snippet": self.snippet,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "exit_code": self.exit_code,
            "error": None if self.error is None else asdict(self.error),
            "truncated": self.truncated,
            "recorder": self.recorder,
            "notes": list(self.notes),
            "scopes": self.scopes,
            "events": [e.to_json() for e in self.events],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trace:
        """Inverse of :meth:`to_json`; raises ``ValueError`` on another schema version."""
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"trace schema {data.get('schema')!r}, expected {SCHEMA_VERSION}")
        error = data.get("error")
        return cls(
            python=data["python"],
            snippet=data["snippet"],
            stdout=data["stdout"],
            stderr=data["stderr"],
            exit_code=data["exit_code"],
            error=None if error is None else RunError(error["kind"], error["message"]),
            truncated=bool(data.get("truncated", False)),
            events=tuple(Event.from_json(e) for e in data.get("events", ())),
            notes=tuple(data.get("notes", ())),
            recorder=data.get("recorder"),
            scopes=dict(data.get("scopes") or {}),
        )
