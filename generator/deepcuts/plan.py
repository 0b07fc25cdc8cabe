"""Plain data between the stages: a fence ready to run (:class:`Plan`), and its runs (:class:`Job`).

The discover stage turns a fence into a plan (its options, its snippet, one job per interpreter,
each with the cache key of everything that can change its result); the run stage turns jobs into
traces; verify and render take the plan and the traces. Nothing here holds live objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from deepcuts.claims import Claim
from deepcuts.discover import Snippet
from deepcuts.errors import Location
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.process import Limits
from deepcuts.run.runner import RecordOptions
from deepcuts.spec import FenceSpec


@dataclass(frozen=True)
class Job:
    """One run of one snippet on one interpreter."""

    key: str
    snippet: Snippet
    interpreter: Interpreter
    limits: Limits
    record: RecordOptions | None


@dataclass(frozen=True)
class Plan:
    """A fence, parsed and ready: where it stands, what it asks, what runs."""

    location: Location
    spec: FenceSpec
    snippet: Snippet
    claims: tuple[Claim, ...]
    jobs: tuple[Job, ...]
