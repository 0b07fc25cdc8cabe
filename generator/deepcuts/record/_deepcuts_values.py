"""Safe, bounded reprs for the recorder (child side, stdlib only, Python 3.10+ syntax).

A snippet's ``__repr__`` may raise, recurse or never return; none of that may break the trace or
change the program's behaviour. Plain values are rendered directly. Anything else is rendered under
a guard: exceptions become ``<repr failed: ...>``, and a repr still running after
``REPR_SECONDS`` is interrupted by a watchdog thread that raises ``_ReprTimeout`` in it. The
watchdog starts the first time a guarded repr runs; ``ctypes``, which it needs to interrupt one,
is imported only when it must.
"""

import _thread
import time
import types
from _json import encode_basestring_ascii as _quote

REPR_SECONDS = 0.5

_PLAIN = (int, float, bool, type(None), complex)
_PLAIN_SET = frozenset(_PLAIN)
_GENERATOR_LIKE = (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)
_GENERATOR_LIKE_SET = frozenset(_GENERATOR_LIKE)


class _ReprTimeout(BaseException):
    """Raised inside a repr that ran too long (BaseException: `except Exception` can't eat it)."""


class Reprs:
    """Renders values for one recorder; ``cap`` bounds every repr's length."""

    def __init__(self, cap):
        self.cap = cap
        self._lock = _thread.allocate_lock()
        self._watchdog = False
        self._running_since = 0.0  # monotonic start of the guarded repr, 0.0 when none runs
        self._running_thread = 0
        self._interrupted = False

    # -- the watchdog ------------------------------------------------------------------------
    def _watch(self):
        set_exc = None
        while True:
            time.sleep(REPR_SECONDS / 5)
            with self._lock:
                started = self._running_since
                if started and time.monotonic() - started > REPR_SECONDS:
                    if set_exc is None:
                        set_exc = _load_set_async_exc()
                    # Once per guarded repr: a second exception could land in the clean-up
                    # below, or, worse, in the snippet's own code after it.
                    set_exc(self._running_thread, _ReprTimeout)
                    self._running_since = 0.0
                    self._interrupted = True

    def _guarded(self, value):
        if not self._watchdog:
            self._watchdog = True
            _thread.start_new_thread(self._watch, ())  # not a threading.Thread: invisible there
        with self._lock:
            self._running_since = time.monotonic()
            self._running_thread = _thread.get_ident()
        try:
            return repr(value)
        finally:
            with self._lock:
                self._running_since = 0.0
                interrupted = self._interrupted
                self._interrupted = False
            if interrupted:
                # The injected exception may still be pending (the repr was in a long C call and
                # then returned). It must land here, inside Reprs.repr's handler, not later in
                # the snippet's code: a backward jump makes every version check for it. (Clearing
                # it with PyThreadState_SetAsyncExc(id, NULL) instead hangs CPython 3.11.)
                for _ in (0, 1, 2):
                    pass

    # -- rendering ---------------------------------------------------------------------------
    def repr(self, value):
        """A repr of ``value`` that never raises, never hangs, and is at most ``cap`` long."""
        kind = type(value)
        try:
            if kind in _PLAIN:
                text = repr(value)
            elif kind is str:
                text = repr(value[: self.cap])
            else:
                text = self._guarded(value)
        except _ReprTimeout:
            text = "<%s object: repr took longer than %gs>" % (kind.__name__, REPR_SECONDS)
        except BaseException as exc:  # any failure of a snippet's __repr__, re-raising exits
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            text = "<%s object: repr failed: %s>" % (kind.__name__, type(exc).__name__)
        if len(text) > self.cap:
            text = text[: self.cap - 1] + "\u2026"
        return text

    def encoders(self):
        """Two functions for the hot path, returning JSON text ready for an event:

        ``value(v)`` -> (repr as a JSON string, ``{repr: state}`` as JSON or "null")
        ``mapping(names, values)`` -> (``{name: repr}`` as JSON, objects as JSON or "null")

        Plain values are rendered inline; everything else goes through the guarded ``repr``."""
        cap = self.cap
        slow = self.repr
        quote = _quote
        plain = _PLAIN_SET
        generator_like = _GENERATOR_LIKE_SET
        function = types.FunctionType
        # id(cell) -> its number, in order of first sight. Ids, not cells: holding a cell would
        # keep what it holds alive. (A cell freed and another made at its address would share a
        # number: closures examined by a snippet are alive while it looks.)
        cells = {}

        def value(v):
            kind = type(v)
            if kind in plain:
                try:
                    text = repr(v)  # an int past sys.get_int_max_str_digits raises
                except ValueError:
                    text = slow(v)
                if len(text) <= cap:
                    # Reprs of numbers, bools and None hold no quote, backslash or control
                    # character: quoting them for JSON is just the two quotes.
                    return '"' + text + '"', "null"
            elif kind is str:
                text = repr(v) if len(v) <= cap else repr(v[:cap])
            else:
                text = slow(v)
            if len(text) > cap:
                text = text[: cap - 1] + "\u2026"
            quoted = quote(text)
            if kind in generator_like:
                return quoted, "{" + quoted + ":" + quote(generator_state(v)) + "}"
            if kind is function and v.__closure__:
                return quoted, "{" + quoted + ":" + quote(closure_state(v)) + "}"
            if (kind is tuple or kind is list) and len(v) <= 8:
                # Closures handed around in a small tuple or list (`return inc, peek`).
                states = [
                    quote(slow(item)) + ":" + quote(closure_state(item))
                    for item in v
                    if type(item) is function and item.__closure__
                ]
                if states:
                    return quoted, "{" + ",".join(states) + "}"
            return quoted, "null"

        def closure_state(f):
            # "closure:" and, per free variable, [name, cell number, repr of what it holds].
            parts = []
            for name, cell in zip(f.__code__.co_freevars, f.__closure__):  # noqa: B905 - 3.10 syntax
                number = cells.get(id(cell))
                if number is None:
                    number = cells[id(cell)] = len(cells) + 1
                try:
                    held = cell.cell_contents
                except ValueError:
                    text = "<empty>"
                else:
                    text = repr(held) if type(held) in plain else slow(held)
                    if len(text) > cap:
                        text = text[: cap - 1] + "\u2026"
                parts.append("[%s,%d,%s]" % (quote(name), number, quote(text)))
            return "closure:[" + ",".join(parts) + "]"

        def mapping(names, values):
            parts = []
            objects = None
            for name in names:
                if name in values:
                    text, state = value(values[name])
                    parts.append(quote(name) + ":" + text)
                    if state != "null":
                        objects = state if objects is None else objects[:-1] + "," + state[1:]
            return "{" + ",".join(parts) + "}", "null" if objects is None else objects

        return value, mapping


def _load_set_async_exc():
    """``PyThreadState_SetAsyncExc`` through ctypes, imported only when a repr must be
    interrupted, and taken out of ``sys.modules`` again so that the snippet does not see it."""
    import sys  # noqa: PLC0415

    before = set(sys.modules)
    import ctypes  # noqa: PLC0415

    for name in set(sys.modules) - before:
        del sys.modules[name]
    set_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    set_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
    return set_exc


def generator_state(obj):
    """created / running / suspended / closed, for generators, coroutines and async generators,
    read from attributes so that ``inspect`` need not be imported in the child."""
    if isinstance(obj, types.CoroutineType):
        frame, running, prefix = obj.cr_frame, obj.cr_running, "cr"
    elif isinstance(obj, types.AsyncGeneratorType):
        frame, running, prefix = obj.ag_frame, obj.ag_running, "ag"
    else:
        frame, running, prefix = obj.gi_frame, obj.gi_running, "gi"
    if frame is None:
        return "closed"
    if running:
        return "running"
    suspended = getattr(obj, prefix + "_suspended", None)  # 3.11+
    if suspended is None:
        suspended = frame.f_lasti != -1  # 3.10: a started frame has executed an instruction
    return "suspended" if suspended else "created"
