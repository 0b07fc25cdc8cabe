"""Find the snippet a fence names and the part of it to show.

A fence names a file relative to the snippets folder; the path may not leave that folder. A
*section* is the lines strictly between ``# [start:NAME]`` and ``# [end:NAME]``; ``lines: A-B``
picks lines directly. Either way only what is *shown* narrows: the whole file is what runs.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deepcuts.errors import FenceError

_MARKER_RE = re.compile(r"^\s*#\s*\[(?P<edge>start|end):(?P<name>[\w.-]+)\]\s*$")


@dataclass(frozen=True)
class Snippet:
    """A snippet file as read for one build."""

    name: str  # path relative to the snippets folder, POSIX separators
    path: Path  # absolute
    source: str
    digest: str  # SHA-256 of the file and of the local modules it imports (see local_modules)

    @property
    def lines(self) -> list[str]:
        """The file's lines without their endings."""
        return self.source.splitlines()


@dataclass(frozen=True)
class Excerpt:
    """The part of a snippet shown on the page: text and the file line it starts at."""

    text: str
    first_line: int


def _imported_names(path: Path) -> set[str]:
    """Top-level module names that ``path`` imports (a file that does not parse imports none: the
    run will show its SyntaxError anyway)."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def local_modules(path: Path) -> list[Path]:
    """The files a run of ``path`` can import from its own folder (``sys.path[0]``), followed
    transitively: ``helper.py`` beside it, or every file of a ``helper/`` package."""
    folder = path.parent
    seen: set[Path] = set()
    pending = [path]
    while pending:
        current = pending.pop()
        for name in _imported_names(current) if current.suffix == ".py" else ():
            module = folder / f"{name}.py"
            package = folder / name
            found = [module] if module.is_file() else []
            if (package / "__init__.py").is_file():
                found.extend(sorted(package.rglob("*.py")))
            for file in found:
                if file not in seen and file != path:
                    seen.add(file)
                    pending.append(file)
    return sorted(seen)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    for file in [path, *local_modules(path)]:
        digest.update(file.relative_to(path.parent).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def load_snippet(root: Path, name: str) -> Snippet:
    """Read snippet ``name`` from ``root``; :class:`FenceError` if it is not a file inside it."""
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts:
        raise FenceError(f"snippet path '{name}' must be relative to the snippets folder")
    path = (root / pure).resolve()
    if not path.is_relative_to(root.resolve()):
        raise FenceError(f"snippet path '{name}' leaves the snippets folder")
    if path.suffix != ".py":
        raise FenceError(f"snippet '{name}' is not a .py file")
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FenceError(f"snippet '{name}' does not exist under {root}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FenceError(f"snippet '{name}' cannot be read: {exc}") from None
    return Snippet(name=pure.as_posix(), path=path, source=source, digest=_digest(path))


def excerpt(snippet: Snippet, section: str | None, lines: tuple[int, int] | None) -> Excerpt:
    """The text to show for ``section`` or ``lines`` (the whole file when both are None)."""
    all_lines = snippet.lines
    if section is not None:
        start = end = None
        for number, line in enumerate(all_lines, start=1):
            match = _MARKER_RE.match(line)
            if match and match["name"] == section:
                if match["edge"] == "start" and start is None:
                    start = number
                elif match["edge"] == "end" and start is not None:
                    end = number
                    break
        if start is None or end is None:
            raise FenceError(
                f"section '{section}' not found in {snippet.name}: mark it with "
                f"'# [start:{section}]' and '# [end:{section}]' lines"
            )
        return Excerpt("\n".join(all_lines[start : end - 1]), start + 1)
    if lines is not None:
        first, last = lines
        if not 1 <= first <= last <= len(all_lines):
            raise FenceError(
                f"lines {first}-{last} are outside {snippet.name} (1-{len(all_lines)})"
            )
        return Excerpt("\n".join(all_lines[first - 1 : last]), first)
    return Excerpt("\n".join(all_lines), 1)
