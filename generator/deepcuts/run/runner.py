"""Run one snippet in a child interpreter exactly as ``python snippet.py`` would, and capture it.

The child is started as ``python /abs/snippets/x.py`` from a fresh scratch folder with a small,
fixed environment, so ``__main__``, ``sys.argv``, ``sys.path[0]``, ``inspect.stack()`` and
tracebacks are those of a plain run. Output is decoded (invalid UTF-8 becomes backslash escapes) and
normalised here, at capture, so that nothing downstream deals with addresses or machine paths.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

from deepcuts.model import RunError, Trace
from deepcuts.record import _deepcuts_protocol as protocol
from deepcuts.run.channel import ChannelDecoder, normalise_stream
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.normalise import Normaliser
from deepcuts.run.precompile import precompile_recorder
from deepcuts.run.process import Limits, ProcessOutcome, run_process
from deepcuts.run.sandbox import Sandbox, choose_sandbox, readable_paths

RECORDER_DIR = Path(__file__).resolve().parent.parent / "record"


@dataclass(frozen=True)
class RecordOptions:
    """What the recorder records. ``None`` instead of options: a plain, unrecorded run."""

    lines: bool = False  # line events with each frame's locals
    max_events: int = protocol.MAX_EVENTS  # 0: no cap (benchmarks only)
    repr_cap: int = protocol.REPR_CAP  # characters per repr
    backend: str = "auto"  # one of protocol.BACKENDS
    stdlib: bool = False  # also record frames of the standard library

    def env(self, folder: Path) -> dict[str, str]:
        """The variables the bootstrap reads (record/sitecustomize.py), which it then removes."""
        return {
            "PYTHONPATH": str(RECORDER_DIR),
            protocol.FOLDER: str(folder),
            protocol.OPTIONS: protocol.encode_options(dataclasses.asdict(self)),
        }


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
    record: RecordOptions | None = None,
    *,
    sandbox: Sandbox | None = None,
) -> Trace:
    """Run ``script`` (a file under ``snippets_root``) and return its normalised trace; with
    ``record``, the recorder runs inside the child and the trace has events. ``sandbox``
    defaults to the best this machine offers (see :func:`choose_sandbox`)."""
    script = script.resolve()
    sandbox = sandbox or choose_sandbox()
    scratch = tempfile.mkdtemp(prefix="deepcuts-")
    env = child_env(scratch)
    normaliser = Normaliser(
        [
            (str(snippets_root.resolve()), ""),
            (interpreter.stdlib, "<stdlib>/"),
            (interpreter.executable, f"python{interpreter.version}"),
            (scratch, "<scratch>/"),
        ]
    )
    decoder = None
    if record is not None:
        precompile_recorder(interpreter, RECORDER_DIR)
        env.update(record.env(script.parent))
        decoder = ChannelDecoder(normaliser, max_events=record.max_events)
    try:
        argv = sandbox.wrap(
            [interpreter.executable, str(script)],
            scratch=scratch,
            readable=readable_paths(
                interpreter, script.parent, RECORDER_DIR if record is not None else None
            ),
            root=interpreter.root,
        )
        outcome = run_process(
            argv,
            cwd=scratch,
            env=env,
            limits=limits,
            channel=None if decoder is None else decoder.feed,
            pids_cgroup=sandbox.pids_cgroup,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcome = dataclasses.replace(outcome, returncode=sandbox.exit_status(outcome.returncode))
    if decoder is None:
        stdout, _ = normalise_stream(outcome.stdout, set(), normaliser)
        stderr, _ = normalise_stream(outcome.stderr, set(), normaliser)
        decoded = None
    else:
        decoded = decoder.finish(outcome.stdout, outcome.stderr)
        stdout, stderr = decoded.stdout, decoded.stderr
    return Trace(
        python=interpreter.full_version,
        snippet=script.relative_to(snippets_root.resolve()).as_posix(),
        stdout=stdout,
        stderr=stderr,
        exit_code=outcome.returncode,
        error=classify(outcome, stderr, limits),
        truncated=False if decoded is None else decoded.truncated,
        events=() if decoded is None else decoded.events,
        notes=() if decoded is None else decoded.notes,
        recorder=None if decoded is None else decoded.recorder,
        scopes={} if decoded is None else decoded.scopes,
    )
