"""Layout rules from STYLE.md that a test can prove."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "deepcuts"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_the_plugin_imports_mkdocs() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name == "plugin.py":
            continue
        assert not any(n.split(".")[0] == "mkdocs" for n in _imports(path)), path


def test_recorder_uses_only_the_standard_library() -> None:
    record = PACKAGE / "record"
    own = {path.stem for path in record.glob("*.py")}  # imported by top-level name in the child
    for path in record.rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top in own, (path, name)


def test_modules_stay_readable_in_one_sitting() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path
