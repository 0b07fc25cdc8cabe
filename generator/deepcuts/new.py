"""``deepcuts new "TITLE"``: a new DeepCut's files, ready to build.

It writes the article (front matter with the title, today's date, a draft summary and the next
place in the series), a snippet folder with a first snippet the article already shows, and
nothing else by hand: the command then records the snippet's output and regenerates the index,
the navigation and the feed (:mod:`deepcuts.series`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from deepcuts.errors import Location
from deepcuts.series import SECTION, SeriesError, read_series, slugify

FIRST_SNIPPET = '''\
"""The first program of this DeepCut: replace it with one that shows it."""
import sys


def where_am_i():
    frame = sys._getframe()
    return frame.f_code.co_name, frame.f_back.f_code.co_name


print(where_am_i())
'''

ARTICLE = """\
---
title: {title_yaml}
date: {date}
# One sentence for the index and the feed: what the reader will know after reading.
summary: {summary}
series: {series}
snippets: {folder}
---

# {title}

Say here the question this DeepCut answers, in the words a working programmer would ask it.

```deepcut
file: {folder}/first.py
title: A first look
claims:
  - where_am_i is called from <module>
```

Explain what the run shows. Then the next section, each with its own snippet. Read
[the standard every DeepCut meets](../contributing/writing.md#the-standard-every-deepcut-meets)
before opening the pull request.

## References

- [The Python data model](https://docs.python.org/3/reference/datamodel.html)
"""


@dataclass(frozen=True)
class NewArticle:
    """What ``new`` wrote."""

    article: Path
    snippet: Path
    series: int


def new_article(
    title: str,
    docs: Path,
    snippets_dir: Path,
    summary: str | None = None,
    today: dt.date | None = None,
) -> NewArticle:
    """Write the article and its first snippet; SeriesError for a title that cannot be one."""
    title = " ".join(title.split())
    slug = slugify(title)
    if not slug:
        raise SeriesError(f"the title {title!r} has no letters or digits to make a file name of")
    article = docs / SECTION / f"{slug}.md"
    name = article.relative_to(docs).as_posix()
    if article.exists():
        raise SeriesError(
            f"an article with this slug exists already: {name} (choose another title, or edit it)",
            Location(name),
        )
    folder = slug.replace("-", "_")
    snippet_folder = snippets_dir / folder
    if snippet_folder.exists():
        raise SeriesError(
            f"the snippet folder {snippet_folder} exists already: choose another title"
        )
    articles = read_series(docs, today)  # the series must be sound before it grows
    position = max((a.series for a in articles), default=0) + 1
    date = today or dt.date.today()
    summary = summary or f"What CPython does when it runs this: {title[0].lower()}{title[1:]}."
    snippet_folder.mkdir(parents=True)
    snippet = snippet_folder / "first.py"
    snippet.write_text(FIRST_SNIPPET, encoding="utf-8")
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text(
        ARTICLE.format(
            title=title,
            title_yaml=_yaml_text(title),
            date=date.isoformat(),
            summary=_yaml_text(summary),
            series=position,
            folder=folder,
        ),
        encoding="utf-8",
    )
    return NewArticle(article, snippet, position)


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back the same, else double-quoted."""
    plain_safe = not any(c in text for c in ":#'\"{}[],&*!|>%@`") and not text[:1].isdigit()
    if plain_safe:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
