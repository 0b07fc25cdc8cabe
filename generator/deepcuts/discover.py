"""Discover: the deepcut fences of a page, the snippet each names, and the part of it to show.

:func:`scan_fences` is the one fence scanner: the Markdown extension marks the fences it finds
(their line numbers), the MkDocs plugin finds every fence of every page with it before any page
renders (to run what the cache lacks in parallel), and ``deepcuts check`` finds the fences it
checks with it. A test holds it to what ``pymdownx.superfences`` itself finds.

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
# An opening deepcut fence, possibly inside block quotes or indented under a list or admonition,
# possibly with a header after the name (options added by the plugin, or a contributor's mistake).
_OPENING_RE = re.compile(
    r"^(?P<lead>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*\.?deepcut(?P<header>[ \t][^`]*)?[ \t]*$"
)
# Any other fence opening: inside it, a deepcut fence is an example to show, not one to run.
_OTHER_FENCE_RE = re.compile(r"^[ \t>]*(?P<fence>`{3,}|~{3,})")
_IMPORT_RE = re.compile(r"^\s*(?:from\s+(\w+)|import\s+([\w., \t]+))", re.MULTILINE)


@dataclass(frozen=True)
class FoundFence:
    """A deepcut fence in a page's text."""

    line: int  # 1-based line of its opening, in the text scanned
    body: str  # what superfences hands the formatter: the lines inside, the fence's indent removed
    header: str  # what follows ``deepcut`` on the opening line ("" for none)


def _closes(fence: str, opened: str, line: str) -> bool:
    """A closing fence: the same character, at least as long, and nothing after it."""
    return fence[0] == opened[0] and len(fence) >= len(opened) and not line.strip(" \t>`~")


def scan_fences(lines: list[str]) -> list[FoundFence]:
    """Every deepcut fence in ``lines`` (a page's Markdown), skipping examples shown inside other
    fenced blocks. An unclosed fence runs to the end of the page, as superfences treats it."""
    found = []
    inside: str | None = None  # the fence string of the block we are in, if any
    deepcut = False
    start = lead = 0
    header = ""
    body: list[str] = []
    for number, line in enumerate(lines, start=1):
        if inside is not None:
            other = _OTHER_FENCE_RE.match(line)
            if other is not None and _closes(other["fence"], inside, line):
                if deepcut:
                    found.append(FoundFence(start, "\n".join(body), header))
                inside = None
            elif deepcut:
                body.append(line[lead:] if line[:lead].strip(" \t>") == "" else line.lstrip())
            continue
        opening = _OPENING_RE.match(line)
        if opening is not None:
            inside, deepcut, start, body = opening["fence"], True, number, []
            lead = len(opening["lead"])
            header = (opening["header"] or "").strip()
            continue
        other = _OTHER_FENCE_RE.match(line)
        if other is not None:
            inside, deepcut = other["fence"], False
    if inside is not None and deepcut:
        found.append(FoundFence(start, "\n".join(body), header))
    return found


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
        if current.suffix != ".py":
            continue
        try:
            text = current.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        # Most snippets import nothing from beside them: a cheap look before a parse.
        mentioned = set()
        for module, names in _IMPORT_RE.findall(text):
            mentioned.add(module)
            mentioned.update(n.split()[0].split(".")[0] for n in names.split(",") if n.split())
        wanted = {
            name
            for name in mentioned
            if name
            and ((folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file())
        }
        for name in _imported_names(current) & wanted if wanted else ():
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
