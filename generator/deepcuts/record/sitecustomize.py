"""Start-up hook of a recorded run (child side, stdlib only, Python 3.10+ syntax).

The parent runs ``python snippet.py`` with this folder on ``PYTHONPATH``, so ``site`` imports this
module before ``__main__`` starts. It installs the recorder and then removes every trace of
itself that the snippet could stumble on: its folder from ``sys.path``, its variables from
``os.environ``, and the modules it imported from ``sys.modules`` (the recorder keeps its own
references). A ``sitecustomize`` that the interpreter would otherwise have run is run afterwards.

Configuration comes from the environment (names and format in ``_deepcuts_protocol``): the
channel's file descriptor, the snippet's folder (code from files below it is traced), and the
recorder's options.
"""

import os
import sys


def _choose_backend(wanted):
    """The one place a backend is chosen, with the reason (it goes into the trace's header)."""
    has_monitoring = hasattr(sys, "monitoring")
    if wanted == "settrace":
        return "settrace", "asked for"
    if wanted == "monitoring":
        if has_monitoring:
            return "monitoring", "asked for"
        return "settrace", "sys.monitoring needs Python 3.12+; fell back to sys.settrace"
    if has_monitoring:
        return "monitoring", "Python 3.12+: sys.monitoring disables events per code location"
    return "settrace", "Python < 3.12 has no sys.monitoring"


def _start():
    here = os.path.dirname(os.path.abspath(__file__))
    before = set(sys.modules)
    import _deepcuts_protocol as protocol  # noqa: PLC0415 - removed from sys.modules below

    environ = os.environ
    channel_fd = int(environ.pop(protocol.CHANNEL_FD))
    folder = environ.pop(protocol.FOLDER)
    options = protocol.decode_options(environ.pop(protocol.OPTIONS, ""))
    environ.pop("PYTHONPATH", None)
    os.set_inheritable(channel_fd, False)  # a subprocess of the snippet must not inherit it
    # Line-buffered stdout, as when `python snippet.py` runs in a terminal: complete lines reach
    # the output file at once, so the recorder can place output between events with an lseek.
    if sys.stdout is not None:
        sys.stdout.reconfigure(line_buffering=True)

    import atexit  # noqa: PLC0415 - imported here so that it is removed from sys.modules below

    from _deepcuts_recorder import Recorder  # noqa: PLC0415

    backend, reason = _choose_backend(options["backend"])
    if backend == "monitoring":
        from _deepcuts_monitoring import install  # noqa: PLC0415
    else:
        from _deepcuts_settrace import install  # noqa: PLC0415

    recorder = Recorder({**options, "folder": folder}, channel_fd)
    recorder.write({"header": {"backend": backend, "reason": reason}})
    atexit.register(recorder.finish)

    # Leave sys.path and sys.modules as a plain run has them, and run the sitecustomize we
    # shadowed, if the interpreter has one.
    while here in sys.path:
        sys.path.remove(here)
    for name in set(sys.modules) - before:
        del sys.modules[name]
    mine = sys.modules.pop("sitecustomize")
    try:
        import sitecustomize as theirs  # noqa: PLC0415
    except ImportError:
        theirs = None
    # Importlib pops this module from sys.modules once it has run, so it must be there now; the
    # recorder puts the interpreter's own (or nothing) back when the snippet's first frame starts.
    sys.modules["sitecustomize"] = mine

    def restore_modules():
        if theirs is None:
            sys.modules.pop("sitecustomize", None)
        else:
            sys.modules["sitecustomize"] = theirs

    recorder.on_first_frame = restore_modules
    install(recorder)


def _report_failure(exc):
    """The recorder could not start: the snippet must still run exactly as plain Python would,
    so nothing is printed; the parent learns why from the channel."""
    import _deepcuts_protocol as protocol  # noqa: PLC0415 - imported already, or it fails here

    try:
        fd = int(os.environ.pop(protocol.CHANNEL_FD, "-1"))
        message = ("%s: %s" % (type(exc).__name__, exc)).replace("\\", "/").replace('"', "'")
        os.write(fd, ('{"header":{"error":"%s"}}\n' % message).encode("ascii", "replace"))
    except (OSError, ValueError):
        pass
    for name in (protocol.FOLDER, protocol.OPTIONS, "PYTHONPATH"):
        os.environ.pop(name, None)
    sys.modules.pop("_deepcuts_protocol", None)


try:
    _start()
except Exception as exc:
    _report_failure(exc)
