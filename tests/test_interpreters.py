"""Finding interpreters: configuration, PATH, pyenv, uv, provisioned roots; what they said about
themselves, kept by identity; and clear errors for missing ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, installed_pythons
from deepcuts.cli import main
from deepcuts.errors import InterpreterError
from deepcuts.run import interpreters, provision
from deepcuts.run.interpreters import Candidate, Interpreter
from deepcuts.run.process import Limits
from deepcuts.run.runner import run_snippet


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache of the test's own, and no answers remembered from earlier tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(interpreters, "_memory", {})
    return tmp_path / "cache" / "deepcuts"


@pytest.mark.parametrize("interpreter", installed_pythons())
def test_found_interpreters_are_what_they_claim(interpreter: Interpreter) -> None:
    assert interpreter.full_version.startswith(interpreter.version + ".")
    # A provisioned interpreter's paths are the ones it sees: inside its own root.
    root = Path(interpreter.root or "/")
    assert (root / interpreter.stdlib.lstrip("/") / "os.py").is_file()


def test_current_is_the_building_interpreter() -> None:
    assert interpreters.current().version_info == sys.version_info[:2]


def test_configured_path_comes_first_and_a_liar_is_skipped(tmp_path: Path) -> None:
    version = interpreters.current().version
    fake = tmp_path / f"python{version}"
    fake.write_text("#!/bin/sh\necho not python\n")
    fake.chmod(0o755)
    first = interpreters.candidates(version, {version: str(fake)})[0]
    assert (first.path, first.origin) == (str(fake), "configuration")
    assert interpreters.probe(str(fake)) is None
    found = interpreters.find(version, {version: str(fake)})
    assert found.executable != str(fake)
    assert found.version == version


def test_missing_version_names_what_was_tried_and_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InterpreterError) as info:
        interpreters.find("3.99")
    message = str(info.value)
    assert "no usable CPython 3.99 found" in message
    assert "uv python install 3.99" in message and "pyenv install 3.99" in message
    assert "interpreters" in message  # says where to configure a path


def test_not_a_version() -> None:
    with pytest.raises(InterpreterError, match="not a Python version"):
        interpreters.find("three")


def test_a_version_older_than_the_recorder_is_refused_before_any_search() -> None:
    with pytest.raises(InterpreterError, match=r"older than the recorder supports"):
        interpreters.find("3.8")  # pyenv may well have one: it would fail in every snippet


def test_pyenv_shims_are_not_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A shim answers for whatever version pyenv is set to, not for the name it has."""
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3.99"
    shim.write_text("#!/bin/sh\nexit 1\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(shims))
    assert str(shim) not in [c.path for c in interpreters.candidates("3.99")]


def test_uv_managed_pythons_are_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_cache: Path
) -> None:
    real = interpreters.current()
    version = real.version
    folder = tmp_path / "uv" / f"cpython-{real.full_version}-linux-x86_64-gnu" / "bin"
    folder.mkdir(parents=True)
    (folder / f"python{version}").symlink_to(real.executable)
    # A free-threaded build is another interpreter, not this version's default.
    threaded = tmp_path / "uv" / f"cpython-{real.full_version}+freethreaded-linux-x86_64-gnu"
    (threaded / "bin").mkdir(parents=True)
    (threaded / "bin" / f"python{version}").symlink_to(real.executable)
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "uv"))
    found = [c for c in interpreters.candidates(version) if c.origin == "uv"]
    assert [c.path for c in found] == [str(folder / f"python{version}")]
    answer = interpreters.inspect(found[0])
    assert isinstance(answer, Interpreter)
    assert (answer.origin, answer.full_version) == ("uv", real.full_version)


def test_answers_are_kept_by_identity(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_cache: Path
) -> None:
    """A second build asks nothing of an interpreter it knows; a changed file is asked again."""
    copy = tmp_path / "python"
    copy.symlink_to(interpreters.current().executable)
    first = interpreters.inspect(Candidate(str(copy), "test"))
    assert isinstance(first, Interpreter)
    facts = json.loads((private_cache / "interpreters.json").read_text())["interpreters"]
    assert [key.split("|")[0] for key in facts] == [os.path.realpath(copy)]

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("an interpreter was started")

    monkeypatch.setattr(interpreters, "_memory", {})
    monkeypatch.setattr(subprocess, "run", no_process)
    assert interpreters.inspect(Candidate(str(copy), "test")) == first

    # Another file with another identity: asked (and here it cannot be).
    other = tmp_path / "other"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    with pytest.raises(AssertionError, match="started"):
        interpreters.inspect(Candidate(str(other), "test"))


def _provisioned(version: str) -> Interpreter:
    root = provision.installed_root(version)
    if root is None:
        pytest.skip(f"CPython {version} is not provisioned here (deepcuts interpreters --install)")
    return interpreters.find(version)


@pytest.mark.parametrize("version", ["3.14", "3.15"])
def test_a_provisioned_interpreter_runs_in_its_own_root(version: str, tmp_path: Path) -> None:
    interpreter = _provisioned(version)
    assert interpreter.root is not None and interpreter.origin == "deepcuts"
    manifest = json.loads((Path(interpreter.root).parent / "manifest.json").read_text())
    assert manifest["version"] == interpreter.full_version
    assert {p["package"] for p in manifest["packages"]} >= {
        f"python{version}-minimal",
        f"libpython{version}-stdlib",
        "libc6",
    }
    script = tmp_path / "where.py"
    script.write_text(
        "import os, sys\n"
        "print(sys.version_info[:2], sys.executable)\n"
        "print(sorted(os.listdir('/usr/bin')))\n"
        "print(os.path.exists('/usr/lib/python3.11'))\n"
        "import json\n"
        "print(os.path.exists(json.__spec__.cached))  # compiled at provisioning: fast starts\n"
    )
    trace = run_snippet(script, tmp_path, interpreter, Limits())
    assert trace.ok, trace.stderr
    major, minor = version.split(".")
    assert trace.stdout.splitlines() == [
        f"({major}, {minor}) python{version}",  # the executable is normalised like any other
        f"['env', 'python{version}']",  # the root's /usr, and nothing of the machine's but env
        "False",
        "True",
    ]


def test_a_rooted_interpreter_without_bubblewrap_is_unusable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    interpreter = _provisioned("3.14")
    monkeypatch.setattr(interpreters, "_memory", {})
    monkeypatch.setattr(interpreters.shutil, "which", lambda name: None)
    answer = interpreters.inspect(
        Candidate(f"{interpreter.root}/usr/bin/python3.14", "deepcuts", interpreter.root)
    )
    assert isinstance(answer, str) and "runs only inside bubblewrap" in answer


def test_the_command_lists_the_sites_versions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "docs").mkdir()
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: x\nmarkdown_extensions:\n  - deepcuts:\n"
        f"      pythons: ['{interpreters.current().version}', '3.99']\n"
        "      optional_pythons: ['3.99']\n"
    )
    assert main(["interpreters", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    current = interpreters.current()
    assert lines[0].split()[:2] == [current.version, current.full_version]
    assert lines[0].endswith(current.executable)
    assert lines[1].split()[:3] == ["3.99", "missing", "(optional)"]
    assert "no usable CPython 3.99 found" in lines[1]
    assert "get it with `uv python install 3.99`" in lines[1]
    assert main(["interpreters", "--config", str(config), "--require-all"]) == 1


def test_the_mirror_is_the_machines_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n"
    )
    monkeypatch.setattr(provision, "_SOURCES", (tmp_path / "none.list", tmp_path))
    assert provision.mirror() == "http://mirror.example/debian"
    (tmp_path / "a.sources").unlink()
    (tmp_path / "b.list").write_text(
        "# comment\ndeb [signed-by=/k.gpg arch=amd64] https://other.example/debian/ sid main\n"
    )
    assert provision.mirror() == "https://other.example/debian"
    (tmp_path / "b.list").unlink()
    assert provision.mirror() == provision.DEFAULT_MIRROR


def test_the_packages_are_the_interpreter_and_the_libraries_it_loads() -> None:
    """Dependencies are followed into library packages only (data and configuration packages
    such as tzdata are not needed to run snippets), first alternative, version bounds dropped."""

    def package(name: str, depends: str = "") -> provision.Package:
        return provision.Package(
            name, "1", f"pool/{name}.deb", "0" * 64, 10,
            tuple(d.split("|")[0].split("(")[0].strip() for d in depends.split(",") if d),
        )  # fmt: skip

    index = {
        "python3.99-minimal": package("python3.99-minimal", "libpython3.99-minimal, libc6"),
        "libpython3.99-minimal": package("libpython3.99-minimal", "libssl3t64 (>= 3)"),
        "libpython3.99-stdlib": package("libpython3.99-stdlib", "tzdata, libffi8 | libffi7"),
        "libc6": package("libc6", "libgcc-s1"),
        "libgcc-s1": package("libgcc-s1", "gcc-16-base"),
        "libssl3t64": package("libssl3t64", "libc6"),
        "libffi8": package("libffi8"),
    }

    class FakeApt:
        def show(self, names: list[str]) -> dict[str, provision.Package]:
            return {n: index[n] for n in names}

    closure = provision._closure(FakeApt(), "3.99")  # type: ignore[arg-type]
    assert [p.name for p in closure] == [
        "libc6", "libffi8", "libgcc-s1", "libpython3.99-minimal", "libpython3.99-stdlib",
        "libssl3t64", "python3.99-minimal",
    ]  # fmt: skip


def test_the_site_runs_on_current_cpython() -> None:
    text = (REPO / "mkdocs.yml").read_text()
    assert 'pythons: ["3.11", "3.12", "3.13", "3.14", "3.15"]' in text
