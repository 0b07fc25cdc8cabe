"""The series: every DeepCut's front matter, checked, and the files made from it.

The articles in ``docs/deepcuts/`` are the only place a contributor writes a title, a date, a
summary and a position in the series. From them ``deepcuts index`` writes, byte for byte the same
on every run:

- ``docs/deepcuts/index.md``: the series index page (``/deepcuts/``);
- the table between the ``deepcuts:series`` markers of the home page, ``docs/index.md``;
- the DeepCuts section of ``nav`` in ``mkdocs.yml`` (between the same markers), in series order,
  which also orders the theme's previous/next links;
- ``docs/feed.xml``: an Atom feed of the DeepCuts.

They are plain files, committed: the site needs no plugin to list its articles (a Markdown-only
host such as Zensical builds the same index), and a pull request shows what changed in them.
``deepcuts check`` and the build say when one is out of date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from deepcuts.errors import DeepCutsError, Location

SECTION = "deepcuts"  # the folder under docs/ that holds the series
INDEX = "index.md"
FEED = "feed.xml"
BEGIN = "deepcuts:series"  # marker comments around generated blocks
END = "/deepcuts:series"
REQUIRED = ("title", "date", "summary", "series")
FEED_ID = "tag:python-deepcuts.org,2026:"  # stable ids that do not depend on where it is hosted


class SeriesError(DeepCutsError):
    """An article's front matter is missing, malformed or contradicts another article's."""

    kind = "series"


@dataclass(frozen=True)
class Article:
    """One DeepCut, as its front matter describes it."""

    path: str  # under docs/: deepcuts/function-call.md
    title: str
    date: dt.date
    summary: str
    series: int
    snippets: str | None

    @property
    def slug(self) -> str:
        """``function-call``: the file's stem, which is also its URL."""
        return Path(self.path).stem

    @property
    def url(self) -> str:
        """The page's address relative to the site root, as MkDocs makes it."""
        return f"{SECTION}/{self.slug}/"


def slugify(title: str) -> str:
    """``What a closure keeps`` -> ``what-a-closure-keeps``."""
    words = re.findall(r"[a-z0-9]+", title.lower().replace("'", ""))
    return "-".join(words)


def _front_matter(text: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The YAML between the opening ``---`` lines, and the line of each key; None if absent."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return None
    data = yaml.safe_load("\n".join(lines[1:end])) or {}
    if not isinstance(data, dict):
        return None
    where = {}
    for number, line in enumerate(lines[1:end], start=2):
        key = line.split(":", 1)[0].strip()
        if key in data and not line.startswith((" ", "\t")):
            where[key] = number
    return data, where


def _read(docs: Path, source: Path, today: dt.date, errors: list[SeriesError]) -> Article | None:
    name = source.relative_to(docs).as_posix()
    try:
        found = _front_matter(source.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        errors.append(
            SeriesError(f"front matter is not valid YAML: {problem}", Location(name, line))
        )
        return None
    if found is None:
        errors.append(
            SeriesError(
                "no front matter: start the file with a '---' line, then title:, date:, "
                "summary: and series: (see docs/contributing/writing.md), then '---'",
                Location(name, 1),
            )
        )
        return None
    data, where = found
    count = len(errors)
    for key in REQUIRED:
        if data.get(key) in (None, ""):
            what = "is empty" if key in data else "is missing"
            where_key = Location(name, where.get(key, 1))
            errors.append(SeriesError(f"front matter: {key} {what}", where_key))
    if len(errors) > count:
        return None
    date = data["date"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors.append(
            SeriesError(
                "front matter: date is not a date (write 2026-03-01)", Location(name, where["date"])
            )
        )
        return None
    if date > today:
        errors.append(
            SeriesError(
                f"front matter: date {date} is in the future (today is {today})",
                Location(name, where["date"]),
            )
        )
    summary = str(data["summary"]).strip()
    if not summary:
        where_summary = Location(name, where["summary"])
        errors.append(SeriesError("front matter: summary is empty", where_summary))
    position = data["series"]
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        errors.append(
            SeriesError(
                "front matter: series is the article's place in the series: 1, 2, 3, ...",
                Location(name, where["series"]),
            )
        )
        return None
    snippets = data.get("snippets")
    return Article(
        name,
        str(data["title"]).strip(),
        date,
        summary,
        position,
        str(snippets).strip("/") if snippets else None,
    )


def read_series(docs: Path, today: dt.date | None = None) -> list[Article]:
    """Every article of the series in series order, its front matter checked; a SeriesError
    naming every problem (file and line, one message each) if any."""
    today = today or dt.date.today()
    errors: list[SeriesError] = []
    articles = []
    folder = docs / SECTION
    for source in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        if source.name == INDEX:
            continue
        article = _read(docs, source, today, errors)
        if article is not None:
            articles.append(article)
    by_position: dict[int, Article] = {}
    for article in articles:
        other = by_position.setdefault(article.series, article)
        if other is not article:
            errors.append(
                SeriesError(
                    f"front matter: series {article.series} is also {other.path}'s place: "
                    "each article has its own",
                    Location(article.path),
                )
            )
    if errors:
        raise SeriesError(
            f"{len(errors)} problem(s) in the series' front matter",
            detail="\n".join(f"  {error}" for error in errors),
        )
    return sorted(articles, key=lambda a: a.series)


def _inline(text: str) -> str:
    """A summary for a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _plain(text: str) -> str:
    """A summary as plain text (the feed): inline code marks dropped."""
    return re.sub(r"`([^`]*)`", r"\1", " ".join(text.split()))


def home_block(articles: list[Article]) -> str:
    """The home page's table of DeepCuts (between the markers)."""
    rows = [
        f"| {a.series} | [{a.title}]({a.path}) | {a.date.isoformat()} | {_inline(a.summary)} |"
        for a in articles
    ]
    return "\n".join(
        ["| # | DeepCut | Published | What it covers |", "| --- | --- | --- | --- |", *rows]
    )


def index_page(articles: list[Article]) -> str:
    """``docs/deepcuts/index.md``: the series, in order, each with its date and summary."""
    parts = [
        "---",
        "title: The DeepCuts",
        "---",
        "",
        "<!-- Made by `deepcuts index` from the articles' front matter: edit those, not this. -->",
        "",
        "# The DeepCuts",
        "",
        "Each DeepCut answers one question about how CPython runs your code, with programs that",
        "were run, recorded and checked when this site was built. They build on each other: read",
        "them in order, or start where your question is.",
        "",
        f"New ones are announced in [the feed](../{FEED}).",
        "",
    ]
    for article in articles:
        parts += [
            f"## {article.series}. [{article.title}]({Path(article.path).name})",
            "",
            f"*{article.date.isoformat()}*: {' '.join(article.summary.split())}",
            "",
        ]
    return "\n".join(parts)


def nav_block(articles: list[Article], indent: str) -> str:
    """The DeepCuts section's entries of ``nav`` (between the markers), at ``indent``."""
    lines = [f"{indent}- {SECTION}/{INDEX}"]
    for article in articles:
        title = article.title.replace('"', '\\"')
        lines.append(f'{indent}- "{title}": {article.path}')
    return "\n".join(lines)


def feed(articles: list[Article], site_name: str, site_url: str, description: str) -> str:
    """An Atom feed of the series, newest first. Links are absolute when the site's URL is
    configured and relative to the feed (which sits at the site's root) otherwise."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    newest = max((a.date for a in articles), default=dt.date(2026, 1, 1))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(site_name)}</title>",
        f"  <subtitle>{escape(description)}</subtitle>",
        f"  <id>{FEED_ID}{SECTION}</id>",
        f'  <link rel="self" href="{escape(base + FEED)}"/>',
        f'  <link rel="alternate" type="text/html" href="{escape(base + SECTION + "/")}"/>',
        f"  <updated>{newest.isoformat()}T00:00:00Z</updated>",
        "  <author><name>The Python DeepCuts authors</name></author>",
    ]
    for article in sorted(articles, key=lambda a: (a.date, a.series), reverse=True):
        stamp = f"{article.date.isoformat()}T00:00:00Z"
        lines += [
            "  <entry>",
            f"    <title>{escape(article.title)}</title>",
            f"    <id>{FEED_ID}{SECTION}/{article.slug}</id>",
            f'    <link rel="alternate" type="text/html" href="{escape(base + article.url)}"/>',
            f"    <published>{stamp}</published>",
            f"    <updated>{stamp}</updated>",
            f"    <summary>{escape(_plain(article.summary))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _between(text: str, block: str, where: str, comment: tuple[str, str]) -> str:
    """``text`` with the lines between its BEGIN and END marker lines replaced by ``block``."""
    opening, closing = comment
    pattern = re.compile(
        rf"(^[ \t]*{re.escape(opening)}\s*{re.escape(BEGIN)}\b[^\n]*\n)(.*?)"
        rf"(^[ \t]*{re.escape(opening)}\s*{re.escape(END)}\s*{re.escape(closing)}[ \t]*$)",
        re.S | re.M,
    )
    found = pattern.search(text)
    if found is None:
        raise SeriesError(
            f"{where} has no '{opening} {BEGIN} ...{closing}' and '{opening} {END}{closing}' "
            "marker lines: put them around the part deepcuts index writes"
        )
    return text[: found.start(2)] + block + "\n" + text[found.end(2) :]


def generated(
    docs: Path, config_file: Path, config: Mapping[str, Any], today: dt.date | None = None
) -> dict[Path, str]:
    """Every file ``deepcuts index`` writes, with the content it should have now: none for a
    site with no series (no article under docs/deepcuts/), which then needs no markers."""
    articles = read_series(docs, today)
    if not articles:
        return {}
    home = docs / "index.md"
    yml = config_file.read_text(encoding="utf-8")
    marker = re.search(rf"^([ \t]*)#\s*{re.escape(BEGIN)}", yml, re.M)
    indent = marker.group(1) if marker else "      "
    return {
        docs / SECTION / INDEX: index_page(articles) + "\n",
        home: _between(
            home.read_text(encoding="utf-8"), home_block(articles), str(home), ("<!--", " -->")
        ),
        config_file: _between(yml, nav_block(articles, indent), str(config_file), ("#", "")),
        docs / FEED: feed(
            articles,
            str(config.get("site_name") or "Python DeepCuts"),
            str(config.get("site_url") or ""),
            str(config.get("site_description") or ""),
        ),
    }


def stale(
    docs: Path, config_file: Path, config: Mapping[str, Any], today: dt.date | None = None
) -> list[Path]:
    """The generated files whose content is not what the articles say now."""
    return [
        path
        for path, content in generated(docs, config_file, config, today).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != content
    ]


def write(
    docs: Path, config_file: Path, config: Mapping[str, Any], today: dt.date | None = None
) -> list[Path]:
    """Bring every generated file up to date; returns the ones that changed."""
    changed = []
    for path, content in generated(docs, config_file, config, today).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            changed.append(path)
    return changed
