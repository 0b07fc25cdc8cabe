"""The ``deepcuts`` Markdown extension: configuration, and article line numbers for the fence.

Superfences does not tell a formatter where its fence stands, so a preprocessor that runs just
before superfences writes the line of each opening ```` ```deepcut ```` into the fence header as
``deepcuts_line="N"`` (found with the one fence scanner, ``discover.scan_fences``). It also binds
the fence to the engine for this configuration.

Use it with ``pymdownx.superfences``::

    markdown_extensions:
      - deepcuts:
          snippets_dir: snippets
      - pymdownx.superfences:
          custom_fences:
            - name: deepcut
              class: deepcut
              validator: !!python/name:deepcuts.fence.validate
              format: !!python/name:deepcuts.fence.format
"""

from __future__ import annotations

import logging
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from deepcuts.config import EngineConfig
from deepcuts.discover import scan_fences
from deepcuts.engine import Engine, get_engine
from deepcuts.fence import LINE_OPTION
from deepcuts.record import _deepcuts_protocol as protocol
from deepcuts.run.cache import DEFAULT_MAX_BYTES

# After whitespace normalisation (30) and before superfences collects fences (25).
_PRIORITY = 29

log = logging.getLogger("deepcuts")

#: Said once per process when no MkDocs plugin drives the engine (Zensical, which runs Markdown
#: extensions but no MkDocs plugins; a bare Python-Markdown host; a mkdocs.yml without the
#: plugin): the fences render the same, and this is what is lost (docs/reference/portability.md).
PLUGIN_MISSING = (
    "deepcuts: the deepcuts MkDocs plugin is not loaded (this host runs Markdown extensions "
    "only); the deepcut fences render the same, but: "
    "errors name no article ('<unknown article>') and count lines from after the front matter; "
    "they are printed as warnings that do not fail the build, even a strict one "
    "(gate on `deepcuts check`); "
    "snippets run one fence at a time as pages render, not all at once in parallel; "
    "snippets_dir and cache_dir are relative to the working directory, not to mkdocs.yml; "
    "the cache is not pruned to cache_max_mb (`deepcuts cache --prune`); "
    "the series index, navigation and feed are not checked against the articles' front matter "
    "(`deepcuts index --check`); extra.comments is not validated; "
    "a server does not rebuild when a snippet changes (list the snippets folder under `watch`); "
    "there is no end-of-build summary of runs and errors; "
    "a host that keeps rendered pages (Zensical, in .cache/) renders a page again only when its "
    "Markdown changes, not when its snippet does (build with --clean); "
    "Edit and run is not offered under the step-through viewers"
)


def _tell_if_no_plugin(md: Markdown) -> None:
    """Never silently: when a page with a fence is converted and no MkDocs plugin drives the
    engine, what only the plugin provides is named, once per engine. Why not when the extension
    is set up: MkDocs sets up every extension once to validate mkdocs.yml, before any plugin's
    ``on_config`` has run."""
    engine = getattr(md, "deepcuts_engine", None)
    if isinstance(engine, Engine) and not engine.plugin and not engine.told_plugin_missing:
        engine.told_plugin_missing = True
        log.warning("%s", PLUGIN_MISSING)


class LineMarker(Preprocessor):
    """Write each deepcut fence's line number into its header (``deepcuts_line="N"``), unless
    the MkDocs plugin has already written it (with the article's file line)."""

    def run(self, lines: list[str]) -> list[str]:
        marked = list(lines)
        fences = scan_fences(lines)
        if fences:
            _tell_if_no_plugin(self.md)
        for fence in fences:
            if f"{LINE_OPTION}=" not in fence.header:
                index = fence.line - 1
                marked[index] = f'{marked[index].rstrip()} {LINE_OPTION}="{fence.line}"'
        return marked


class DeepCutsExtension(Extension):
    """Python-Markdown extension entry point (``markdown_extensions: [deepcuts]``)."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "snippets_dir": ["snippets", "Folder of snippet files, relative to the working dir"],
            "cache_dir": [".cache/deepcuts", "Folder of cached runs; empty to disable"],
            "pythons": [[], "Python versions to run each snippet on; empty: the building one"],
            "optional_pythons": [[], "Of those, the versions a machine may lack (a note only)"],
            "interpreters": [{}, "Explicit interpreter paths by version, e.g. {'3.12': '/x/py'}"],
            "timeout": [protocol.TIMEOUT, "Default wall-clock limit of one run, in seconds"],
            "require_sandbox": [False, "Fail instead of running a snippet without every layer"],
            "cache_max_mb": [
                DEFAULT_MAX_BYTES // 2**20,
                "Bound of the cache folder in MB; the least recently used runs go first",
            ],
            "jobs": [0, "Runs at once (0: one per core)"],
            "edit_and_run": [
                True,
                "Offer 'Edit and run' under each viewer (Pyodide, copied into the site)",
            ],
            "pyodide_dir": ["", "The npm package pyodide's folder (default: the setup's cache)"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the line marker and attach the engine to ``md``."""
        md.preprocessors.register(LineMarker(md), "deepcuts_lines", _PRIORITY)
        md.deepcuts_engine = get_engine(EngineConfig.from_options(self.getConfigs()))  # type: ignore[attr-defined]


def makeExtension(**kwargs: Any) -> DeepCutsExtension:
    """Entry point used by ``markdown.Markdown(extensions=['deepcuts.extension'])``."""
    return DeepCutsExtension(**kwargs)
