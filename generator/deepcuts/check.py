"""``deepcuts check``: every fence of every article, on every configured interpreter, verified.

The same stages as the site build (``engine.py``): the fences are found with the one scanner,
planned, run and verified by the engine; what differs is that every run is fresh (never from the
cache) and happens twice, in parallel over the cores. The two runs must print the same thing
(unless the fence says ``varies: true``); the first must end as the fence says, print the
recorded expected output, and make the fence's claims true. ``--update`` rewrites the expected
output from the runs instead of comparing (the first configured interpreter writes the common
files, the others only where they differ).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from deepcuts.discover import Snippet, scan_fences
from deepcuts.engine import Engine
from deepcuts.errors import DeepCutsError, FenceError, Location
from deepcuts.model import Trace
from deepcuts.plan import Plan
from deepcuts.verify import (
    OutputMismatch,
    has_expectations,
    output_diff,
    record_expected,
)

MAX_SNIPPET_WIDTH = 80  # the code column shows about this many; see docs/contributing/writing.md


def too_wide(snippet: Snippet, location: Location) -> FenceError | None:
    """The error for a snippet with lines wider than ``MAX_SNIPPET_WIDTH``, or None."""
    wide = [
        (number, len(line))
        for number, line in enumerate(snippet.lines, 1)
        if len(line) > MAX_SNIPPET_WIDTH
    ]
    if not wide:
        return None
    listed = ", ".join(f"line {number} ({width})" for number, width in wide[:5])
    more = f" and {len(wide) - 5} more" if len(wide) > 5 else ""
    return FenceError(
        f"{len(wide)} line(s) wider than {MAX_SNIPPET_WIDTH} characters: {listed}{more}; "
        "wrap them (wide lines scroll sideways on the page)",
        location,
    )


@dataclass(frozen=True)
class Fence:
    """One deepcut fence found in an article."""

    article: str
    line: int
    body: str


@dataclass
class Result:
    """The outcome of one fence on one interpreter."""

    fence: Fence
    snippet: str
    version: str
    status: str  # passed, failed, changed, skipped
    message: str = ""


def find_fences(docs: Path) -> list[Fence]:
    """Every deepcut fence of every Markdown file under ``docs``, with its file line."""
    fences = []
    for article in sorted(docs.rglob("*.md")):
        lines = article.read_text(encoding="utf-8-sig").splitlines()
        name = article.relative_to(docs).as_posix()
        fences += [Fence(name, found.line, found.body) for found in scan_fences(lines)]
    return fences


class Checker:
    """Runs the checks; prints one progress line per run on stderr."""

    def __init__(self, engine: Engine, update: bool = False) -> None:
        self.engine = engine
        self.update = update
        self._lock = threading.Lock()

    def run(self, fences: list[Fence]) -> list[Result]:
        """Check every fence on every interpreter."""
        results: list[Result] = []
        plans: list[tuple[Fence, Plan]] = []
        versions = [i.full_version for i in self.engine.interpreters()]
        for fence in fences:
            try:
                plan = self.engine.plan(fence.body, Location(fence.article, fence.line))
                wide = too_wide(plan.snippet, plan.location)
                if wide is not None:
                    raise wide
                plans.append((fence, plan))
            except DeepCutsError as exc:
                snippet = exc.location.snippet or "?"
                results += [Result(fence, snippet, v, "failed", str(exc)) for v in versions]
        jobs = [job for _fence, plan in plans for job in plan.jobs for _twice in (0, 1)]
        finished = [0]

        def progress(index: int, result: Trace | DeepCutsError) -> None:
            with self._lock:
                finished[0] += 1
                job = jobs[index]
                status = "error" if isinstance(result, DeepCutsError) else "ran"
                print(
                    f"[{finished[0]}/{len(jobs)}] {status:<5} {job.snippet.name} "
                    f"(CPython {job.interpreter.full_version})",
                    file=sys.stderr,
                    flush=True,
                )

        runs = iter(self.engine.run_fresh(jobs, progress))
        checked = [
            (fence, plan, index, next(runs), next(runs))
            for fence, plan in plans
            for index in range(len(plan.jobs))
        ]
        # With --update the first interpreter writes the common files the others compare with.
        for fence, plan, index, first, second in sorted(checked, key=lambda c: c[2]):
            results.append(self._verify(fence, plan, index, first, second))
        return sorted(results, key=lambda r: (r.fence.article, r.fence.line, r.version))

    def _verify(
        self,
        fence: Fence,
        plan: Plan,
        index: int,
        first: Trace | DeepCutsError,
        second: Trace | DeepCutsError,
    ) -> Result:
        location = plan.location
        version = plan.jobs[index].interpreter.full_version
        try:
            for run in (first, second):
                if isinstance(run, DeepCutsError):
                    raise run
            assert isinstance(first, Trace) and isinstance(second, Trace)  # noqa: S101 - above
            spec = plan.spec
            if not spec.varies and (first.stdout, first.stderr) != (second.stdout, second.stderr):
                raise OutputMismatch(
                    f"the output differs between two runs on CPython {version}; make the snippet "
                    "deterministic or add 'varies: true' to the fence",
                    location,
                    output_diff(
                        first.stdout + first.stderr, second.stdout + second.stderr, "output"
                    ),
                )
            status = "passed"
            if self.update and not spec.varies:
                self.engine.verify(plan, [first], outputs=False)
                changed = record_expected(plan.snippet.path, first, common=index == 0)
                status = "changed" if changed else "passed"
            else:
                if not spec.varies and not has_expectations(plan.snippet.path):
                    raise OutputMismatch(
                        "no expected output is recorded; run `deepcuts check --update` and "
                        "review the new files",
                        location,
                    )
                self.engine.verify(plan, [first])
            return Result(fence, plan.snippet.name, version, status)
        except DeepCutsError as exc:
            return Result(
                fence, plan.snippet.name, version, "failed", str(exc.with_location(location))
            )


def summary(results: list[Result]) -> str:
    """Per article, snippet and version; failures with their messages; totals."""
    lines = []
    article = None
    for result in results:
        if result.fence.article != article:
            article = result.fence.article
            lines.append(f"\n{article}")
        lines.append(
            f"  {result.status:<7} line {result.fence.line:<4} {result.snippet:<40} "
            f"CPython {result.version}"
        )
    failures = [r for r in results if r.status == "failed"]
    if failures:
        lines.append("\nFailures:")
        for result in failures:
            lines.append("- " + result.message.replace("\n", "\n  "))
    counts = {
        s: sum(r.status == s for r in results) for s in ("passed", "failed", "changed", "skipped")
    }
    lines.append("\n" + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines).lstrip("\n") + "\n"
