"""The conductor: discover -> run -> verify -> render, as separate stages over plain data.

- **discover** (:meth:`Engine.plan`): a fence's body becomes a :class:`~deepcuts.plan.Plan`: its
  options, its snippet, and one job per interpreter with the cache key of everything that can
  change that run's result.
- **run** (:meth:`Engine.run`): jobs become traces, from the cache or by running them, many at a
  time (``run/pool.py``). :meth:`Engine.prefetch` does this for every fence of a site before any
  page renders (the MkDocs plugin calls it); alone, each fence runs its own jobs.
- **verify** (:meth:`Engine.verify`): how each run ended, what it printed, the fence's claims.
- **render** (``render/fence.py``): the HTML.

:meth:`Engine.render_fence` is the fence itself: all four stages for one fence, and it never
raises (an error becomes an error block and a report). ``deepcuts check`` drives the same stages
with fresh runs.

One :class:`Engine` exists per configuration and per process, so its in-memory cache, its
interpreter look-ups and its error list survive the many ``Markdown`` instances MkDocs creates (one
per page) and ``mkdocs serve`` rebuilds. Where a fence stands (article, line) comes with each
call; nothing about the page being rendered is kept on the engine.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import deepcuts
from deepcuts import render
from deepcuts.claims import check_claims, parse_claims
from deepcuts.config import EngineConfig
from deepcuts.discover import Snippet, load_snippet
from deepcuts.errors import DeepCutsError, FenceError, InternalError, Location
from deepcuts.model import Trace
from deepcuts.plan import Job, Plan
from deepcuts.render.fence import SOURCE_MARK, fence_html, renderer_digest, source_html
from deepcuts.run import interpreters as discovery
from deepcuts.run import pool
from deepcuts.run.cache import ResultCache, cache_key
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.process import Limits
from deepcuts.run.runner import RecordOptions, run_snippet
from deepcuts.run.sandbox import Sandbox, choose_sandbox
from deepcuts.spec import FenceSpec, parse_spec
from deepcuts.verify import check_output, check_run, expectation_digest

log = logging.getLogger("deepcuts")


def _runner_digest() -> str:
    """Hash of the code that produces a trace: a changed runner must not reuse old results."""
    digest = hashlib.sha256(deepcuts.__version__.encode())
    package = Path(__file__).parent
    for part in sorted([*package.glob("run/*.py"), *package.glob("record/*.py")]):
        digest.update(part.read_bytes())
    return digest.hexdigest()


def _log_error(error: DeepCutsError) -> None:
    log.warning("%s", error)


@dataclass
class Engine:
    """Plans, runs, verifies and renders fences for one configuration."""

    config: EngineConfig
    executed: int = 0  # child interpreters started: a warm build keeps this at 0
    reused: int = 0  # runs a fence used from the cache
    errors: list[DeepCutsError] = field(default_factory=list)
    report: Callable[[DeepCutsError], None] = _log_error
    dependents: dict[str, set[str]] = field(default_factory=dict)  # snippet -> its articles
    plugin: bool = False  # a MkDocs plugin drives it; if not, extension.py says what is lost
    told_plugin_missing: bool = False
    _interpreters: list[Interpreter] | None = None
    _sandbox: Sandbox | None = None

    def __post_init__(self) -> None:
        self.cache = ResultCache(self.config.cache_dir, self.config.cache_max_mb * 2**20)
        self._runner = _runner_digest()
        self._renderer = renderer_digest()
        self._lock = threading.Lock()
        # This build's runs, verified or not (a failed one is not cached, but not run twice in
        # one build either), and its plans (the plugin plans every fence before pages render).
        self._fresh: dict[str, Trace | DeepCutsError] = {}
        self._stored: set[str] = set()  # keys of this build's runs already in the cache
        self._plans: dict[tuple[str, Location, tuple[str, ...]], Plan | DeepCutsError] = {}

    # -- configuration ---------------------------------------------------------------------
    def interpreters(self) -> list[Interpreter]:
        """The interpreters every snippet runs on; the first one is shown by default."""
        if self._interpreters is None:
            found: list[Interpreter] = []
            paths = dict(self.config.interpreter_paths)
            for version in self.config.pythons or (discovery.current().version,):
                try:
                    found.append(discovery.find(version, paths))
                except DeepCutsError as exc:
                    if version in self.config.optional_pythons:
                        log.info("deepcuts: optional %s", exc)
                    else:
                        self.report(exc)
            if not found:
                found.append(discovery.current())
            self._interpreters = found
        return self._interpreters

    def sandbox(self) -> Sandbox:
        """The isolation every run of this engine gets, chosen (and logged) at the first run:
        a build that runs nothing probes nothing. :class:`SandboxError` when the configuration
        requires a layer this machine lacks."""
        if self._sandbox is None:
            self._sandbox = choose_sandbox(self.config.require_sandbox)
            log.info("deepcuts: %s", self._sandbox.describe())
        return self._sandbox

    # -- discover --------------------------------------------------------------------------
    def plan(self, body: str, location: Location, header: tuple[str, ...] = ()) -> Plan:
        """The fence at ``location``, parsed, its snippet read, its jobs keyed. Raises the
        :class:`DeepCutsError` that says what is wrong with it."""
        memo = (body, location, header)
        known = self._plans.get(memo)
        if known is None:
            try:
                known = self._plan(body, location, header)
            except DeepCutsError as exc:
                known = exc.with_location(location)
            self._plans[memo] = known
        if isinstance(known, DeepCutsError):
            raise known
        return known

    def _plan(self, body: str, location: Location, header: tuple[str, ...]) -> Plan:
        if header:
            raise FenceError(
                f"options go in the fence body as YAML, not in its header: {', '.join(header)}",
                location,
            )
        spec = parse_spec(body, location)
        location = Location(location.article, location.line, spec.file)
        snippet = load_snippet(self.config.snippets_dir, spec.file)
        claims = tuple(parse_claims(list(spec.claims), location))
        if location.article:
            self.dependents.setdefault(snippet.name, set()).add(location.article)
        limits = Limits(timeout=spec.timeout or self.config.timeout)
        record = record_options(spec)
        jobs = tuple(
            Job(
                self._key(snippet, interpreter, limits, record),
                snippet,
                interpreter,
                limits,
                record,
            )
            for interpreter in self.interpreters()
        )
        return Plan(location, spec, snippet, claims, jobs)

    def _key(
        self,
        snippet: Snippet,
        interpreter: Interpreter,
        limits: Limits,
        record: RecordOptions | None,
    ) -> str:
        """Everything that can change the run's result, hashed."""
        return cache_key(
            {
                "snippet": snippet.name,
                "digest": snippet.digest,
                "python": interpreter.build,
                "executable": interpreter.executable,
                "root": interpreter.root,
                "runner": self._runner,
                "limits": [limits.timeout, limits.stdout_bytes, limits.stderr_bytes],
                "record": None if record is None else repr(record),
            }
        )

    # -- run -------------------------------------------------------------------------------
    def run(self, jobs: Iterable[Job], *, fresh: bool = False) -> list[Trace]:
        """The trace of every job, in order: from this build's runs or the cache, the others
        run many at a time. ``fresh``: run them all, cache untouched (``deepcuts check``)."""
        jobs = list(jobs)
        if fresh:
            return [_trace(result) for result in self.run_fresh(jobs)]
        known = self._known(jobs)
        self._run_missing([job for job in jobs if job.key not in known], {})
        known.update(self._known([job for job in jobs if job.key not in known]))
        return [_trace(known[job.key]) for job in jobs]

    def _run_missing(self, jobs: list[Job], plans: dict[str, Plan]) -> None:
        """Run ``jobs`` (each once), many at a time, into this build's results. A run whose
        fence is in ``plans`` is verified the moment it ends and, if it holds, stored: a build
        killed half-way leaves what it verified in the cache."""
        missing = {job.key: job for job in jobs}
        if not missing:
            return

        def settle(key: str, result: Trace | DeepCutsError) -> None:
            self._fresh[key] = result
            plan = plans.get(key)
            if plan is None or not isinstance(result, Trace):
                return
            try:
                self.verify(plan, [result])
            except DeepCutsError:
                return  # its fence reports it when it renders
            self._store(key, result)

        pool.run_all(
            [(key, self._runner_for(job)) for key, job in missing.items()],
            self.config.jobs,
            settle,
        )

    def run_fresh(
        self, jobs: list[Job], done: Callable[[int, Trace | DeepCutsError], None] | None = None
    ) -> list[Trace | DeepCutsError]:
        """Run every job now, many at a time, cache untouched; each result in order, an error
        in place of a run that could not start. ``done`` hears of each by its index."""
        each = pool.run_all(
            [(i, self._runner_for(job)) for i, job in enumerate(jobs)], self.config.jobs, done
        )
        return [each[i] for i in range(len(jobs))]

    def _known(self, jobs: list[Job]) -> dict[str, Trace | DeepCutsError]:
        """What this build ran, or the cache holds, of ``jobs``."""
        known: dict[str, Trace | DeepCutsError] = {}
        for job in jobs:
            found = self._fresh.get(job.key) or self.cache.get(job.key)
            if found is not None:
                known[job.key] = found
        return known

    def _missing(self, jobs: list[Job]) -> list[Job]:
        """Of ``jobs``, those neither this build ran nor the cache holds (nothing is read)."""
        return [j for j in jobs if j.key not in self._fresh and not self.cache.has(j.key)]

    def _runner_for(self, job: Job) -> Callable[[], Trace]:
        def run() -> Trace:
            with self._lock:
                self.executed += 1
            return run_snippet(
                job.snippet.path,
                self.config.snippets_dir,
                job.interpreter,
                job.limits,
                job.record,
                sandbox=self.sandbox(),
            )

        return run

    def prefetch(self, fences: Iterable[tuple[str, Location, tuple[str, ...]]]) -> None:
        """Plan every fence and run, in parallel, what neither this build nor the cache has. A
        fence that does not plan is left for its own rendering to report. A required sandbox
        layer that is missing raises :class:`SandboxError`: nothing may run."""
        plans: dict[str, Plan] = {}
        for body, location, header in fences:
            try:
                plan = self.plan(body, location, header)
            except DeepCutsError:
                continue
            for job in plan.jobs:
                plans.setdefault(job.key, plan)
        missing = self._missing([job for plan in plans.values() for job in plan.jobs])
        if missing:
            self.sandbox()  # raises before anything runs
            self._run_missing(missing, plans)

    # -- verify ----------------------------------------------------------------------------
    def verify(self, plan: Plan, traces: list[Trace], *, outputs: bool = True) -> None:
        """Raise the first way a run contradicts the fence: how it ended, what it printed
        (unless ``outputs`` is off or the fence says ``varies``), its claims."""
        for trace in traces:
            check_run(trace, plan.spec, plan.location)
            if outputs and not plan.spec.varies:
                check_output(trace, plan.snippet.path, plan.location)
            check_claims(list(plan.claims), trace, plan.location)

    def keep(self, plan: Plan, traces: list[Trace]) -> None:
        """Store this build's verified runs. Runs cut short by a limit are never kept: a timeout
        may be load on the machine rather than the snippet, and must be retried next build."""
        for job, trace in zip(plan.jobs, traces, strict=True):
            if self._fresh.get(job.key) is not trace:
                self.reused += 1
            else:
                self._store(job.key, trace)

    def _store(self, key: str, trace: Trace) -> None:
        with self._lock:
            if key in self._stored:
                return
            self._stored.add(key)
        if trace.error is None or trace.error.kind in ("exception", "exit"):
            self.cache.put(key, trace)

    # -- render ----------------------------------------------------------------------------
    def _fragment_key(self, plan: Plan) -> str:
        """Everything a verified fence's HTML (its source aside) depends on: the runs, the
        fence, where it stands, the expected output it was verified against, the renderer."""
        return cache_key(
            {
                "jobs": [job.key for job in plan.jobs],
                "spec": repr(plan.spec),
                "location": [plan.location.article, plan.location.line, plan.location.snippet],
                "expected": expectation_digest(plan.snippet.path),
                "renderer": self._renderer,
            }
        )

    def render_fence(
        self, body: str, location: Location, md: Any, header: tuple[str, ...] = ()
    ) -> str:
        """HTML for one fence: every stage; never raises (errors become an error block and a
        report). A fence whose runs, options and expected output are unchanged since it was last
        verified is not verified or rendered again: its HTML comes from the cache, with its
        source highlighted for this page."""
        try:
            plan = self.plan(body, location, header)
            location = plan.location
            fragment = self._fragment_key(plan)
            html = self.cache.get_html(fragment)
            if html is None:
                traces = self.run(plan.jobs)
                self.verify(plan, traces)
                self.keep(plan, traces)
                html = fence_html(plan, traces, SOURCE_MARK)
                if all(key in self._stored or self.cache.has(key) for key in _keys(plan)):
                    self.cache.put_html(fragment, html)
            else:
                self.reused += len(plan.jobs)
            return html.replace(SOURCE_MARK, source_html(plan, md), 1)
        except DeepCutsError as exc:
            error = exc.with_location(location)
        except Exception as exc:  # noqa: BLE001 - superfences would swallow it and show raw text
            error = InternalError(
                f"internal error in deepcuts: {exc!r}", location, traceback.format_exc()
            )
        self.errors.append(error)
        self.report(error)
        return render.render("error.html.j2", error=error)

    def end_build(self) -> str:
        """Once per build: a summary line, per-build state cleared, the cache pruned."""
        summary = (
            f"{self.executed} snippet run(s) executed, {self.reused} from cache, "
            f"{len(self.errors)} error(s)"
        )
        self.executed = self.reused = 0
        self.errors.clear()
        self._fresh.clear()
        self._stored.clear()
        self._plans.clear()
        self.cache.prune()
        return summary


def record_options(spec: FenceSpec) -> RecordOptions | None:
    """What the recorder records for a fence (``None``: ``trace: off``, a plain run)."""
    if spec.trace == "off":
        return None
    return RecordOptions(
        lines=spec.trace == "lines", max_events=spec.max_events, stdlib=spec.stdlib
    )


def _keys(plan: Plan) -> list[str]:
    return [job.key for job in plan.jobs]


def _trace(result: Trace | DeepCutsError) -> Trace:
    if isinstance(result, DeepCutsError):
        raise result
    return result


_ENGINES: dict[EngineConfig, Engine] = {}


def get_engine(config: EngineConfig) -> Engine:
    """The process-wide engine for ``config``."""
    engine = _ENGINES.get(config)
    if engine is None:
        engine = _ENGINES[config] = Engine(config)
    return engine


def engine_for(md: Any) -> Engine:
    """The engine a Markdown instance was set up with, or one with default settings."""
    engine = getattr(md, "deepcuts_engine", None)
    if isinstance(engine, Engine):
        return engine
    return get_engine(EngineConfig.from_options({}))
