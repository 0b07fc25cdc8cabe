"""Claims about calls and frames: how often, with what, returning what, on which stack.

each call of NAME runs in its own frame
NAME is called N times                  (or: once, twice)
NAME is called with A=REPR, B=REPR      (the arguments bound when its frame starts)
NAME is called from WRAPPER             (WRAPPER's frame is directly below NAME's)
NAME returns REPR
NAME raises TYPE
NAME is created but never started       (a coroutine of NAME was collected unstarted)
NAME's frame is gone when NAME2 returns (NAME's frame ended while NAME2's was still running)
the stack in NAME is A, B, C            (NAME's frame and those above it, innermost first)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from deepcuts.claims.common import NAME, Form, calls, ends, name_is, of
from deepcuts.model import Event, Trace

_WORDS = {"once": 1, "twice": 2}


def _own_frames(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        found = calls(trace, m["name"])
        frames = {e.frame for e in found}
        if len(found) < 2:
            return f"{m['name']} was called {len(found)} time(s), so there is no 'each call'"
        if len(frames) != len(found):
            return f"{len(found)} calls of {m['name']} ran in only {len(frames)} frame(s)"
        return None

    return check


def _count(m: re.Match[str]) -> Callable[[Trace], str | None]:
    word = m["count"]
    wanted = _WORDS[word] if word in _WORDS else int(word)

    def check(trace: Trace) -> str | None:
        got = len(calls(trace, m["name"]))
        return None if got == wanted else f"{m['name']} was called {got} time(s)"

    return check


def _called_with(m: re.Match[str]) -> Callable[[Trace], str | None]:
    wanted = {}
    for part in re.split(r",\s*(?=\w+=)", m["args"]):
        key, _, value = part.partition("=")
        wanted[key.strip()] = value.strip()

    def check(trace: Trace) -> str | None:
        found = calls(trace, m["name"])
        for call in found:
            if all((call.locals or {}).get(k) == v for k, v in wanted.items()):
                return None
        seen = "; ".join(str(c.locals) for c in found) or "no call at all"
        return f"{m['name']} was never called with {wanted}: {seen}"

    return check


def _returns(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        values = [e.value for e in of(trace, m["name"], "return")]
        if m["value"] in values:
            return None
        return f"{m['name']} returned {', '.join(map(str, values)) or 'nothing'}"

    return check


def _raises(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        raised = [e.value or "" for e in of(trace, m["name"], "exception") if e.how == "raised"]
        if any(v.split("(")[0].rsplit(".", 1)[-1] == m["type"] for v in raised):
            return None
        return f"{m['name']} raised {', '.join(raised) or 'nothing'}"

    return check


def _never_started(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        if not of(trace, m["name"], "abandoned"):
            return f"no {m['name']} object was collected unstarted"
        return None

    return check


def _gone_before(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        events = list(trace.events)
        inner = [i for i, e in enumerate(events) if name_is(e, m["inner"]) and ends(e)]
        outer = [i for i, e in enumerate(events) if name_is(e, m["outer"]) and ends(e)]
        if not inner or not outer:
            return f"no end of {m['inner'] if not inner else m['outer']} was recorded"
        if inner[-1] < outer[0]:
            return None
        return f"{m['inner']}'s frame ended after {m['outer']} returned"

    return check


def _called_from(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        by_frame = {e.frame: e for e in trace.events if e.event == "call"}
        callers = [
            by_frame[c.parent].qualname if c.parent in by_frame else "nothing recorded"
            for c in calls(trace, m["name"])
        ]
        if any(name_is(by_frame[c.parent], m["caller"]) for c in calls(trace, m["name"])
               if c.parent in by_frame):  # fmt: skip
            return None
        return f"{m['name']} was called from {', '.join(callers) or 'nowhere (never called)'}"

    return check


def _stack(m: re.Match[str]) -> Callable[[Trace], str | None]:
    wanted = [part.strip().strip("`") for part in m["frames"].split(",")]

    def check(trace: Trace) -> str | None:
        found = calls(trace, m["name"])
        if not found:
            return f"{m['name']} was never called"
        by_frame = {e.frame: e for e in trace.events if e.event in ("call", "abandoned")}
        chain: list[Event] = []
        frame: int | None = found[0].frame
        while frame is not None and frame in by_frame:
            chain.append(by_frame[frame])
            frame = by_frame[frame].parent
        # Each frame by its name or its qualified name, as NAME itself is matched.
        if len(chain) == len(wanted) and all(map(name_is, chain, wanted)):
            return None
        return f"the stack in {m['name']} was {', '.join(e.qualname for e in chain)}"

    return check


FORMS: list[Form] = [
    (rf"each call of {NAME.format('name')} runs in its own frame", _own_frames),
    (rf"{NAME.format('name')} is called (?P<count>\d+|once|twice)(?: times?)?", _count),
    (rf"{NAME.format('name')} is called with (?P<args>\w+=.+)", _called_with),
    (rf"{NAME.format('name')} returns (?P<value>.+)", _returns),
    (rf"{NAME.format('name')} raises `?(?P<type>\w+)`?", _raises),
    (rf"{NAME.format('name')} is created but never started", _never_started),
    (rf"{NAME.format('inner')}'s frame is gone when {NAME.format('outer')} returns",
     _gone_before),
    (rf"{NAME.format('name')} is called from {NAME.format('caller')}", _called_from),
    (rf"the stack in {NAME.format('name')} is (?P<frames>.+)", _stack),
]  # fmt: skip
