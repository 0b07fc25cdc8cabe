"""The child-process runner: faithful to a plain `python snippet.py`, and bounded."""

from __future__ import annotations

import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from conftest import SAMPLES, installed_pythons, skip_if_too_old
from deepcuts.run import interpreters
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.normalise import Normaliser
from deepcuts.run.process import Limits
from deepcuts.run.runner import child_env, run_snippet
from deepcuts.run.sandbox import rooted_command

SAMPLE_FILES = sorted(SAMPLES.glob("*.py"))
SEED = Path(__file__).resolve().parents[1] / "snippets" / "function_call" / "seed.py"


def plain_run(script: Path, interpreter: Interpreter, tmp_path: Path) -> tuple[str, str, int]:
    """`python script.py` with nothing of ours in between, normalised the same way."""
    argv = [interpreter.executable, str(script)]
    if interpreter.root is not None:  # its own /usr: the same view as a snippet run, no more
        argv = rooted_command(
            interpreter.root, argv, readable=[str(script.parent)], writable=[str(tmp_path)],
            cwd=str(tmp_path),
        )  # fmt: skip
    done = subprocess.run(
        argv,
        cwd=tmp_path,
        env=child_env(str(tmp_path)),
        capture_output=True,
        timeout=60,
        check=False,
    )
    normaliser = Normaliser(
        [(str(script.parent), ""), (interpreter.stdlib, "<stdlib>/"), (str(tmp_path), "<scratch>/")]
    )
    return (
        normaliser.text(done.stdout.decode()),
        normaliser.text(done.stderr.decode()),
        done.returncode,
    )


@pytest.mark.parametrize("interpreter", installed_pythons())
@pytest.mark.parametrize("script", [*SAMPLE_FILES, SEED], ids=lambda p: p.name)
def test_run_matches_plain_python(interpreter: Interpreter, script: Path, tmp_path: Path) -> None:
    skip_if_too_old(script, interpreter.version)
    trace = run_snippet(script, script.parent, interpreter, Limits())
    stdout, stderr, code = plain_run(script, interpreter, tmp_path)
    assert trace.stdout == stdout
    assert trace.stderr == stderr
    assert trace.exit_code == code
    assert trace.python.startswith(interpreter.version)


def test_stack_shows_only_the_snippets_frames() -> None:
    trace = run_snippet(SAMPLES / "stack.py", SAMPLES, interpreters.current(), Limits())
    lines = trace.stdout.splitlines()
    assert lines[:3] == ["inner 6 stack.py", "outer 13 stack.py", "<module> 16 stack.py"]
    assert lines[3] == "argv ['stack.py']"
    assert lines[4] == "name __main__ path0 is my folder: True"


def test_uncaught_chained_exception_is_classified() -> None:
    trace = run_snippet(SAMPLES / "chained.py", SAMPLES, interpreters.current(), Limits())
    assert trace.stdout == "loading\n"
    assert trace.error is not None and trace.error.kind == "exception"
    assert trace.error.message == "RuntimeError: could not load"
    assert "The above exception was the direct cause" in trace.stderr
    assert 'File "chained.py", line 13, in <module>' in trace.stderr


def test_warning_and_fixed_hash_seed() -> None:
    first = run_snippet(SAMPLES / "warns.py", SAMPLES, interpreters.current(), Limits())
    second = run_snippet(SAMPLES / "warns.py", SAMPLES, interpreters.current(), Limits())
    assert "RuntimeWarning: coroutine 'never' was never awaited" in first.stderr
    assert "warns.py:9: UserWarning: a plain warning" in first.stderr
    assert first.stdout == second.stdout  # set order is stable under the fixed seed


def _write(tmp_path: Path, source: str) -> Path:
    script = tmp_path / "snippet.py"
    script.write_text(textwrap.dedent(source))
    return script


def _run(tmp_path: Path, source: str, **limits: float) -> tuple[float, object]:
    script = _write(tmp_path, source)
    started = time.monotonic()
    trace = run_snippet(script, tmp_path, interpreters.current(), Limits(**limits))  # type: ignore[arg-type]
    return time.monotonic() - started, trace


def test_sleeping_snippet_is_killed_at_the_deadline(tmp_path: Path) -> None:
    elapsed, trace = _run(
        tmp_path, "import time\nprint('start', flush=True)\ntime.sleep(60)\n", timeout=1
    )
    assert elapsed < 5
    assert trace.error.kind == "timeout"  # type: ignore[attr-defined]
    assert trace.stdout == "start\n"  # type: ignore[attr-defined]


def live_processes(marker: str) -> list[int]:
    """Processes (not zombies) whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_grandchild_holding_the_pipe_does_not_hold_the_build(tmp_path: Path) -> None:
    marker = f"grandchild-{tmp_path.name}"
    elapsed, trace = _run(
        tmp_path,
        f"""\
        import subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "{marker}"])
        print("started")
        """,
        timeout=20,
    )
    assert elapsed < 5
    assert trace.error is None  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while live_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not live_processes(marker)


def test_output_flood_is_capped(tmp_path: Path) -> None:
    elapsed, trace = _run(tmp_path, "while True:\n    print('x' * 1000)\n", timeout=20)
    assert elapsed < 10
    assert trace.error.kind == "output-limit"  # type: ignore[attr-defined]
    assert len(trace.stdout) <= Limits().stdout_bytes  # type: ignore[attr-defined]


def test_no_stdin_and_no_inherited_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPCUTS_TEST_SECRET", "s3cret-token")
    _elapsed, trace = _run(
        tmp_path,
        """\
        import os
        print(sorted(os.environ))
        try:
            input()
        except EOFError:
            print("stdin is empty")
        """,
    )
    assert "s3cret" not in trace.stdout  # type: ignore[attr-defined]
    assert "DEEPCUTS_TEST_SECRET" not in trace.stdout  # type: ignore[attr-defined]
    assert "stdin is empty" in trace.stdout  # type: ignore[attr-defined]


def test_invalid_utf8_is_escaped(tmp_path: Path) -> None:
    _elapsed, trace = _run(tmp_path, "import sys\nsys.stdout.buffer.write(b'ok \\xff\\n')\n")
    assert trace.stdout == "ok \\xff\n"  # type: ignore[attr-defined]


def test_signal_death_is_named(tmp_path: Path) -> None:
    _elapsed, trace = _run(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    assert trace.error.kind == "signal"  # type: ignore[attr-defined]
    assert "SIGSEGV" in trace.error.message  # type: ignore[attr-defined]


def test_exit_status_is_reported(tmp_path: Path) -> None:
    _elapsed, trace = _run(tmp_path, "raise SystemExit(3)\n")
    assert trace.error.kind == "exit"  # type: ignore[attr-defined]
    assert trace.exit_code == 3  # type: ignore[attr-defined]


def test_runner_never_writes_bytecode_into_snippets(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("X = 1\n")
    _run(tmp_path, "import helper\nprint(helper.X)\n")
    assert not (tmp_path / "__pycache__").exists()


def test_scratch_is_the_working_directory_and_is_removed(tmp_path: Path) -> None:
    scratches = set(Path(tempfile.gettempdir()).glob("deepcuts-*"))
    _elapsed, trace = _run(
        tmp_path, "import os\nprint(os.getcwd())\nopen('made.txt', 'w').close()\n"
    )
    assert trace.stdout == "<scratch>\n"  # type: ignore[attr-defined]
    assert not (tmp_path / "made.txt").exists()
    assert set(Path(tempfile.gettempdir()).glob("deepcuts-*")) == scratches
