"""The recorder's core (child side, stdlib only, Python 3.10+ syntax).

A backend (``_deepcuts_settrace`` or ``_deepcuts_monitoring``) turns interpreter callbacks into
calls of the emitters (``_deepcuts_emit``); this module decides what is traced, numbers frames and
threads, keeps the events, and ships them to the parent over the channel, in the format that
``_deepcuts_protocol`` describes (the parent's side is ``run/channel.py``). An event is encoded as
it happens (a Python JSON encoder would cost several microseconds per event).
"""

import _thread
import itertools
import os
import sys
from _json import encode_basestring_ascii as _quote

import _deepcuts_protocol as protocol

_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep

# Event kinds as numbers, and the "how" of exceptions as JSON text (see _deepcuts_protocol).
CALL, LINE, RETURN, EXCEPTION, YIELD, RESUME, ABANDONED = (
    protocol.CALL, protocol.LINE, protocol.RETURN, protocol.EXCEPTION, protocol.YIELD,
    protocol.RESUME, protocol.ABANDONED,
)  # fmt: skip
RAISED, CAUGHT, PROPAGATED, FINALLY, NEVER_STARTED = (
    _quote(how)
    for how in (
        protocol.RAISED, protocol.CAUGHT, protocol.PROPAGATED, protocol.FINALLY,
        protocol.NEVER_STARTED,
    )
)  # fmt: skip

CO_GENERATOR_LIKE = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR

IGNORED, TRACED, UNAWAITED_HOOK, THREADING_MODULE, OWN = 0, 1, 2, 3, 4


def encode(obj):
    """JSON for the few types an event holds. The json module would import re at start-up;
    this uses only the C string quoting that json itself uses, ASCII-safe for any string."""
    kind = type(obj)
    if kind is str:
        return _quote(obj)
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if kind is int:
        return str(obj)
    if kind is list or kind is tuple:
        return "[" + ",".join([encode(item) for item in obj]) + "]"
    if kind is dict:
        return "{" + ",".join([_quote(str(k)) + ":" + encode(v) for k, v in obj.items()]) + "}"
    return _quote(str(obj))


class Recorder:
    """State shared by both backends. One per process."""

    def __init__(self, config, channel_fd):
        from _deepcuts_limit import RecursionGuard  # noqa: PLC0415 - child side, on PYTHONPATH
        from _deepcuts_values import Reprs  # noqa: PLC0415

        self.config = config
        self.channel_fd = channel_fd
        self.folder = config["folder"].rstrip("/") + "/"
        self.trace_stdlib = bool(config.get("stdlib"))
        self.lines = bool(config.get("lines"))
        self.cap = int(config["max_events"])  # 0: no cap
        self.reprs = Reprs(int(config["repr_cap"]))
        self.encode_value, self.encode_mapping = self.reprs.encoders()
        self.max_names = protocol.MAX_NAMES
        self.arguments = self._make_arguments()
        self.count = 0
        self.truncated = False
        self.active = True
        self.chunk = []  # encoded events and code records, not yet shipped (never rebound)
        self.code_ids = {}  # code -> number in the code table
        # id(frame) -> (frame number, traced depth, parent number, depth in frames), for frames
        # whose call is in progress (or that are suspended generators): ids of live frames cannot
        # be reused, so no reference is kept. Depth in frames counts every Python frame below,
        # traced or not (the recursion limit's unit on 3.12+).
        self.frames = {}
        self.numbers = itertools.count(1)  # frame numbers, in order of creation
        self.threads = {}  # thread ident -> small number, in order of first event
        self.kinds = {}  # code -> TRACED, IGNORED or UNAWAITED_HOOK (see classify)
        self.qualnames = {}  # (file, name, first line) -> qualname, for 3.10 (no co_qualname)
        self.indexed_files = set()
        self.source_lines = {}  # file -> its lines, for statement_is
        self.stop_hook = None  # set by the backend: turns its events off for good
        self.on_first_frame = None  # set by the bootstrap: its last clean-up
        self.threading_hook = False  # settrace: watch for the snippet importing threading
        self.error = None  # an internal error that stopped recording
        self.stopped_for = None  # "recursion" when recording stopped near the recursion limit
        # The snippet's recursion limit, kept true while our callbacks take frames (3.10's
        # settrace hook cannot raise as a frame starts: there recording stops near the limit).
        self.guard = RecursionGuard(can_refuse=sys.version_info >= (3, 11))
        from _deepcuts_emit import make_emitters  # noqa: PLC0415 - child side, on PYTHONPATH

        self.emit_call, self.emit_value, self.emit_exception, self.emit_resume = make_emitters(self)

    # -- what is traced ----------------------------------------------------------------------
    def classify(self, code):
        """What to do with ``code``, decided once per code object: trace it (the snippet's own
        folder, or any real file when the snippet opts in to the stdlib), watch it (the function
        through which CPython reports a never-awaited coroutine), or ignore it (the recorder's
        own code is OWN: ignored, and never refused by the recursion guard)."""
        filename = code.co_filename
        if filename.startswith(self.folder):
            kind = TRACED
            if self.on_first_frame is not None:
                self.on_first_frame()
                self.on_first_frame = None
        elif code.co_name == "_warn_unawaited_coroutine" and filename.endswith("warnings.py"):
            kind = UNAWAITED_HOOK
        elif (
            self.threading_hook
            and code.co_name == "<module>"
            and filename.endswith("/threading.py")
        ):
            kind = THREADING_MODULE
        elif filename.startswith(_HERE):
            kind = OWN  # the recorder's own code (getrecursionlimit while the guard holds it)
        elif self.trace_stdlib and not filename.startswith("<"):
            kind = TRACED
        else:
            kind = IGNORED
        self.kinds[code] = kind
        return kind

    def is_traced(self, code):
        """True for code whose events are recorded."""
        kind = self.kinds.get(code)
        if kind is None:
            kind = self.classify(code)
        return kind == TRACED

    def qualname(self, code):
        """``co_qualname`` where the interpreter has it; else found by compiling the file."""
        name = getattr(code, "co_qualname", None)
        if name is not None:
            return name
        filename = code.co_filename
        if filename not in self.indexed_files:
            self.indexed_files.add(filename)  # once, even if the file cannot be read
            self._index_qualnames(filename)
        return self.qualnames.get((filename, code.co_name, code.co_firstlineno), code.co_name)

    def _index_qualnames(self, filename):
        try:
            with open(filename, "rb") as handle:
                top = compile(handle.read(), filename, "exec", dont_inherit=True)
        except (OSError, SyntaxError, ValueError):
            return
        pending = [(top, "")]
        while pending:
            code, prefix = pending.pop()
            for const in code.co_consts:
                if hasattr(const, "co_code"):
                    qual = prefix + const.co_name
                    self.qualnames[(filename, const.co_name, const.co_firstlineno)] = qual
                    pending.append((const, qual + ".<locals>."))

    # -- numbering ---------------------------------------------------------------------------
    def thread_number(self):
        ident = _thread.get_ident()
        number = self.threads.get(ident)
        if number is None:
            number = self.threads[ident] = len(self.threads)
        return number

    def chain(self, frame):
        """``frame``'s depth in frames (1 for a thread's outermost frame) and the entry of its
        nearest traced caller (None if it has none): a walk out to that caller, whose depth is
        known, or to the bottom of the stack."""
        frames = self.frames
        back = frame.f_back
        hops = 1
        while back is not None:
            entry = frames.get(id(back))
            if entry is not None:
                return entry[3] + hops, entry
            back = back.f_back
            hops += 1
        return hops, None

    def _make_arguments(self):
        """Build ``arguments(frame, code)``: the bound arguments of a frame that is just
        starting, as JSON (and objects JSON). Parameter names are found once per code."""
        argnames = {}
        encode_mapping = self.encode_mapping
        max_names = self.max_names

        def arguments(frame, code):
            names = argnames.get(code)
            if names is None:
                count = code.co_argcount + code.co_kwonlyargcount
                count += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)  # *a, **kw
                names = argnames[code] = code.co_varnames[:count][:max_names]
            if not names:
                return "null", "null"
            return encode_mapping(names, frame.f_locals)

        return arguments

    def local_variables(self, frame):
        """Every local of a frame, as JSON (and objects JSON), for line events."""
        values = frame.f_locals
        return self.encode_mapping(tuple(values)[: self.max_names], values)

    def resumed(self, frame, entry):
        """A suspended generator or coroutine frame runs again, below whichever frame resumed
        it this time: record that, with the parent it has now."""
        chain, caller = self.chain(frame)
        if caller is None:
            parent, depth = None, 0
        else:
            parent, depth = caller[0], caller[1] + 1
        self.frames[id(frame)] = (entry[0], depth, parent, chain)
        values, objects = self.local_variables(frame)
        self.emit_resume(entry[0], parent, frame.f_lineno, values, objects)

    def statement_is(self, code, line, keyword):
        """Whether ``line`` of ``code``'s file starts with ``keyword``: an ``except`` clause
        (where a handler is entered, unlike a ``finally`` block or a ``with`` block's exit), or
        a ``raise`` statement. The file's lines are read once."""
        lines = self.source_lines.get(code.co_filename)
        if lines is None:
            try:
                with open(code.co_filename, "rb") as handle:
                    lines = handle.read().decode("utf-8", "replace").splitlines()
            except OSError:
                lines = []
            self.source_lines[code.co_filename] = lines
        return 0 < line <= len(lines) and lines[line - 1].lstrip().startswith(keyword)

    def abandoned(self, frame):
        """``warnings._warn_unawaited_coroutine(coro)`` is running: a coroutine of the snippet
        was collected without ever being started. Record it, with the frame it owned."""
        coro = frame.f_locals.get("coro")
        code = getattr(coro, "cr_code", None)
        if code is None or not self.is_traced(code):
            return
        text, objects = self.encode_value(coro)
        number = next(self.numbers)
        self.emit_call(ABANDONED, number, self.parent_of(frame), code, code.co_firstlineno, text,
                       objects)  # fmt: skip

    def parent_of(self, frame):
        entry = self.chain(frame)[1]
        return None if entry is None else entry[0]

    def refuse(self, frame):
        """The guard refused ``frame`` (past the snippet's recursion limit): the backend raises
        the RecursionError now; the frame is never recorded. On 3.10, stop recording instead."""
        if self.guard.can_refuse:
            return self.guard.refused
        self.stopped_for = "recursion"
        self.stop()
        return None

    # -- events ------------------------------------------------------------------------------
    def add_code(self, code):
        """Number a code object and ship its names once (events then carry the number)."""
        number = self.code_ids[code] = len(self.code_ids)
        self.chunk.append(
            '["%s",%d,%s,%s,%s,[%s],[%s]]'
            % (
                protocol.CODE_RECORD,
                number,
                _quote(code.co_name),
                _quote(self.qualname(code)),
                _quote(code.co_filename),
                ",".join(_quote(name) for name in code.co_freevars),
                ",".join(_quote(name) for name in code.co_cellvars),
            )
        )
        return number

    def amend(self, token, how):
        """Correct a "caught" event that later events showed to be something else: ``how``
        FINALLY (a finally block, or a with block's exit, ran with the exception in flight) or
        None (a clause that did not match: no event at all). ``token`` is what ``emit_exception``
        returned. While the event is unshipped it is changed in place; once shipped, an
        amendment record ``["x", event number, how or null]`` tells the parent."""
        if token is None:
            return
        event, index, number, line, text = token
        new = None if how is None else "[%d,%d,%d,%s,%s]" % (EXCEPTION, number, line, text, how)
        chunk = self.chunk
        for position in range(len(chunk) - 1, -1, -1):
            if chunk[position] is event:
                # A deleted event keeps its number: later amendments count on it.
                chunk[position] = new if new is not None else '["%s"]' % protocol.DELETED_RECORD
                return
        chunk.append('["%s",%d,%s]' % (protocol.AMEND_RECORD, index, how or "null"))

    def internal_error(self, exc):
        """A bug of ours, met while recording: stop for good and say so in the trace."""
        if self.error is None:
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = (
                ""
                if tb is None
                else " at %s:%d" % (os.path.basename(tb.tb_frame.f_code.co_filename), tb.tb_lineno)
            )
            self.error = "%s: %s%s" % (type(exc).__name__, exc, where)
        self.stop()

    def stop(self):
        """Turn recording off: the backend removes its hooks, so later code runs at full speed.
        While the guard holds the recursion limit raised, the hooks stay (recording nothing)
        until the stack is low enough to give the room back (the backend calls this again)."""
        self.active = False
        if self.guard.near:
            self.guard.leave()
            if self.guard.near:
                return
        if self.stop_hook is not None:
            hook, self.stop_hook = self.stop_hook, None
            hook()

    # -- the channel -------------------------------------------------------------------------
    def write(self, obj):
        self.write_line(encode(obj))

    def write_line(self, text):
        data = (text + "\n").encode("ascii")
        try:
            while data:
                written = os.write(self.channel_fd, data)
                data = data[written:]
        except OSError:
            self.active = False  # the parent is gone or the channel is closed: nothing to do

    def flush(self):
        chunk = self.chunk
        if chunk:
            events = sum(1 for item in chunk if item[1] != '"')  # not '["c"' or '["o"'
            self.count += events
            self.write_line("[" + ",".join(chunk) + "]")
            del chunk[:]

    def finish(self):
        """At interpreter exit: stop, ship what is left, and say the trace is complete."""
        self.guard.leave()  # at exit the stack is shallow: the room is given back for good
        self.stop()
        self.flush()
        self.write(
            {
                "end": {
                    "events": self.count,
                    "truncated": self.truncated or self.stopped_for is not None,
                    "stopped_for": self.stopped_for,
                    "error": self.error,
                }
            }
        )
