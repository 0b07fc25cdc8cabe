"""Content-addressed store of finished runs under ``.cache/deepcuts``.

A key is the SHA-256 of everything that can change a run's result (see :func:`cache_key`), so an
entry never needs invalidating: a changed input is a different key. Entries are written to a
temporary file and renamed into place, so a reader sees a whole entry or none, and two builds at
once can share the folder. An entry that does not parse, or that names another key, is treated as
missing and overwritten. Failed runs are never stored: a flaky failure must not stick.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from deepcuts.model import Trace


def cache_key(parts: dict[str, Any]) -> str:
    """Hash a JSON-able description of a run. Key order does not matter."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResultCache:
    """Disk cache plus an in-memory layer that survives ``mkdocs serve`` rebuilds."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._memory: dict[str, Trace] = {}
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        assert self.root is not None  # noqa: S101 - only called when a root is set
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Trace | None:
        """The stored trace for ``key``, or ``None`` (also for a damaged entry)."""
        if key in self._memory:
            self.hits += 1
            return self._memory[key]
        trace = None
        if self.root is not None:
            try:
                data = json.loads(self._path(key).read_text(encoding="utf-8"))
                if data.get("key") == key:
                    trace = Trace.from_json(data["trace"])
            except (OSError, ValueError, KeyError, TypeError):
                trace = None
        if trace is None:
            self.misses += 1
            return None
        self.hits += 1
        self._memory[key] = trace
        return trace

    def put(self, key: str, trace: Trace) -> None:
        """Store ``trace`` atomically. Storage errors are not fatal: the build goes on uncached."""
        self._memory[key] = trace
        if self.root is None:
            return
        path = self._path(key)
        payload = json.dumps({"key": key, "trace": trace.to_json()}, ensure_ascii=False)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(payload)
                    handle.flush()
                    os.fsync(handle.fileno())
                Path(tmp).replace(path)
            except OSError:
                Path(tmp).unlink(missing_ok=True)
                raise
