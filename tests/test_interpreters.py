"""Finding interpreters: PATH, pyenv, configuration, and clear errors for missing ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import installed_pythons
from deepcuts.errors import InterpreterError
from deepcuts.run import interpreters
from deepcuts.run.interpreters import Interpreter


@pytest.mark.parametrize("interpreter", installed_pythons())
def test_found_interpreters_are_what_they_claim(interpreter: Interpreter) -> None:
    assert interpreter.full_version.startswith(interpreter.version + ".")
    assert Path(interpreter.stdlib, "os.py").is_file()


def test_current_is_the_building_interpreter() -> None:
    assert interpreters.current().version_info == sys.version_info[:2]


def test_configured_path_comes_first_and_a_liar_is_skipped(tmp_path: Path) -> None:
    version = interpreters.current().version
    fake = tmp_path / f"python{version}"
    fake.write_text("#!/bin/sh\necho not python\n")
    fake.chmod(0o755)
    assert interpreters.candidates(version, {version: str(fake)})[0] == str(fake)
    assert interpreters.probe(str(fake)) is None
    found = interpreters.find(version, {version: str(fake)})
    assert found.executable != str(fake)
    assert found.version == version


def test_missing_version_names_what_was_tried(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InterpreterError) as info:
        interpreters.find("3.1")
    assert "no CPython 3.1 found" in str(info.value)
    assert "interpreters" in str(info.value)  # says where to configure a path


def test_not_a_version() -> None:
    with pytest.raises(InterpreterError, match="not a Python version"):
        interpreters.find("three")
