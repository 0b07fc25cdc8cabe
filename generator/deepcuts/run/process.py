"""Start a child process and get its output back within hard limits.

The child gets its own session (so its whole process group can be killed), no stdin, and rlimits.
Its output is read against a wall-clock deadline: a child that sleeps, spins, or leaves a grandchild
holding the pipes open cannot make the build wait past the deadline, and cannot make the parent
buffer more than the caps. Whatever happens, every process in the group is killed before we return.
"""

from __future__ import annotations

import contextlib
import os
import resource
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# After the child itself has exited, how long descendants may keep its pipes open before we stop
# reading and kill them (a daemon left behind must not hold the build).
_ORPHAN_GRACE = 0.2


@dataclass(frozen=True)
class Limits:
    """What one run may use. Defaults suit a tutorial snippet; fences may lower or raise timeout."""

    timeout: float = 10.0  # wall clock, seconds
    stdout_bytes: int = 256 * 1024
    stderr_bytes: int = 256 * 1024
    channel_bytes: int = 64 * 1024 * 1024  # the recorder's trace channel
    memory_bytes: int = 1024 * 1024 * 1024  # address space
    file_bytes: int = 16 * 1024 * 1024  # largest file the child may write
    open_files: int = 256


@dataclass(frozen=True)
class ProcessOutcome:
    """Raw bytes and how the process ended."""

    stdout: bytes
    stderr: bytes
    channel: bytes
    returncode: int | None  # negative: killed by that signal (POSIX convention)
    timed_out: bool
    capped: str | None  # "stdout", "stderr" or "channel": the stream that hit its cap
    duration: float


def _apply_limits(limits: Limits) -> None:
    """Runs in the child between fork and exec: only async-signal-safe-ish C calls here."""
    cpu = max(1, int(limits.timeout) + 1)
    for which, value in (
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        # Never raise a hard limit we were given, only lower it.
        _soft, hard = resource.getrlimit(which)
        target = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (target, target))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


@dataclass
class _Pump:
    """Reads a child's pipes until they close, a cap is hit, or the deadline passes."""

    proc: subprocess.Popen[bytes]
    caps: dict[str, int]
    deadline: float
    timed_out: bool = False
    capped: str | None = None

    def run(self, streams: dict[int, str]) -> dict[str, bytearray]:
        buffers = {name: bytearray() for name in self.caps}
        with selectors.DefaultSelector() as selector:
            for fd, name in streams.items():
                selector.register(fd, selectors.EVENT_READ, name)
            exited_at: float | None = None
            while selector.get_map() and self.capped is None:
                now = time.monotonic()
                if now >= self.deadline:
                    self.timed_out = True
                    break
                if self.proc.poll() is not None:
                    exited_at = exited_at or now
                    if now - exited_at > _ORPHAN_GRACE:
                        break  # descendants hold the pipes; they are killed with the group
                for key, _mask in selector.select(timeout=min(self.deadline - now, 0.05)):
                    self._read(selector, key, buffers)
        return buffers

    def _read(
        self,
        selector: selectors.BaseSelector,
        key: selectors.SelectorKey,
        buffers: dict[str, bytearray],
    ) -> None:
        name = key.data
        data = os.read(key.fd, 65536)
        if not data:
            selector.unregister(key.fd)
            return
        room = self.caps[name] - len(buffers[name])
        buffers[name] += data[: max(room, 0)]
        if len(data) > room:
            self.capped = name


def run_process(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    limits: Limits,
    channel: bool = False,
) -> ProcessOutcome:
    """Run ``argv`` to completion or to a limit. With ``channel``, the child inherits a pipe whose
    write end's number is in ``DEEPCUTS_CHANNEL_FD``; what it writes comes back as ``channel``."""
    env = dict(env)
    chan_r = chan_w = -1
    if channel:
        chan_r, chan_w = os.pipe()
        env["DEEPCUTS_CHANNEL_FD"] = str(chan_w)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            pass_fds=(chan_w,) if channel else (),
            preexec_fn=lambda: _apply_limits(limits),  # noqa: PLW1509 - only setrlimit calls
        )
    finally:
        if channel:
            os.close(chan_w)
    assert proc.stdout is not None and proc.stderr is not None  # noqa: S101 - Popen with PIPE

    streams = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr"}
    if channel:
        streams[chan_r] = "channel"
    pump = _Pump(
        proc,
        {
            "stdout": limits.stdout_bytes,
            "stderr": limits.stderr_bytes,
            "channel": limits.channel_bytes,
        },
        started + limits.timeout,
    )
    try:
        buffers = pump.run(streams)
    finally:
        # The leader is not reaped yet, so its pid still names the group: no reuse race.
        _kill_group(proc.pid)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        if channel:
            os.close(chan_r)
    return ProcessOutcome(
        stdout=bytes(buffers["stdout"]),
        stderr=bytes(buffers["stderr"]),
        channel=bytes(buffers["channel"]),
        returncode=proc.returncode,
        timed_out=pump.timed_out,
        capped=pump.capped,
        duration=time.monotonic() - started,
    )
