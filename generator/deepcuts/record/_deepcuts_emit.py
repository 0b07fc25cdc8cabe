"""The functions that record events (child side, stdlib only, Python 3.10+ syntax).

They run for every event, so they are closures over local state: attribute look-ups on the
recorder would cost more than anything else on this path. Each event is encoded as a JSON array
the moment it happens (a Python JSON encoder would cost several microseconds per event).
"""

import _thread
import os

from _deepcuts_protocol import EXCEPTION, OUTPUT_RECORD, RESUME

_CHUNK = 500  # records per channel write: bounds the child's memory between writes
_lseek = os.lseek
_get_ident = _thread.get_ident


def make_emitters(rec):
    """Build the functions that record events, one per kind of record (their layout is in
    ``_deepcuts_protocol``), as closures over local state: attribute look-ups on the recorder
    would cost more than anything else on this path. An output record goes before the first
    event that sees the output files' offsets changed."""
    chunk = rec.chunk
    code_ids = rec.code_ids
    threads = rec.threads
    add_code = rec.add_code
    thread_number = rec.thread_number
    flush = rec.flush
    left = [rec.cap or -1]  # events until the cap; -1: no cap
    seq = [0]  # events recorded so far: an event's number, for amendments (Recorder.amend)
    output = '["' + OUTPUT_RECORD + '",%d,%d]'
    exception_record = "[" + str(EXCEPTION) + ",%d,%d,%s,%s]"
    resume_record = "[" + str(RESUME) + ",%d,%d,%d,%d,%s%s]"
    last = [0, 0]  # output offsets last shipped

    def keep(event):
        # Where the output stood when this happened. stdout is line-buffered (set by the
        # bootstrap, as in a terminal) and stderr too, so complete lines are in the files.
        # Each offset costs a system call, and both are needed at every event: a warning
        # printed just before a return must show before it.
        try:
            out_pos = _lseek(1, 0, 1)
        except OSError:
            out_pos = -1
        try:
            err_pos = _lseek(2, 0, 1)
        except OSError:
            err_pos = -1
        if out_pos != last[0] or err_pos != last[1]:
            last[0] = out_pos
            last[1] = err_pos
            chunk.append(output % (out_pos, err_pos))
        chunk.append(event)
        seq[0] += 1
        if len(chunk) >= _CHUNK:
            flush()
        left[0] -= 1
        if not left[0]:
            rec.truncated = True
            rec.stop()
        return event

    def thread_of():
        thread = threads.get(_get_ident())
        return thread_number() if thread is None else thread

    def call(kind, number, parent, code, line, payload, objects):
        """CALL (payload: the arguments) or ABANDONED (payload: the coroutine's repr)."""
        if not rec.active:
            return None
        code_id = code_ids.get(code)
        if code_id is None:
            code_id = add_code(code)
        return keep(
            "[%d,%d,%d,%d,%d,%d,%s%s]"
            % (
                kind,
                number,
                -1 if parent is None else parent,
                code_id,
                line,
                thread_of(),
                payload,
                "" if objects == "null" else "," + objects,
            )
        )

    def value(kind, number, line, text, objects):
        """RETURN or YIELD with the value's repr, or LINE with the locals. The hottest path
        after calls: `keep` is written out here to save a call."""
        if not rec.active:
            return None
        if line is None:  # no line: the implicit return after an except* block (3.12+)
            line = 0
        if objects == "null":
            event = "[%d,%d,%d,%s]" % (kind, number, line, text)
        else:
            event = "[%d,%d,%d,%s,%s]" % (kind, number, line, text, objects)
        try:
            out_pos = _lseek(1, 0, 1)
        except OSError:
            out_pos = -1
        try:
            err_pos = _lseek(2, 0, 1)
        except OSError:
            err_pos = -1
        if out_pos != last[0] or err_pos != last[1]:
            last[0] = out_pos
            last[1] = err_pos
            chunk.append(output % (out_pos, err_pos))
        chunk.append(event)
        seq[0] += 1
        if len(chunk) >= _CHUNK:
            flush()
        left[0] -= 1
        if not left[0]:
            rec.truncated = True
            rec.stop()
        return event

    def exception(number, line, text, how):
        """An exception event; returns a token for ``Recorder.amend`` (None if not recorded)."""
        if not rec.active:
            return None
        event = keep(exception_record % (number, line or 0, text, how))
        return (event, seq[0] - 1, number, line or 0, text)

    def resume(number, parent, line, values, objects):
        if not rec.active:
            return None
        return keep(
            resume_record
            % (
                number,
                -1 if parent is None else parent,
                line or 0,
                thread_of(),
                values,
                "" if objects == "null" else "," + objects,
            )
        )

    return call, value, exception, resume
