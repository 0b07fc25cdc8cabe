"""The readable log of a trace (``deepcuts trace``, and the golden files of the tests).

One line per event, indented by depth; the output a snippet printed appears where it was printed,
between the events it came between. Formatting is one method per event kind, so that each kind's
wording lives in one place.
"""

from __future__ import annotations

from deepcuts.model import Event, Trace, closure_cells

_INDENT = "  "
_MAX_INDENT = 20  # deeper frames say their depth instead of running off the screen


def _indent(depth: int) -> str:
    if depth <= _MAX_INDENT:
        return _INDENT * depth
    return _INDENT * _MAX_INDENT + f"[depth {depth}] "


def _leaves(event: Event) -> bool:
    """Whether control goes back to the caller after ``event`` (a frame returned, yielded or was
    left by an exception), or stays in the event's frame. An abandoned coroutine's event stands
    one deeper than the frame that runs on."""
    if event.event == "exception":
        return event.how == "propagated"
    return event.event in ("return", "yield", "abandoned")


def _at(line: int) -> str:
    """Where: a line, or none (0: the interpreter gave no line, as for the implicit return after
    an except* block on 3.12+)."""
    return f"line {line}" if line else "no line"


def _arguments(event: Event) -> str:
    return ", ".join(f"{name}={value}" for name, value in (event.locals or {}).items())


def _objects(event: Event) -> str:
    if not event.objects:
        return ""
    return (
        "  [" + ", ".join(f"{obj}: {_state(state)}" for obj, state in event.objects.items()) + "]"
    )


def _state(state: str) -> str:
    cells = closure_cells(state)
    if cells is None:
        return state
    return "closes over " + ", ".join(f"{name} (cell {n}: {held})" for name, n, held in cells)


class TraceLog:
    """Formats a :class:`Trace`; ``ids`` adds frame numbers (the goldens use them)."""

    def __init__(self, trace: Trace, *, ids: bool = True) -> None:
        self.trace = trace
        self.ids = ids
        self._out = 0
        self._err = 0

    def lines(self) -> list[str]:
        """The whole log."""
        trace = self.trace
        recorder = trace.recorder or {}
        head = f"CPython {trace.python}, recorder: {recorder.get('backend', 'none')}"
        if recorder.get("reason"):
            head += f" ({recorder['reason']})"
        lines = [head]
        running = 0  # the depth of the frame that runs after the last event: it printed
        for event in trace.events:
            lines.extend(self._output_until(event.stdout, event.stderr, running))
            prefix = _indent(event.depth) + (f"[thread {event.thread}] " if event.thread else "")
            lines.append(prefix + getattr(self, "_" + event.event, self._unknown)(event))
            running = event.depth - 1 if _leaves(event) else event.depth
        lines.extend(self._output_until(len(trace.stdout), len(trace.stderr), max(running, 0)))
        if trace.truncated:
            lines.append("... recording stopped here (see the note); the program ran on")
        lines.extend(f"note: {note}" for note in trace.notes)
        if trace.error:
            lines.append(f"ended: {trace.error.kind}: {trace.error.message}")
        else:
            lines.append(f"ended: exit status {trace.exit_code}")
        return lines

    def text(self) -> str:
        """The log as one string, ending in a newline."""
        return "\n".join(self.lines()) + "\n"

    # -- output --------------------------------------------------------------------------
    def _output_until(self, out: int | None, err: int | None, depth: int) -> list[str]:
        shown: list[str] = []
        for stream, end, label in (("stdout", out, "|"), ("stderr", err, "!")):
            if end is None:
                continue
            start = self._out if stream == "stdout" else self._err
            if end > start:
                text = getattr(self.trace, stream)[start:end]
                shown.extend(f"{_indent(depth)}{label} {line}" for line in text.splitlines())
                if stream == "stdout":
                    self._out = end
                else:
                    self._err = end
        return shown

    # -- one method per event kind -------------------------------------------------------
    def _frame(self, event: Event) -> str:
        if not self.ids:
            return ""
        parent = f" from #{event.parent}" if event.parent is not None else ""
        return f"  #{event.frame}{parent}"

    def _call(self, event: Event) -> str:
        return (
            f"-> {event.qualname}({_arguments(event)})  {_at(event.line)}"
            f"{self._frame(event)}{_objects(event)}"
        )

    def _return(self, event: Event) -> str:
        return f"<- {event.qualname} returned {event.value}  {_at(event.line)}{_objects(event)}"

    def _yield(self, event: Event) -> str:
        return f"<~ {event.qualname} yielded {event.value}  {_at(event.line)}{_objects(event)}"

    def _resume(self, event: Event) -> str:
        return f"~> {event.qualname} resumed  {_at(event.line)}{self._frame(event)}"

    def _exception(self, event: Event) -> str:
        return f"!! {event.qualname} {event.how} {event.value}  {_at(event.line)}"

    def _line(self, event: Event) -> str:
        names = ", ".join(f"{k}={v}" for k, v in (event.locals or {}).items())
        return f".  {_at(event.line)}  {names}".rstrip()

    def _abandoned(self, event: Event) -> str:
        return (
            f"() {event.qualname}: {event.value} was collected, {event.how}"
            f"{self._frame(event)}{_objects(event)}"
        )

    def _unknown(self, event: Event) -> str:
        return f"?? {event.event} {event.qualname}  {_at(event.line)}"
