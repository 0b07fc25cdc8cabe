"""One exception family for everything a contributor can get wrong.

Each error knows where it came from (article file and line, snippet) so that a message can point the
contributor at the exact fence. The engine never lets these escape into Markdown processing: it
renders them into the page and reports them (see :mod:`deepcuts.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a fence stands: the article (relative to docs/) and the 1-based line of its opening."""

    article: str | None = None
    line: int | None = None
    snippet: str | None = None

    def describe(self) -> str:
        """Render as ``article.md:12 (snippet function_call/add.py)``."""
        where = self.article or "<unknown article>"
        if self.line is not None:
            where += f":{self.line}"
        if self.snippet:
            where += f" (snippet {self.snippet})"
        return where


class DeepCutsError(Exception):
    """Base of every error the generator reports to a contributor."""

    kind = "error"

    def __init__(self, message: str, location: Location | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.detail = detail

    def with_location(self, location: Location) -> DeepCutsError:
        """Return a copy that carries ``location``, keeping what this one already knew."""
        merged = Location(
            article=self.location.article or location.article,
            line=self.location.line if self.location.line is not None else location.line,
            snippet=self.location.snippet or location.snippet,
        )
        return type(self)(self.message, merged, self.detail)

    def __str__(self) -> str:
        known = self.location != Location()
        text = f"{self.location.describe()}: {self.message}" if known else self.message
        if self.detail:
            text += "\n" + self.detail
        return text


class FenceError(DeepCutsError):
    """The fence itself is malformed: bad YAML, unknown option, missing snippet file."""

    kind = "fence"


class SnippetRunError(DeepCutsError):
    """The snippet did not run as the fence said it would (unexpected exception, timeout, ...)."""

    kind = "run"


class InterpreterError(DeepCutsError):
    """A configured Python interpreter is missing or unusable."""

    kind = "interpreter"


class InternalError(DeepCutsError):
    """A bug in the generator itself, shown with its traceback instead of vanishing."""

    kind = "internal"
