"""The engine behind the fence: discover -> run -> verify -> render for one fence at a time.

One :class:`Engine` exists per configuration and per process, so its in-memory cache, its
interpreter look-ups and its error list survive the many ``Markdown`` instances MkDocs creates (one
per page) and ``mkdocs serve`` rebuilds. The MkDocs plugin only tells it which article is being
rendered and turns its errors into build warnings.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import deepcuts
from deepcuts import render
from deepcuts.claims import check_claims, parse_claims
from deepcuts.discover import Snippet, excerpt, load_snippet
from deepcuts.errors import DeepCutsError, FenceError, InternalError, Location
from deepcuts.model import Trace
from deepcuts.render.figures import render_diagrams, viewer_data
from deepcuts.render.outputs import group_outputs, tab_anchor
from deepcuts.run import interpreters as discovery
from deepcuts.run.cache import ResultCache, cache_key
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.process import Limits
from deepcuts.run.runner import RecordOptions, run_snippet
from deepcuts.run.sandbox import Sandbox, choose_sandbox
from deepcuts.spec import FenceSpec, parse_spec
from deepcuts.verify import check_output, check_run

log = logging.getLogger("deepcuts")

DEFAULT_SNIPPETS = "snippets"
DEFAULT_CACHE = ".cache/deepcuts"


def _runner_digest() -> str:
    """Hash of the code that produces a trace: a changed runner must not reuse old results."""
    digest = hashlib.sha256(deepcuts.__version__.encode())
    package = Path(__file__).parent
    for part in sorted([*package.glob("run/*.py"), *package.glob("record/*.py")]):
        digest.update(part.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class EngineConfig:
    """Everything that selects an engine. Paths are absolute by the time an engine is built."""

    snippets_dir: Path
    cache_dir: Path | None
    pythons: tuple[str, ...] = ()  # empty: the interpreter running the build
    optional_pythons: tuple[str, ...] = ()  # of those, the ones a machine may lack
    interpreter_paths: tuple[tuple[str, str], ...] = ()
    timeout: float = 10.0
    require_sandbox: bool = False

    @classmethod
    def from_options(cls, options: dict[str, Any], base: Path | None = None) -> EngineConfig:
        """Build from the Markdown extension's options, resolving paths against ``base``."""
        base = base or Path.cwd()
        snippets = base / str(options.get("snippets_dir") or DEFAULT_SNIPPETS)
        cache_opt = options.get("cache_dir", DEFAULT_CACHE)
        cache_dir = None if cache_opt in (None, "", False) else base / str(cache_opt)
        pythons = options.get("pythons") or ()
        if isinstance(pythons, str):
            pythons = (pythons,)
        paths = options.get("interpreters") or {}
        optional = options.get("optional_pythons") or ()
        for version in (*pythons, *optional):
            if not isinstance(version, str):
                raise FenceError(
                    f"Python versions in the deepcuts configuration are strings: write "
                    f"'{version}' in quotes (YAML reads 3.10 as the number 3.1)"
                )
        return cls(
            snippets_dir=snippets.resolve(),
            cache_dir=cache_dir.resolve() if cache_dir else None,
            pythons=tuple(str(p) for p in pythons),
            optional_pythons=tuple(str(p) for p in optional),
            interpreter_paths=tuple(sorted((str(k), str(v)) for k, v in dict(paths).items())),
            timeout=float(options.get("timeout") or 10.0),
            require_sandbox=_truthy(options.get("require_sandbox")),
        )


def _truthy(value: Any) -> bool:
    """A config flag that may come from the environment as text (``!ENV`` in mkdocs.yml)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _log_error(error: DeepCutsError) -> None:
    log.warning("%s", error)


@dataclass
class Engine:
    """Runs and renders fences for one configuration."""

    config: EngineConfig
    current_article: str | None = None
    line_offset: int = 0
    executed: int = 0  # child interpreters started: a warm build keeps this at 0
    errors: list[DeepCutsError] = field(default_factory=list)
    report: Callable[[DeepCutsError], None] = _log_error
    # snippet name -> articles that show it, for `mkdocs serve` to rebuild the right pages
    dependents: dict[str, set[str]] = field(default_factory=dict)
    _interpreters: list[Interpreter] | None = None

    def __post_init__(self) -> None:
        self.cache = ResultCache(self.config.cache_dir)
        self._runner = _runner_digest()

    # -- discover --------------------------------------------------------------------------
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
        """The isolation every run of this engine gets; :class:`SandboxError` when the
        configuration requires a layer this machine lacks."""
        return choose_sandbox(self.config.require_sandbox)

    # -- run -------------------------------------------------------------------------------
    def limits(self, spec: FenceSpec) -> Limits:
        """Limits for one fence: the site's defaults, with the fence's own timeout if it has one."""
        return Limits(timeout=spec.timeout or self.config.timeout)

    @staticmethod
    def record_options(spec: FenceSpec) -> RecordOptions | None:
        """What the recorder records for a fence (``None``: ``trace: off``, a plain run)."""
        if spec.trace == "off":
            return None
        return RecordOptions(
            lines=spec.trace == "lines", max_events=spec.max_events, stdlib=spec.stdlib
        )

    def key_for(
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
                "runner": self._runner,
                "limits": [limits.timeout, limits.stdout_bytes, limits.stderr_bytes],
                "record": None if record is None else repr(record),
            }
        )

    def trace(
        self,
        snippet: Snippet,
        interpreter: Interpreter,
        limits: Limits,
        record: RecordOptions | None = None,
    ) -> tuple[str, Trace, bool]:
        """``(key, trace, cached)`` for ``snippet`` on ``interpreter``: from the cache, or by
        running it. The caller stores a fresh trace with :meth:`keep` once it has been verified,
        so that a failed run is never cached."""
        key = self.key_for(snippet, interpreter, limits, record)
        cached = self.cache.get(key)
        if cached is not None:
            return key, cached, True
        self.executed += 1
        result = run_snippet(
            snippet.path,
            self.config.snippets_dir,
            interpreter,
            limits,
            record,
            sandbox=self.sandbox(),
        )
        return key, result, False

    def verified_traces(self, spec: FenceSpec, snippet: Snippet, location: Location) -> list[Trace]:
        """Run (or fetch) the snippet on every configured interpreter and verify each run: how
        it ended, what it printed, and the fence's claims. Raises the first failure."""
        claims = parse_claims(list(spec.claims), location)
        traces = []
        for interpreter in self.interpreters():
            key, trace, cached = self.trace(
                snippet, interpreter, self.limits(spec), self.record_options(spec)
            )
            check_run(trace, spec, location)
            if not spec.varies:
                check_output(trace, snippet.path, location)
            check_claims(claims, trace, location)
            if not cached:
                self.keep(key, trace)
            traces.append(trace)
        return traces

    def keep(self, key: str, trace: Trace) -> None:
        """Store a verified trace. Runs cut short by a limit are never kept: a timeout may be load
        on the machine rather than the snippet, and must be retried by the next build."""
        if trace.error is None or trace.error.kind in ("exception", "exit"):
            self.cache.put(key, trace)

    # -- render ----------------------------------------------------------------------------
    def render_fence(
        self, body: str, location: Location, md: Any, header_options: list[str] | None = None
    ) -> str:
        """HTML for one fence; never raises (errors become an error block and a report)."""
        if location.line is not None:
            location = Location(location.article, location.line + self.line_offset)
        try:
            if header_options:
                raise FenceError(
                    f"options go in the fence body as YAML, not in its header: "
                    f"{', '.join(header_options)}",
                    location,
                )
            spec = parse_spec(body, location)
            location = Location(location.article, location.line, spec.file)
            snippet = load_snippet(self.config.snippets_dir, spec.file)
            if location.article:
                self.dependents.setdefault(snippet.name, set()).add(location.article)
            shown = excerpt(snippet, spec.section, spec.lines)
            traces = self.verified_traces(spec, snippet, location)
            title = spec.title or snippet.name
            return render.render(
                "snippet.html.j2",
                diagrams=render_diagrams(spec, traces[0], location, snippet.source),
                viewer=viewer_data(traces[0], snippet.source) if spec.viewer else None,
                groups=group_outputs(traces),
                anchor=tab_anchor(location),
                claims=spec.claims,
                varies=spec.varies,
                snippet=snippet.name,
                source_html=render.highlight_source(md, shown.text, shown.first_line, title),
                expected_error=spec.raises is not None,
            )
        except DeepCutsError as exc:
            error = exc.with_location(location)
        except Exception as exc:  # noqa: BLE001 - superfences would swallow it and show raw text
            error = InternalError(
                f"internal error in deepcuts: {exc!r}", location, traceback.format_exc()
            )
        self.errors.append(error)
        self.report(error)
        return render.render("error.html.j2", error=error)


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
