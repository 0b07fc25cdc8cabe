"""A pids cgroup around the build: a hard bound on how many processes snippets can create.

RLIMIT_NPROC counts processes per *user*, and inside bubblewrap's user namespace the snippet's user
is the build's own (root on CI), for which the limit is not enforced. The pids controller bounds
the processes of a group whoever owns them. Used where a writable pids hierarchy exists (cgroup
v1 ``/sys/fs/cgroup/pids``, or v2 with the pids controller enabled), reported missing otherwise.

Why one group for the whole build rather than one per run: moving a process into a cgroup waits
for an RCU grace period (measured: 12 ms per run on cgroup v1, more than the sandbox's whole
budget), while a child is born in its parent's group for free. So the build process joins one
group, once, and every snippet run and its descendants are born inside it: the bound is shared
(``BUILD_BUDGET`` processes on top of the build's own), and the deadline still kills a fork bomb.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import uuid
from pathlib import Path

_V1 = Path("/sys/fs/cgroup/pids")
_V2 = Path("/sys/fs/cgroup")


@functools.cache
def pids_root() -> Path | None:
    """A folder under which run cgroups can be made, or None."""
    for base, marker in ((_V1, "pids.max"), (_V2, "cgroup.subtree_control")):
        try:
            if base == _V2 and "pids" not in (base / "cgroup.controllers").read_text():
                continue
            root = base / "deepcuts"
            root.mkdir(exist_ok=True)
            probe = root / f"probe-{os.getpid()}"
            probe.mkdir()
            ok = (probe / marker).exists() or (probe / "pids.max").exists()
            probe.rmdir()
            if ok:
                return root
        except OSError:
            continue
    return None


BUILD_BUDGET = 1024  # processes the build's snippet runs may have at once, together


@functools.cache
def enter_build_group() -> Path | None:
    """Put the build process into its pids group (once); None where there is none."""
    group = create(BUILD_BUDGET + _tasks_now())
    if group is None:
        return None
    try:
        join(group)
    except OSError:
        remove(group)
        return None
    atexit.register(_leave, group)
    return group


def _tasks_now() -> int:
    """Threads of this process: the pids controller counts them too."""
    return sum(1 for _ in Path("/proc/self/task").iterdir())


def _leave(group: Path) -> None:
    """At the build's exit: go back to the parent group so that ours can be removed."""
    with contextlib.suppress(OSError):
        (group.parent.parent / "cgroup.procs").write_text(str(os.getpid()))
        group.rmdir()


def create(limit: int) -> Path | None:
    """A fresh cgroup allowing ``limit`` processes, or None where there is no pids hierarchy."""
    root = pids_root()
    if root is None:
        return None
    group = root / f"run-{uuid.uuid4().hex[:12]}"
    try:
        group.mkdir()
        (group / "pids.max").write_text(str(limit))
    except OSError:
        remove(group)
        return None
    return group


def join(group: Path) -> None:
    """Move the calling process into ``group`` (called in the child, before exec)."""
    fd = os.open(str(group / "cgroup.procs"), os.O_WRONLY)
    try:
        os.write(fd, b"0")
    finally:
        os.close(fd)


def remove(group: Path) -> None:
    """Remove ``group`` once its processes are gone (they are killed before this is called)."""
    for _ in range(50):
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            with contextlib.suppress(OSError):
                for pid in (group / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        os.kill(int(pid), 9)
            os.sched_yield()
