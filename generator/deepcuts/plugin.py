"""MkDocs glue, and the only module that imports MkDocs.

The content does not depend on this plugin: the ``deepcut`` fence works wherever the ``deepcuts``
Markdown extension and ``pymdownx.superfences`` are configured. The plugin adds what only MkDocs can
give: which article is being rendered (for error locations), build warnings that make ``--strict``
fail, watching ``snippets/`` under ``mkdocs serve``, and ``--dirty`` rebuilds of the pages whose
snippets changed.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from deepcuts.engine import Engine, EngineConfig, get_engine
from deepcuts.errors import DeepCutsError

log = get_plugin_logger(__name__)


def _front_matter_lines(page: Page, markdown: str) -> int:
    """How many lines MkDocs removed from the top of the file (YAML front matter)."""
    try:
        raw = Path(page.file.abs_src_path or "").read_text(encoding="utf-8-sig")
    except OSError:
        return 0
    return max(0, len(raw.splitlines()) - len(markdown.splitlines()))


class DeepCutsOptions(base.Config):
    """The plugin has no options: configuration belongs to the Markdown extension, so that the
    fence behaves the same with or without the plugin."""


class DeepCutsPlugin(BasePlugin[DeepCutsOptions]):
    """``plugins: [deepcuts]``."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
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
        base = Path(config.config_file_path or ".").resolve().parent
        engine_config = EngineConfig.from_options(options, base)
        options["snippets_dir"] = str(engine_config.snippets_dir)
        options["cache_dir"] = str(engine_config.cache_dir or "")
        config.mdx_configs["deepcuts"] = options
        self.engine = get_engine(engine_config)
        self.engine.report = self._report
        try:
            log.info("%s", self.engine.sandbox().describe())
        except DeepCutsError as exc:  # a required layer is missing: no snippet may run
            raise PluginError(str(exc)) from None
        return config

    def _report(self, error: DeepCutsError) -> None:
        # A warning on MkDocs' logger: `mkdocs build --strict` counts it and fails; `serve` goes on.
        log.warning("%s", error)

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        # Why here: snippets live outside docs/, so MkDocs would not rebuild when one changes.
        if self.engine is not None:
            server.watch(str(self.engine.config.snippets_dir))
        return server

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        # Why here: under --dirty MkDocs rebuilds only pages whose Markdown is newer than their
        # output; a page whose snippet changed must count as changed too.
        if self.engine is None or not self.dirty or not self.last_build:
            return files
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
        return files

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        # Why here: the last moment before the page's Markdown is converted, when the page is known.
        if self.engine is not None:
            self.engine.current_article = page.file.src_uri
            self.engine.line_offset = _front_matter_lines(page, markdown)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.engine is not None:
            self.engine.current_article = None
            self.engine.line_offset = 0
        return html

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # Why here: once per build, after every page; reset per-build state for the next rebuild.
        if self.engine is None:
            return
        engine = self.engine
        log.info(
            "%d snippet run(s) executed, %d from cache, %d error(s)",
            engine.executed,
            engine.cache.hits,
            len(engine.errors),
        )
        engine.executed = 0
        engine.cache.hits = engine.cache.misses = 0
        engine.errors.clear()
        self.last_build = time.time()
