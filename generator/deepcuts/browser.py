"""The built site in a real browser: which pages it has, a local server for them, Debian's
Chromium through Playwright (never a downloaded browser), and screenshots of every page at the
widths and in the palettes readers use. The browser tests and ``deepcuts screenshots`` share it,
so a reviewer looks at exactly the pages the tests checked.

Playwright is a test dependency (``pip install -e '.[test]'``); nothing here is needed to build.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepcuts.errors import DeepCutsError

# As root, Chromium's own sandbox cannot start; the rest keeps it from reaching the network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@dataclass(frozen=True)
class View:
    """One way a reader sees a page: a viewport width and a colour scheme."""

    name: str  # desktop-light
    width: int
    height: int
    scheme: str  # light or dark


VIEWS = (
    View("desktop-light", 1280, 900, "light"),
    View("desktop-dark", 1280, 900, "dark"),
    View("phone-light", 390, 844, "light"),  # a common phone's CSS width
    View("phone-dark", 390, 844, "dark"),
)


def chromium() -> str:
    """The system's Chromium, or an error that says how to get it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise DeepCutsError("chromium is not installed (Debian: apt-get install chromium)")
    return found


def site_pages(site: Path) -> list[str]:
    """Every page of a built site as a path from its root (``""``, ``deepcuts/function-call/``),
    in a stable order; the 404 page and the search index are not pages."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        if relative.split("/")[0] in ("search", "assets"):
            continue
        pages.append("" if relative == "." else relative + "/")
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing per request."""


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on a free localhost port; yields the base URL, ending in ``/``."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def launch() -> Iterator[Any]:
    """A headless Chromium driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - a test dependency
    except ImportError as missing:
        raise DeepCutsError(
            "Playwright is not installed: pip install -e '.[test]'", detail=str(missing)
        ) from None
    executable = chromium()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, url: str, view: View) -> Any:
    """A new page at ``url`` seen as ``view``, fully loaded (fonts too)."""
    context = browser.new_context(
        viewport={"width": view.width, "height": view.height}, color_scheme=view.scheme
    )
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready")
    return page


def screenshot_name(page: str, view: View) -> str:
    """``deepcuts-function-call--phone-dark.png``; the home page is ``index``."""
    stem = page.strip("/").replace("/", "-") or "index"
    return f"{stem}--{view.name}.png"


def screenshots(
    site: Path, out: Path, views: tuple[View, ...] = VIEWS, browser: Any = None
) -> list[Path]:
    """Full-page screenshots of every page of ``site`` in every view, written into ``out``
    (with ``browser``, in that already running browser)."""
    if not (site / "index.html").is_file():
        raise DeepCutsError(f"{site} is not a built site (run: mkdocs build)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(serve(site))
        if browser is None:
            browser = stack.enter_context(launch())
        for page in site_pages(site):
            for view in views:
                opened = open_page(browser, base + page, view)
                target = out / screenshot_name(page, view)
                opened.screenshot(path=str(target), full_page=True)
                opened.context.close()
                written.append(target)
    return written


def in_ci() -> bool:
    """Whether a missing browser is a failure (CI) rather than a reason to skip (a laptop)."""
    return bool(os.environ.get("CI"))
