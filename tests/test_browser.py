"""The built site in a real browser: Debian's Chromium, driven by Playwright (no browser is
downloaded: Playwright is pointed at the system's executable). bin/test installs both."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator

import pytest

from conftest import REPO, build_project, copy_project

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (bin/test installs Debian's chromium)")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's site, built in a copy and served on localhost."""
    root = copy_project(tmp_path_factory.mktemp("browser-site"))
    done = build_project(root)
    assert done.returncode == 0, done.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root / "site")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/deepcuts/function-call/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, site_url: str) -> Iterator[tuple[object, list[str]]]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    opened = context.new_page()
    errors: list[str] = []
    opened.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "requestfailed",
        lambda request: (
            errors.append(f"failed: {request.url}")
            if "ERR_ABORTED" not in (request.failure or "")
            else None
        ),
    )
    opened.goto(site_url)
    yield opened, errors
    context.close()


def _state(opened: object) -> tuple[str, str, list[str]]:
    counter = opened.locator(".dc-viewer__counter").inner_text()  # type: ignore[attr-defined]
    event = opened.locator(".dc-viewer__event").inner_text()  # type: ignore[attr-defined]
    frames = opened.locator(".dc-viewer__frame strong").all_inner_texts()  # type: ignore[attr-defined]
    return counter, event, frames


def test_step_through_shows_the_frames(page: tuple[object, list[str]]) -> None:
    opened, errors = page
    viewer = opened.locator(".deepcut-viewer")  # type: ignore[attr-defined]
    assert viewer.is_visible()
    assert _state(opened) == ("Step 1 of 19", "call <module>", ["<module>"])
    next_button = opened.locator(".dc-viewer__next")  # type: ignore[attr-defined]
    for _ in range(3):
        next_button.click()
    counter, event, frames = _state(opened)
    assert (counter, event, frames) == ("Step 4 of 19", "call add", ["add", "<module>"])
    assert "a=2, b=3" in opened.locator(".dc-viewer__frame").first.inner_text()  # type: ignore[attr-defined]
    assert opened.locator(".dc-current").inner_text().startswith("def add")  # type: ignore[attr-defined]
    assert opened.locator(".dc-viewer__output").inner_text().startswith("Function: demo")  # type: ignore[attr-defined]
    while "call level_two" not in _state(opened)[1]:
        next_button.click()
    assert _state(opened)[2] == ["level_two", "level_one", "<module>"]
    assert not errors


def test_keyboard_and_links_to_steps(
    page: tuple[object, list[str]], site_url: str, browser: object
) -> None:
    opened, errors = page
    viewer = opened.locator(".deepcut-viewer")  # type: ignore[attr-defined]
    viewer.focus()
    opened.keyboard.press("End")  # type: ignore[attr-defined]
    assert _state(opened)[0] == "Step 19 of 19"
    opened.keyboard.press("ArrowLeft")  # type: ignore[attr-defined]
    assert _state(opened)[0] == "Step 18 of 19"
    opened.keyboard.press("Home")  # type: ignore[attr-defined]
    opened.keyboard.press("ArrowRight")  # type: ignore[attr-defined]
    assert _state(opened)[:2] == ("Step 2 of 19", "call demo")
    link = opened.locator(".dc-viewer__link").get_attribute("href")  # type: ignore[attr-defined]
    assert link.endswith("-step-2")
    assert not errors
    fresh = browser.new_page()  # type: ignore[attr-defined]
    fresh.goto(site_url + link.replace("-step-2", "-step-7"))  # type: ignore[attr-defined]
    assert _state(fresh)[0] == "Step 7 of 19"
    fresh.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_diagrams_are_visible_in_both_palettes(page: tuple[object, list[str]], scheme: str) -> None:
    opened, errors = page
    opened.emulate_media(color_scheme=scheme)  # type: ignore[attr-defined]
    opened.reload()  # type: ignore[attr-defined]
    background = opened.evaluate(  # type: ignore[attr-defined]
        "getComputedStyle(document.body).backgroundColor"
    )
    figures = opened.locator(".deepcut-diagram svg")  # type: ignore[attr-defined]
    assert figures.count() == 4
    for index in range(4):
        box = figures.nth(index).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 20
    fill = opened.evaluate(  # type: ignore[attr-defined]
        "getComputedStyle(document.querySelector('.dc-bar rect')).fill"
    )
    text = opened.evaluate(  # type: ignore[attr-defined]
        "getComputedStyle(document.querySelector('.dc-frame__local')).fill"
    )
    assert fill not in ("none", "rgba(0, 0, 0, 0)", background)
    assert text not in ("none", "rgba(0, 0, 0, 0)", background)
    assert not errors


def test_the_viewer_fits_its_budget() -> None:
    import gzip  # noqa: PLC0415

    assets = REPO / "docs" / "assets"
    size = sum(
        len(gzip.compress((assets / name).read_bytes()))
        for name in ("deepcuts-viewer.js", "deepcuts-viewer.css")
    )
    assert size <= 15 * 1024


def test_page_size_budget(site_url: str) -> None:
    import urllib.request  # noqa: PLC0415

    with urllib.request.urlopen(site_url, timeout=10) as response:  # noqa: S310 - localhost
        assert len(response.read()) < 300 * 1024
