"""Claims: short English statements about a recorded run, checked at build time.

A fence lists them under ``claims:``; each must match one of the forms below (names may be
written in backticks). A claim that holds is shown on the page as a verified statement; one that
does not fails the build with the events that contradict it. The forms, by what they are about:

- ``calls``: how often a function is called, with what, from where, what it returns or raises,
  the stack it runs on;
- ``scopes``: closure cells, recursion depth;
- ``flow``: generators and coroutines pausing and resuming, tasks taking turns, exceptions
  raised, passing through finally blocks and caught.

The fence reference (docs/reference/fence.md) lists every form with what makes it true.
"""

from __future__ import annotations

import re

from deepcuts.claims import calls, flow, scopes
from deepcuts.claims.common import Claim, ClaimError
from deepcuts.errors import Location
from deepcuts.model import Trace
from deepcuts.render.tracelog import TraceLog

__all__ = ["Claim", "ClaimError", "check_claims", "evidence", "parse_claims"]

_PATTERNS = [
    (re.compile(rf"^{form}\.?$", re.IGNORECASE), build)
    for form, build in (*calls.FORMS, *scopes.FORMS, *flow.FORMS)
]


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
