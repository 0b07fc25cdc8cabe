"""Deterministic builds and a cache that concurrent, killed and damaged builds cannot spoil."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SITE_CONFIG, Site, build_project, copy_project
from deepcuts.run.cache import decode

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1770163200"}


def _files(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


def test_two_cold_builds_are_byte_identical(tmp_path: Path) -> None:
    """Every file of the published site, snippets run afresh each time (separate caches)."""
    first, second = copy_project(tmp_path / "one"), copy_project(tmp_path / "two")
    for root in (first, second):
        done = build_project(root, SOURCE_DATE_EPOCH=ENV["SOURCE_DATE_EPOCH"])
        assert done.returncode == 0, done.stdout + done.stderr
        executed = re.search(r"(\d+) snippet run\(s\) executed, 0 from cache", done.stderr)
        assert executed and int(executed.group(1)) > 0, done.stderr
    one, two = _files(first / "site"), _files(second / "site")
    assert one.keys() == two.keys()
    differing = [name for name in one if one[name] != two[name]]
    assert not differing, f"files that differ between two cold builds: {differing}"


def _shared_cache_site(root: Path, cache: Path) -> Site:
    site = Site(root)
    site.write(
        "mkdocs.yml",
        SITE_CONFIG.format(extra="").replace("cache_dir: .cache/deepcuts", f"cache_dir: {cache}"),
    )
    for number in range(6):
        site.write(f"snippets/s{number}.py", f"import time\ntime.sleep(0.2)\nprint({number})\n")
    site.write(
        "docs/index.md", "".join(f"```deepcut\nfile: s{number}.py\n```\n\n" for number in range(6))
    )
    return site


def test_two_builds_at_once_share_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "shared-cache"
    sites = [_shared_cache_site(tmp_path / f"site{n}", cache) for n in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict"],
            cwd=site.root,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for site in sites
    ]
    logs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), logs
    pages = [(site.root / "site" / "index.html").read_text() for site in sites]
    assert pages[0] == pages[1]
    entries = list(cache.rglob("[0-9a-f]*.trace"))
    assert len(entries) == 6
    for entry in entries:
        assert decode(entry.stem, entry.read_bytes()) is not None  # whole, never half-written
    assert not list(cache.rglob(".tmp-*"))
    warm = _shared_cache_site(tmp_path / "site3", cache).build()
    assert warm.returncode == 0 and warm.executed == 0


def test_a_killed_build_leaves_a_cache_the_next_build_can_use(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    site = _shared_cache_site(tmp_path / "site", cache)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=site.root,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list(cache.rglob("[0-9a-f]*.trace")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # mid-way: some snippets cached, others not
    proc.wait()
    kept = len(list(cache.rglob("[0-9a-f]*.trace")))
    assert 0 < kept < 6
    # What a kill during a write leaves: a temporary file beside the entries, never an entry.
    (cache / "ab").mkdir(exist_ok=True)
    (cache / "ab" / ".tmp-half.trace").write_bytes(b"deepcuts-trace 2\n\x78\x9c")
    again = site.build()
    assert again.returncode == 0, again.log
    assert again.executed == 6 - kept
    for number in range(6):
        assert f"<code>{number}\n</code>" in again.page()
