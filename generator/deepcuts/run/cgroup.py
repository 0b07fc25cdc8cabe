"""A pids cgroup per run: a hard bound on how many processes a snippet can create.

RLIMIT_NPROC counts processes per *user*, and inside bubblewrap's user namespace the snippet's user
is the build's own (root on CI), for which the limit is not enforced. The pids controller bounds
the processes of one group whoever owns them. Used where a writable pids hierarchy exists (cgroup
v1 ``/sys/fs/cgroup/pids``, or v2 with the pids controller enabled), reported missing otherwise.
"""

from __future__ import annotations

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
