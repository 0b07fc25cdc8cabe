"""What every claim form shares: the claim type, its error, and ways to find events by name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from deepcuts.errors import DeepCutsError
from deepcuts.model import Event, Trace

#: A name in a claim: a function's name or qualified name, possibly in backticks.
NAME = r"`?(?P<{}>[\w.<>]+)`?"

Check = Callable[[Trace], str | None]
Form = tuple[str, Callable[[re.Match[str]], Check]]


class ClaimError(DeepCutsError):
    """A claim that is malformed, or that the recorded run contradicts."""

    kind = "claim"


@dataclass(frozen=True)
class Claim:
    """A parsed claim: its text, and the check that returns None or why it does not hold."""

    text: str
    check: Check


def name_is(event: Event, name: str) -> bool:
    """Whether ``event``'s frame runs the function ``name`` (by name or qualified name)."""
    return name in (event.qualname, event.function)


def of(trace: Trace, name: str, kind: str) -> list[Event]:
    """The events of kind ``kind`` in frames of ``name``."""
    return [e for e in trace.events if e.event == kind and name_is(e, name)]


def calls(trace: Trace, name: str) -> list[Event]:
    """The calls of ``name``."""
    return of(trace, name, "call")


def ends(event: Event) -> bool:
    """Whether ``event`` ends its frame's call (a return, or an exception that left it)."""
    return event.event == "return" or (event.event == "exception" and event.how == "propagated")
