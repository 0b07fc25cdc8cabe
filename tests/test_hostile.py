"""Hostile snippets: strangers' pull requests run code at build time. Every case runs through the
real engine with every sandbox layer required, and for each one:

- the build survives (the engine returns a page fragment) within a bounded time;
- the outcome is the expected one, and an error names the article, line and snippet and says
  what happened (timeout, memory, output cap, signal, exit status, exception);
- nothing outside the scratch folder changed (sentinel files, the snippets folder, /tmp);
- no secret from the build's environment appears anywhere;
- no live process of the case is left behind.
"""

from __future__ import annotations

import os
import socket
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO
from deepcuts.config import EngineConfig
from deepcuts.engine import Engine
from deepcuts.errors import Location
from deepcuts.run.sandbox import SandboxError, choose_sandbox
from test_runner import live_processes

SECRET = "deepcuts-test-secret-7f3a9c"  # noqa: S105 - a marker to look for, not a password
ARTICLE = Location("hostile.md", 12)


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    error: str | None = None  # a fragment of the expected error, or None: the run succeeds
    shows: tuple[str, ...] = ()  # must be in the page
    hides: tuple[str, ...] = ()  # must not be in the page
    timeout: float = 3


SENTINEL = "__SENTINEL__"  # replaced by the test's sentinel folder
PORT = "__PORT__"  # replaced by a port the test listens on (TCP and UDP)

CASES = [
    Case("cpu_spin", "while True:\n    pass\n", "still running after 3 s"),
    Case("sleep_forever", "import time\ntime.sleep(10**6)\n", "still running after 3 s"),
    Case("memory_sudden", "x = bytearray(8 * 1024**3)\n", "MemoryError"),
    Case(
        "memory_gradual",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024**2))\n",
        "MemoryError",
    ),
    Case("stdout_flood", "while True:\n    print('x' * 1000)\n", "stdout passed"),
    Case(
        "stderr_flood",
        "import sys\nwhile True:\n    sys.stderr.write('y' * 1000)\n",
        "stderr passed",
    ),
    Case(
        "fork_loop",
        "import os, time\nfor _ in range(40):\n    if os.fork() == 0:\n        time.sleep(60)\n"
        "        os._exit(0)\nprint('parent done')\n",
        shows=("parent done",),
    ),
    Case(
        "fork_bomb",
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        "still running after 3 s",
    ),
    Case(
        "double_fork_daemon",
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        time.sleep(60)\n    os._exit(0)\nprint('detached')\n",
        shows=("detached",),
    ),
    Case(
        "thread_left_running",
        "import threading, time\nthreading.Thread(target=time.sleep, args=(60,)).start()\n"
        "print('main done')\n",
        "still running after 3 s",
    ),
    Case(
        "daemon_thread_spinning",
        "import threading\ndef spin():\n    while True:\n        pass\n"
        "threading.Thread(target=spin, daemon=True).start()\nprint('main done')\n",
        shows=("main done",),
    ),
    Case("recursion_error", "def f():\n    return f()\nf()\n", "RecursionError"),
    Case(
        # Python-to-Python calls do not use the C stack on 3.11+: recurse in C (a nested repr).
        "c_stack_overflow",
        "import sys\nsys.setrecursionlimit(10**8)\nx = []\nfor _ in range(10**6):\n    x = [x]\n"
        "print(repr(x))\n",
        "killed by SIGSEGV",
        timeout=20,  # building a million nested lists takes seconds on a loaded machine
    ),
    Case("segfault", "import ctypes\nctypes.string_at(0)\n", "killed by SIGSEGV"),
    Case("abort", "import os\nos.abort()\n", "killed by SIGABRT"),
    Case("exit_status", "import sys\nsys.exit(3)\n", "exited with status 3"),
    Case("os_exit", "import os\nos._exit(7)\n", "exited with status 7"),
    Case(
        "self_kill",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "killed by SIGKILL",
    ),
    Case(
        "ignores_sigterm",
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)\n",
        "still running after 3 s",
    ),
    Case(
        "signals_every_pid",
        "import os, signal\nkilled = 0\nfor pid in range(1, 5000):\n"
        "    if pid != os.getpid():\n        try:\n            os.kill(pid, signal.SIGKILL)\n"
        "            killed += 1\n        except OSError:\n            pass\nprint('survived')\n",
        shows=("survived",),
    ),
    Case(
        "signals_parent",
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('after')\n",
    ),
    Case(
        "closes_stdio",
        "import os\nos.close(1)\nos.close(2)\nprint('lost')\n",
        "exited with status 120",
    ),
    Case(
        "reads_repo_file",
        f"print(open({str(REPO / 'pyproject.toml')!r}).read())\n",
        "FileNotFoundError",
        hides=("python-deepcuts",),
    ),
    Case(
        "reads_etc_passwd",
        "print(open('/etc/passwd').read())\n",
        "FileNotFoundError",
        hides=("root:x:0",),
    ),
    Case(
        "reads_parent_environ",
        "import os\nfound = []\nfor pid in os.listdir('/proc'):\n    if pid.isdigit():\n"
        "        try:\n            found.append(open(f'/proc/{pid}/environ', 'rb').read())\n"
        "        except OSError:\n            pass\nprint(len(found), b''.join(found))\n",
    ),
    Case("environment_secrets", "import os\nprint(dict(os.environ))\n"),
    Case(
        "writes_relative",
        "import os\nfor path in ('../escape.txt', '../../escape.txt', 'here.txt'):\n"
        "    try:\n        open(path, 'w').write('x')\n        print('wrote', path)\n"
        "    except OSError as e:\n        print('refused', path, type(e).__name__)\n",
    ),
    Case(
        "writes_absolute",
        f"open({SENTINEL!r} + '/sentinel.txt', 'w').write('changed')\n",
        "FileNotFoundError",
    ),
    Case(
        "writes_through_symlink",
        f"import os\nos.symlink({SENTINEL!r} + '/sentinel.txt', 'link')\n"
        "open('link', 'w').write('changed')\n",
        "FileNotFoundError",
    ),
    Case(
        "fills_disk",
        "with open('big', 'wb') as f:\n    while True:\n        f.write(b'0' * 2**20)\n",
        "OSError",
    ),
    Case(
        "exhausts_fds",
        "files = []\ntry:\n    while True:\n        files.append(open('/dev/null'))\n"
        "except OSError as e:\n    print('stopped at', len(files), type(e).__name__)\n",
        shows=("OSError",),
    ),
    Case(
        "tcp_connect",
        f"import socket\nsocket.create_connection(('127.0.0.1', {PORT}), timeout=1)\n",
        "ConnectionRefusedError",
    ),
    Case(
        # The namespace's loopback is down: the datagram goes nowhere (the listener checks).
        "udp_send",
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        f"s.sendto(b'hello', ('127.0.0.1', {PORT}))\nprint('sent')\n",
        shows=("sent",),
    ),
    Case("dns_lookup", "import socket\nsocket.getaddrinfo('pypi.org', 443)\n", "gaierror"),
    Case(
        # A nested user namespace can be made, but only inside the sandbox: the host's files
        # stay out of sight, and joining another namespace is refused.
        "escapes_namespaces",
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print('setns', libc.setns(0, 0), 'unshare', libc.unshare(0x10000000))\n"
        "print('passwd visible:', os.path.exists('/etc/passwd'))\n"
        f"print('repo visible:', os.path.exists({str(REPO / 'pyproject.toml')!r}))\n",
        shows=("setns -1", "passwd visible: False", "repo visible: False"),
    ),
    Case(
        "subprocess_shell",
        "import subprocess\nprint(subprocess.run('echo from-shell; cat /etc/passwd', shell=True,"
        " capture_output=True, text=True))\n",
        shows=("from-shell",),
        hides=("root:x:0",),
    ),
    Case("reads_input", "input('say something: ')\n", "EOFError"),
    Case(
        "invalid_utf8",
        "import sys\nsys.stdout.buffer.write(b'bad \\xff\\xfe bytes\\n')\n",
        shows=("bad \\xff\\xfe bytes",),
    ),
    Case(
        "ansi_and_html",
        "print('\\x1b[31m<script>alert(1)</script>\\x1b[0m <b>bold</b>')\n",
        shows=("&lt;script&gt;alert(1)&lt;/script&gt;",),
        hides=("<script>alert", "\x1b", "<b>bold"),
    ),
    Case(
        "replaces_stdout",
        "import io, sys\nsys.stdout = io.StringIO()\nprint('hidden')\n",
        hides=("hidden",),
    ),
    Case(
        "removes_the_tracer",
        "import sys\nsys.settrace(None)\nsys.setprofile(None)\n"
        "if hasattr(sys, 'monitoring'):\n    for tool in range(6):\n        try:\n"
        "            sys.monitoring.set_events(tool, 0)\n        except ValueError:\n"
        "            pass\ndef f():\n    return 1\nprint('untraced', f())\n",
        shows=("untraced 1",),
    ),
    Case(
        "writes_to_the_channel",
        "import os\nfor fd in map(int, os.listdir('/proc/self/fd')):\n    try:\n"
        "        os.write(fd, b'[[0,1,2]]\\n{\"end\": 5}\\nnot json\\n')\n    except OSError:\n"
        "        pass\nprint('scribbled')\n",
        shows=("scribbled",),
    ),
]


@pytest.fixture(scope="module")
def listener() -> object:
    """A TCP and a UDP socket on the host's loopback: no snippet may reach them."""
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    tcp.settimeout(0.2)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    udp.settimeout(0.2)
    received: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                conn, _ = tcp.accept()
                received.append("tcp")
                conn.close()
            except OSError:
                pass
            try:
                udp.recvfrom(100)
                received.append("udp")
            except OSError:
                pass

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    yield port, received
    stop.set()
    thread.join(timeout=2)
    tcp.close()
    udp.close()


def _require_sandbox() -> None:
    try:
        choose_sandbox(require=True)
    except SandboxError as exc:
        if os.environ.get("CI"):
            raise  # CI must have every layer
        pytest.skip(f"sandbox not available here: {exc}")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_snippet(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listener: tuple[int, list[str]]
) -> None:
    _require_sandbox()
    port, received = listener
    monkeypatch.setenv("DEEPCUTS_TEST_TOKEN", SECRET)
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    (sentinel / "sentinel.txt").write_text("original")
    name = f"{case.name}_{tmp_path.name}"
    source = case.source.replace(SENTINEL, str(sentinel)).replace(PORT, str(port))
    (snippets / f"{name}.py").write_text(textwrap.dedent(source))
    before = {"snippets": _snapshot(snippets), "sentinel": _snapshot(sentinel)}

    engine = Engine(EngineConfig(snippets.resolve(), None, require_sandbox=True))
    started = time.monotonic()
    html = engine.render_fence(f"file: {name}.py\ntimeout: {case.timeout}\n", ARTICLE, md=None)
    elapsed = time.monotonic() - started

    assert elapsed < case.timeout + 10, f"took {elapsed:.1f} s"
    if case.error is None:
        assert not engine.errors, engine.errors[0]
    else:
        assert len(engine.errors) == 1, "expected the run to fail"
        error = str(engine.errors[0])
        assert f"hostile.md:12 (snippet {name}.py)" in error
        assert case.error in error, error
        assert "DeepCut failed" in html
    # What the snippet printed (or the error block): not its source, which may hold the words.
    output = html[html.find('class="deepcut-output') :] if case.error is None else html
    for text in case.shows:
        assert text in output, text
    for text in case.hides:
        assert text not in output, text
    everything = html + "".join(str(e) for e in engine.errors)
    assert SECRET not in everything
    assert _snapshot(snippets) == before["snippets"]
    assert _snapshot(sentinel) == before["sentinel"]
    assert not Path("/tmp/escape.txt").exists()  # noqa: S108 - where an escape would land
    assert not (tmp_path / "escape.txt").exists()
    assert not received, f"the snippet reached the host over {received}"
    deadline = time.monotonic() + 5
    while live_processes(name) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not live_processes(name), "a process of the snippet is still running"


def test_there_are_at_least_35_cases() -> None:
    assert len(CASES) >= 35
    assert len({case.name for case in CASES}) == len(CASES)
