"""The pipeline's pieces on their own: the one fence scanner against superfences itself, the
compact cache and its bound, the channel decoder, the shared protocol, and the parallel pool."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import markdown
import pytest

from conftest import REPO
from deepcuts.discover import scan_fences
from deepcuts.model import Event, RunError, Trace
from deepcuts.record import _deepcuts_protocol as protocol
from deepcuts.run import pool
from deepcuts.run.cache import MAGIC, ResultCache, decode, encode
from deepcuts.run.channel import ChannelDecoder
from deepcuts.run.normalise import Normaliser

TRICKY = """\
# Fences everywhere

```deepcut
file: a.py
```

````markdown
```deepcut
file: example_only.py
```
````

- a list item

    ```deepcut
    file: in_list.py
    lines: 1-2
    ```

> a quote
>
> ```deepcut
> file: quoted.py
> ```

!!! note

    ```deepcut
    file: in_admonition.py
    ```

~~~~deepcut
file: tildes.py
title: "with ``` inside"
~~~~

```python
```deepcut is not an opening here
```

```deepcut
file: last.py
claims:
  - f returns 1
```
"""


def _superfences_sees(text: str) -> list[str]:
    """The bodies superfences hands a deepcut formatter, in order, with the site's extensions."""
    seen: list[str] = []

    def formatter(source: str, *args: Any, **kwargs: Any) -> str:
        seen.append(source)
        return ""

    md = markdown.Markdown(
        extensions=["admonition", "pymdownx.superfences"],
        extension_configs={
            "pymdownx.superfences": {
                "custom_fences": [{"name": "deepcut", "class": "deepcut", "format": formatter}]
            }
        },
    )
    md.convert(text)
    return seen


@pytest.mark.parametrize(
    "text",
    [
        TRICKY,
        *(p.read_text() for p in sorted((REPO / "docs").rglob("*.md"))),
    ],
    ids=["tricky", *(p.stem for p in sorted((REPO / "docs").rglob("*.md")))],
)
def test_the_scanner_finds_what_superfences_finds(text: str) -> None:
    """The fences the build prefetches, `deepcuts check` checks and the extension numbers are
    the fences superfences renders, with the same bodies."""
    found = scan_fences(text.splitlines())
    assert [f.body.strip() for f in found] == [s.strip() for s in _superfences_sees(text)]


def test_the_scanner_gives_file_lines_and_headers() -> None:
    found = scan_fences(TRICKY.splitlines())
    assert [(f.line, f.body.splitlines()[0]) for f in found] == [
        (3, "file: a.py"),
        (15, "file: in_list.py"),
        (22, "file: quoted.py"),
        (28, "file: in_admonition.py"),
        (32, "file: tildes.py"),
        (41, "file: last.py"),
    ]
    marked = scan_fences(['```deepcut deepcuts_line="7"', "file: x.py", "```"])
    assert marked[0].header == 'deepcuts_line="7"'


def _trace(events: int = 50) -> Trace:
    return Trace(
        python="3.12.1",
        snippet="a/b.py",
        stdout="out é\n",
        stderr="",
        exit_code=1,
        error=RunError("exception", "ValueError: x"),
        truncated=True,
        notes=("a note",),
        recorder={"backend": "monitoring", "reason": "r"},
        events=tuple(
            Event(
                "call" if i % 2 == 0 else "return",
                i // 2 + 1,
                None if i < 2 else 1,
                0,
                "f",
                "f",
                3,
                0,
                "a/b.py",
                {"n": str(i)} if i % 2 == 0 else None,
                None if i % 2 == 0 else str(i),
                None,
                {"<gen>": "suspended"} if i == 7 else None,
                i,
                None,
            )
            for i in range(events)
        ),
    )


def test_a_cache_entry_reads_back_exactly_and_is_compact() -> None:
    trace = _trace(2000)
    data = encode("k" * 64, trace)
    assert data.startswith(MAGIC)
    assert decode("k" * 64, data) == trace
    plain = len(json.dumps(trace.to_json()))
    assert len(data) * 10 < plain  # a tenth of the trace format's JSON, or less
    assert decode("other", data) is None  # an entry names its key
    assert decode("k" * 64, data[:-10]) is None  # a cut entry is no entry
    assert decode("k" * 64, b'{"key": "old format"}') is None


def test_the_cache_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    for n in range(6):
        cache.put(f"{n:064d}", _trace(400))
        path = tmp_path / f"{n:064d}"[:2] / f"{n:064d}.trace"
        os.utime(path, (1000 + n, 1000 + n))  # written in this order, long ago
    (tmp_path / "00" / "old-format.json").write_text("{}")
    size = cache.stats().bytes
    assert cache.stats().runs == 6 and cache.stats().other == 1
    fresh = ResultCache(tmp_path)
    assert fresh.get(f"{0:064d}") is not None  # used now: the most recent
    removed = fresh.prune(size // 2)
    left = sorted(p.name[:64] for p in tmp_path.rglob("*.trace"))
    assert removed >= 3 and f"{0:064d}" in left and f"{1:064d}" not in left
    assert not (tmp_path / "00" / "old-format.json").exists()  # other formats go first
    assert fresh.stats().bytes <= size // 2


def test_the_decoder_reads_as_the_channel_arrives_and_mutates_nothing() -> None:
    lines = [
        {"header": {"backend": "settrace", "reason": "why"}},
        [
            [protocol.CODE_RECORD, 0, "<module>", "<module>", "/snips/x.py"],
            [protocol.CALL, 1, -1, 0, 1, 0, {}],
            [protocol.OUTPUT_RECORD, 22, 0],  # a whole line printed before f's call
            [protocol.CODE_RECORD, 1, "f", "f", "/snips/x.py"],
            [protocol.CALL, 2, 1, 1, 3, 0, {"a": "<A at 0x7f01>", "p": "'/snips/y'"}],
            [protocol.RETURN, 2, 4, "'done'"],
        ],
        [[protocol.EXCEPTION, 1, 5, "ValueError('x')", protocol.RAISED], ["bogus"]],
        [[protocol.ABANDONED, 3, 1, 1, 3, 0, "<coroutine f>", {"<coroutine f>": "created"}]],
        {"end": {"events": 4, "truncated": False, "stopped_for": None, "error": None}},
    ]
    data = b"".join(json.dumps(item).encode() + b"\n" for item in lines)
    normaliser = Normaliser([("/snips", "")])
    decoder = ChannelDecoder(normaliser)
    for start in range(0, len(data), 7):  # in small pieces, lines cut anywhere
        decoder.feed(data[start : start + 7])
    decoded = decoder.finish(b"<B at 0x7f02> 0x7f01\n", b"")
    assert decoded.stdout == "<B at 0xADDR1> 0x7f01\n"  # addresses: the output first
    assert [(e.event, e.frame, e.parent, e.depth, e.qualname) for e in decoded.events] == [
        ("call", 1, None, 0, "<module>"),
        ("call", 2, 1, 1, "f"),
        ("return", 2, 1, 1, "f"),
        ("exception", 1, None, 0, "<module>"),
        ("abandoned", 3, 1, 1, "f"),
    ]
    assert decoded.events[-1].how == "never started"
    call = decoded.events[1]
    assert call.locals == {"a": "<A at 0xADDR2>", "p": "'y'"}  # paths, and the next number
    # The byte offset is now a character offset into the normalised output (a shorter address).
    assert (call.file, call.stdout) == ("x.py", len("<B at 0xADDR1> 0x7f01\n"))
    assert decoded.notes == ("1 unreadable line(s) on the recorder's channel",)
    assert decoded.recorder == {"backend": "settrace", "reason": "why"}


def test_defaults_are_defined_once() -> None:
    """The numbers both sides agree on live in the protocol module; nothing else spells them."""
    package = REPO / "generator" / "deepcuts"
    for path in package.rglob("*.py"):
        if path.name == "_deepcuts_protocol.py":
            continue
        text = path.read_text()
        for literal in ("10_000", "10000", "200_000", "repr_cap or 200", '"DEEPCUTS_CHANNEL_FD"'):
            assert literal not in text, (path, literal)
        assert '("call", "line", "return"' not in text, path


def test_options_round_trip() -> None:
    options = {"backend": "monitoring", "lines": True, "max_events": 5, "repr_cap": 9}
    decoded = protocol.decode_options(protocol.encode_options({**options, "stdlib": False}))
    assert decoded == {**options, "stdlib": False}
    assert protocol.decode_options("")["max_events"] == protocol.MAX_EVENTS


def test_the_pool_runs_at_once_and_keys_every_result() -> None:
    running = [0]
    most = [0]
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return n * n

    results = pool.run_all([(n, lambda n=n: work(n)) for n in range(6)], jobs=2)
    assert results == {n: n * n for n in range(6)}
    assert most[0] == 2
    assert pool.workers(10_000) <= 1024 // 256  # bounded by the sandbox's process budget
