"""The project's own site, built for real with `mkdocs build --strict`."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO, build_project, copy_project


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a copy of the repository's site (its own cache folder, so it really runs)."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    done = build_project(root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "site"


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def _outputs(page: Path) -> list[str]:
    raw = page.read_text(encoding="utf-8")
    blocks = re.findall(
        r'<pre class="deepcut-(?:stdout|stderr)"><code>(.*?)</code></pre>', raw, re.S
    )
    return [html.unescape(b) for b in blocks]


def test_function_call_page_shows_the_real_outputs(built_site: Path) -> None:
    page = built_site / "deepcuts" / "function-call" / "index.html"
    outputs = "\n".join(_outputs(page))
    assert "Function: demo" in outputs
    assert re.search(r"^Arguments: \{'a': 2, 'b': 3, .*\}$", outputs, re.M)
    # The seed program's last lines: the stack from the innermost call outwards, nothing between.
    seed_stdout = _outputs(page)[-2]
    assert seed_stdout.splitlines()[-3:] == ["level_two", "level_one", "<module>"]
    assert "RuntimeWarning: coroutine 'async_fn' was never awaited" in outputs
    assert "State: CORO_CREATED" in outputs
    assert "Its locals are still readable: {'message': 'done'}" in outputs
    assert "0x7f" not in outputs and "/root/" not in outputs and str(REPO) not in outputs


def test_every_seed_section_is_covered(built_site: Path) -> None:
    text = _text(built_site / "deepcuts" / "function-call" / "index.html")
    for heading in (
        "A call to a Python function pushes a frame",  # the seed's "A call creates a frame"
        "Arguments are bound before the body runs",
        "Each call has its own local scope",
        "Returning, and what happens to the frame",
        "Calling an async function does not run it",
        "The call stack",
        # the seed's "Why this model matters": recursion limits, closures, decorators
        "The recursion limit",
        "Where a name comes from",
        "Decorators add frames only when they add functions",
        "Key points",
        "The whole program",
    ):
        assert heading in text


def test_index_lists_every_deepcut_with_date_and_summary(built_site: Path) -> None:
    index = _text(built_site / "index.html")
    series_page = _text(built_site / "deepcuts" / "index.html")
    for article in sorted((REPO / "docs" / "deepcuts").glob("*.md")):
        if article.name == "index.md":
            continue
        front = yaml.safe_load(article.read_text(encoding="utf-8").split("---")[1])
        assert front["title"] in series_page and str(front["date"]) in series_page
        assert front["title"] in index
        assert str(front["date"]) in index
        summary = re.sub(r"`([^`]*)`", r"\1", front["summary"])
        assert summary in index


def test_pages_request_nothing_from_other_hosts(built_site: Path) -> None:
    """No fonts, scripts, styles or images from a CDN: reading a page fetches only from the site."""
    loads = re.compile(
        r"<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)=\"(https?:)?//", re.I
    )
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not loads.search(text), page
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
    for sheet in built_site.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?https?:", sheet.read_text()), sheet
        assert not re.search(r"url\(\s*['\"]?https?://", sheet.read_text()), sheet


def test_site_has_search_palette_toggle_and_copy_buttons(built_site: Path) -> None:
    page = (built_site / "deepcuts" / "function-call" / "index.html").read_text()
    assert 'data-md-component="search"' in page
    assert 'data-md-color-media="(prefers-color-scheme)"' in page
    assert '"content.code.copy"' in page
    assert (built_site / "search" / "search_index.json").is_file()


def test_without_the_comments_setting_no_page_mentions_them(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "giscus" not in text and "deepcut-comments" not in text, page


def test_every_page_links_the_feed(built_site: Path) -> None:
    for page in built_site.rglob("index.html"):
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert 'type="application/atom+xml"' in head and "feed.xml" in head, page
    assert (built_site / "feed.xml").read_bytes().startswith(b'<?xml version="1.0"')
