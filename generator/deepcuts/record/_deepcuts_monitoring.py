"""``sys.monitoring`` backend (PEP 669): CPython 3.12 and later.

Why it is preferred there: events are delivered per code location and can be switched off where
they are not wanted (``DISABLE``), so code outside the snippet costs almost nothing after its
first event, and generator suspension and resumption are distinct events (PY_YIELD / PY_RESUME).

Quirks handled here:
- RAISE fires in every frame an exception passes through, not only where it was raised; as in the
  settrace backend, "raised here" means the traceback starts in this frame.
- RAISE, EXCEPTION_HANDLED and PY_UNWIND cannot be disabled per location, so their callbacks
  filter by code object first.
- EXCEPTION_HANDLED also fires for a ``finally`` block, and for the clean-up handlers CPython
  wraps around ``except ... as name``; a RERAISE of the same exception in the same frame shows it
  was one of those, and the "caught" is retracted. A real catch is reported at the line of the
  handler the exception jumped to.
- Callbacks receive code objects, not frames: the frame is ``sys._getframe(1)``.
- StopIteration inside generator-like frames is ``await``/``yield from`` protocol: not recorded.
- LINE events are switched on per code object (``set_local_events``) when a traced code first
  starts: as a global event, every line of every module the snippet imports would call us once
  before being disabled (2x the whole run of the seed program with line detail, on 3.12).
"""

import opcode
import sys

from _deepcuts_recorder import (
    CALL,
    CAUGHT,
    CO_GENERATOR_LIKE,
    DEEP,
    LINE,
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
    lines_on = set()  # code objects whose LINE events are on

    def on_start(code, offset):
        try:
            kind = kinds.get(code)
            if kind is None:
                kind = classify(code)
            if kind != TRACED:
                if kind == UNAWAITED_HOOK:
                    abandoned(rec, getframe(1))
                    return None
                return disable
            frame = getframe(1)
            back = frame.f_back
            caller = frames.get(id(back)) if back is not None else None
            if caller is None or caller[1] + 1 >= DEEP:
                number, parent, depth = rec.enter(frame)  # the general case
            else:
                number = next(numbers)
                parent = caller[0]
                depth = caller[1] + 1
                frames[id(frame)] = (number, depth, parent)
            values, objects = arguments(frame, code)
            emit_call(CALL, number, parent, code, code.co_firstlineno, values, objects)
            if want_lines and code not in lines_on:
                lines_on.add(code)
                mon.set_local_events(tool, code, events.LINE)
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
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
    wanted = 0
    for event, callback in callbacks.items():
        mon.register_callback(tool, event, callback)
        wanted |= event
    if want_lines:
        mon.register_callback(tool, events.LINE, on_line)  # switched on per code, see on_start

    def stop():
        # Turn every event off and give the tool id back: later code runs unmonitored.
        mon.set_events(tool, 0)
        for code in lines_on:
            mon.set_local_events(tool, code, 0)
        if want_lines:
            mon.register_callback(tool, events.LINE, None)
        for event in callbacks:
            mon.register_callback(tool, event, None)
        mon.free_tool_id(tool)

    rec.stop_hook = stop
    mon.set_events(tool, wanted)
