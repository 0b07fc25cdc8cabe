"""MkDocs glue, and the only module that imports MkDocs.

The content does not depend on this plugin: the ``deepcut`` fence works wherever the ``deepcuts``
Markdown extension and ``pymdownx.superfences`` are configured, one fence at a time. The plugin
adds what only MkDocs can give: every fence of every page before any page renders (so that what
the cache lacks runs in parallel), which article each fence is in (for error locations), build
warnings that make ``--strict`` fail, watching ``snippets/`` under ``mkdocs serve``, and
``--dirty`` rebuilds of the pages whose snippets changed. Each hook delegates to the engine.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base, load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from deepcuts import edit_run, series
from deepcuts.config import EngineConfig
from deepcuts.discover import scan_fences
from deepcuts.engine import Engine, get_engine
from deepcuts.errors import DeepCutsError, Location
from deepcuts.fence import ARTICLE_OPTION, LINE_OPTION

log = get_plugin_logger(__name__)


def load_mkdocs(config_file: Path) -> MkDocsConfig:
    """The site ``config_file`` describes, read by MkDocs itself (``!ENV``, ``INHERIT``...)."""
    try:
        return load_config(config_file=str(config_file))
    except (Abort, ConfigurationError, OSError) as exc:
        raise DeepCutsError(f"{config_file} could not be read as a MkDocs site: {exc}") from None


def load_site(config_file: Path) -> tuple[EngineConfig, Path]:
    """The engine configuration and the docs folder of the site ``config_file`` describes: for
    ``deepcuts check`` and the other commands."""
    config = load_mkdocs(config_file)
    options = dict(config.mdx_configs.get("deepcuts") or {})
    base_dir = Path(config.config_file_path).resolve().parent
    return EngineConfig.from_options(options, base_dir), Path(config.docs_dir)


def _front_matter_lines(page: Page, markdown: str) -> int:
    """How many lines MkDocs removed from the top of the file (YAML front matter)."""
    try:
        raw = Path(page.file.abs_src_path or "").read_text(encoding="utf-8-sig")
    except OSError:
        return 0
    return max(0, len(raw.splitlines()) - len(markdown.splitlines()))


COMMENT_KEYS = ("repo", "repo_id", "category", "category_id")


def _check_comments(config: MkDocsConfig) -> None:
    """``extra.comments`` (giscus) is all or nothing: a partial setting would show a button that
    loads a broken thread."""
    extra: dict[str, Any] = dict(config.extra or {})
    comments = extra.get("comments")
    if not comments:
        return
    given = comments if isinstance(comments, dict) else {}
    missing = [key for key in COMMENT_KEYS if not given.get(key)]
    if missing:
        raise PluginError(
            f"extra.comments needs {', '.join(COMMENT_KEYS)} (giscus' repository and discussion "
            f"category, with their ids from https://giscus.app); missing: {', '.join(missing)}"
        )


VIEWER_DIV = '<div class="deepcut-viewer"'
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_DIALOG_NAMED = SEARCH_DIALOG.replace('role="dialog"', 'role="dialog" aria-label="Search"')


class DeepCutsOptions(base.Config):
    """The plugin has no options: configuration belongs to the Markdown extension, so that the
    fence behaves the same with or without the plugin."""


class DeepCutsPlugin(BasePlugin[DeepCutsOptions]):
    """``plugins: [deepcuts]``."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.pyodide: Path | None = None  # Edit and run: the npm package, when it can be offered
        self.dirty = False
        self.last_build = 0.0

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Why here: the plugin object lives across `serve` rebuilds only when it says so by
        # implementing on_startup; then the engine's memory cache survives every rebuild.
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Why here: the extension's relative paths must be resolved against mkdocs.yml, not the
        # working directory, before any Markdown instance builds its engine from them.
        if "deepcuts" not in config.markdown_extensions:
            config.markdown_extensions.append("deepcuts")
        options: dict[str, Any] = dict(config.mdx_configs.get("deepcuts") or {})
        base_dir = Path(config.config_file_path or ".").resolve().parent
        engine_config = EngineConfig.from_options(options, base_dir)
        options["snippets_dir"] = str(engine_config.snippets_dir)
        options["cache_dir"] = str(engine_config.cache_dir or "")
        config.mdx_configs["deepcuts"] = options
        self.engine = get_engine(engine_config)
        self.engine.report = self._report
        self.engine.plugin = True  # the extension then does not warn that the plugin is missing
        _check_comments(config)
        self._find_pyodide(options)
        return config

    def _find_pyodide(self, options: dict[str, Any]) -> None:
        # Edit and run needs Pyodide's files in the site; without them the control is not
        # offered, and the log says so (an info line: a site builds and reads fine without it).
        self.pyodide = None
        if str(options.get("edit_and_run", True)).lower() in ("false", "0", "no", "off", "none"):
            log.info("Edit and run: off in this site's configuration (edit_and_run: false)")
            return
        self.pyodide, why = edit_run.find_pyodide(options.get("pyodide_dir") or None)
        if self.pyodide is None:
            log.info("Edit and run is not offered on this build: %s", why)

    def _report(self, error: DeepCutsError) -> None:
        # A warning on MkDocs' logger: `mkdocs build --strict` counts it and fails; `serve` goes on.
        log.warning("%s", error)

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        # Why here: snippets live outside docs/, so MkDocs would not rebuild when one changes.
        if self.engine is not None:
            server.watch(str(self.engine.config.snippets_dir))
        return server

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Why here: the first hook that knows every page, before any page renders. Every fence
        # is planned and what the cache lacks runs now, in parallel; pages then render warm.
        if self.engine is None:
            return files
        self._mark_dirty(files)
        self._check_series(config)
        fences = []
        for file in files.documentation_pages():
            try:
                text = Path(file.abs_src_path or "").read_text(encoding="utf-8-sig")
            except OSError:
                continue
            for fence in scan_fences(text.splitlines()):
                fences.append((fence.body, Location(file.src_uri, fence.line), ()))
        try:
            self.engine.prefetch(fences)
        except DeepCutsError as exc:  # a required sandbox layer is missing: nothing may run
            raise PluginError(str(exc)) from None
        return files

    def _check_series(self, config: MkDocsConfig) -> None:
        # The index, nav and feed are committed files made from front matter (series.py): a
        # build says when they disagree with the articles, and a contributor's front matter
        # mistakes, one warning each (errors under --strict).
        config_file = Path(config.config_file_path or "mkdocs.yml")
        try:
            for path in series.stale(Path(config.docs_dir), config_file, config):
                log.warning("%s is out of date with the articles' front matter: run "
                            "`deepcuts index`", path)  # fmt: skip
        except series.SeriesError as exc:
            log.warning("%s", exc)

    def _mark_dirty(self, files: Files) -> None:
        # Under --dirty MkDocs rebuilds only pages whose Markdown is newer than their output; a
        # page whose snippet changed must count as changed too.
        if self.engine is None or not self.dirty or not self.last_build:
            return
        root = self.engine.config.snippets_dir
        for name, articles in self.engine.dependents.items():
            with contextlib.suppress(OSError):
                if (root / name).stat().st_mtime <= self.last_build:
                    continue
                for article in articles:
                    file = files.get_file_from_path(article)
                    built = Path(file.abs_dest_path) if file is not None else None
                    if built is not None and built.exists():
                        os.utime(built, (0, 0))  # now older than its source: MkDocs rebuilds it

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        # Why here: the last moment before the page's Markdown is converted, when the page is
        # known. Each fence's opening line gets its article and its line in the article's file.
        lines = markdown.splitlines()
        offset = _front_matter_lines(page, markdown)
        article = page.file.src_uri.replace('"', "%22")
        for fence in scan_fences(lines):
            index = fence.line - 1
            lines[index] = (
                f'{lines[index].rstrip()} {ARTICLE_OPTION}="{article}" '
                f'{LINE_OPTION}="{fence.line + offset}"'
            )
        return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # Why here: the theme's search dialog has no accessible name (axe: aria-dialog-name),
        # and overriding Material's search partial would mean keeping a copy of it. One attribute
        # is added where the theme's own markup stands; a theme that changes it is caught by the
        # browser tests' accessibility check, not silently.
        output = output.replace(SEARCH_DIALOG, SEARCH_DIALOG_NAMED, 1)
        if self.pyodide is not None and VIEWER_DIV in output:
            # Edit and run: each viewer learns where the site's assets are, relative to the page
            # (the fence's HTML is the same on every page; the page's depth is not).
            assets = get_relative_url("assets/", page.url).rstrip("/") + "/"
            output = output.replace(VIEWER_DIV, f'{VIEWER_DIV} data-run="{assets}"')
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # Why here: once per build, after every page; per-build state is reset for the next.
        if self.engine is not None:
            log.info("%s", self.engine.end_build())
        if self.pyodide is not None:
            copied = edit_run.install(Path(config.site_dir), self.pyodide)
            log.info("Edit and run: Pyodide %s in %s (%d bytes copied)", edit_run.PYODIDE_VERSION,
                     edit_run.SITE_PYODIDE, copied)  # fmt: skip
        self.last_build = time.time()
