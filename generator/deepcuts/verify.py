"""Decide whether a run is what its fence says it should be.

For now a fence states one thing about a run: whether it ends normally or with an exception
(``raises``). Any other ending is an error that names the article line and the snippet and carries
the tail of stderr, so a contributor sees the traceback in the build log.
"""

from __future__ import annotations

from deepcuts.errors import Location, SnippetRunError
from deepcuts.model import Trace
from deepcuts.spec import FenceSpec

_DETAIL_LINES = 30


def _tail(text: str) -> str:
    lines = text.rstrip("\n").splitlines()
    if len(lines) > _DETAIL_LINES:
        lines = ["...", *lines[-_DETAIL_LINES:]]
    return "\n".join(lines)


def exception_type(trace: Trace) -> str | None:
    """The type name of the exception that ended the run (``None`` if it did not end by one)."""
    if trace.error is None or trace.error.kind != "exception":
        return None
    return trace.error.message.split(":", 1)[0].strip()


def check_run(trace: Trace, spec: FenceSpec, location: Location) -> None:
    """Raise :class:`SnippetRunError` when the run's ending contradicts the fence."""
    where = f"on CPython {trace.python}"
    ended = exception_type(trace)
    if spec.raises is None:
        if trace.ok:
            return
        reason = trace.error.message if trace.error else f"exited with status {trace.exit_code}"
        hint = " (add 'raises: <ExceptionType>' to the fence if this is the point)" if ended else ""
        raise SnippetRunError(f"{reason} {where}{hint}", location, _tail(trace.stderr))
    if ended is None:
        got = trace.error.message if trace.error else "ended normally"
        raise SnippetRunError(
            f"expected the run to raise {spec.raises}, but it {got} {where}",
            location,
            _tail(trace.stderr),
        )
    # "pkg.mod.Error" in a traceback matches "Error" in the fence.
    if spec.raises != "*" and ended.rsplit(".", 1)[-1] != spec.raises:
        raise SnippetRunError(
            f"expected {spec.raises}, but the run raised {ended} {where}",
            location,
            _tail(trace.stderr),
        )
