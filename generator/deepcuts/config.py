"""The generator's configuration: the ``deepcuts`` Markdown extension's options, resolved.

One :class:`EngineConfig` selects one engine; the MkDocs plugin, ``deepcuts check`` and a bare
Markdown host all build it the same way, from the same options (documented in the fence reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepcuts.errors import FenceError
from deepcuts.record import _deepcuts_protocol as protocol
from deepcuts.run.cache import DEFAULT_MAX_BYTES

DEFAULT_SNIPPETS = "snippets"
DEFAULT_CACHE = ".cache/deepcuts"


@dataclass(frozen=True)
class EngineConfig:
    """Everything that selects an engine. Paths are absolute by the time an engine is built."""

    snippets_dir: Path
    cache_dir: Path | None
    pythons: tuple[str, ...] = ()  # empty: the interpreter running the build
    optional_pythons: tuple[str, ...] = ()  # of those, the ones a machine may lack
    interpreter_paths: tuple[tuple[str, str], ...] = ()
    timeout: float = protocol.TIMEOUT
    require_sandbox: bool = False
    cache_max_mb: int = DEFAULT_MAX_BYTES // 2**20
    jobs: int | None = None  # runs at once; None: one per core

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
        jobs = options.get("jobs")
        return cls(
            snippets_dir=snippets.resolve(),
            cache_dir=cache_dir.resolve() if cache_dir else None,
            pythons=tuple(str(p) for p in pythons),
            optional_pythons=tuple(str(p) for p in optional),
            interpreter_paths=tuple(sorted((str(k), str(v)) for k, v in dict(paths).items())),
            timeout=float(options.get("timeout") or protocol.TIMEOUT),
            require_sandbox=_truthy(options.get("require_sandbox")),
            cache_max_mb=int(options.get("cache_max_mb") or DEFAULT_MAX_BYTES // 2**20),
            jobs=int(jobs) if jobs else None,
        )


def _truthy(value: Any) -> bool:
    """A config flag that may come from the environment as text (``!ENV`` in mkdocs.yml)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
