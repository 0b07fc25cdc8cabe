"""Claims about frames that pause and resume, take turns, and are left by exceptions.

NAME yields N times                     (NAME's frames were suspended N times in all)
NAME resumes with X=REPR                (a NAME frame held X=REPR as it resumed)
NAME is never resumed                   (a NAME frame was suspended and never ran again)
A and B take turns                      (frames of A and B ran alternately: A, B, A or
                                         B, A, B at least)
the exception raised in A is caught in B
                                        (an exception raised in a frame of A was caught, the
                                         same one by its repr, in a frame of B)
A's finally block runs before B catches the exception
                                        (a finally block of A ran with the exception in
                                         flight, before a handler of B caught it)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from deepcuts.claims.common import NAME, Form, name_is, of
from deepcuts.model import Trace

_WORDS = {"once": 1, "twice": 2}


def _yields(m: re.Match[str]) -> Callable[[Trace], str | None]:
    word = m["count"]
    wanted = _WORDS[word] if word in _WORDS else int(word)

    def check(trace: Trace) -> str | None:
        got = len(of(trace, m["name"], "yield"))
        return None if got == wanted else f"{m['name']} yielded {got} time(s)"

    return check


def _resumes_with(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        resumes = of(trace, m["name"], "resume")
        if any((e.locals or {}).get(m["var"]) == m["value"].strip() for e in resumes):
            return None
        seen = "; ".join(str((e.locals or {}).get(m["var"])) for e in resumes)
        return f"{m['name']} resumed with {m['var']}={seen or '(never resumed)'}"

    return check


def _never_resumed(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        last: dict[int, str] = {}
        for event in trace.events:
            if name_is(event, m["name"]):
                last[event.frame] = event.event
        if any(kind == "yield" for kind in last.values()):
            return None
        return f"every {m['name']} frame that was suspended ran again (or none was suspended)"

    return check


def _turns(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        order: list[str] = []
        for event in trace.events:
            if event.event not in ("call", "resume"):
                continue
            side = "A" if name_is(event, m["a"]) else "B" if name_is(event, m["b"]) else None
            if side is not None and (not order or order[-1] != side):
                order.append(side)
        if len(order) >= 3:
            return None
        shown = ", ".join(m["a"] if side == "A" else m["b"] for side in order) or "neither ran"
        return f"in the order they ran: {shown}"

    return check


def _caught_in(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        raised = {e.value for e in of(trace, m["a"], "exception") if e.how == "raised"}
        caught = [e.value for e in of(trace, m["b"], "exception") if e.how == "caught"]
        if raised & set(caught):
            return None
        return (
            f"{m['a']} raised {', '.join(sorted(v or '' for v in raised)) or 'nothing'}; "
            f"{m['b']} caught {', '.join(v or '' for v in caught) or 'nothing'}"
        )

    return check


def _finally_before(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        events = list(trace.events)
        for index, event in enumerate(events):
            if event.event == "exception" and event.how == "finally" and name_is(event, m["a"]):
                later = events[index + 1 :]
                if any(
                    e.event == "exception"
                    and e.how == "caught"
                    and e.value == event.value
                    and name_is(e, m["b"])
                    for e in later
                ):
                    return None
        ran = [e.value for e in of(trace, m["a"], "exception") if e.how == "finally"]
        return f"finally blocks of {m['a']} that ran with an exception: {len(ran)}"

    return check


FORMS: list[Form] = [
    (rf"{NAME.format('name')} yields (?P<count>\d+|once|twice)(?: times?)?", _yields),
    (rf"{NAME.format('name')} resumes with `?(?P<var>\w+)`?=(?P<value>.+)", _resumes_with),
    (rf"{NAME.format('name')} is never resumed", _never_resumed),
    (rf"{NAME.format('a')} and {NAME.format('b')} take turns", _turns),
    (rf"the exception raised in {NAME.format('a')} is caught in {NAME.format('b')}", _caught_in),
    (rf"{NAME.format('a')}'s finally block runs before {NAME.format('b')} catches the exception",
     _finally_before),
]  # fmt: skip
