"""The recursion limit while the recorder runs (child side, stdlib only, Python 3.10+ syntax).

The recorder's callbacks are Python functions: each runs one frame deeper than the snippet's
frame that triggered it, and calls a few more. A snippet recursing to its limit would meet the
recorder's frames first: its RecursionError would come a few frames early, or from inside a
callback. So, once a frame of the snippet comes within ``NEAR`` frames of the limit:

- the real limit is raised by ``HEADROOM`` frames, for the recorder alone;
- ``sys.getrecursionlimit()`` keeps answering the snippet's limit (the ``visible`` one);
- every frame that starts is checked against the visible limit, counted as CPython counts it,
  and a frame CPython would have refused gets the RecursionError it would have got: raised as it
  starts, with CPython's own message (learnt at start-up), and with the frames it passes through
  before it reaches the caller (the refused frame, the callback) cut from its traceback, so that
  the caller holds it exactly as in a plain run;
- back well below the limit, the real limit and ``getrecursionlimit`` are put back.

A snippet's own ``sys.setrecursionlimit`` call is the real one (its checks and messages are
CPython's); the new limit is adopted at the next frame that starts.

Counting depth: CPython's count is not the number of frames on the stack. On 3.10-3.11 calls
to C functions count while they run; on 3.13+ a Python frame started from C code (``Node(1)``
running ``__init__``) counts twice (seen: 39 levels of ``__init__`` recursion under a limit of 80,
where 3.12 reaches 78). So the count is asked of CPython itself: ``sys.setrecursionlimit(n)``
refuses a limit at or below the current depth, so a refusal answers "at least n deep" in
CPython's own units. How far the question stands from the snippet's frame (the callback, this
method) is measured once, on the module's frame (depth 1). Asking costs two C calls, so on 3.12+
a backend asks only from ``watch_from`` frames on: there CPython's count is at most twice the
number of frames. On 3.10-3.11 (C calls count, without bound) it asks at every frame.

Where this cannot be done: on 3.10 an exception raised by the settrace hook as a frame starts
loses the caller's events, so there the recorder stops recording ``NEAR`` frames short of the
limit, as it always did, and says so in the trace.
"""

import sys

NEAR = 50  # frames below the limit from which the recorder gives itself room
HEADROOM = 100  # frames the real limit is raised by meanwhile: more than any callback needs
LEAVE = NEAR + 10  # frames below the limit at which the room is given back

REFUSE = 1  # check(): raise ``guard.refused``
STOP = 2  # check(): stop recording (3.10)


def _depth_here():
    """CPython's count of the current depth, as ``setrecursionlimit`` sees it from here."""
    real_set = sys.setrecursionlimit
    old = sys.getrecursionlimit()
    lo, hi = 1, max(old, 64) * 4
    while lo < hi:
        mid = (lo + hi) // 2
        try:
            real_set(mid)
            hi = mid
        except RecursionError:
            lo = mid + 1
    real_set(old)
    return lo - 1


def _limit_message():
    """The message of the RecursionError CPython raises when a Python call goes past the
    limit, learnt from a real one (it differs between versions)."""

    def down():
        down()

    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(_depth_here() + 20)
        down()
    except RecursionError as exc:
        return str(exc)
    finally:
        sys.setrecursionlimit(old)
    return "maximum recursion depth exceeded"  # pragma: no cover - down() always fails


class RecursionGuard:
    """Keeps the snippet's recursion limit true while the recorder takes frames of its own."""

    def __init__(self, can_refuse):
        self.real_get = sys.getrecursionlimit
        self.real_set = sys.setrecursionlimit
        self.visible = self.real_get()  # the limit the snippet set (or the default)
        self.expected = self.visible  # the real limit as we last set it
        self.can_refuse = can_refuse
        self.near = False
        self.offset = None  # CPython's depth at the probe minus the snippet frame's depth
        # Backends call check() for frames this many frames deep or more (0 while near: every
        # frame), and whenever the real limit is not what we set.
        self.watch_from = self._watch_from()
        self.message = _limit_message()
        self.refused = None  # the emulated RecursionError, until its caller holds it
        self.refused_frame = None  # id() of the frame it was raised in

        guard = self

        def getrecursionlimit():
            """The snippet's limit (the recorder's room is not part of it)."""
            real = guard.real_get()
            return guard.visible if real == guard.expected else real

        self.getrecursionlimit = getrecursionlimit

    def _watch_from(self):
        # 0 until calibrated: the first frame to start (the module's) must call check().
        if self.near or self.offset is None or sys.version_info < (3, 12):
            return 0
        return (self.visible - NEAR) // 2

    def check(self, frame):
        """A frame starts (the snippet's, or any while near the limit). Called directly from
        the backend's callback, never through a helper: the probes below count the frames in
        between. Returns None, REFUSE (raise ``self.refused``) or STOP (3.10: stop recording)."""
        real_set = self.real_set
        if self.real_get() != self.expected:  # the snippet called sys.setrecursionlimit
            self.visible = self.expected = self.real_get()
            if self.near:
                self.expected = self.visible + HEADROOM
                real_set(self.expected)
            self.watch_from = self._watch_from()
        if self.offset is None:  # the first call: the module's frame, depth 1 by definition
            lo, hi = 1, (self.visible + HEADROOM) * 4
            while lo < hi:
                mid = (lo + hi) // 2
                try:
                    real_set(mid)
                    hi = mid
                except RecursionError:
                    lo = mid + 1
            real_set(self.expected)
            self.offset = lo - 2
            self.watch_from = self._watch_from()
        # Within reach of the limit (or, while near, not yet back well below it)?
        limit = (self.visible - LEAVE if self.near else self.visible - NEAR) + self.offset
        try:
            real_set(max(limit, 1))
            real_set(self.expected)
            deep = False
        except RecursionError:
            deep = True
        if deep and self.near:  # exactly: deeper than the visible limit?
            try:
                real_set(self.visible + 1 + self.offset)
                real_set(self.expected)
            except RecursionError:
                self.refused = RecursionError(self.message)
                self.refused_frame = id(frame)
                return REFUSE
        if deep and not self.near:
            if not self.can_refuse:
                return STOP
            self.near = True
            self.watch_from = 0
            self.expected = self.visible + HEADROOM
            real_set(self.expected)
            sys.getrecursionlimit = self.getrecursionlimit
        elif not deep and self.near:
            self.leave()
        return None

    def leave(self):
        """Give the room back: the real limit and ``getrecursionlimit`` as the snippet left
        them. Where the stack is still too deep for that, it stays for a later frame."""
        try:
            self.real_set(self.visible)
        except RecursionError:
            return
        self.near = False
        self.watch_from = self._watch_from()
        self.expected = self.visible
        if sys.getrecursionlimit is self.getrecursionlimit:
            sys.getrecursionlimit = self.real_get

    def deliver(self, exc, frame, tb):
        """``exc`` arrives in ``frame`` with traceback ``tb`` (on 3.10-3.11 the one the trace
        event carries: ``exc.__traceback__`` is only brought up to date when it is caught): if it
        is a refused frame's RecursionError and ``frame`` is past that frame (its caller), cut
        the frames it came through."""
        if exc is not self.refused or id(frame) == self.refused_frame:
            return
        if tb is not None and tb.tb_frame is frame:
            tb.tb_next = None
        self.refused = self.refused_frame = None
