"""The built site in a real browser: Debian's Chromium, driven by Playwright (no browser is
downloaded: Playwright is pointed at the system's executable). bin/test installs both."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, build_project, copy_project
from deepcuts import browser as browser_tools
from deepcuts.errors import DeepCutsError

PHONE = browser_tools.VIEWS[2]  # 390 px wide
REPO_URL = "https://github.com/example/deepcuts"
COMMENTS = """
extra:
  comments:
    repo: example/deepcuts
    repo_id: R_kgDOexample
    category: Comments
    category_id: DIC_kwDOexample
"""


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's site, built in a copy: its ``site/`` folder."""
    root = copy_project(tmp_path_factory.mktemp("browser-site"))
    with (root / "mkdocs.yml").open("a") as config:  # the opt-in comments, as a site enables them
        config.write(COMMENTS)
    done = build_project(root, DEEPCUTS_REPO_URL=REPO_URL, DEEPCUTS_EDIT_URI="edit/main/docs/")
    assert done.returncode == 0, done.stderr
    return root / "site"


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    with browser_tools.serve(built_site) as base:
        yield base


@pytest.fixture(scope="module")
def site_url(base_url: str) -> str:
    return base_url + "deepcuts/function-call/"


def _diagrams_asked_for(article: str) -> int:
    """How many diagrams the article's fences ask for: the page must draw every one."""
    from deepcuts.check import find_fences  # noqa: PLC0415
    from deepcuts.errors import Location  # noqa: PLC0415
    from deepcuts.spec import parse_spec  # noqa: PLC0415

    return sum(
        len(parse_spec(fence.body, Location(fence.article, fence.line)).diagrams)
        for fence in find_fences(REPO / "docs")
        if fence.article == article
    )


FUNCTION_CALL_DIAGRAMS = _diagrams_asked_for("deepcuts/function-call.md")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    pytest.importorskip("playwright.sync_api")
    try:
        browser_tools.chromium()
    except DeepCutsError as missing:
        if browser_tools.in_ci():
            pytest.fail(f"{missing} (bin/test installs Debian's chromium)")
        pytest.skip(str(missing))
    with browser_tools.launch() as launched:
        yield launched


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
    assert FUNCTION_CALL_DIAGRAMS >= 4 and figures.count() == FUNCTION_CALL_DIAGRAMS
    for index in range(FUNCTION_CALL_DIAGRAMS):
        box = figures.nth(index).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 20  # natural size
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


def _all_pages(built_site: Path) -> list[str]:
    pages = browser_tools.site_pages(built_site)
    assert "" in pages and "deepcuts/function-call/" in pages
    return pages


def test_no_serious_accessibility_violation_on_any_page_in_either_palette(
    browser: object, base_url: str, built_site: Path
) -> None:
    """axe-core (bundled with axe-playwright-python: nothing is fetched) on every page, light and
    dark: no violation rated serious or critical."""
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_module.Axe()
    found = []
    for path in _all_pages(built_site):
        for view in browser_tools.VIEWS[:2]:
            opened = browser_tools.open_page(browser, base_url + path, view)
            results = axe.run(opened)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    found.append(f"/{path} {view.scheme}: {violation['id']} "
                                 f"({len(violation['nodes'])} nodes, e.g. {targets})")  # fmt: skip
            opened.context.close()
    assert not found, "\n".join(found)


# Each diagram group that draws one label in one box: the label's right edge, the box's.
_LABEL_EDGES = """() => Array.from(document.querySelectorAll('.deepcut-diagram g')).flatMap(g => {
  const rects = g.querySelectorAll(':scope > rect'), texts = g.querySelectorAll(':scope > text');
  if (rects.length !== 1 || texts.length !== 1) return [];
  const r = rects[0].getBoundingClientRect(), t = texts[0].getBoundingClientRect();
  return [[texts[0].textContent, t.left - r.left, r.right - t.right]];
})"""


def test_every_diagram_label_is_drawn_whole_inside_its_box(
    browser: object, base_url: str, built_site: Path
) -> None:
    checked = 0
    for path in _all_pages(built_site):
        opened = browser_tools.open_page(browser, base_url + path, browser_tools.VIEWS[0])
        for text, left, right in opened.evaluate(_LABEL_EDGES):  # type: ignore[attr-defined]
            assert left >= 0 and right >= 0, f"/{path}: {text!r} runs out of its box"
            checked += 1
        opened.context.close()
    assert checked >= 10


def test_on_a_phone_nothing_scrolls_sideways_and_diagram_text_stays_readable(
    browser: object, base_url: str, built_site: Path
) -> None:
    smallest = []
    for path in _all_pages(built_site):
        opened = browser_tools.open_page(browser, base_url + path, PHONE)
        overflow = opened.evaluate(  # type: ignore[attr-defined]
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"/{path} scrolls sideways by {overflow} px at {PHONE.width} px"
        heights = opened.evaluate(  # type: ignore[attr-defined]
            "Array.from(document.querySelectorAll('.deepcut-diagram svg text'))"
            ".map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
        )
        smallest.extend(heights)
        opened.context.close()
    assert smallest, "the site has diagrams"
    assert round(min(smallest), 1) >= 12, f"diagram text drawn at {min(smallest):.1f} px on a phone"


def test_the_viewer_works_from_the_file_system(browser: object, built_site: Path) -> None:
    """A downloaded site opened as file://: the recording is in the page, so the viewer runs."""
    context = browser.new_context()  # type: ignore[attr-defined]
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto((built_site / "deepcuts" / "function-call" / "index.html").as_uri())
    viewer = opened.locator(".deepcut-viewer")
    assert viewer.is_visible()
    opened.locator(".dc-viewer__next").click()
    assert _state(opened)[:2] == ("Step 2 of 19", "call demo")
    assert not errors
    context.close()


def test_without_javascript_the_page_says_what_the_viewer_needs(
    browser: object, site_url: str
) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    opened = context.new_page()
    opened.goto(site_url)
    assert not opened.locator(".deepcut-viewer").is_visible()
    assert "needs JavaScript" in opened.locator("noscript").first.inner_text()
    diagrams = opened.locator(".deepcut-diagram svg").count()
    assert diagrams == FUNCTION_CALL_DIAGRAMS  # the rest is all there
    context.close()


def test_screenshots_cover_every_page_in_every_view(
    built_site: Path, browser: object, tmp_path: Path
) -> None:
    written = browser_tools.screenshots(built_site, tmp_path, browser_tools.VIEWS[2:3], browser)
    assert [p.name for p in written] == [
        browser_tools.screenshot_name(path, PHONE) for path in _all_pages(built_site)
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in written)


def test_comments_load_nothing_from_another_host_until_the_reader_asks(
    browser: object, site_url: str
) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    opened = context.new_page()
    requests: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    opened.route("https://giscus.app/**", lambda route: route.abort())  # no network here anyway
    opened.goto(site_url)
    opened.evaluate("document.fonts.ready")
    button = opened.get_by_role("button", name="Show comments")
    button.scroll_into_view_if_needed()
    assert requests and all(
        url.startswith(site_url.split("/deepcuts/", maxsplit=1)[0]) for url in requests
    )
    before = len(requests)
    button.click()
    opened.wait_for_timeout(300)
    assert [url for url in requests[before:] if "giscus.app" in url] == [
        "https://giscus.app/client.js"
    ]
    assert opened.get_by_role("button", name="Show comments").count() == 0
    context.close()


def test_each_deepcut_links_to_its_markdown_and_its_snippets(built_site: Path) -> None:
    page = (built_site / "deepcuts" / "function-call" / "index.html").read_text()
    assert f'href="{REPO_URL}/edit/main/docs/deepcuts/function-call.md"' in page
    assert f'href="{REPO_URL}/tree/main/snippets/function_call"' in page


# -- Edit and run: the reader's own run, in a Web Worker with Pyodide from the site --------------


@pytest.fixture(scope="module")
def pyodide_installed() -> None:
    from deepcuts import edit_run  # noqa: PLC0415

    found, why = edit_run.find_pyodide()
    if found is None:
        if os.environ.get("DEEPCUTS_REQUIRE_PYODIDE"):  # .ci/run
            pytest.fail(f"{why} (bin/test installs it)")
        pytest.skip(why)


def _open_editor(opened: Any) -> Any:
    """Open the editor of the page's viewer fence from the keyboard; the editor has the focus."""
    button = opened.get_by_role("button", name="Edit and run")
    button.focus()
    opened.keyboard.press("Enter")
    editor = opened.locator(".dc-run__code")
    editor.wait_for()
    assert opened.evaluate(FOCUSED_IN_EDITOR)
    return editor


def _run_and_wait(opened: Any, editor: Any, source: str) -> float:
    """Put ``source`` in the editor, run it with the shortcut; seconds until the result shows."""
    editor.fill(source)
    editor.press("Control+Enter")
    started = time.monotonic()
    opened.wait_for_function(
        "!document.querySelector('.dc-run__run').disabled", timeout=LOAD_TIMEOUT * 1000
    )
    return time.monotonic() - started


VIEWER_FENCE = ".deepcut:has(.deepcut-viewer)"
FOCUSED_IN_EDITOR = "document.activeElement.classList.contains('dc-run__code')"
LOAD_TIMEOUT = 120  # seconds: Pyodide compiles its 9.6 MB of WebAssembly on a shared CI machine


def test_edit_and_run_shows_the_readers_run_and_reset_brings_back_the_verified_one(
    pyodide_installed: None, page: tuple[Any, list[str]], base_url: str
) -> None:
    opened, errors = page
    requests: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    opened.reload()
    opened.evaluate("document.fonts.ready")
    assert requests
    assert not [url for url in requests if "pyodide" in url or "deepcuts-run" in url]
    editor = _open_editor(opened)
    # Tab leaves the editor (no keyboard trap) and Shift+Tab comes back into it.
    opened.keyboard.press("Tab")
    assert not opened.evaluate(FOCUSED_IN_EDITOR)
    opened.keyboard.press("Shift+Tab")
    assert opened.evaluate(FOCUSED_IN_EDITOR)

    source = editor.input_value()
    assert "\nadd(2, 3)\n" in source
    cold = _run_and_wait(opened, editor, source.replace("\nadd(2, 3)\n", "\nprint(add(4, 5))\n"))
    output = opened.locator(".dc-run__output")
    assert "your run on CPython 3.14" in output.locator(".dc-run__mark").text_content()
    assert "not verified" in output.locator(".dc-run__mark").text_content()
    assert "9" in output.locator(".deepcut-stdout").inner_text().splitlines()
    assert "Arguments: {'a': 4, 'b': 5," in output.inner_text()
    assert not opened.locator(f"{VIEWER_FENCE} > .deepcut-output:not(.dc-run__output)").is_visible()
    assert "not verified" in opened.locator(".dc-viewer__mine").inner_text()
    # The diagrams and claims are the verified run's: hidden while the reader's run is shown.
    assert not opened.locator(f"{VIEWER_FENCE} .deepcut-diagram").first.is_visible()
    assert not opened.locator(f"{VIEWER_FENCE} .deepcut-claims").is_visible()
    next_button = opened.locator(".dc-viewer__next")
    while _state(opened)[1] != "call add":
        next_button.click()
    assert _state(opened)[2] == ["add", "<module>"]
    assert "a=4, b=5" in opened.locator(".dc-viewer__frame").first.inner_text()

    warm = _run_and_wait(opened, editor, source.replace("\nadd(2, 3)\n", "\nprint(add(1, 1))\n"))
    assert "2" in output.locator(".deepcut-stdout").inner_text().splitlines()
    assert warm < cold
    sys.stderr.write(
        f"\nEdit and run: first result {cold:.1f} s after the click, {warm:.2f} s warm\n"
    )

    opened.get_by_role("button", name="Reset").click()
    assert opened.locator(".dc-run__output").count() == 0
    assert opened.locator(f"{VIEWER_FENCE} > .deepcut-output").is_visible()
    assert _state(opened)[0] == "Step 1 of 19"
    assert opened.locator(".dc-viewer__mine").count() == 0
    assert opened.locator(f"{VIEWER_FENCE} > .deepcut-source").is_visible()
    assert opened.locator(f"{VIEWER_FENCE} .deepcut-diagram").first.is_visible()
    assert opened.locator(f"{VIEWER_FENCE} .deepcut-claims").is_visible()
    assert all(url.startswith(base_url) for url in requests), [
        url for url in requests if not url.startswith(base_url)
    ]
    assert not errors


def test_edit_and_run_stops_an_endless_loop_and_tells_about_input(
    pyodide_installed: None, page: tuple[Any, list[str]], base_url: str
) -> None:
    opened, errors = page
    requests: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    editor = _open_editor(opened)
    _run_and_wait(opened, editor, "name = input('Your name? ')\n")
    output = opened.locator(".dc-run__output")
    assert "called input()" in output.inner_text()
    assert "EOFError" in output.locator(".deepcut-stderr").inner_text()

    editor.fill("while True:\n    pass\n")
    editor.press("Control+Enter")
    assert opened.locator(".dc-run__run").is_disabled()
    started = time.monotonic()
    # The page answers while the loop runs in the worker: the viewer still steps.
    opened.locator(".dc-viewer__next").click()
    assert _state(opened)[0] == "Step 2 of 3"
    assert time.monotonic() - started < 2
    opened.wait_for_function("!document.querySelector('.dc-run__run').disabled", timeout=30_000)
    stopped = time.monotonic() - started
    assert "Stopped after 10 s" in opened.locator(".dc-run__status").inner_text()
    assert "Stopped after 10 s" in output.inner_text()
    assert 9 < stopped < 15
    # A new worker runs the next program.
    _run_and_wait(opened, editor, "print('again')\n")
    assert output.locator(".deepcut-stdout").inner_text().strip() == "again"
    assert all(url.startswith(base_url) for url in requests)
    assert not errors


def test_edit_and_run_loads_nothing_until_pressed_and_its_code_fits_a_budget(
    pyodide_installed: None, browser: Any, site_url: str
) -> None:
    import gzip  # noqa: PLC0415

    context = browser.new_context()
    opened = context.new_page()
    sizes: dict[str, int] = {}  # the worker's requests too: the context sees them all
    context.on(
        "response",
        lambda response: sizes.__setitem__(
            response.url, int(response.headers.get("content-length") or 0)
        ),
    )
    opened.goto(site_url, wait_until="networkidle")
    before = sum(sizes.values())
    assert not [url for url in sizes if "pyodide" in url or "deepcuts-run" in url]
    editor = _open_editor(opened)
    _run_and_wait(opened, editor, "print('hi')\n")
    assert opened.locator(".dc-run__output .deepcut-stdout").inner_text().strip() == "hi"
    loaded = sum(n for url, n in sizes.items() if "pyodide" in url or "deepcuts-run" in url)
    sys.stderr.write(f"\nEdit and run: the page {before} bytes; after the click {loaded} more\n")
    assert loaded > 10_000_000  # Pyodide itself, from the site
    assets = REPO / "docs" / "assets"
    size = sum(
        len(gzip.compress((assets / name).read_bytes()))
        for name in ("deepcuts-run.js", "deepcuts-run-worker.js", "deepcuts-run.css")
    )
    assert size <= 8 * 1024
    context.close()
