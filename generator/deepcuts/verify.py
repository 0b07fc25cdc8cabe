"""Decide whether a run is what its author says it should be.

Three things are checked: how the run ends (normally, or with the exception the fence names in
``raises``), what it prints (the expected output recorded beside the snippet), and the claims the
fence makes about the trace (see :mod:`deepcuts.claims`). Every failure names the article line,
the snippet and the interpreter, and carries the evidence: stderr's tail, a diff, or the events.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import re
from pathlib import Path

from deepcuts.errors import DeepCutsError, Location, SnippetRunError
from deepcuts.model import Trace
from deepcuts.spec import FenceSpec


class OutputMismatch(DeepCutsError):
    """What the snippet printed is not what its author recorded."""

    kind = "output"


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


# -- expected output ---------------------------------------------------------------------------
# An author states what a snippet prints in files beside it: `name.out` (stdout) and `name.err`
# (stderr), or `name.3.12.out` for what one Python version prints differently. They are written
# by `deepcuts check --update` from real runs, and reviewed in the pull request's diff.


def expected_path(snippet_path: Path, stream: str, version: str | None = None) -> Path:
    """Where the expected ``stream`` ("out" or "err") of a snippet is kept."""
    middle = f".{version}" if version else ""
    return snippet_path.with_name(f"{snippet_path.stem}{middle}.{stream}")


def _expectations(folder: Path) -> dict[str, tuple[str, ...]]:
    """Snippet stem -> the names of its expected-output files (``x.out``, ``x.3.12.err``), read
    from ``folder`` once for as long as it does not change (a folder of a thousand snippets
    would otherwise be listed, and scanned, a thousand times)."""
    try:
        stamp = folder.stat().st_mtime_ns
    except OSError:
        return {}
    return _listed(folder, stamp)


_EXPECTATION = re.compile(r"^(?P<stem>.+?)(\.3\.\d+)?\.(out|err)$")


@functools.lru_cache(maxsize=256)
def _listed(folder: Path, stamp: int) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError:
        return {}
    for name in names:
        match = _EXPECTATION.match(name)
        if match:
            found.setdefault(match["stem"], []).append(name)
    return {stem: tuple(files) for stem, files in found.items()}


def expected_output(snippet_path: Path, stream: str, version: str) -> str | None:
    """The expectation for ``version``: its own file, else the common one, else None."""
    names = _expectations(snippet_path.parent).get(snippet_path.stem, ())
    for candidate in (
        expected_path(snippet_path, stream, version),
        expected_path(snippet_path, stream),
    ):
        if candidate.name in names:
            return candidate.read_text(encoding="utf-8")
    return None


def expectation_digest(snippet_path: Path) -> str:
    """A hash of every expected-output file of a snippet (what a verified run was held to)."""
    digest = hashlib.sha256()
    for name in _expectations(snippet_path.parent).get(snippet_path.stem, ()):
        digest.update(name.encode() + b"\0" + (snippet_path.parent / name).read_bytes())
    return digest.hexdigest()


def has_expectations(snippet_path: Path) -> bool:
    """Whether the author recorded any expected output for this snippet (a common file, or one
    for a Python version)."""
    return bool(_expectations(snippet_path.parent).get(snippet_path.stem))


def output_diff(expected: str, actual: str, label: str) -> str:
    """A unified diff, expected first, as a contributor reads it in a review."""
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            f"expected {label}",
            f"actual {label}",
        )
    )


def check_output(trace: Trace, snippet_path: Path, location: Location) -> None:
    """Raise :class:`OutputMismatch` when the run's output is not the recorded expectation.
    A snippet with no recorded expectation at all is not checked here (``deepcuts check``
    reports it)."""
    if not has_expectations(snippet_path):
        return
    version = ".".join(trace.python.split(".")[:2])
    for stream, actual in (("out", trace.stdout), ("err", trace.stderr)):
        expected = expected_output(snippet_path, stream, version) or ""
        if expected != actual:
            name = "stdout" if stream == "out" else "stderr"
            raise OutputMismatch(
                f"{name} differs from {expected_path(snippet_path, stream).name} on CPython "
                f"{trace.python} (run `deepcuts check --update` if the change is right)",
                location,
                output_diff(expected, actual, name),
            )


def record_expected(snippet_path: Path, trace: Trace, *, common: bool) -> bool:
    """Write what ``trace`` printed as the expectation (``deepcuts check --update``): the first
    configured interpreter writes the common files (``common``), another writes files of its own
    only where it differs from them. Returns whether any file changed."""
    version = ".".join(trace.python.split(".")[:2])
    changed = False
    for stream, text in (("out", trace.stdout), ("err", trace.stderr)):
        shared = expected_path(snippet_path, stream)
        own = expected_path(snippet_path, stream, version)
        if not common:
            shared_text = shared.read_text(encoding="utf-8") if shared.exists() else ""
            if text == shared_text:
                if own.exists():
                    own.unlink()
                    changed = True
                continue
            target = own
        elif stream == "err" and text == "":
            if shared.exists():
                shared.unlink()  # no stderr, no file
                changed = True
            continue
        else:
            target = shared
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed = True
    return changed
