"""Layout of a snippet's outputs across Python versions: numbers and groups, no markup.

Runs that printed the same thing on several versions share one block that names them all; when
versions differ, each group gets a tab named by its versions, and a short note says which output
lines differ.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from deepcuts.errors import Location
from deepcuts.model import Trace


@dataclass
class OutputGroup:
    """Versions whose runs printed exactly the same stdout and stderr."""

    stdout: str
    stderr: str
    versions: list[str] = field(default_factory=list)
    differs: str = ""  # how it differs from the first group, in words

    @property
    def label(self) -> str:
        """The versions, oldest first: "3.10.13, 3.11.7"."""
        ordered = sorted(self.versions, key=lambda v: [int(p) for p in v.split(".") if p.isdigit()])
        return ", ".join(ordered)


def group_outputs(traces: list[Trace]) -> list[OutputGroup]:
    """Group runs by identical output, in the order of the configured interpreters."""
    groups: list[OutputGroup] = []
    for trace in traces:
        for group in groups:
            if (group.stdout, group.stderr) == (trace.stdout, trace.stderr):
                group.versions.append(trace.python)
                break
        else:
            groups.append(OutputGroup(trace.stdout, trace.stderr, [trace.python]))
    for group in groups[1:]:
        group.differs = _difference(groups[0], group)
    return groups


def _difference(first: OutputGroup, other: OutputGroup) -> str:
    parts = []
    for name, a, b in (
        ("stdout", first.stdout, other.stdout),
        ("stderr", first.stderr, other.stderr),
    ):
        if a == b:
            continue
        left, right = a.splitlines(), b.splitlines()
        lines = [
            n + 1
            for n in range(max(len(left), len(right)))
            if (left[n] if n < len(left) else None) != (right[n] if n < len(right) else None)
        ]
        shown = ", ".join(map(str, lines[:8])) + (", ..." if len(lines) > 8 else "")
        parts.append(f"{name} line{'s' if len(lines) > 1 else ''} {shown}")
    return "differs from " + first.label + " in " + "; ".join(parts)


def tab_anchor(location: Location) -> str:
    """A stable, page-unique prefix for the tab inputs of one fence."""
    seed = f"{location.article}:{location.line}:{location.snippet}"
    return "dc" + hashlib.sha256(seed.encode()).hexdigest()[:10]
