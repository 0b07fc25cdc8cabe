"""``sys.settrace`` backend: CPython 3.10 and 3.11 (and 3.12+ when asked for, to compare).

Quirks handled here, each observed on the versions named:
- settrace reports a generator's *yield* as ``return`` and its *resumption* as ``call``
  (3.10-3.13). A frame we already know is a resumption; a ``return`` of generator-like code is a
  yield unless the frame stands on a RETURN instruction. On 3.10 a frame suspended inside
  ``yield from``/``await`` stands just before YIELD_FROM, hence "not a RETURN" rather than
  "on a YIELD".
- An exception leaving a frame is reported as ``exception`` then ``return None``. A real return
  stands on a RETURN instruction (checked on 3.10-3.13); anything else at ``return`` is the
  exception propagating out, never a return of ``None``.
- Whether a handler caught it: the first ``line`` event in that frame after the exception (line
  events are switched on for that frame only until then, so call-level recording stays cheap).
  When the frame then leaves by the same exception, that line was a ``finally`` block and the
  "caught" is retracted.
- ``sys.settrace`` is per thread: ``threading.settrace`` covers threads started later, and
  stopping clears the local trace function of every frame of every thread. When the snippet
  imports ``threading`` itself, the hook is set as that import finishes (the bootstrap does not
  import it: that would leave a module in ``sys.modules`` that a plain run does not have).
- On 3.12 line events carry no locals (see ``_NO_LOCALS``).
- ``await`` and ``yield from`` move values with StopIteration; inside generator-like frames those
  are protocol, not exceptions a reader wrote, and are not recorded.
"""

import opcode
import sys

from _deepcuts_recorder import CO_GENERATOR_LIKE, THREADING_MODULE
from _deepcuts_values import generator_state

_RETURN_OPS = frozenset(
    opcode.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST") if name in opcode.opmap
)
_YIELD_VALUE = opcode.opmap["YIELD_VALUE"]
_YIELD_FROM = opcode.opmap.get("YIELD_FROM")  # 3.10 only
_RESUME = opcode.opmap.get("RESUME")  # 3.11+
# On 3.12 a settrace callback that reads frame.f_locals makes CPython write the locals back into
# the frame afterwards; inside an inlined comprehension that prints "RuntimeWarning: assigning
# None to unbound local" on the snippet's stderr (seen on 3.12.1; 3.13's f_locals proxy does not
# write back). settrace is not the default on 3.12, so there its line events carry no locals.
_NO_LOCALS = sys.version_info[:2] == (3, 12)


def exit_kind(code, lasti, bytecode):
    """How a frame that reports ``return`` is leaving: "return", "yield" or "exception".

    Where a suspended generator's ``f_lasti`` stands, as observed: on YIELD_VALUE (3.11, 3.12);
    on the RESUME just after it (3.13); just before YIELD_FROM inside ``yield from``/``await``
    (3.10), and on YIELD_VALUE otherwise (3.10)."""
    op = bytecode[lasti]
    if op in _RETURN_OPS:
        return "return"
    if code.co_flags & CO_GENERATOR_LIKE and (
        op == _YIELD_VALUE
        or (op == _RESUME and lasti >= 2 and bytecode[lasti - 2] == _YIELD_VALUE)
        or (_YIELD_FROM is not None and bytecode[lasti + 2 : lasti + 3] == bytes((_YIELD_FROM,)))
    ):
        return "yield"
    return "exception"


_GENERATOR_TYPES = ("generator", "coroutine", "async_generator")


def arguments(rec, frame, code):
    """The bound arguments of a frame that is just starting, as reprs."""
    count = code.co_argcount + code.co_kwonlyargcount
    flags = code.co_flags
    count += bool(flags & 0x04) + bool(flags & 0x08)  # *args, **kwargs
    if not count:
        return None, None
    return rec.reprs.mapping(code.co_varnames[:count], frame.f_locals)


def value_objects(value, text):
    """``{repr: state}`` when ``value`` is a generator, coroutine or async generator."""
    if type(value).__name__ in _GENERATOR_TYPES:
        return {text: generator_state(value)}
    return None


def install(rec):
    """Start tracing every thread; return nothing (``rec.stop_hook`` undoes it)."""
    frames = rec.frames
    emit = rec.emit
    reprs = rec.reprs
    pending = {}  # id(frame) -> repr of an exception in flight in this frame, not yet handled
    last_exc = {}  # id(frame) -> repr of the last exception seen in this frame
    caught = {}  # id(frame) -> the "caught" event, retracted if the frame leaves by exception
    bytecodes = {}  # code -> co_code (a new bytes object per access on 3.11)
    want_lines = rec.lines
    kinds = rec.kinds
    classify = rec.classify

    def local(frame, event, arg):
        # Hot path: called for every line/return/exception of a traced frame. Keep it flat.
        try:
            key = id(frame)
            entry = frames.get(key)
            if entry is None:
                return None
            if event == "line":
                if key in pending:
                    caught[key] = emit(
                        "exception",
                        entry[0],
                        entry[2],
                        entry[1],
                        frame.f_code,
                        frame.f_lineno,
                        value=pending.pop(key),
                        how="caught",
                    )
                    frame.f_trace_lines = want_lines
                if want_lines:
                    current = {} if _NO_LOCALS else frame.f_locals
                    values, objects = reprs.mapping(tuple(current), current)
                    emit(
                        "line",
                        entry[0],
                        entry[2],
                        entry[1],
                        frame.f_code,
                        frame.f_lineno,
                        locals_=values,
                        objects=objects,
                    )
                return local
            if event == "return":
                code = frame.f_code
                bytecode = bytecodes.get(code)
                if bytecode is None:
                    bytecode = bytecodes[code] = code.co_code
                kind = exit_kind(code, frame.f_lasti, bytecode)
                if kind == "yield":
                    text = reprs.repr(arg)
                    emit(
                        "yield",
                        entry[0],
                        entry[2],
                        entry[1],
                        code,
                        frame.f_lineno,
                        value=text,
                        objects=value_objects(arg, text),
                    )
                    return local
                del frames[key]
                pending.pop(key, None)
                exc = last_exc.pop(key, None)
                handled = caught.pop(key, None)
                if kind == "exception":
                    if handled is not None and handled[10] == exc:
                        rec.retract(handled)  # the "handler" was a finally block
                    emit(
                        "exception",
                        entry[0],
                        entry[2],
                        entry[1],
                        code,
                        frame.f_lineno,
                        value=exc or "<exception>",
                        how="propagated",
                    )
                else:
                    text = reprs.repr(arg)
                    emit(
                        "return",
                        entry[0],
                        entry[2],
                        entry[1],
                        code,
                        frame.f_lineno,
                        value=text,
                        objects=value_objects(arg, text),
                    )
                return local
            if event == "exception":
                exc_type, value, tb = arg
                if exc_type is StopIteration and frame.f_code.co_flags & CO_GENERATOR_LIKE:
                    return local
                text = reprs.repr(value)
                if tb is None or tb.tb_next is None:
                    # The traceback starts in this frame: raised here. Otherwise it arrived from a
                    # callee, which has already reported it as propagated.
                    emit(
                        "exception",
                        entry[0],
                        entry[2],
                        entry[1],
                        frame.f_code,
                        frame.f_lineno,
                        value=text,
                        how="raised",
                    )
                pending[key] = last_exc[key] = text
                frame.f_trace_lines = True  # to see whether a handler runs
                return local
            return local
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def start(frame, event, arg):
        # Called for every new frame in the process: the early exits come first.
        try:
            if not rec.active:
                return None
            code = frame.f_code
            kind = kinds.get(code)
            if kind is None:
                kind = classify(code)
            if kind != 1:
                if kind == 2:
                    abandoned(rec, frame)
                elif kind == THREADING_MODULE:
                    return threading_imported
                return None
            key = id(frame)
            entry = frames.get(key)
            if entry is not None:
                emit("resume", entry[0], entry[2], entry[1], code, frame.f_lineno)
            else:
                number, parent, depth = rec.enter(frame)
                values, objects = arguments(rec, frame, code)
                emit(
                    "call",
                    number,
                    parent,
                    depth,
                    code,
                    code.co_firstlineno,
                    locals_=values,
                    objects=objects,
                )
            frame.f_trace_lines = want_lines
            return local
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def threading_imported(frame, event, arg):
        # The snippet's `import threading` is finishing: hook threads it will start.
        try:
            if event == "return":
                frame.f_globals["_trace_hook"] = start if rec.active else None
            return threading_imported
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def stop():
        sys.settrace(None)
        threading = sys.modules.get("threading")
        if threading is not None:
            threading.settrace(None)
        for top in sys._current_frames().values():
            frame = top
            while frame is not None:
                frame.f_trace = None
                frame = frame.f_back

    rec.stop_hook = stop
    rec.threading_hook = True
    threading = sys.modules.get("threading")
    if threading is not None:
        threading.settrace(start)
    sys.settrace(start)


def abandoned(rec, frame):
    """``warnings._warn_unawaited_coroutine(coro)`` is running: a coroutine of the snippet was
    collected without ever being started. Record it, with the frame it owned."""
    coro = frame.f_locals.get("coro")
    code = getattr(coro, "cr_code", None)
    if code is None or not rec.is_traced(code):
        return
    number = rec.next_frame
    rec.next_frame += 1
    parent = rec.parent_of(frame)
    depth = 0
    for entry in rec.frames.values():
        if entry[0] == parent:
            depth = entry[1] + 1
            break
    text = rec.reprs.repr(coro)
    rec.emit(
        "abandoned",
        number,
        parent,
        depth,
        code,
        code.co_firstlineno,
        value=text,
        how="never started",
        objects={text: generator_state(coro)},
    )
