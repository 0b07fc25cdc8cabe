"""Content-addressed store of finished runs under ``.cache/deepcuts``.

A key is the SHA-256 of everything that can change a run's result (see :func:`cache_key`), so an
entry never needs invalidating: a changed input is a different key. Entries are written to a
temporary file and renamed into place, so a reader sees a whole entry or none, and two builds at
once can share the folder. An entry that does not read back, or that names another key, is treated
as missing and overwritten. Failed runs are never stored: a flaky failure must not stick.

An entry is ``MAGIC`` followed by zlib-compressed JSON in a form made for traces (``encode``):
every string once in a table, every event an array of numbers into it. A 177-call recursion
recorded line by line, 134 KB as the trace format's JSON, is about 3.5 KB here.

Beside the runs, the cache keeps each verified fence's rendered HTML (everything but its
highlighted source) under a key of everything it depends on (``Engine.render_fence``), so that a
warm build neither decodes, verifies nor renders a fence again; a fragment names its key and the
hash of its body on its first line, so a damaged one is no fragment.

The store is bounded: :meth:`ResultCache.prune` removes the least recently used entries (a hit
touches its file) until the folder is under its size; builds prune at their end, and
``deepcuts cache`` shows the size and prunes on demand.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepcuts.model import Event, RunError, Trace

FORMAT = 3
MAGIC = b"deepcuts-trace 3\n"
SUFFIX = ".trace"
HTML_SUFFIX = ".html"  # a fence's rendered output (everything but its highlighted source)
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_NEW = tuple.__new__


def cache_key(parts: dict[str, Any]) -> str:
    """Hash a JSON-able description of a run. Key order does not matter."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def encode(key: str, trace: Trace) -> bytes:
    """The entry for ``trace``: strings in one table, events as arrays of numbers."""
    table: dict[str, int] = {}

    def s(text: str | None) -> int:
        if text is None:
            return -1
        number = table.get(text)
        if number is None:
            number = table[text] = len(table)
        return number

    def pairs(values: dict[str, str] | None) -> list[int] | int:
        return -1 if values is None else [s(x) for item in values.items() for x in item]

    events = [
        [
            s(e.event),
            e.frame,
            -1 if e.parent is None else e.parent,
            e.depth,
            s(e.function),
            s(e.qualname),
            e.line,
            e.thread,
            s(e.file),
            pairs(e.locals),
            s(e.value),
            s(e.how),
            pairs(e.objects),
            -1 if e.stdout is None else e.stdout,
            -1 if e.stderr is None else e.stderr,
        ]
        for e in trace.events
    ]
    head = trace.to_json()
    del head["events"]
    document = {
        "format": FORMAT,
        "key": key,
        "trace": head,
        "strings": list(table),
        "events": events,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return MAGIC + zlib.compress(text.encode("utf-8"), 6)


def decode(key: str, data: bytes) -> Trace | None:
    """The trace an entry holds, or None when it is not a whole entry of this format for ``key``."""
    if not data.startswith(MAGIC):
        return None
    try:
        document = json.loads(zlib.decompress(data[len(MAGIC) :]))
        if document.get("format") != FORMAT or document.get("key") != key:
            return None
        strings = document["strings"]
        head = document["trace"]

        def text(number: int) -> str | None:
            return None if number < 0 else strings[number]

        def mapping(values: list[int] | int) -> dict[str, str] | None:
            if not isinstance(values, list):
                return None
            return {strings[values[i]]: strings[values[i + 1]] for i in range(0, len(values), 2)}

        events = tuple(
            _NEW(
                Event,
                (
                    strings[k],
                    frame,
                    None if parent < 0 else parent,
                    depth,
                    strings[fn],
                    strings[qual],
                    line,
                    thread,
                    strings[file],
                    mapping(names),
                    text(value),
                    text(how),
                    mapping(objects),
                    None if out < 0 else out,
                    None if err < 0 else err,
                ),
            )
            for (
                k,
                frame,
                parent,
                depth,
                fn,
                qual,
                line,
                thread,
                file,
                names,
                value,
                how,
                objects,
                out,
                err,
            ) in document["events"]
        )
        error = head.get("error")
        return Trace(
            python=head["python"],
            snippet=head["snippet"],
            stdout=head["stdout"],
            stderr=head["stderr"],
            exit_code=head["exit_code"],
            error=None if error is None else RunError(error["kind"], error["message"]),
            truncated=bool(head.get("truncated", False)),
            events=events,
            notes=tuple(head.get("notes", ())),
            recorder=head.get("recorder"),
            scopes=dict(head.get("scopes") or {}),
        )
    except (ValueError, KeyError, TypeError, IndexError, zlib.error):
        return None


@dataclass(frozen=True)
class CacheStats:
    """What a cache folder holds."""

    runs: int  # stored traces
    fragments: int  # rendered fences
    bytes: int
    other: int  # files that are not entries of this format (older formats, leftovers)


class ResultCache:
    """Disk cache plus an in-memory layer that survives ``mkdocs serve`` rebuilds."""

    def __init__(self, root: Path | None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._memory: dict[str, Trace] = {}
        self._html: dict[str, str] = {}

    def _path(self, key: str) -> Path:
        assert self.root is not None  # noqa: S101 - only called when a root is set
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> Trace | None:
        """The stored trace for ``key``, or ``None`` (also for a damaged entry)."""
        if key in self._memory:
            return self._memory[key]
        trace = None
        if self.root is not None:
            path = self._path(key)
            try:
                trace = decode(key, path.read_bytes())
            except OSError:
                trace = None
            if trace is not None:
                with contextlib.suppress(OSError):
                    os.utime(path)  # recently used: the last to be pruned
        if trace is not None:
            self._memory[key] = trace
        return trace

    def has(self, key: str) -> bool:
        """Whether a run is stored for ``key`` (without reading it)."""
        return key in self._memory or (self.root is not None and self._path(key).is_file())

    def get_html(self, key: str) -> str | None:
        """A rendered fragment stored under ``key`` (see ``Engine.render_fence``)."""
        if key in self._html:
            return self._html[key]
        if self.root is None:
            return None
        path = self.root / key[:2] / f"{key}{HTML_SUFFIX}"
        try:
            head, _, body = path.read_bytes().partition(b"\n")
        except OSError:
            return None
        # The first line names the key and the body's hash: a damaged file is no fragment.
        if head != f"{key} {hashlib.sha256(body).hexdigest()}".encode():
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        text = body.decode("utf-8")
        self._html[key] = text
        return text

    def put_html(self, key: str, text: str) -> None:
        """Store a rendered fragment, atomically (errors only cost a render next time)."""
        self._html[key] = text
        if self.root is not None:
            body = text.encode("utf-8")
            head = f"{key} {hashlib.sha256(body).hexdigest()}\n".encode()
            self._write(self.root / key[:2] / f"{key}{HTML_SUFFIX}", head + body)

    def put(self, key: str, trace: Trace) -> None:
        """Store ``trace`` atomically. Storage errors are not fatal: the build goes on uncached."""
        self._memory[key] = trace
        if self.root is None:
            return
        self._write(self._path(key), encode(key, trace))

    @staticmethod
    def _write(path: Path, payload: bytes) -> None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                    handle.flush()
                    os.fsync(handle.fileno())
                Path(tmp).replace(path)
            except OSError:
                Path(tmp).unlink(missing_ok=True)
                raise

    def _files(self) -> list[tuple[float, int, Path]]:
        """(last use, size, path) of every file under the root."""
        found: list[tuple[float, int, Path]] = []
        if self.root is None or not self.root.is_dir():
            return found
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(folder, name)
                with contextlib.suppress(OSError):
                    stat = path.stat()
                    found.append((stat.st_mtime, stat.st_size, path))
        return found

    def stats(self) -> CacheStats:
        """How many entries, how many bytes, and how many other files the folder holds."""
        files = self._files()
        entries = [f[2].name for f in files if _is_entry(f[2])]
        runs = sum(name.endswith(SUFFIX) for name in entries)
        return CacheStats(
            runs, len(entries) - runs, sum(f[1] for f in files), len(files) - len(entries)
        )

    def prune(self, max_bytes: int | None = None) -> int:
        """Remove entries, least recently used first, until the folder holds at most
        ``max_bytes`` (the cache's bound by default); files of older formats go whatever the
        size. A temporary file another build may still be renaming is left alone for an hour.
        Returns how many files were removed."""
        bound = self.max_bytes if max_bytes is None else max_bytes
        files = self._files()
        total = sum(size for _used, size, _path in files)
        removed = 0
        stale = time.time() - 3600
        # Older formats and leftovers first, then entries from the least recently used.
        for used, size, path in sorted(files, key=lambda f: (_is_entry(f[2]), f[0])):
            if path.name.startswith(".tmp-") and used > stale:
                continue
            if total <= bound and _is_entry(path):
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
                removed += 1
        return removed


def _is_entry(path: Path) -> bool:
    return path.name.endswith((SUFFIX, HTML_SUFFIX)) and not path.name.startswith(".")
