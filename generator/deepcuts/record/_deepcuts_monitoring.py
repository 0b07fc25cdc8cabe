"""``sys.monitoring`` backend (PEP 669): CPython 3.12 and later.

Why it is preferred there: events are delivered per code location and can be switched off where
they are not wanted (``DISABLE``), so code outside the snippet costs almost nothing after its
first event, and generator suspension and resumption are distinct events (PY_YIELD / PY_RESUME).

Quirks handled here:
- RAISE fires in every frame an exception passes through, not only where it was raised; as in the
  settrace backend, "raised here" means the traceback starts in this frame.
- EXCEPTION_HANDLED also fires for a ``finally`` block, and for the clean-up handlers CPython
  wraps around ``except ... as name``; a RERAISE of the same exception in the same frame shows it
  was one of those, and the "caught" is retracted. A real catch is reported at the line of the
  handler the exception jumped to.
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

import opcode
import sys

from _deepcuts_limit import REFUSE
from _deepcuts_recorder import (
    CALL,
    CAUGHT,
    CO_GENERATOR_LIKE,
    LINE,
    OWN,
    PROPAGATED,
    RAISED,
    RETURN,
    TRACED,
    UNAWAITED_HOOK,
    YIELD,
)
from _deepcuts_settrace import abandoned

_PUSH_EXC_INFO = opcode.opmap.get("PUSH_EXC_INFO", -1)
_TOOL_IDS = (3, 4)  # not the debugger (0), coverage (1) or profiler (2) ids a snippet may use
# Exception events set per code object: "invalid local event set" before 3.15 (seen on 3.12-3.14).
_LOCAL_EXCEPTIONS = sys.version_info >= (3, 15)


def protocol(code, exc):
    """StopIteration inside a generator-like frame: await / yield from plumbing."""
    return type(exc) is StopIteration and code.co_flags & CO_GENERATOR_LIKE


def line_at(code, offset, default):
    """The line of the ``except`` clause an exception jumped to. The handler's first instruction,
    PUSH_EXC_INFO, carries the line of the ``try`` body on 3.12-3.13; the next one (one code
    unit on, PUSH_EXC_INFO has no inline cache) carries the clause's own line."""
    if code.co_code[offset] == _PUSH_EXC_INFO:
        offset += 2
    for start, end, line in code.co_lines():
        if start <= offset < end and line is not None:
            return line
    return default


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
    emit_resume = rec.emit_resume
    kinds = rec.kinds
    classify = rec.classify
    numbers = rec.numbers
    encode_value = rec.encode_value
    arguments = rec.arguments
    getframe = sys._getframe
    disable = mon.DISABLE
    caught = {}  # id(frame) -> (exception, its "caught" event), until a RERAISE disproves it
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
                    abandoned(rec, getframe(1))
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
        emit_resume(entry[0], frame.f_lineno)

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
                frame = getframe(1)
                event = exception(code, frame, exc, CAUGHT, line_at(code, offset, frame.f_lineno))
                if event is not None:
                    caught[id(frame)] = (exc, event)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def on_reraise(code, offset, exc):
        try:
            if kinds.get(code) == TRACED:
                seen = caught.pop(id(getframe(1)), None)
                if seen is not None and seen[0] is exc:
                    rec.retract(seen[1])  # a finally block or a clean-up handler, not a catch
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def on_unwind(code, offset, exc):
        try:
            if kinds.get(code) == TRACED:
                frame = getframe(1)
                caught.pop(id(frame), None)
                exception(code, frame, exc, PROPAGATED, frame.f_lineno)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)

    def on_line(code, line):
        try:
            if kinds.get(code) != TRACED:
                return disable
            frame = getframe(1)
            entry = frames.get(id(frame))
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
    if want_lines:
        callbacks[events.LINE] = on_line
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
