"""Find the CPython interpreters a site asks for, and remember what they said about themselves.

A version ("3.14") is looked up, in order, in: the explicit paths given in the configuration, the
building interpreter itself, ``pythonX.Y`` on ``PATH`` (pyenv's shims excepted: they answer for
whatever version pyenv is set to), pyenv's versions folder, uv's managed Pythons, the ones
``deepcuts interpreters --install`` provisioned (see ``provision.py``), and the usual system
prefixes. Each candidate is asked for its own version, so a ``python3.12`` that is really something
else is skipped.

Asking costs a process start, so the answer is kept in a small file in the user's cache, keyed by
the executable's identity (real path, size, modification time): a warm build starts no
interpreter just to learn its version.

A provisioned interpreter brings its own root (its C library is newer than the machine's): it runs
only inside bubblewrap, with that root as ``/usr``; its :attr:`Interpreter.executable` and paths
are the ones it sees there.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from deepcuts.errors import DeepCutsError, InterpreterError
from deepcuts.run.sandbox import rooted_command

SUPPORTED = ("3.10", "3.11", "3.12", "3.13", "3.14", "3.15")

_VERSION_RE = re.compile(r"^3\.(\d+)$")
_FACTS_VERSION = 1  # bump when the probe asks for more

# Asked of every candidate: it prints what we need to key caches and normalise paths.
_PROBE = (
    "import json, sys, sysconfig; print(json.dumps({"
    "'version': '%d.%d.%d' % sys.version_info[:3], "
    "'implementation': sys.implementation.name, "
    "'build': sys.version, "
    "'stdlib': sysconfig.get_paths()['stdlib'], "
    "'prefixes': sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}), "
    "'executable': sys.executable}))"
)


@dataclass(frozen=True)
class Interpreter:
    """A CPython that answered the probe."""

    version: str  # "3.12"
    full_version: str  # "3.12.1"
    build: str  # sys.version, which names the compiler and build date: part of cache keys
    executable: str  # as the interpreter sees it (inside its root, when it has one)
    stdlib: str
    prefixes: tuple[str, ...] = ()  # sys.prefix and friends: what a sandbox must let it read
    root: str | None = None  # mounted as /usr for its runs (needs bubblewrap); None: the machine's
    origin: str = ""  # where it was found: "configuration", "PATH", "pyenv", "uv", ...

    @property
    def version_info(self) -> tuple[int, int]:
        """(major, minor) for comparisons."""
        major, minor = self.version.split(".")
        return int(major), int(minor)

    def command(self, args: list[str], *, writable: tuple[str, ...] = ()) -> list[str]:
        """The command line that runs this interpreter with ``args`` outside any snippet's
        sandbox (for the generator's own use); inside bubblewrap for one with its own root."""
        argv = [self.executable, *args]
        if self.root is None:
            return argv
        return rooted_command(self.root, argv, writable=writable)


@dataclass(frozen=True)
class Candidate:
    """A file that may be a CPython, and where it was found."""

    path: str  # on this machine
    origin: str
    root: str | None = None  # for a provisioned interpreter: the folder that becomes /usr


def user_cache_dir() -> Path:
    """The per-user cache folder (``$XDG_CACHE_HOME/deepcuts``, else ``~/.cache/deepcuts``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deepcuts"


# -- asking an interpreter who it is ---------------------------------------------------------------
_memory: dict[str, dict[str, object] | str] = {}  # identity -> facts, or why not


def _identity(candidate: Candidate) -> str | None:
    """The cache key of a candidate: what changes when the file is replaced."""
    try:
        real = os.path.realpath(candidate.path)
        stat = Path(real).stat()
    except OSError:
        return None
    return f"{real}|{stat.st_size}|{stat.st_mtime_ns}|{candidate.root or ''}"


def _facts_file() -> Path:
    return user_cache_dir() / "interpreters.json"


def _load_facts() -> dict[str, dict[str, object]]:
    try:
        data = json.loads(_facts_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _FACTS_VERSION:
        return {}
    facts = data.get("interpreters")
    return facts if isinstance(facts, dict) else {}


def _store_facts(key: str, facts: dict[str, object]) -> None:
    """Add one interpreter's facts to the file, atomically; a failure only costs a probe later."""
    path = _facts_file()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        merged = {**_load_facts(), key: facts}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".interpreters-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"version": _FACTS_VERSION, "interpreters": merged}, handle, indent=1)
        Path(tmp).replace(path)


def ask(candidate: Candidate) -> dict[str, object] | str:
    """Run the probe; the facts, or why the candidate is not a usable CPython."""
    executable = candidate.path
    if candidate.root is not None:
        executable = "/" + str(Path(candidate.path).relative_to(candidate.root))
    try:
        argv = [executable, "-I", "-c", _PROBE]
        if candidate.root is not None:
            argv = rooted_command(candidate.root, argv)
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except DeepCutsError as exc:
        return exc.message
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{candidate.path} could not run: {exc}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"{candidate.path} did not answer as a CPython ({last})"
    try:
        info = json.loads(done.stdout)
        if info["implementation"] != "cpython":
            return f"{candidate.path} is {info['implementation']}, not CPython"
        return {
            "full_version": str(info["version"]),
            "build": str(info["build"]),
            "executable": executable,
            "stdlib": str(info["stdlib"]),
            "prefixes": [str(p) for p in info["prefixes"]],
        }
    except (ValueError, KeyError, TypeError):
        return f"{candidate.path} did not answer as a CPython"


def inspect(candidate: Candidate) -> Interpreter | str:
    """The interpreter at ``candidate``, or why it is not one we can use. Answers are kept by
    the file's identity, in memory and in the user's cache (negative ones in memory only: a
    missing bubblewrap may be installed before the next build)."""
    key = _identity(candidate)
    if key is None:
        return f"{candidate.path} does not exist"
    if candidate.root is not None and shutil.which("bwrap") is None:
        # Its facts may be cached, but it cannot run here: say so before anything else.
        return (
            f"{candidate.path} brings its own C library and runs only inside bubblewrap, "
            "which is not installed (Debian: apt-get install bubblewrap)"
        )
    facts = _memory.get(key)
    if facts is None:
        stored = _load_facts().get(key)
        facts = stored if isinstance(stored, dict) else ask(candidate)
        if isinstance(facts, dict) and stored is None:
            _store_facts(key, facts)
        _memory[key] = facts
    if isinstance(facts, str):
        return facts
    try:
        full = str(facts["full_version"])
        prefixes = facts["prefixes"]
        return Interpreter(
            version=".".join(full.split(".")[:2]),
            full_version=full,
            build=str(facts["build"]),
            executable=str(facts["executable"]),
            stdlib=str(facts["stdlib"]),
            prefixes=tuple(str(p) for p in prefixes) if isinstance(prefixes, list) else (),
            root=candidate.root,
            origin=candidate.origin,
        )
    except KeyError:
        return f"{candidate.path}: unreadable cached facts"


def probe(executable: str) -> Interpreter | None:
    """Ask ``executable`` who it is; ``None`` when it does not answer as a CPython should."""
    found = inspect(Candidate(executable, "given"))
    return found if isinstance(found, Interpreter) else None


def current() -> Interpreter:
    """The interpreter running the build (the base one, when that is a virtual environment)."""
    for path in (getattr(sys, "_base_executable", sys.executable), sys.executable):
        found = inspect(Candidate(path, "the building interpreter"))
        if isinstance(found, Interpreter):
            return found
    raise InterpreterError(f"the building interpreter {sys.executable} did not answer")


# -- where to look -----------------------------------------------------------------------------
def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def _release_key(name: str) -> list[int]:
    """Sort key for folder names: "3.12.10" after "3.12.9"; "3.13.0t" and the like last."""
    return [int(x) if x.isdigit() else -1 for x in re.split(r"[.-]", name)]


def _uv_dirs() -> list[Path]:
    """Where uv keeps the Pythons it installs (``uv python dir``)."""
    dirs = []
    if os.environ.get("UV_PYTHON_INSTALL_DIR"):
        dirs.append(Path(os.environ["UV_PYTHON_INSTALL_DIR"]))
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    dirs.append(Path(data) / "uv" / "python")
    return dirs


def _uv(version: str) -> list[Candidate]:
    found = []
    for folder in _uv_dirs():
        if not folder.is_dir():
            continue
        # cpython-3.14.0-linux-x86_64-gnu; free-threaded builds ("+freethreaded") are another
        # interpreter, not this version's default build.
        names = [
            p.name
            for p in folder.iterdir()
            if p.name.startswith(f"cpython-{version}.") and "+" not in p.name
        ]
        names.sort(key=lambda n: _release_key(n.split("-")[1]), reverse=True)
        found += [Candidate(str(folder / n / "bin" / f"python{version}"), "uv") for n in names]
    return found


def _provisioned(version: str) -> list[Candidate]:
    from deepcuts.run.provision import installed_root  # noqa: PLC0415 - provision imports us

    root = installed_root(version)
    if root is None:
        return []
    return [Candidate(str(root / "usr" / "bin" / f"python{version}"), "deepcuts", str(root))]


def candidates(version: str, configured: dict[str, str] | None = None) -> list[Candidate]:
    """Files that might be CPython ``version``, best first, without asking them."""
    found: list[Candidate] = []
    if configured and configured.get(version):
        found.append(Candidate(str(Path(configured[version]).expanduser()), "configuration"))
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        # Inside a virtual environment, the interpreter it was made from: snippets must not see
        # the build's own packages (MkDocs, this generator) on sys.path.
        base = getattr(sys, "_base_executable", sys.executable)
        found += [Candidate(base, "the building interpreter")]
    shims = str(_pyenv_root() / "shims")
    on_path = shutil.which(f"python{version}")
    if on_path and not on_path.startswith(shims + os.sep):
        found.append(Candidate(on_path, "PATH"))
    versions_dir = _pyenv_root() / "versions"
    if versions_dir.is_dir():
        # Newest patch release first: "3.12.10" sorts after "3.12.9" by number, not by text.
        names = [p.name for p in versions_dir.iterdir() if p.name.startswith(version + ".")]
        names.sort(key=_release_key, reverse=True)
        found += [
            Candidate(str(versions_dir / n / "bin" / f"python{version}"), "pyenv") for n in names
        ]
    found += _uv(version)
    found += _provisioned(version)
    for prefix in ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin"):
        found.append(Candidate(f"{prefix}/python{version}", "system"))
    unique: list[Candidate] = []
    seen: set[str] = set()
    for candidate in found:
        if candidate.path not in seen and os.access(candidate.path, os.X_OK):
            seen.add(candidate.path)
            unique.append(candidate)
    return unique


def how_to_get(version: str) -> str:
    """What to run to get CPython ``version`` here."""
    ways = [f"uv python install {version}", f"pyenv install {version}"]
    from deepcuts.run.provision import can_provision  # noqa: PLC0415 - provision imports us

    if can_provision():
        ways.append(f"deepcuts interpreters --install {version}")
    return ", or ".join(f"`{way}`" for way in ways)


def find(version: str, configured: dict[str, str] | None = None) -> Interpreter:
    """The first candidate that really is CPython ``version``; :class:`InterpreterError` if none."""
    if not _VERSION_RE.match(version):
        raise InterpreterError(f"'{version}' is not a Python version like 3.12")
    if tuple(map(int, version.split("."))) < tuple(map(int, SUPPORTED[0].split("."))):
        raise InterpreterError(
            f"CPython {version} is older than the recorder supports: it runs on "
            f"{SUPPORTED[0]} and later"
        )
    tried = candidates(version, configured)
    reasons = []
    for candidate in tried:
        found = inspect(candidate)
        if isinstance(found, Interpreter):
            if found.version == version:
                return found
            reasons.append(f"{candidate.path} is CPython {found.full_version}")
        else:
            reasons.append(found)
    where = "; ".join(reasons) if reasons else "nothing on PATH, in pyenv, uv or system prefixes"
    raise InterpreterError(
        f"no usable CPython {version} found (tried: {where}); get it with {how_to_get(version)}, "
        f"or set its path under 'interpreters' in the deepcuts configuration"
    )
