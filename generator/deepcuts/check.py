"""``deepcuts check``: run every snippet of every article, verify it, and say so per version.

For each ``deepcut`` fence of each article and each configured interpreter, the snippet runs
twice, fresh (never from the cache) and in the sandbox. The two runs must print the same thing
(unless the fence says ``varies: true``); the first must end as the fence says, print the recorded
expected output, and make the fence's claims true. ``--update`` rewrites the expected output from
the runs instead of comparing. Runs go in parallel over the cores.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deepcuts.claims import check_claims, parse_claims
from deepcuts.discover import Snippet, load_snippet
from deepcuts.engine import Engine, EngineConfig
from deepcuts.errors import DeepCutsError, Location
from deepcuts.model import Trace
from deepcuts.run.runner import run_snippet
from deepcuts.spec import FenceSpec, parse_spec
from deepcuts.verify import (
    OutputMismatch,
    check_output,
    check_run,
    expected_path,
    has_expectations,
    output_diff,
)

_OPEN = re.compile(r"^(?P<lead>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*\.?deepcut[ \t]*$")
_OTHER = re.compile(r"^[ \t>]*(?P<fence>`{3,}|~{3,})")


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


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its tags name."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
    return suffix


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    names = (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else [
            loader.construct_scalar(node)  # type: ignore[arg-type]
        ]
    )
    *variables, default = names if len(names) > 1 else [*names, None]
    for name in variables:
        if str(name) in os.environ:
            return os.environ[str(name)]
    return default


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_ConfigLoader.add_constructor("!ENV", _env)


def load_site(config_file: Path) -> tuple[EngineConfig, Path]:
    """The engine configuration and the docs folder of the site that ``config_file`` describes."""
    data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506
    options: dict[str, Any] = {}
    for entry in data.get("markdown_extensions") or []:
        if isinstance(entry, dict) and "deepcuts" in entry:
            options = dict(entry["deepcuts"] or {})
    base = config_file.resolve().parent
    return EngineConfig.from_options(options, base), base / str(data.get("docs_dir", "docs"))


def find_fences(docs: Path) -> Iterator[Fence]:
    """Every deepcut fence of every Markdown file under ``docs``, with its file line."""
    for article in sorted(docs.rglob("*.md")):
        lines = article.read_text(encoding="utf-8").splitlines()
        inside: str | None = None
        body: list[str] = []
        start = 0
        for number, line in enumerate(lines, start=1):
            if inside is None:
                match = _OPEN.match(line)
                if match:
                    inside, start, body = match["fence"], number, []
                    lead = len(match["lead"])
                    continue
                other = _OTHER.match(line)
                if other:
                    inside, start, body, lead = "other:" + other["fence"], number, [], -1
                continue
            fence = inside.removeprefix("other:")
            stripped = line.strip(" \t>")
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                if not inside.startswith("other:"):
                    yield Fence(article.relative_to(docs).as_posix(), start, "\n".join(body))
                inside = None
            elif not inside.startswith("other:"):
                body.append(line[lead:])


class Checker:
    """Runs the checks; ``progress`` gets one line per finished job."""

    def __init__(self, engine: Engine, update: bool = False, jobs: int | None = None) -> None:
        self.engine = engine
        self.update = update
        self.jobs = jobs or os.cpu_count() or 1
        self._lock = threading.Lock()

    def _run_twice(self, spec: FenceSpec, snippet: Snippet, index: int) -> tuple[Trace, Trace]:
        interpreter = self.engine.interpreters()[index]
        limits = self.engine.limits(spec)
        record = self.engine.record_options(spec)
        sandbox = self.engine.sandbox()
        root = self.engine.config.snippets_dir
        first = run_snippet(snippet.path, root, interpreter, limits, record, sandbox=sandbox)
        second = run_snippet(snippet.path, root, interpreter, limits, record, sandbox=sandbox)
        return first, second

    def check_one(self, fence: Fence, index: int) -> Result:
        """One fence on one interpreter."""
        location = Location(fence.article, fence.line)
        version = "?"
        snippet_name = "?"
        try:
            version = self.engine.interpreters()[index].full_version
            spec = parse_spec(fence.body, location)
            snippet_name = spec.file
            location = Location(fence.article, fence.line, spec.file)
            snippet = load_snippet(self.engine.config.snippets_dir, spec.file)
            claims = parse_claims(list(spec.claims), location)
            first, second = self._run_twice(spec, snippet, index)
            if not spec.varies and (first.stdout, first.stderr) != (second.stdout, second.stderr):
                raise OutputMismatch(
                    f"the output differs between two runs on CPython {version}; make the snippet "
                    "deterministic or add 'varies: true' to the fence",
                    location,
                    output_diff(
                        first.stdout + first.stderr, second.stdout + second.stderr, "output"
                    ),
                )
            check_run(first, spec, location)
            check_claims(claims, first, location)
            if self.update and not spec.varies:
                return Result(fence, spec.file, version, self._record(snippet, first))
            if not spec.varies:
                if not has_expectations(snippet.path):
                    raise OutputMismatch(
                        "no expected output is recorded; run `deepcuts check --update` and "
                        "review the new files",
                        location,
                    )
                check_output(first, snippet.path, location)
            return Result(fence, spec.file, version, "passed")
        except DeepCutsError as exc:
            return Result(fence, snippet_name, version, "failed", str(exc.with_location(location)))

    def _record(self, snippet: Snippet, trace: Trace) -> str:
        """Write what ``trace`` printed as the expectation: the first configured interpreter
        writes the common files, another writes files of its own only where it differs."""
        version = ".".join(trace.python.split(".")[:2])
        is_default = self.engine.interpreters()[0].full_version == trace.python
        changed = False
        with self._lock:
            for stream, text in (("out", trace.stdout), ("err", trace.stderr)):
                common = expected_path(snippet.path, stream)
                own = expected_path(snippet.path, stream, version)
                target = common if is_default else own
                if not is_default:
                    common_text = common.read_text(encoding="utf-8") if common.exists() else ""
                    if text == common_text:
                        if own.exists():
                            own.unlink()
                            changed = True
                        continue
                elif stream == "err" and text == "":
                    if common.exists():
                        common.unlink()  # no stderr, no file
                        changed = True
                    continue
                if not target.exists() or target.read_text(encoding="utf-8") != text:
                    target.write_text(text, encoding="utf-8")
                    changed = True
        return "changed" if changed else "passed"

    def run(self, fences: list[Fence]) -> list[Result]:
        """Check every fence on every interpreter, in parallel, reporting progress."""
        count = len(self.engine.interpreters())
        jobs = [(fence, index) for fence in fences for index in range(count)]
        results: list[Result] = []
        # --update runs the default interpreter first: it writes the common expectation that
        # the others compare themselves with.
        ordered = sorted(jobs, key=lambda job: job[1]) if self.update else jobs
        groups = (
            [ordered]
            if not self.update
            else [[job for job in ordered if job[1] == 0], [job for job in ordered if job[1] != 0]]
        )
        done = 0
        for group in groups:
            with ThreadPoolExecutor(max_workers=self.jobs) as pool:
                futures = [pool.submit(self.check_one, *job) for job in group]
                for future in as_completed(futures):
                    result = future.result()
                    results.append(result)
                    done += 1
                    print(
                        f"[{done}/{len(jobs)}] {result.status:<7} {result.fence.article}:"
                        f"{result.fence.line} {result.snippet} (CPython {result.version})",
                        file=sys.stderr,
                        flush=True,
                    )
        return sorted(results, key=lambda r: (r.fence.article, r.fence.line, r.version))


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
