"""`mkdocs serve` for real: errors show in the page, the server survives, snippet edits rebuild."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Site


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost only
        body: bytes = response.read()
        return body.decode()


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(params=[[], ["--dirty"]], ids=["serve", "serve-dirty"])
def server(
    site: Site, request: pytest.FixtureRequest
) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    port = _free_port()
    log = site.root / "serve.log"
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", *request.param, "-a", f"127.0.0.1:{port}"],
            cwd=site.root,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        yield f"http://127.0.0.1:{port}/", log, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_shows_errors_and_rebuilds_only_the_edited_snippet(
    site: Site, server: tuple[str, Path, subprocess.Popen[str]]
) -> None:
    site.write("snippets/good.py", "print('good one')\n")
    site.write("snippets/edit.py", "1 / 0\n")
    site.write(
        "docs/index.md", "```deepcut\nfile: good.py\n```\n\n```deepcut\nfile: edit.py\n```\n"
    )
    url, log, proc = server

    _wait_for(lambda: "DeepCut failed" in _get(url), 60, "the first build")
    page = _get(url)
    assert "good one" in page and "ZeroDivisionError" in page
    assert proc.poll() is None  # the server keeps running despite the error

    time.sleep(1.1)  # coarse file-system clocks: make the edit visibly newer
    site.write("snippets/edit.py", "print('fixed now')\n")
    _wait_for(lambda: "fixed now" in _get(url), 60, "the rebuild after editing a snippet")
    assert "DeepCut failed" not in _get(url)
    builds = [line for line in log.read_text().splitlines() if "snippet run(s) executed" in line]
    assert "2 snippet run(s) executed" in builds[0]
    assert "1 snippet run(s) executed, 1 from cache" in builds[-1]
