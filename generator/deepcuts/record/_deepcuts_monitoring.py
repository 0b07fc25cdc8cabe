"""``sys.monitoring`` backend (PEP 669): CPython 3.12 and later.

Why it is preferred there: events are delivered per code location and can be switched off where
they are not wanted (``DISABLE``), so code outside the snippet costs almost nothing after its
first event, and generator suspension and resumption are distinct events (PY_YIELD / PY_RESUME).

Quirks handled here:
- RAISE fires in every frame an exception passes through, not only where it was raised; as in the
  settrace backend, "raised here" means the traceback starts in this frame.
- EXCEPTION_HANDLED also fires for a ``finally`` block, for an ``except`` clause that will not
  match, and for compiler-made clean-up code (seen 3.12-3.15: a handler's bare ``raise`` is a
  RERAISE on the raise statement's line, then EXCEPTION_HANDLED and RERAISE again on code with
  no line). So: a handler with no line is clean-up, never a catch; a RERAISE of the exception
  on a line that is not a ``raise`` statement amends the "caught": to nothing for an except
  clause that did not match, to "finally" for the end of a finally block. A real catch is
  reported at the line of the clause that matched (line events show which, see on_line).
- Callbacks receive code objects, not frames: the frame is ``sys._getframe(1)``.
- StopIteration inside generator-like frames is ``await``/``yield from`` protocol: not recorded.
- Only PY_START is switched on globally (returning DISABLE for code we do not trace). The events
  of a traced code object (returns, yields, resumptions, lines) are switched on for that code
  object alone (``set_local_events``) when it first starts, as coverage.py's sysmon tracer does:
  as global events, every return and line of every module the snippet imports would call us once
  before being disabled (2x the whole run of the seed program with line detail, on 3.12). The
  exception events can be local only from 3.15 on (``_LOCAL_EXCEPTIONS``); before, they are
  global and their callbacks filter by code object first.
- Near the recursion limit (see ``_deepcuts_limit``), DISABLE is lifted (``restart_events``) and
  every frame that starts is checked, traced or not; a refused frame gets its RecursionError from
  ``on_start``, and ``on_raise`` cuts it from the traceback when it reaches the caller.
"""

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
    TRACED,
    UNAWAITED_HOOK,
    YIELD,
)

_TOOL_IDS = (3, 4)  # not the debugger (0), coverage (1) or profiler (2) ids a snippet may use
# Exception events set per code object: "invalid local event set" before 3.15 (seen on 3.12-3.14).
_LOCAL_EXCEPTIONS = sys.version_info >= (3, 15)


def protocol(code, exc):
    """StopIteration inside a generator-like frame: await / yield from plumbing."""
    return type(exc) is StopIteration and code.co_flags & CO_GENERATOR_LIKE


def line_of(code, offset):
    """The source line of the instruction at ``offset``; None for compiler-made code."""
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line
    return None


def handler_line(code, offset):
    """The line of the handler an exception jumped to, or None for compiler-made clean-up code
    (it has no line). A handler's first instruction, PUSH_EXC_INFO, has no line of its own on
    3.12+ (the try body's on 3.12-3.13); the next one (one code unit on: PUSH_EXC_INFO has no
    inline cache) carries the except clause's, or the finally block's first statement's."""
    if code.co_code[offset] == _push_exc_info():
        offset += 2
    return line_of(code, offset)


def _push_exc_info():
    # `opcode` is imported when an exception is first handled, not at start-up (1 ms there).
    global _PUSH_EXC_INFO
    if _PUSH_EXC_INFO is None:
        import opcode  # noqa: PLC0415

        _PUSH_EXC_INFO = opcode.opmap.get("PUSH_EXC_INFO", -1)
    return _PUSH_EXC_INFO


_PUSH_EXC_INFO = None


def install(rec):
    """Register callbacks on a free tool id; ``rec.stop_hook`` frees it again."""
    mon = sys.monitoring
    events = mon.events
    tool = None
    for candidate in _TOOL_IDS:
        if mon.get_tool(candidate) is None:
            tool = candidate
            break
    if tool is None:
        raise RuntimeError("no free sys.monitoring tool id")
    mon.use_tool_id(tool, "deepcuts")

    frames = rec.frames
    emit_call = rec.emit_call
    emit_value = rec.emit_value
    emit_exception = rec.emit_exception
    kinds = rec.kinds
    classify = rec.classify
    numbers = rec.numbers
    encode_value = rec.encode_value
    arguments = rec.arguments
    getframe = sys._getframe
    disable = mon.DISABLE
    # id(frame) -> (id(exception), its "caught" event or None, its line, its repr): on_reraise
    caught = {}
    probing = {}  # id(frame) -> code, while LINE events show which except clause matches
    want_lines = rec.lines
    restarted = [False]  # DISABLE lifted for the recursion guard

    guard = rec.guard
    real_get = guard.real_get
    exception_events = (
        events.RAISE | events.EXCEPTION_HANDLED | events.RERAISE | events.PY_UNWIND
        | events.PY_THROW
    )  # fmt: skip
    local_events = events.PY_RETURN | events.PY_YIELD | events.PY_RESUME
    if want_lines:
        local_events |= events.LINE
    if _LOCAL_EXCEPTIONS:
        local_events |= exception_events

    def on_start(code, offset):
        refused = None
        try:
            kind = kinds.get(code)
            if kind is None:
                kind = classify(code)
                if kind == TRACED:
                    mon.set_local_events(tool, code, local_events)
            if kind != TRACED:
                if kind == UNAWAITED_HOOK:
                    rec.abandoned(getframe(1))
                    return None
                if not guard.near or kind == OWN:
                    return disable
                # Near the limit every frame counts, the snippet's or not.
                frame = getframe(1)
                if guard.check(frame) == REFUSE:
                    refused = guard.refused
            else:
                frame = getframe(1)
                back = frame.f_back
                caller = frames.get(id(back)) if back is not None else None
                if caller is None:
                    chain, caller = rec.chain(frame)  # the general case: an untraced caller
                else:
                    chain = caller[3] + 1
                if chain >= guard.watch_from or real_get() != guard.expected:
                    if guard.check(frame) == REFUSE:
                        refused = guard.refused
                    elif not rec.active and not guard.near:
                        rec.stop()  # deferred while the guard held the limit raised
                    if guard.near and not restarted[0]:
                        restarted[0] = True
                        mon.restart_events()  # lift DISABLE: every frame is checked now
                    elif not guard.near:
                        restarted[0] = False
                if refused is None:
                    number = next(numbers)
                    if caller is None:
                        parent = None
                        frames[id(frame)] = (number, 0, None, chain)
                    else:
                        parent = caller[0]
                        frames[id(frame)] = (number, caller[1] + 1, parent, chain)
                    values, objects = arguments(frame, code)
                    emit_call(CALL, number, parent, code, code.co_firstlineno, values, objects)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None
        if refused is not None:
            raise refused  # the frame CPython would not have started: see _deepcuts_limit
        return None

    def on_return(code, offset, value):
        try:
            kind = kinds.get(code)
            if kind != TRACED:
                return disable if kind is not None else None
            frame = getframe(1)
            entry = frames.pop(id(frame), None)
            if caught:
                forget(id(frame))
            if entry is not None:
                text, objects = encode_value(value)
                emit_value(RETURN, entry[0], frame.f_lineno, text, objects)
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def on_yield(code, offset, value):
        try:
            kind = kinds.get(code)
            if kind != TRACED:
                return disable if kind is not None else None
            frame = getframe(1)
            entry = frames.get(id(frame))
            if entry is not None:
                text, objects = encode_value(value)
                emit_value(YIELD, entry[0], frame.f_lineno, text, objects)
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def resumed(code, frame):
        entry = frames.get(id(frame))
        if entry is None:  # started while recording was off: nothing to say about it
            return
        rec.resumed(frame, entry)

    def on_resume(code, offset):
        try:
            kind = kinds.get(code)
            if kind != TRACED:
                return disable if kind is not None else None
            resumed(code, getframe(1))
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def on_throw(code, offset, exc):
        # PY_THROW (generator.throw, or close) cannot be disabled: filter only.
        try:
            if kinds.get(code) == TRACED:
                resumed(code, getframe(1))
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def exception(code, frame, exc, how, line):
        entry = frames.get(id(frame))
        if entry is None:
            return None
        if how is PROPAGATED:
            del frames[id(frame)]
        return emit_exception(entry[0], line, encode_value(exc)[0], how)

    def on_raise(code, offset, exc):
        try:
            if exc is guard.refused:
                guard.deliver(exc, getframe(1), exc.__traceback__)
            if kinds.get(code) == TRACED and not protocol(code, exc):
                tb = exc.__traceback__
                if tb is None or tb.tb_next is None:
                    frame = getframe(1)
                    exception(code, frame, exc, RAISED, frame.f_lineno)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def on_handled(code, offset, exc):
        try:
            if kinds.get(code) == TRACED and not protocol(code, exc):
                line = handler_line(code, offset)
                if line is None:
                    return  # compiler-made clean-up code handing the exception on: no catch
                frame = getframe(1)
                key = id(frame)
                entry = frames.get(key)
                if entry is None:
                    return
                text = encode_value(exc)[0]
                event = emit_exception(entry[0], line, text, CAUGHT)
                if event is not None:
                    # Its id, not the exception: holding it (its traceback, the frames' locals)
                    # would delay finalisers, and the program would print in another order.
                    caught[key] = (id(exc), event, line, text)
                    probing[key] = code
                    if not want_lines:  # lines show which except clause matches (on_line)
                        mon.set_local_events(tool, code, local_events | events.LINE)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def on_reraise(code, offset, exc):
        try:
            if kinds.get(code) == TRACED:
                frame = getframe(1)
                key = id(frame)
                stop_probing(key)
                seen = caught.get(key)
                if seen is None or seen[0] != id(exc) or seen[1] is None:
                    return
                line = line_of(code, offset)
                if line is not None and not rec.statement_is(code, line, "raise"):
                    # An except clause that did not match (no event at all), or the end of a
                    # finally block (a "finally" event): not a catch. (A handler's own bare
                    # `raise` stands on a raise statement: that catch stands; the clean-up code
                    # after it has no line.)
                    clause = rec.statement_is(code, line, "except")
                    rec.amend(seen[1], None if clause else FINALLY)
                    caught[key] = (id(exc), None, line, seen[3])
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def forget(key):
        # The frame is gone: whatever was kept about its exceptions goes with it.
        caught.pop(key, None)
        stop_probing(key)

    def stop_probing(key):
        code = probing.pop(key, None)
        if code is not None and not want_lines and code not in probing.values():
            mon.set_local_events(tool, code, local_events)

    def on_unwind(code, offset, exc):
        try:
            if kinds.get(code) == TRACED:
                frame = getframe(1)
                forget(id(frame))
                exception(code, frame, exc, PROPAGATED, frame.f_lineno)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def on_line(code, line):
        try:
            if kinds.get(code) != TRACED:
                return disable
            frame = getframe(1)
            key = id(frame)
            if probing and key in probing:
                # Just caught here: an except clause, or the handler's body running?
                seen = caught.get(key)
                clause = rec.statement_is(code, line, "except")
                if seen is not None and seen[1] is not None and clause:
                    entry = frames.get(key)
                    if line != seen[2] and entry is not None:
                        # The clause before did not match: this one is tried.
                        rec.amend(seen[1], None)
                        event = emit_exception(entry[0], line, seen[3], CAUGHT)
                        caught[key] = (seen[0], event, line, seen[3])
                else:
                    stop_probing(key)
                if not want_lines:
                    return None
            entry = frames.get(key)
            if entry is not None:
                values, objects = rec.local_variables(frame)
                emit_value(LINE, entry[0], line, values, objects)
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    callbacks = {
        events.PY_START: on_start,
        events.PY_RESUME: on_resume,
        events.PY_THROW: on_throw,
        events.PY_RETURN: on_return,
        events.PY_YIELD: on_yield,
        events.RAISE: on_raise,
        events.EXCEPTION_HANDLED: on_handled,
        events.RERAISE: on_reraise,
        events.PY_UNWIND: on_unwind,
    }
    callbacks[events.LINE] = on_line  # switched on per code object: see on_start, on_handled
    for event, callback in callbacks.items():
        mon.register_callback(tool, event, callback)

    def stop():
        # Turn every event off and give the tool id back: later code runs unmonitored.
        mon.set_events(tool, 0)
        for code in kinds:
            if kinds[code] == TRACED:
                mon.set_local_events(tool, code, 0)
        for event in callbacks:
            mon.register_callback(tool, event, None)
        mon.free_tool_id(tool)

    rec.stop_hook = stop
    mon.set_events(tool, events.PY_START | (0 if _LOCAL_EXCEPTIONS else exception_events))
