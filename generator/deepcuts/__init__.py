"""Python DeepCuts: run article snippets under instrumentation and render what really happened.

The pipeline is discover -> run -> record -> verify -> render -> inject. Everything here is a plain
library; only :mod:`deepcuts.plugin` knows about MkDocs.
"""

from __future__ import annotations

__version__ = "0.1.0"
