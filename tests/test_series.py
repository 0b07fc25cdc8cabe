"""The series: front matter checked with one message per mistake, the index, home table,
navigation and feed made from it and kept in step, and `deepcuts new` from title to built page."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, build_project, copy_project
from deepcuts import series
from deepcuts.new import new_article
from deepcuts.plugin import load_mkdocs

TODAY = dt.date(2026, 11, 25)
GOOD = "---\ntitle: {title}\ndate: 2026-03-01\nsummary: What it shows.\nseries: {n}\n---\n\n# T\n"


def _docs(tmp_path: Path, **articles: str) -> Path:
    docs = tmp_path / "docs"
    (docs / series.SECTION).mkdir(parents=True)
    for slug, text in articles.items():
        (docs / series.SECTION / f"{slug}.md").write_text(text)
    return docs


def test_the_committed_index_nav_and_feed_match_the_articles() -> None:
    config_file = REPO / "mkdocs.yml"
    config = load_mkdocs(config_file)
    assert series.stale(Path(config.docs_dir), config_file, config) == [], (
        "run `deepcuts index` and commit what it writes"
    )


def test_articles_come_in_series_order(tmp_path: Path) -> None:
    docs = _docs(tmp_path, b=GOOD.format(title="Second", n=2), a=GOOD.format(title="First", n=1))
    assert [a.title for a in series.read_series(docs, TODAY)] == ["First", "Second"]


FM = "---\n{}\n---\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no front matter\n", "x.md:1: no front matter"),
        (
            FM.format("title: T\ndate: 2026-03-01\nseries: 1"),
            "x.md:1: front matter: summary is missing",
        ),
        (
            FM.format("title: T\ndate: 2026-03-01\nsummary: ''\nseries: 1"),
            "x.md:4: front matter: summary is empty",
        ),
        (
            FM.format("title: T\ndate: 2099-01-01\nsummary: S\nseries: 1"),
            "x.md:3: front matter: date 2099-01-01 is in the future",
        ),
        (
            FM.format("title: T\ndate: March\nsummary: S\nseries: 1"),
            "x.md:3: front matter: date is not a date",
        ),
        (
            FM.format("title: T\ndate: 2026-03-01\nsummary: S\nseries: first"),
            "x.md:5: front matter: series is the article's place",
        ),
        (FM.format("title: [unclosed"), "x.md:2: front matter is not valid YAML"),
    ],
)
def test_each_front_matter_mistake_gets_one_message_with_its_line(
    tmp_path: Path, text: str, message: str
) -> None:
    docs = _docs(tmp_path, x=text)
    with pytest.raises(series.SeriesError) as raised:
        series.read_series(docs, TODAY)
    assert f"deepcuts/{message}" in str(raised.value)
    assert str(raised.value).count("\n  ") == 1  # one problem, one message


def test_two_articles_cannot_share_a_place(tmp_path: Path) -> None:
    docs = _docs(tmp_path, a=GOOD.format(title="A", n=1), b=GOOD.format(title="B", n=1))
    with pytest.raises(
        series.SeriesError, match=re.escape("series 1 is also deepcuts/a.md's place")
    ):
        series.read_series(docs, TODAY)


def test_the_feed_is_valid_atom_newest_first_with_every_article(tmp_path: Path) -> None:
    docs = _docs(
        tmp_path,
        old=GOOD.format(title="Old & <first>", n=1),
        new=GOOD.replace("2026-03-01", "2026-04-01").format(title="New", n=2),
    )
    articles = series.read_series(docs, TODAY)
    text = series.feed(articles, "Site", "https://example.org/", "About")
    assert text == series.feed(articles, "Site", "https://example.org/", "About")  # stable
    root = ET.fromstring(text)  # noqa: S314 -- the feed this test just generated
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["New", "Old & <first>"]
    links = [e.find("a:link", ns).get("href") for e in root.findall("a:entry", ns)]  # type: ignore[union-attr]
    assert links == ["https://example.org/deepcuts/new/", "https://example.org/deepcuts/old/"]
    assert root.findtext("a:updated", namespaces=ns) == "2026-04-01T00:00:00Z"


def test_new_refuses_a_title_that_exists(tmp_path: Path) -> None:
    docs = _docs(tmp_path, **{"what-a-frame-holds": GOOD.format(title="X", n=1)})
    with pytest.raises(series.SeriesError, match="slug exists already"):
        new_article("What a frame holds", docs, tmp_path / "snippets", today=TODAY)
    with pytest.raises(series.SeriesError, match="no letters"):
        new_article("?!", docs, tmp_path / "snippets", today=TODAY)


@pytest.mark.slow
def test_new_then_check_then_strict_build_puts_the_article_everywhere(tmp_path: Path) -> None:
    """The contributor's path in a fresh copy: `deepcuts new`, `deepcuts check --update`,
    `mkdocs build --strict`; the page is built, in the series index, the nav and the feed."""
    root = copy_project(tmp_path / "project")
    deepcuts = [sys.executable, "-m", "deepcuts.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*deepcuts, *args], cwd=root, capture_output=True, text=True, timeout=600, check=False
        )

    made = run("new", "What a frame holds on to")
    assert made.returncode == 0, made.stderr
    assert "Next:" in made.stdout and "deepcuts check" in made.stdout
    article = root / "docs" / "deepcuts" / "what-a-frame-holds-on-to.md"
    assert (root / "snippets" / "what_a_frame_holds_on_to" / "first.out").is_file()
    checked = run("check", str(article))
    assert checked.returncode == 0, checked.stderr
    done = build_project(root)
    assert done.returncode == 0, done.stderr
    site = root / "site"
    assert (site / "deepcuts" / "what-a-frame-holds-on-to" / "index.html").is_file()
    assert "What a frame holds on to" in (site / "deepcuts" / "index.html").read_text()
    assert "what-a-frame-holds-on-to/" in (site / "feed.xml").read_text()
    assert "What a frame holds on to" in (root / "mkdocs.yml").read_text()
    home = (site / "index.html").read_text()
    assert "What a frame holds on to" in home


@pytest.mark.slow
def test_a_stale_index_fails_the_strict_build_with_the_fix_named(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    article = root / "docs" / "deepcuts" / "function-call.md"
    article.write_text(article.read_text().replace("date: 2026-02-04", "date: 2026-02-05"))
    done = build_project(root)
    assert done.returncode != 0
    assert "out of date with the articles' front matter: run `deepcuts index`" in done.stderr
