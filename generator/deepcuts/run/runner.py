"""Run one snippet in a child interpreter exactly as ``python snippet.py`` would, and capture it.

The child is started as ``python /abs/snippets/x.py`` from a fresh scratch folder with a small,
fixed environment, so ``__main__``, ``sys.argv``, ``sys.path[0]``, ``inspect.stack()`` and
tracebacks are those of a plain run. Output is decoded (invalid UTF-8 becomes backslash escapes) and
normalised here, at capture, so that nothing downstream deals with addresses or machine paths.
"""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
from pathlib import Path

from deepcuts.model import RunError, Trace
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.normalise import Normaliser
from deepcuts.run.process import Limits, ProcessOutcome, run_process

# The environment a snippet sees: nothing inherited from the build (no tokens, no CI variables).
# PYTHONHASHSEED makes set and dict-of-str ordering repeatable; the rest pins locale and clock.
_BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",  # never write __pycache__ into snippets/
}

_LAST_LINE_RE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<msg>.*))?$")


def child_env(scratch: str) -> dict[str, str]:
    """The whole environment of a snippet run."""
    return {**_BASE_ENV, "HOME": scratch, "TMPDIR": scratch}


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


def exception_line(stderr: str) -> str | None:
    """The ``Type: message`` line that closes the last traceback in ``stderr``, if any."""
    if "Traceback (most recent call last):" not in stderr:
        return None
    for line in reversed(stderr.rstrip("\n").splitlines()):
        if line and not line.startswith(" ") and _LAST_LINE_RE.match(line):
            return line
    return None


def classify(outcome: ProcessOutcome, stderr: str, limits: Limits) -> RunError | None:
    """Say why a run did not end normally, in words a contributor can act on."""
    if outcome.timed_out:
        return RunError("timeout", f"still running after {limits.timeout:g} s; it was killed")
    if outcome.capped:
        cap = {"stdout": limits.stdout_bytes, "stderr": limits.stderr_bytes}.get(
            outcome.capped, limits.channel_bytes
        )
        return RunError("output-limit", f"{outcome.capped} passed {cap} bytes; it was killed")
    code = outcome.returncode
    if code is None or code == 0:
        return None
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return RunError("signal", f"killed by {name}")
    last = exception_line(stderr)
    if last is not None and code == 1:
        return RunError("exception", last)
    return RunError("exit", f"exited with status {code}")


def run_snippet(
    script: Path,
    snippets_root: Path,
    interpreter: Interpreter,
    limits: Limits,
) -> Trace:
    """Run ``script`` (a file under ``snippets_root``) and return its normalised trace."""
    scratch = tempfile.mkdtemp(prefix="deepcuts-")
    try:
        outcome = run_process(
            [interpreter.executable, str(script)],
            cwd=scratch,
            env=child_env(scratch),
            limits=limits,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    normaliser = Normaliser(
        [
            (str(snippets_root.resolve()), ""),
            (interpreter.stdlib, "<stdlib>/"),
            (interpreter.executable, f"python{interpreter.version}"),
            (scratch, "<scratch>/"),
        ]
    )
    stdout = normaliser.text(_decode(outcome.stdout))
    stderr = normaliser.text(_decode(outcome.stderr))
    return Trace(
        python=interpreter.full_version,
        snippet=script.resolve().relative_to(snippets_root.resolve()).as_posix(),
        stdout=stdout,
        stderr=stderr,
        exit_code=outcome.returncode,
        error=classify(outcome, stderr, limits),
    )
