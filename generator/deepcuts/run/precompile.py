"""Compile the recorder's modules once per interpreter, so that no recorded run pays for it.

Snippets run with ``PYTHONDONTWRITEBYTECODE=1`` (nothing may appear in ``snippets/``), which would
also make every run recompile the recorder. Compiling it here, once per interpreter and process,
leaves ``__pycache__/*.cpython-3XY.pyc`` beside it that the child only reads.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from deepcuts.errors import DeepCutsError
from deepcuts.run.interpreters import Interpreter

_done: set[tuple[str, str]] = set()


def precompile_recorder(interpreter: Interpreter, folder: Path) -> None:
    """Byte-compile ``folder`` for ``interpreter`` (a no-op after the first call). Failure only
    costs speed: the child then compiles in memory."""
    key = (interpreter.executable, str(folder))
    if key in _done:
        return
    _done.add(key)
    try:
        argv = interpreter.command(
            ["-m", "compileall", "-q", "-l", str(folder)], writable=(str(folder),)
        )
    except DeepCutsError:
        return  # it cannot run here at all; the run itself will say why
    subprocess.run(
        argv,
        capture_output=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
