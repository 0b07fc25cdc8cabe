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
  When the frame then leaves by the same exception, that line was a ``finally`` block (the
  "caught" becomes "finally") or an except clause that did not match (it is taken back).
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

from _deepcuts_limit import REFUSE
from _deepcuts_recorder import (
    CALL,
    CAUGHT,
    CO_GENERATOR_LIKE,
    FINALLY,
    LINE,
    OWN,
    PROPAGATED,
    RAISED,
    RETURN,
    THREADING_MODULE,
    TRACED,
    UNAWAITED_HOOK,
    YIELD,
)

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


# What the first line run after an exception in a frame was (see `local`, "line").
CLAUSE, MATCHED, OTHER = 0, 1, 2


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


def install(rec):
    """Start tracing every thread; ``rec.stop_hook`` undoes it."""
    frames = rec.frames
    emit_call = rec.emit_call
    emit_value = rec.emit_value
    emit_exception = rec.emit_exception
    kinds = rec.kinds
    classify = rec.classify
    numbers = rec.numbers
    encode_value = rec.encode_value
    arguments = rec.arguments
    guard = rec.guard
    real_get = guard.real_get

    want_lines = rec.lines
    pending = {}  # id(frame) -> repr of an exception in flight in this frame, not yet handled
    last_exc = {}  # id(frame) -> repr of the last exception seen in this frame
    caught = {}  # id(frame) -> (its "caught" event, the exception's repr), see exit_kind
    bytecodes = {}  # code -> co_code (a new bytes object per access on 3.11)

    def local(frame, event, arg):
        # Hot path: every return (and, while wanted, line and exception) of a traced frame.
        try:
            key = id(frame)
            entry = frames.get(key)
            if entry is None:
                return None
            if event == "return":
                code = frame.f_code
                bytecode = bytecodes.get(code)
                if bytecode is None:
                    bytecode = bytecodes[code] = code.co_code
                kind = exit_kind(code, frame.f_lasti, bytecode)
                if kind == "yield":
                    text, objects = encode_value(arg)
                    emit_value(YIELD, entry[0], frame.f_lineno, text, objects)
                    return local
                del frames[key]
                if pending or last_exc:
                    pending.pop(key, None)
                    exc = last_exc.pop(key, None)
                    handled = caught.pop(key, None)
                else:
                    exc = handled = None
                if kind == "exception":
                    if handled is not None and handled[1] == exc and handled[2] != MATCHED:
                        # The same exception leaves: the "handler" was an except clause that did
                        # not match (no event), or a finally block or a with block's exit.
                        rec.amend(handled[0], None if handled[2] == CLAUSE else FINALLY)
                    emit_exception(entry[0], frame.f_lineno, exc or '"<exception>"', PROPAGATED)
                else:
                    text, objects = encode_value(arg)
                    emit_value(RETURN, entry[0], frame.f_lineno, text, objects)
                return local
            if event == "line":
                text = pending.pop(key, None)
                if text is not None:
                    # The first line run after the exception: an except clause (a handler, if it
                    # matches: lines stay on until the next line says so), or something else.
                    line = frame.f_lineno
                    clause = rec.statement_is(frame.f_code, line, "except")
                    caught[key] = (
                        emit_exception(entry[0], line, text, CAUGHT),
                        text,
                        CLAUSE if clause else OTHER,
                    )
                    frame.f_trace_lines = want_lines or clause
                elif key in caught and caught[key][2] == CLAUSE:
                    event_, text, _state = caught[key]
                    line = frame.f_lineno
                    if rec.statement_is(frame.f_code, line, "except"):  # the previous did not match
                        rec.amend(event_, None)
                        caught[key] = (emit_exception(entry[0], line, text, CAUGHT), text, CLAUSE)
                    else:  # the handler's body runs: a catch, whatever happens next
                        caught[key] = (event_, text, MATCHED)
                        frame.f_trace_lines = want_lines
                if want_lines:
                    if _NO_LOCALS:
                        values, objects = "{}", "null"
                    else:
                        values, objects = rec.local_variables(frame)
                    emit_value(LINE, entry[0], frame.f_lineno, values, objects)
                return local
            if event == "exception":
                exc_type, value, tb = arg
                if value is guard.refused:
                    guard.deliver(value, frame, tb)  # tb now starts (and ends) in this frame
                if exc_type is StopIteration and frame.f_code.co_flags & CO_GENERATOR_LIKE:
                    return local  # await / yield from plumbing
                text = encode_value(value)[0]
                if tb is None or tb.tb_next is None:
                    # The traceback starts in this frame: raised here. Otherwise it arrived from
                    # a callee, which has already reported it as propagated.
                    emit_exception(entry[0], frame.f_lineno, text, RAISED)
                pending[key] = last_exc[key] = text
                frame.f_trace_lines = True  # to see whether a handler runs
            return local
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def start(frame, event, arg):
        # Called for every new frame in the process: the early exits come first.
        refused = None
        try:
            code = frame.f_code
            kind = kinds.get(code)
            if kind is None:
                kind = classify(code)
            if kind != TRACED:
                if kind == UNAWAITED_HOOK:
                    rec.abandoned(frame)
                elif kind == THREADING_MODULE:
                    return threading_imported
                # Near the limit every frame counts, the snippet's or not.
                if not guard.near or kind == OWN or guard.check(frame) != REFUSE:
                    return None
                refused = guard.refused
            else:
                key = id(frame)
                entry = frames.get(key)
                if entry is not None:
                    chain = rec.chain(frame)[0]  # a generator resumes: where is it now?
                else:
                    back = frame.f_back
                    caller = frames.get(id(back)) if back is not None else None
                    if caller is None:
                        chain, caller = rec.chain(frame)  # the general case: untraced caller
                    else:
                        chain = caller[3] + 1
                verdict = None
                if chain >= guard.watch_from or real_get() != guard.expected:
                    verdict = guard.check(frame)
                if verdict:
                    refused = rec.refuse(frame)  # None on 3.10: recording stopped instead
                    if refused is None:
                        return None
                elif not rec.active:
                    if not guard.near:
                        rec.stop()  # deferred while the guard held the limit raised
                    return None
                elif entry is not None:
                    rec.resumed(frame, entry)
                    frame.f_trace_lines = want_lines
                    return local
                else:
                    number = next(numbers)
                    if caller is None:
                        parent = None
                        frames[key] = (number, 0, None, chain)
                    else:
                        parent = caller[0]
                        frames[key] = (number, caller[1] + 1, parent, chain)
                    values, objects = arguments(frame, code)
                    emit_call(CALL, number, parent, code, code.co_firstlineno, values, objects)
                    frame.f_trace_lines = want_lines
                    return local
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None
        arm_refusal(frame)
        raise refused  # the frame CPython would not have started: see _deepcuts_limit

    def arm_refusal(frame):
        # Raising from the trace function makes CPython turn tracing off for this thread (and
        # clear the refused frame's f_trace). A one-shot profile hook, which sees that frame
        # leave, turns it back on before the caller's "exception" event, where the caller's
        # local trace function (or, for an untraced caller, `deliver`) cuts the traceback.
        previous = sys.getprofile()

        def turn_tracing_back_on(frame, event, arg):
            sys.setprofile(previous)
            sys.settrace(start)

        back = frame.f_back
        if back is not None and back.f_trace is None:
            back.f_trace_lines = False
            back.f_trace = deliver
        sys.setprofile(turn_tracing_back_on)

    def deliver(frame, event, arg):
        if event == "exception":
            guard.deliver(arg[1], frame, arg[2])

    def threading_imported(frame, event, arg):
        # The snippet's `import threading` is finishing: hook the threads it will start.
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
