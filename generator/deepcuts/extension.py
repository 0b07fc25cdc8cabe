"""The ``deepcuts`` Markdown extension: configuration, and article line numbers for the fence.

Superfences does not tell a formatter where its fence stands, so a preprocessor that runs just
before superfences writes the line of each opening ```` ```deepcut ```` into the fence header as
``deepcuts_line="N"``. It also binds the fence to the engine for this configuration.

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

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from deepcuts.engine import EngineConfig, get_engine
from deepcuts.fence import LINE_OPTION

# An opening deepcut fence, possibly inside block quotes or indented under a list or admonition.
_OPENING_RE = re.compile(r"^(?P<lead>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*\.?deepcut[ \t]*$")
# Any other fence opening: inside it, a deepcut fence is an example to show, not one to run.
_OTHER_FENCE_RE = re.compile(r"^[ \t>]*(?P<fence>`{3,}|~{3,})")

# After whitespace normalisation (30) and before superfences collects fences (25).
_PRIORITY = 29


def _closes(fence: str, opened: str, line: str) -> bool:
    """A closing fence: the same character, at least as long, and nothing after it."""
    return fence[0] == opened[0] and len(fence) >= len(opened) and not line.strip(" \t>`~")


class LineMarker(Preprocessor):
    """Annotate each opening deepcut fence with its line number in the page's Markdown."""

    def run(self, lines: list[str]) -> list[str]:
        marked = []
        inside: str | None = None  # the fence string of the code block we are in, if any
        for number, line in enumerate(lines, start=1):
            opening = _OPENING_RE.match(line)
            other = _OTHER_FENCE_RE.match(line)
            if inside is not None:
                if other is not None and _closes(other["fence"], inside, line):
                    inside = None
            elif opening:
                marked.append(f'{line.rstrip()} {LINE_OPTION}="{number}"')
                inside = opening["fence"]
                continue
            elif other:
                inside = other["fence"]
            marked.append(line)
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
            "timeout": [10.0, "Default wall-clock limit of one run, in seconds"],
            "require_sandbox": [False, "Fail instead of running a snippet without every layer"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the line marker and attach the engine to ``md``."""
        md.preprocessors.register(LineMarker(md), "deepcuts_lines", _PRIORITY)
        md.deepcuts_engine = get_engine(EngineConfig.from_options(self.getConfigs()))  # type: ignore[attr-defined]


def makeExtension(**kwargs: Any) -> DeepCutsExtension:
    """Entry point used by ``markdown.Markdown(extensions=['deepcuts.extension'])``."""
    return DeepCutsExtension(**kwargs)
