"""Find the CPython interpreters a site asks for.

A version ("3.12") is looked up, in order, in: the explicit paths given in the configuration, the
building interpreter itself, ``pythonX.Y`` on ``PATH``, pyenv's versions folder (``$PYENV_ROOT`` or
``~/.pyenv``), and the usual system prefixes. Each candidate is asked for its own version, so a
pyenv shim that points nowhere, or a ``python3.12`` that is really something else, is skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from deepcuts.errors import InterpreterError

SUPPORTED = ("3.10", "3.11", "3.12", "3.13")

_VERSION_RE = re.compile(r"^3\.(\d+)$")

# Asked of every candidate: it prints what we need to key caches and normalise paths.
_PROBE = (
    "import json, sys, sysconfig; print(json.dumps({"
    "'version': '%d.%d.%d' % sys.version_info[:3], "
    "'implementation': sys.implementation.name, "
    "'build': sys.version, "
    "'stdlib': sysconfig.get_paths()['stdlib'], "
    "'platstdlib': sysconfig.get_paths()['platstdlib'], "
    "'prefixes': sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}), "
    "'executable': sys.executable}))"
)


@dataclass(frozen=True)
class Interpreter:
    """A CPython that answered the probe."""

    version: str  # "3.12"
    full_version: str  # "3.12.1"
    build: str  # sys.version, which names the compiler and build date: part of cache keys
    executable: str
    stdlib: str
    prefixes: tuple[str, ...] = ()  # sys.prefix and friends: what a sandbox must let it read

    @property
    def version_info(self) -> tuple[int, int]:
        """(major, minor) for comparisons."""
        major, minor = self.version.split(".")
        return int(major), int(minor)


_probe_cache: dict[str, Interpreter | None] = {}


def probe(executable: str) -> Interpreter | None:
    """Ask ``executable`` who it is; ``None`` when it does not answer as a CPython should."""
    real = os.path.realpath(executable)
    if real in _probe_cache:
        return _probe_cache[real]
    found: Interpreter | None = None
    try:
        done = subprocess.run(
            [executable, "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode == 0:
            info = json.loads(done.stdout)
            if info["implementation"] == "cpython":
                full = info["version"]
                found = Interpreter(
                    version=".".join(full.split(".")[:2]),
                    full_version=full,
                    build=info["build"],
                    executable=executable,
                    stdlib=info["stdlib"],
                    prefixes=tuple(info["prefixes"]),
                )
    except (OSError, subprocess.SubprocessError, ValueError, KeyError):
        found = None
    _probe_cache[real] = found
    return found


def current() -> Interpreter:
    """The interpreter running the build (the base one, when that is a virtual environment)."""
    found = probe(getattr(sys, "_base_executable", sys.executable)) or probe(sys.executable)
    if found is None:  # pragma: no cover - we are running, so we can answer the probe
        raise InterpreterError(f"the building interpreter {sys.executable} did not answer")
    return found


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def _release_key(name: str) -> list[int]:
    """Sort key for pyenv folder names: "3.12.10" after "3.12.9"; "3.13.0t" and the like last."""
    return [int(x) if x.isdigit() else -1 for x in name.split(".")]


def candidates(version: str, configured: dict[str, str] | None = None) -> list[str]:
    """Executables that might be CPython ``version``, best first, without asking them."""
    found: list[str] = []
    if configured and configured.get(version):
        found.append(str(Path(configured[version]).expanduser()))
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        # Inside a virtual environment, the interpreter it was made from: snippets must not see
        # the build's own packages (MkDocs, this generator) on sys.path.
        found.append(getattr(sys, "_base_executable", sys.executable))
        found.append(sys.executable)
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(on_path)
    versions_dir = _pyenv_root() / "versions"
    if versions_dir.is_dir():
        # Newest patch release first: "3.12.10" sorts after "3.12.9" by number, not by text.
        names = [p.name for p in versions_dir.iterdir() if p.name.startswith(version + ".")]
        names.sort(key=_release_key, reverse=True)
        found.extend(str(versions_dir / n / "bin" / f"python{version}") for n in names)
    for prefix in ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin"):
        found.append(f"{prefix}/python{version}")
    unique: list[str] = []
    for path in found:
        if path not in unique and os.access(path, os.X_OK):
            unique.append(path)
    return unique


def find(version: str, configured: dict[str, str] | None = None) -> Interpreter:
    """The first candidate that really is CPython ``version``; :class:`InterpreterError` if none."""
    if not _VERSION_RE.match(version):
        raise InterpreterError(f"'{version}' is not a Python version like 3.12")
    tried = candidates(version, configured)
    for path in tried:
        found = probe(path)
        if found is not None and found.version == version:
            return found
    where = ", ".join(tried) if tried else "nothing on PATH, in pyenv or in the system prefixes"
    raise InterpreterError(
        f"no CPython {version} found (tried: {where}); install it or set its path under "
        f"'interpreters' in the deepcuts configuration"
    )
