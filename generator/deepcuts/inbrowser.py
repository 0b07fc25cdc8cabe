"""A reader's "Edit and run", inside the browser: Pyodide (CPython compiled to WebAssembly) in a
Web Worker runs this module, with the project's own recorder, channel decoder and viewer data.

The worker (``docs/assets/deepcuts-run-worker.js``) writes the files of :data:`BUNDLE` into
Pyodide's in-memory file system, puts ``LIB`` and the recorder's folder on ``sys.path``, and calls
:func:`run` with the edited source. The run goes as at build time, in one process instead of two:

- the snippet is a file under a snippets folder, run as ``__main__`` with its folder first on
  ``sys.path``; stdout and stderr are files (fd 1 and 2), line-buffered, so the recorder places
  output between events with the same ``lseek`` it uses in a child interpreter;
- the recorder (``record/``, unchanged) is installed in-process as the bootstrap would install it,
  writing its channel into a file; :class:`deepcuts.run.channel.ChannelDecoder` decodes that file
  into a :class:`deepcuts.model.Trace`, and :func:`deepcuts.render.steps.viewer_data` makes the
  viewer's data from it: the same format the build produces;
- ``input()`` finds an empty stdin and raises ``EOFError``, as at build time, and the result says
  that the program asked for input.

Limits that need the process to die (wall clock, output) are the worker's: this module streams
the output's size to it (``post``), and the page terminates the worker when a limit is passed.

This module is for Pyodide only: the build never imports it (a test runs it on CPython).
"""

from __future__ import annotations

import io
import os
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

#: The files the browser needs, relative to the ``deepcuts`` package: the recorder, and the few
#: pure-Python modules that decode its channel and make the viewer's data. Package ``__init__``
#: files are written empty in the browser (the real ones may import more than the bundle has).
BUNDLE = (
    "inbrowser.py",
    "model.py",
    "record/_deepcuts_emit.py",
    "record/_deepcuts_limit.py",
    "record/_deepcuts_monitoring.py",
    "record/_deepcuts_protocol.py",
    "record/_deepcuts_recorder.py",
    "record/_deepcuts_settrace.py",
    "record/_deepcuts_values.py",
    "record/sitecustomize.py",
    "render/steps.py",
    "run/channel.py",
    "run/normalise.py",
)
PACKAGES = ("", "record", "render", "run")  # folders that get an empty __init__.py

LIB = "/deepcuts-run/lib"  # where the worker writes the bundle (the deepcuts package is below)
SNIPPETS = "/deepcuts-run/snippets"  # the snippets folder of the reader's runs
WORK = "/deepcuts-run/work"  # the working folder, and the run's output files
OUTPUT_CAP = 256 * 1024  # bytes of stdout and of stderr, as at build time (run/process.py)


class _Stdin(io.StringIO):
    """An empty stdin that remembers being read: ``input()`` raises ``EOFError``."""

    asked = False

    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
        self.asked = True
        return ""

    def read(self, size: int | None = -1, /) -> str:
        self.asked = True
        return ""


class _Capped(io.RawIOBase):
    """fd 1 or 2 as a raw stream: writes go to the file (so ``lseek`` sees them), counted; past
    the cap nothing more is written, and the page is told once (it then stops the worker)."""

    def __init__(self, fd: int, name: str, post: Callable[[str, int], None]) -> None:
        super().__init__()
        self.fd, self.name, self.post, self.size = fd, name, post, 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        if self.size > OUTPUT_CAP:
            return len(data)  # the page is stopping this worker
        written = os.write(self.fd, data)
        self.size += written
        if self.size > OUTPUT_CAP:
            self.post(self.name, self.size)
        return written


def _stream(fd: int, name: str, post: Callable[[str, int], None]) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.BufferedWriter(_Capped(fd, name, post)),
        encoding="utf-8",
        errors="backslashreplace" if fd == 2 else "strict",
        line_buffering=True,
        write_through=True,
    )


def _start_recorder(folder: str, options_text: str, channel_fd: int) -> Any:
    """What ``record/sitecustomize.py`` does at a child's start-up, in this process."""
    import _deepcuts_protocol as protocol  # type: ignore[import-not-found]  # noqa: PLC0415
    from _deepcuts_recorder import Recorder  # type: ignore[import-not-found]  # noqa: PLC0415

    options = protocol.decode_options(options_text)
    if hasattr(sys, "monitoring"):
        from _deepcuts_monitoring import install  # type: ignore[import-not-found]  # noqa: PLC0415

        backend = "monitoring"
        reason = "Python 3.12+: sys.monitoring disables events per code location"
    else:
        from _deepcuts_settrace import install  # type: ignore[import-not-found]  # noqa: PLC0415

        backend, reason = "settrace", "Python < 3.12 has no sys.monitoring"
    recorder = Recorder({**options, "folder": folder}, channel_fd)
    if sys.platform == "emscripten":
        # Pyodide has no threads, so no watchdog for a repr that never returns (the first one
        # would fail trying to start it): there the worker's time limit stops such a repr.
        recorder.reprs._watchdog = True
    recorder.write({"header": {"backend": backend, "reason": reason}})
    install(recorder)
    return recorder


class _Run:
    """One run's state between :func:`prepare` and :func:`finish`."""

    def __init__(self, source: str, snippet: str, options: str) -> None:
        self.source, self.snippet, self.options = source, snippet, options
        self.path = os.path.join(SNIPPETS, snippet)
        self.files = {name: os.path.join(WORK, name) for name in ("stdout", "stderr", "channel")}
        self.stdin = _Stdin()
        self.recorder: Any = None
        self.saved: Any = None
        self.exit_code = 0
        self.channel = -1


_current: _Run | None = None


def prepare(
    source: str, snippet: str, options: str, post: Callable[[str, int], None]
) -> tuple[Any, dict[str, Any]] | None:
    """Set up a run of ``source`` as the snippet ``snippet`` (its path under the snippets folder)
    with the recorder's ``options`` (``_deepcuts_protocol.encode_options``): the code and the
    namespace of ``__main__``, for the worker to pass to the builtin ``exec`` (a C function: the
    snippet's first frame then has no caller, as in ``python snippet.py``), then call
    :func:`finish`. None when the source does not compile (:func:`finish` reports it)."""
    global _current  # noqa: PLW0603 - one run at a time in a worker
    run = _current = _Run(source, snippet, options)
    folder = os.path.dirname(run.path)
    os.makedirs(folder, exist_ok=True)
    os.makedirs(WORK, exist_ok=True)
    with open(run.path, "w", encoding="utf-8") as file:
        file.write(source)
    os.chdir(WORK)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    run.channel = os.open(run.files["channel"], flags)
    run.saved = (sys.stdin, sys.stdout, sys.stderr, list(sys.path), sys.modules.get("__main__"),
                 os.dup(1), os.dup(2))  # fmt: skip
    for fd, name in ((1, "stdout"), (2, "stderr")):
        opened = os.open(run.files[name], flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = run.stdin
    sys.stdout, sys.stderr = _stream(1, "stdout", post), _stream(2, "stderr", post)
    sys.path[:0] = [folder]
    main = types.ModuleType("__main__")
    main.__file__ = run.path
    main.__builtins__ = __builtins__  # type: ignore[attr-defined]
    sys.modules["__main__"] = main
    for name in ("last_exc", "last_type", "last_value", "last_traceback"):
        if hasattr(sys, name):
            delattr(sys, name)
    try:
        code = compile(source, run.path, "exec")
    except SyntaxError as error:
        traceback.print_exception(type(error), error, None)
        run.exit_code = 1
        return None
    run.recorder = _start_recorder(folder, options, run.channel)
    return code, main.__dict__


def _report(error: BaseException) -> int:
    """The exit status, and the traceback printed, as the interpreter would."""
    if isinstance(error, SystemExit):
        if error.code is None or isinstance(error.code, int):
            return error.code or 0
        print(error.code, file=sys.stderr)
        return 1
    traceback.print_exception(type(error), error, error.__traceback__)
    return 1


def finish(failed: bool = False) -> dict[str, Any]:
    """End the run :func:`prepare` set up (``failed``: ``exec`` raised, the exception is in
    ``sys.last_exc``); returns the viewer's data, stdout, stderr, the exit code, notes, and
    whether the program asked for input."""
    from deepcuts.model import Trace  # noqa: PLC0415 - on the bundle's path only in the browser
    from deepcuts.record import _deepcuts_protocol as protocol  # noqa: PLC0415
    from deepcuts.render.steps import viewer_data  # noqa: PLC0415
    from deepcuts.run.channel import ChannelDecoder  # noqa: PLC0415
    from deepcuts.run.normalise import Normaliser  # noqa: PLC0415

    run = _current
    assert run is not None, "finish() without prepare()"  # noqa: S101 - the worker's order
    recorder = run.recorder
    if recorder is not None:
        recorder.finish()
    if failed:
        # An exception that reached the worker's JavaScript has Pyodide point fd 2 back at the
        # console: the traceback goes to the run's stderr file again, after what is there.
        opened = os.open(run.files["stderr"], os.O_WRONLY | os.O_APPEND)
        os.dup2(opened, 2)
        os.close(opened)
        error = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
        if isinstance(error, BaseException):
            run.exit_code = _report(error)
    sys.stdout.flush()
    sys.stderr.flush()
    stdin, stdout, stderr, path, main, out_fd, err_fd = run.saved
    sys.stdin, sys.stdout, sys.stderr, sys.path[:] = stdin, stdout, stderr, path
    if main is not None:
        sys.modules["__main__"] = main
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    for fd in (out_fd, err_fd, run.channel):
        os.close(fd)
    with open(run.files["stdout"], "rb") as out, open(run.files["stderr"], "rb") as err:
        stdout_raw, stderr_raw = out.read(), err.read()
    normaliser = Normaliser([(SNIPPETS, ""), (os.path.dirname(os.__file__), "<stdlib>/"),
                             (WORK, "<scratch>/")])  # fmt: skip
    cap = protocol.decode_options(run.options)["max_events"]
    decoder = ChannelDecoder(normaliser, max_events=cap if isinstance(cap, int) else 0)
    with open(run.files["channel"], "rb") as channel:
        decoder.feed(channel.read())
    decoded = decoder.finish(stdout_raw, stderr_raw)
    version = ".".join(str(n) for n in sys.version_info[:3])
    trace = Trace(
        python=version,
        snippet=run.snippet,
        stdout=decoded.stdout,
        stderr=decoded.stderr,
        exit_code=run.exit_code,
        truncated=decoded.truncated,
        events=decoded.events,
        notes=decoded.notes if recorder is not None else (),
        recorder=decoded.recorder,
        scopes=decoded.scopes,
    )
    return {
        "python": version,
        "viewer": viewer_data(trace, run.source),
        "stdout": trace.stdout,
        "stderr": trace.stderr,
        "exit_code": run.exit_code,
        "notes": list(trace.notes),
        "asked_input": run.stdin.asked,
    }


def run(
    source: str, snippet: str, options: str, post: Callable[[str, int], None]
) -> dict[str, Any]:
    """:func:`prepare`, ``exec`` and :func:`finish` in one call (for tests on CPython: here the
    snippet's frames have this function below them, which the worker avoids)."""
    prepared = prepare(source, snippet, options, post)
    failed = False
    if prepared is not None:
        try:
            exec(*prepared)  # noqa: S102 - the reader's own program, in their own browser
        except BaseException as error:  # noqa: BLE001 - reported as the interpreter would
            if error.__traceback__ is not None:  # from the snippet's frame on, as in the worker
                error = error.with_traceback(error.__traceback__.tb_next)
            sys.last_exc = error  # type: ignore[attr-defined]  # 3.12+: the worker's is 3.14
            failed = True
    return finish(failed)
