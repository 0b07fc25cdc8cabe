"""Claims: short English statements about a recorded run, checked at build time.

A fence lists them under ``claims:``; each must match one of the forms below (names may be
written in backticks). A claim that holds is shown on the page as a verified statement; one that
does not fails the build with the events that contradict it.

    each call of NAME runs in its own frame
    NAME is called N times                  (or: once, twice)
    NAME is called with A=REPR, B=REPR      (the arguments bound when its frame starts)
    NAME returns REPR
    NAME raises TYPE
    NAME is created but never started       (a coroutine of NAME was collected unstarted)
    NAME's frame is gone when NAME2 returns (NAME's frame ended while NAME2's was still running)
    the stack in NAME is A, B, C            (NAME's frame and those above it, innermost first)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from deepcuts.errors import DeepCutsError, Location
from deepcuts.model import Event, Trace
from deepcuts.render.tracelog import TraceLog

_NAME = r"`?(?P<{}>[\w.<>]+)`?"
_WORDS = {"once": 1, "twice": 2}


class ClaimError(DeepCutsError):
    """A claim that is malformed, or that the recorded run contradicts."""

    kind = "claim"


@dataclass(frozen=True)
class Claim:
    """A parsed claim: its text, and the check that returns None or why it does not hold."""

    text: str
    check: Callable[[Trace], str | None]


def _calls(trace: Trace, name: str) -> list[Event]:
    return [e for e in trace.events if e.event == "call" and name in (e.qualname, e.function)]


def _of(trace: Trace, name: str, kind: str) -> list[Event]:
    return [e for e in trace.events if e.event == kind and name in (e.qualname, e.function)]


def _own_frames(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        calls = _calls(trace, m["name"])
        frames = {e.frame for e in calls}
        if len(calls) < 2:
            return f"{m['name']} was called {len(calls)} time(s), so there is no 'each call'"
        if len(frames) != len(calls):
            return f"{len(calls)} calls of {m['name']} ran in only {len(frames)} frame(s)"
        return None

    return check


def _count(m: re.Match[str]) -> Callable[[Trace], str | None]:
    word = m["count"]
    wanted = _WORDS[word] if word in _WORDS else int(word)

    def check(trace: Trace) -> str | None:
        got = len(_calls(trace, m["name"]))
        return None if got == wanted else f"{m['name']} was called {got} time(s)"

    return check


def _called_with(m: re.Match[str]) -> Callable[[Trace], str | None]:
    wanted = {}
    for part in re.split(r",\s*(?=\w+=)", m["args"]):
        key, _, value = part.partition("=")
        wanted[key.strip()] = value.strip()

    def check(trace: Trace) -> str | None:
        calls = _calls(trace, m["name"])
        for call in calls:
            if all((call.locals or {}).get(k) == v for k, v in wanted.items()):
                return None
        seen = "; ".join(str(c.locals) for c in calls) or "no call at all"
        return f"{m['name']} was never called with {wanted}: {seen}"

    return check


def _returns(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        values = [e.value for e in _of(trace, m["name"], "return")]
        if m["value"] in values:
            return None
        return f"{m['name']} returned {', '.join(map(str, values)) or 'nothing'}"

    return check


def _raises(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        raised = [e.value or "" for e in _of(trace, m["name"], "exception") if e.how == "raised"]
        if any(v.split("(")[0].rsplit(".", 1)[-1] == m["type"] for v in raised):
            return None
        return f"{m['name']} raised {', '.join(raised) or 'nothing'}"

    return check


def _never_started(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        if not _of(trace, m["name"], "abandoned"):
            return f"no {m['name']} object was collected unstarted"
        return None

    return check


def _gone_before(m: re.Match[str]) -> Callable[[Trace], str | None]:
    def check(trace: Trace) -> str | None:
        events = list(trace.events)
        inner = [i for i, e in enumerate(events) if name_is(e, m["inner"]) and _ends(e)]
        outer = [i for i, e in enumerate(events) if name_is(e, m["outer"]) and _ends(e)]
        if not inner or not outer:
            return f"no end of {m['inner'] if not inner else m['outer']} was recorded"
        if inner[-1] < outer[0]:
            return None
        return f"{m['inner']}'s frame ended after {m['outer']} returned"

    return check


def name_is(event: Event, name: str) -> bool:
    return name in (event.qualname, event.function)


def _ends(event: Event) -> bool:
    return event.event == "return" or (event.event == "exception" and event.how == "propagated")


def _stack(m: re.Match[str]) -> Callable[[Trace], str | None]:
    wanted = [part.strip().strip("`") for part in m["frames"].split(",")]

    def check(trace: Trace) -> str | None:
        calls = _calls(trace, m["name"])
        if not calls:
            return f"{m['name']} was never called"
        by_frame = {e.frame: e for e in trace.events if e.event in ("call", "abandoned")}
        chain = []
        frame: int | None = calls[0].frame
        while frame is not None and frame in by_frame:
            chain.append(by_frame[frame].qualname)
            frame = by_frame[frame].parent
        return None if chain == wanted else f"the stack in {m['name']} was {', '.join(chain)}"

    return check


_FORMS: list[tuple[str, Callable[[re.Match[str]], Callable[[Trace], str | None]]]] = [
    (rf"each call of {_NAME.format('name')} runs in its own frame", _own_frames),
    (rf"{_NAME.format('name')} is called (?P<count>\d+|once|twice)(?: times?)?", _count),
    (rf"{_NAME.format('name')} is called with (?P<args>\w+=.+)", _called_with),
    (rf"{_NAME.format('name')} returns (?P<value>.+)", _returns),
    (rf"{_NAME.format('name')} raises `?(?P<type>\w+)`?", _raises),
    (rf"{_NAME.format('name')} is created but never started", _never_started),
    (rf"{_NAME.format('inner')}'s frame is gone when {_NAME.format('outer')} returns",
     _gone_before),
    (rf"the stack in {_NAME.format('name')} is (?P<frames>.+)", _stack),
]  # fmt: skip
_PATTERNS = [(re.compile(rf"^{form}\.?$", re.IGNORECASE), build) for form, build in _FORMS]


def parse_claims(texts: list[str], location: Location) -> list[Claim]:
    """Parse a fence's claims; :class:`ClaimError` for one that fits no form."""
    claims = []
    for text in texts:
        for pattern, build in _PATTERNS:
            match = pattern.match(text.strip())
            if match:
                claims.append(Claim(text.strip(), build(match)))
                break
        else:
            raise ClaimError(
                f"cannot read the claim {text!r}; the forms are listed in the fence reference",
                location,
            )
    return claims


def check_claims(claims: list[Claim], trace: Trace, location: Location) -> None:
    """Raise :class:`ClaimError` with the evidence for the first claim the run contradicts."""
    for claim in claims:
        problem = claim.check(trace)
        if problem is not None:
            if trace.truncated:
                problem += (
                    " (the recording stopped before the program ended, so later events "
                    f"are not in it: {'; '.join(trace.notes)})"
                )
            raise ClaimError(
                f"claim not true on CPython {trace.python}: {claim.text!r}: {problem}",
                location,
                evidence(trace, claim.text),
            )


def evidence(trace: Trace, text: str, limit: int = 30) -> str:
    """The recorded events of the frames a claim names, as the trace log shows them."""
    names = set(re.findall(r"[\w.<>]+", text))
    lines = TraceLog(trace, ids=True).lines()[1:-1]
    chosen = [line for line in lines if any(f" {n}" in line or f">{n}" in line for n in names)]
    if len(chosen) > limit:
        chosen = [*chosen[:limit], f"... {len(chosen) - limit} more"]
    return "recorded events:\n" + "\n".join(chosen or lines[:limit])
