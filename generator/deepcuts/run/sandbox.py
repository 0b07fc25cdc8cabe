"""Isolation for every snippet run, chosen in one place, with a reason for every missing layer.

Layers, outermost first:

- **bubblewrap** (Linux, Debian's ``bubblewrap``): every namespace unshared (user, PID, network,
  IPC, UTS, cgroup), so the snippet has no network, cannot see or signal processes outside, and
  all its descendants die with it; a read-only view of only what it needs (``/usr`` and the system
  libraries, the interpreter's prefixes, the snippet's own folder, the recorder); a size-limited
  tmpfs as its working folder and ``/tmp``; an unprivileged uid (65534) when we are root, all
  capabilities dropped, a new terminal session.
- **always** (``process.py``, ``runner.py``): a fresh scratch folder, a whitelisted environment,
  no stdin, its own session and process group, rlimits (CPU, memory, file size, open files,
  processes, no core dumps), a wall-clock deadline that kills the whole group, output caps.

Not used, and why (see ``missing``): a seccomp filter (bubblewrap wants compiled BPF, which only a
C compiler or libseccomp bindings produce; the network namespace already leaves no interface but a
down loopback, and the PID namespace already hides every process outside), and Landlock (the
mount namespace already shows only the read-only paths above).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deepcuts.errors import DeepCutsError
from deepcuts.run import cgroup

if TYPE_CHECKING:
    from deepcuts.run.interpreters import Interpreter

NOBODY = 65534
SCRATCH_BYTES = 64 * 1024 * 1024  # the working folder's tmpfs, and /tmp's
_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf")
ALWAYS = (
    "scratch working folder",
    "whitelisted environment",
    "no stdin",
    "own session and process group",
    "rlimits (CPU, memory, file size, open files, core dumps)",
    "wall-clock deadline that kills the whole group",
    "output caps",
)
NOT_USED = (
    "seccomp: not used (bubblewrap needs compiled BPF; the network and PID namespaces already "
    "cut sockets to any network and signals to processes outside)",
    "landlock: not used (the mount namespace already shows only read-only paths and the scratch)",
)


class SandboxError(DeepCutsError):
    """A layer the configuration requires is not available."""

    kind = "sandbox"


@dataclass(frozen=True)
class Sandbox:
    """The isolation every run gets; ``bwrap`` is None when bubblewrap is not used."""

    bwrap: str | None
    missing: tuple[str, ...]
    pids_cgroup: bool = False

    @property
    def layers(self) -> tuple[str, ...]:
        extra = (
            (
                "bubblewrap: all namespaces unshared (no network, own PID space), read-only system "
                f"and interpreter, {SCRATCH_BYTES // 2**20} MiB tmpfs scratch, uid {NOBODY}, "
                "no capabilities",
            )
            if self.bwrap
            else ()
        )
        if self.pids_cgroup:
            extra = (
                *extra,
                f"pids cgroup around the build ({cgroup.BUILD_BUDGET} processes for "
                "all snippet runs together: fork bombs are bounded)",
            )
        return (*extra, *ALWAYS)

    def describe(self) -> str:
        """One line for the build log."""
        text = "sandbox layers: " + "; ".join(self.layers)
        if self.missing:
            text += ". Missing: " + "; ".join(self.missing)
        return text

    def wrap(
        self,
        argv: Sequence[str],
        *,
        scratch: str,
        readable: Sequence[str],
        root: str | None = None,
    ) -> list[str]:
        """``argv`` run inside bubblewrap, seeing only ``readable`` (read-only) and the scratch
        folder (a fresh tmpfs at the same path, also the working folder). With ``root`` (an
        interpreter that brings its own C library), that folder's ``usr`` is the sandbox's
        ``/usr`` instead of the machine's."""
        if self.bwrap is None:
            if root is not None:
                raise SandboxError(
                    f"an interpreter with its own root ({root}) runs only inside bubblewrap, "
                    "which is not available: " + "; ".join(self.missing[:1])
                )
            return list(argv)
        command = [
            self.bwrap,
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--cap-drop", "ALL",
            *(("--uid", str(NOBODY), "--gid", str(NOBODY)) if os.geteuid() == 0 else ()),
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", str(SCRATCH_BYTES), "--tmpfs", "/tmp",  # noqa: S108 - inside the sandbox
        ]  # fmt: skip
        command += _system_view(root)
        for path in _unique(readable):
            command += ["--ro-bind", path, path]
        command += ["--size", str(SCRATCH_BYTES), "--tmpfs", scratch, "--chdir", scratch, "--"]
        # bubblewrap sets PWD after applying --unsetenv; env removes it and execs the command
        # (no process, no frame in between): the environment stays exactly ours.
        return [*command, "/usr/bin/env", "-u", "PWD", *argv]

    def exit_status(self, code: int | None) -> int | None:
        """The snippet's own status: bubblewrap reports a child killed by signal N as 128 + N,
        which is given back as -N, the convention of a direct child (a snippet calling
        sys.exit(130) under bubblewrap is indistinguishable from one killed by SIGINT)."""
        if self.bwrap is not None and code is not None and 128 < code < 160:
            return -(code - 128)
        return code


def _system_view(root: str | None) -> list[str]:
    """bubblewrap arguments for the system part of the view: the machine's ``/usr`` and system
    libraries, or, for an interpreter with its own root, that root's ``usr`` as ``/usr``."""
    if root is None:
        command: list[str] = []
        for path in _SYSTEM_DIRS:
            system = Path(path)
            if system.is_symlink():  # Debian's merged /usr: /lib -> usr/lib
                command += ["--symlink", str(system.readlink()), path]
            elif system.is_dir():
                command += ["--ro-bind", path, path]
        for path in _SYSTEM_FILES:
            command += ["--ro-bind-try", path, path]
        return command
    return usr_from_root(root)


def usr_from_root(root: str) -> list[str]:
    """bubblewrap arguments that make ``ROOT/usr`` the sandbox's read-only ``/usr``.

    Such a root (see ``provision.py``) holds an interpreter and the C library it was built for,
    newer than the machine's, so nothing of the machine's ``/usr`` may be mixed in, with one
    exception: ``/usr/bin/env``, which every sandboxed command starts through (see ``wrap``) and
    which runs on the newer C library as it does on its own. ``/bin``, ``/lib``, ``/lib64`` and
    ``/sbin`` lead into it as on a merged-/usr system. The machine's ``/etc/ld.so.cache`` is left
    out: it describes the machine's libraries, and the root's loader finds its own without it."""
    usr = Path(root) / "usr"
    command = ["--tmpfs", "/usr"]
    entries = sorted(usr.iterdir()) if usr.is_dir() else []
    for entry in entries:
        if entry.name != "bin":
            command += ["--ro-bind", str(entry), f"/usr/{entry.name}"]
    command += ["--dir", "/usr/bin"]
    for entry in sorted((usr / "bin").iterdir()) if (usr / "bin").is_dir() else []:
        command += ["--ro-bind", str(entry), f"/usr/bin/{entry.name}"]
    command += ["--ro-bind", "/usr/bin/env", "/usr/bin/env", "--remount-ro", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        command += ["--symlink", f"usr/{name}", f"/{name}"]
    return command


def rooted_command(
    root: str,
    argv: Sequence[str],
    *,
    writable: Sequence[str] = (),
    readable: Sequence[str] = (),
    cwd: str = "/tmp",  # noqa: S108 - inside the sandbox
) -> list[str]:
    """``argv`` run with ``ROOT/usr`` as ``/usr``, for the generator's own use of such an
    interpreter (asking it who it is, byte-compiling the recorder): no network, a private
    ``/tmp``, ``writable`` and ``readable`` folders bound at their own paths, working folder
    ``cwd``. Raises :class:`SandboxError` where bubblewrap cannot run."""
    bwrap = shutil.which("bwrap")
    problem = "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
    if bwrap is not None:
        found = _probe_bwrap(bwrap)
        problem = found or ""
    if bwrap is None or problem:
        raise SandboxError(
            f"CPython in {root} brings its own C library and runs only inside bubblewrap: {problem}"
        )
    command = [
        bwrap, "--unshare-all", "--die-with-parent", "--proc", "/proc", "--dev", "/dev",
        *usr_from_root(root), "--tmpfs", "/tmp",  # noqa: S108 - inside the sandbox
    ]  # fmt: skip
    for path in _unique(readable):
        command += ["--ro-bind", path, path]
    for path in _unique(writable):
        command += ["--bind", path, path]
    return [*command, "--chdir", cwd, "--", "/usr/bin/env", "-u", "PWD", *argv]


def _unique(paths: Sequence[str]) -> list[str]:
    """Existing paths (and where their links lead), each once, parents before children."""
    found: set[str] = set()
    for path in paths:
        if path and Path(path).exists():
            found.add(path)
            found.add(str(Path(path).resolve()))
    return sorted(found, key=lambda p: (p.count("/"), p))


@functools.cache
def _probe_bwrap(bwrap: str) -> str | None:
    """None when bubblewrap can build our sandbox here; else why not (it needs user namespaces,
    which some containers and kernels forbid)."""
    try:
        done = subprocess.run(
            [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{bwrap} could not run: {exc}"
    if done.returncode != 0:
        return f"{bwrap} cannot create namespaces here: {done.stderr.strip() or done.returncode}"
    return None


@functools.cache
def choose_sandbox(require: bool = False) -> Sandbox:
    """The one place the layers are chosen. With ``require``, a missing bubblewrap is an error
    (CI runs this way); without, it is a reason in ``missing`` and the build goes on."""
    missing = list(NOT_USED)
    bwrap = shutil.which("bwrap")
    reason: str | None
    if bwrap is None:
        reason = (
            "bubblewrap: not installed (Debian: apt-get install bubblewrap)"
            if os.name == "posix"
            else "bubblewrap: Linux only"
        )
    else:
        problem = _probe_bwrap(bwrap)
        reason = None if problem is None else f"bubblewrap: {problem}"
    problems = [] if reason is None else [reason]
    pids = cgroup.pids_root() is not None
    if not pids:
        problems.append(
            "pids cgroup: no writable pids hierarchy (RLIMIT_NPROC still applies where it is "
            "enforced, which is not for root)"
        )
    if problems and require:
        raise SandboxError("the sandbox is required but " + "; ".join(problems))
    if reason is not None:
        bwrap = None
    return Sandbox(bwrap=bwrap, missing=(*problems, *missing), pids_cgroup=pids)


def readable_paths(
    interpreter: Interpreter,
    snippet_folder: Path,
    recorder: Path | None,
) -> list[str]:
    """What a sandboxed run must be able to read: the interpreter (prefixes and the real
    executable's folder; nothing for one with its own root, which is ``/usr`` already), the
    snippet's folder, and the recorder when it runs."""
    paths = [str(snippet_folder)]
    if interpreter.root is None:
        executable = interpreter.executable
        paths += [
            *interpreter.prefixes,
            str(Path(executable).resolve().parent),
            str(Path(executable).parent),
        ]
    if recorder is not None:
        paths.append(str(recorder))
    return paths
