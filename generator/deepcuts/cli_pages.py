"""The ``deepcuts`` commands that make and show the site's pages: ``new``, ``index`` and
``screenshots``, and the series check ``deepcuts check`` adds to its own."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from deepcuts import series
from deepcuts.check import Checker, find_fences, summary
from deepcuts.engine import Engine


def series_problems(config_file: Path) -> list[str]:
    """What is wrong with the series' front matter, or out of date in the files made from it."""
    config, docs = _series_files(config_file)
    try:
        old = series.stale(docs, config_file, config)
    except series.SeriesError as exc:
        return [str(exc)]
    return [f"{path} is out of date with the articles' front matter: run deepcuts index"
            for path in old]  # fmt: skip


def _series_files(config_file: Path) -> tuple[Any, Path]:
    from deepcuts.plugin import load_mkdocs  # noqa: PLC0415 - MkDocs reads its own configuration

    config = load_mkdocs(config_file)
    return config, Path(config.docs_dir)


def _cmd_index(args: argparse.Namespace) -> int:
    config_file = Path(args.config)
    config, docs = _series_files(config_file)
    if args.check:
        old = series.stale(docs, config_file, config)
        for path in old:
            print(f"deepcuts: {path} is out of date: run deepcuts index", file=sys.stderr)
        return 1 if old else 0
    changed = series.write(docs, config_file, config)
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print("the index, navigation and feed are up to date", file=sys.stderr)
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from deepcuts.new import new_article  # noqa: PLC0415
    from deepcuts.plugin import load_site  # noqa: PLC0415

    config_file = Path(args.config)
    engine_config, docs = load_site(config_file)
    made = new_article(args.title, docs, engine_config.snippets_dir, args.summary)
    article = made.article.relative_to(docs).as_posix()
    print(f"wrote {made.article}\nwrote {made.snippet}")
    if not args.no_run:
        engine = Engine(engine_config)
        engine.report = lambda error: print(f"deepcuts: {error}", file=sys.stderr)
        fences = [f for f in find_fences(docs) if f.article == article]
        results = Checker(engine, update=True).run(fences)
        if any(r.status == "failed" for r in results):
            print(summary(results), end="", file=sys.stderr)
            return 1
        print(f"recorded the output of {made.snippet.name} on "
              f"{', '.join(i.version for i in engine.interpreters())}")  # fmt: skip
    config, _docs = _series_files(config_file)
    for path in series.write(docs, config_file, config):
        print(f"wrote {path}")
    folder = made.snippet.parent
    print(
        f"""
Next:
  1. Write the article: {made.article}
     (its summary is a draft: say in one sentence what the reader will learn)
  2. Replace {made.snippet} and add snippets beside it, in {folder}/
  3. Record their output and read it:  deepcuts check {made.article} --update && git diff
  4. Preview it as you write:          mkdocs serve
  5. Before the pull request:          deepcuts check && mkdocs build --strict, then the
     standard and the fact-check in docs/contributing/writing.md"""
    )
    return 0


def _cmd_screenshots(args: argparse.Namespace) -> int:
    from deepcuts import browser  # noqa: PLC0415 - needs Playwright, a test dependency

    written = browser.screenshots(Path(args.site), Path(args.out))
    for path in written:
        print(path)
    print(f"{len(written)} screenshots in {args.out}", file=sys.stderr)
    return 0


def add_series_commands(sub: Any) -> None:
    """The commands that make and show the site's pages: new, index, screenshots."""
    made = sub.add_parser("new", help="start a new DeepCut: article, first snippet, index, feed")
    made.add_argument("title", help="the article's title, in quotes")
    made.add_argument("--summary", help="the one-sentence summary (default: a draft to rewrite)")
    made.add_argument("--config", default="mkdocs.yml", help="the site (default mkdocs.yml)")
    made.add_argument(
        "--no-run", action="store_true", help="do not run the first snippet to record its output"
    )
    made.set_defaults(handler=_cmd_new)

    index = sub.add_parser(
        "index", help="write the series index, home table, navigation and feed from front matter"
    )
    index.add_argument("--config", default="mkdocs.yml", help="the site (default mkdocs.yml)")
    index.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    index.set_defaults(handler=_cmd_index)

    shots = sub.add_parser(
        "screenshots",
        help="screenshot every page of the built site: desktop and phone, light and dark",
    )
    shots.add_argument("--site", default="site", help="the built site (default site/)")
    shots.add_argument("--out", default="screenshots", help="where to write (default screenshots/)")
    shots.set_defaults(handler=_cmd_screenshots)
