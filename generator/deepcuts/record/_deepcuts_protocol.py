"""What the recorder and the generator agree on (stdlib only, Python 3.10+ syntax).

The recorder imports this as a top-level module (its folder is on the child's ``PYTHONPATH``); the
generator imports it as ``deepcuts.record._deepcuts_protocol``. Every number and name that crosses
the process boundary, and every default both sides need, is defined here and nowhere else.

The channel (a pipe whose descriptor is in ``CHANNEL_FD``) carries JSON lines, ASCII only:

    {"header": {"backend": ..., "reason": ...}}     first; or {"header": {"error": ...}}
    [[record], [record], ...]                         a chunk of records, as they fill
    {"end": {"events": N, "truncated": bool, "stopped_for": ..., "error": ...}}   at exit

A record is an event, or one of these:

- ``["c", number, name, qualname, file, [free vars], [cell vars]]``: a code object, sent before its
  first event (free variables come from enclosing functions' cells; cell variables are locals
  that functions inside it close over);
- ``["o", stdout offset, stderr offset]``: the output files' byte offsets (-1 where unknown),
  sent before the first event that sees them changed;
- ``["x", number, how]``: the event with that number (events are numbered from 0 in the order
  sent) is not what it said: its ``how`` is now ``how``, or, for ``null``, it is no event;
- ``["d"]``: an event taken back before it was sent, which keeps its number.

Events, by kind:

    [CALL, frame, parent, code, line, thread, {name: repr}(, {repr: state})]
    [ABANDONED, frame, parent, code, line, thread, repr, {repr: state}]
    [RETURN or YIELD, frame, line, repr(, {repr: state})]
    [LINE, frame, line, {name: repr}(, {repr: state})]
    [EXCEPTION, frame, line, repr, how]
    [RESUME, frame, parent, line, thread, {name: repr}(, {repr: state})]

``parent`` is -1 for a frame with no traced caller; a resumed generator or coroutine names the
frame that resumed it (its ``f_back`` now), which need not be the one that started it. A
``line`` of 0 means the interpreter gave none (the implicit return after an ``except*``
block, on 3.12+). ``{repr: state}`` gives the state of the generators and coroutines among the
values (created, running, suspended, closed), and of the functions among them that close over
cells: ``closure:`` and a JSON list of ``[free variable, cell number, repr of its contents]``
(cells numbered in order of first sight, so two functions sharing a cell show the same number).
``how`` is ``raised``, ``caught``, ``propagated``, or ``finally``: a ``finally`` block (or a
``with`` block's exit) ran with the exception in flight, which then went on.
"""

#: Event kinds; an event's number on the wire is its index here.
KINDS = ("call", "line", "return", "exception", "yield", "resume", "abandoned")
CALL, LINE, RETURN, EXCEPTION, YIELD, RESUME, ABANDONED = range(7)

#: How an exception event relates to its frame (``EXCEPTION`` records' last field).
RAISED, CAUGHT, PROPAGATED, FINALLY = "raised", "caught", "propagated", "finally"
NEVER_STARTED = "never started"

CODE_RECORD = "c"
OUTPUT_RECORD = "o"
AMEND_RECORD = "x"
DELETED_RECORD = "d"

#: Environment of a recorded run (the bootstrap reads, then removes them).
CHANNEL_FD = "DEEPCUTS_CHANNEL_FD"  # the pipe's write end
FOLDER = "DEEPCUTS_FOLDER"  # the snippet's folder: code from files below it is traced
OPTIONS = "DEEPCUTS_RECORD"  # encode_options() of the recorder's options

# -- defaults ------------------------------------------------------------------------------------
MAX_EVENTS = 10_000  # events recorded at most (a fence's max_events; 0: no cap)
MAX_EVENTS_LIMIT = 200_000  # the most a fence may ask for
REPR_CAP = 200  # characters per repr
MAX_NAMES = 40  # locals per event
TIMEOUT = 10.0  # seconds of wall clock per run (a fence's timeout)
MAX_TIMEOUT = 60.0  # the most a fence may ask for
BACKENDS = ("auto", "settrace", "monitoring")


def encode_options(options: dict[str, object]) -> str:
    """``{"lines": True, ...}`` as the text of ``OPTIONS``: comma-separated key=value, booleans
    as 0 and 1."""
    return ",".join(
        "%s=%s" % (key, int(value) if isinstance(value, bool) else value)
        for key, value in sorted(options.items())
    )


def decode_options(text: str) -> dict[str, object]:
    """The inverse of ``encode_options``, with the defaults for what is missing."""
    options: dict[str, object] = {
        "backend": "auto",
        "lines": False,
        "stdlib": False,
        "max_events": MAX_EVENTS,
        "repr_cap": REPR_CAP,
    }
    for item in text.split(","):
        key, _, value = item.partition("=")
        key = key.strip()
        if key in ("lines", "stdlib"):
            options[key] = value.strip() == "1"
        elif key in ("max_events", "repr_cap"):
            options[key] = int(value)
        elif key == "backend":
            options[key] = value.strip()
    return options
