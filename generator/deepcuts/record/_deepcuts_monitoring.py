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
"""

import opcode
import sys

from _deepcuts_recorder import CO_GENERATOR_LIKE
from _deepcuts_settrace import abandoned, arguments, value_objects

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
    emit = rec.emit
    reprs = rec.reprs
    traced = rec.is_traced
    getframe = sys._getframe
    disable = mon.DISABLE

    kinds = rec.kinds
    classify = rec.classify

    def on_start(code, offset):
        try:
            kind = kinds.get(code)
            if kind is None:
                kind = classify(code)
            if kind != 1:
                if kind == 2:
                    abandoned(rec, getframe(1))
                    return None
                return disable
            frame = getframe(1)
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
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def on_resume(code, offset):
        try:
            if not traced(code):
                return disable
            resumed(code)
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def on_throw(code, offset, exc):
        # PY_THROW (generator.throw, or close) cannot be disabled: filter only.
        try:
            if traced(code):
                resumed(code)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return

    def resumed(code):
        frame = getframe(2)
        entry = frames.get(id(frame))
        if entry is None:  # suspended before recording started: number it now
            number, parent, depth = rec.enter(frame)
            entry = [number, depth, parent]
        emit("resume", entry[0], entry[2], entry[1], code, frame.f_lineno)

    def finished(code, value, kind):
        frame = getframe(2)
        entry = frames.pop(id(frame), None) if kind != "yield" else frames.get(id(frame))
        if entry is None:
            return
        text = reprs.repr(value)
        emit(
            kind,
            entry[0],
            entry[2],
            entry[1],
            code,
            frame.f_lineno,
            value=text,
            objects=value_objects(value, text),
        )

    def on_return(code, offset, value):
        try:
            if not traced(code):
                return disable
            finished(code, value, "return")
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def on_yield(code, offset, value):
        try:
            if not traced(code):
                return disable
            finished(code, value, "yield")
            return None
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return None

    def exception(code, exc, how):
        frame = getframe(2)
        entry = frames.get(id(frame))
        if entry is None:
            return
        if how == "propagated":
            del frames[id(frame)]
        emit(
            "exception",
            entry[0],
            entry[2],
            entry[1],
            code,
            frame.f_lineno,
            value=reprs.repr(exc),
            how=how,
        )

    def on_raise(code, offset, exc):
        try:
            if traced(code) and not (
                type(exc) is StopIteration and code.co_flags & CO_GENERATOR_LIKE
            ):
                tb = exc.__traceback__
                if tb is None or tb.tb_next is None:
                    exception(code, exc, "raised")
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return

    caught = {}  # id(frame) -> (exception, its "caught" event), until a RERAISE disproves it

    def on_handled(code, offset, exc):
        try:
            if not traced(code) or (
                type(exc) is StopIteration and code.co_flags & CO_GENERATOR_LIKE
            ):
                return
            frame = getframe(1)
            entry = frames.get(id(frame))
            if entry is not None:
                event = emit(
                    "exception",
                    entry[0],
                    entry[2],
                    entry[1],
                    code,
                    line_at(code, offset, frame.f_lineno),
                    value=reprs.repr(exc),
                    how="caught",
                )
                caught[id(frame)] = (exc, event)
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return

    def on_reraise(code, offset, exc):
        try:
            if traced(code):
                seen = caught.pop(id(getframe(1)), None)
                if seen is not None and seen[0] is exc:
                    rec.retract(seen[1])
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return

    def on_unwind(code, offset, exc):
        try:
            if traced(code):
                caught.pop(id(getframe(1)), None)
                exception(code, exc, "propagated")
        except Exception as bug:  # a recorder bug must stop recording, not reach the snippet
            rec.internal_error(bug)
            return

    def on_line(code, line):
        try:
            if not traced(code):
                return disable
            frame = getframe(1)
            entry = frames.get(id(frame))
            if entry is not None:
                values, objects = reprs.mapping(tuple(frame.f_locals), frame.f_locals)
                emit(
                    "line",
                    entry[0],
                    entry[2],
                    entry[1],
                    code,
                    line,
                    locals_=values,
                    objects=objects,
                )
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
    if rec.lines:
        callbacks[events.LINE] = on_line
    wanted = 0
    for event, callback in callbacks.items():
        mon.register_callback(tool, event, callback)
        wanted |= event

    def stop():
        # Turn every event off and give the tool id back: later code runs unmonitored.
        mon.set_events(tool, 0)
        for event in callbacks:
            mon.register_callback(tool, event, None)
        mon.free_tool_id(tool)

    rec.stop_hook = stop
    mon.set_events(tool, wanted)
