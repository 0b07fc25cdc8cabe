"""Shared helpers: small real sites in tmp_path, real `mkdocs build` runs, interpreters."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from deepcuts.errors import DeepCutsError
from deepcuts.run import interpreters

REPO = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parent / "samples"

_EXECUTED_RE = re.compile(r"(\d+) snippet run\(s\) executed, (\d+) from cache")


def installed_backends() -> list[pytest.param]:  # type: ignore[valid-type]
    """(interpreter, backend) pairs: settrace on every installed version, sys.monitoring on
    3.12+; missing versions are skipped with a reason."""
    params = []
    for param in installed_pythons():
        interpreter = param.values[0]
        minor = int(param.id.removeprefix("py3."))
        backends = ["settrace"] + (["monitoring"] if minor >= 12 else [])
        for backend in backends:
            params.append(
                pytest.param(interpreter, backend, id=f"{param.id}-{backend}", marks=param.marks)
            )
    return params


def installed_pythons() -> list[pytest.param]:  # type: ignore[valid-type]
    """One pytest param per supported version; missing ones are skipped with a reason."""
    params = []
    for version in interpreters.SUPPORTED:
        try:
            found = interpreters.find(version)
            marks: list[pytest.MarkDecorator] = []
        except DeepCutsError as exc:
            found = None
            marks = [pytest.mark.skip(reason=f"CPython {version} not installed: {exc}")]
        params.append(pytest.param(found, id=f"py{version}", marks=marks))
    return params


_REQUIRES = re.compile(r"^# requires: 3\.(\d+)$", re.MULTILINE)


def skip_if_too_old(script: Path, version: str) -> None:
    """A sample may start with ``# requires: 3.11`` (syntax older versions do not have)."""
    found = _REQUIRES.search(script.read_text()[:200])
    if found and int(version.split(".")[1]) < int(found[1]):
        pytest.skip(f"{script.name} needs CPython 3.{found[1]}+")


SITE_CONFIG = """\
site_name: Test site
theme:
  name: material
  font: false
plugins:
  - deepcuts
markdown_extensions:
  - admonition
  - pymdownx.highlight
  - deepcuts:
      snippets_dir: snippets
      cache_dir: .cache/deepcuts
{extra}
  - pymdownx.superfences:
      custom_fences:
        - name: deepcut
          class: deepcut
          validator: !!python/name:deepcuts.fence.validate
          format: !!python/name:deepcuts.fence.format
"""


@dataclass
class BuildResult:
    """What one `mkdocs build` printed and produced."""

    returncode: int
    log: str
    site: Path

    @property
    def executed(self) -> int:
        match = _EXECUTED_RE.search(self.log)
        assert match, self.log
        return int(match.group(1))

    def page(self, name: str = "index") -> str:
        path = self.site / "site" / ("index.html" if name == "index" else f"{name}/index.html")
        return path.read_text(encoding="utf-8")


@dataclass
class Site:
    """A small MkDocs project in a temporary folder."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def build(self, *args: str, strict: bool = True, timeout: float = 120) -> BuildResult:
        command = [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            *(["--strict"] if strict else []),
            *args,
        ]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        done = subprocess.run(
            command,
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return BuildResult(done.returncode, done.stdout + done.stderr, self.root)


def pytest_configure(config: pytest.Config) -> None:
    """The test run's own temporary root: tests compare what runs leave behind in the temporary
    folder, and must not see what another build on the same machine does there meanwhile (a
    `mkdocs build` beside `bin/test` made one such test fail). Child processes inherit it."""
    root = tempfile.mkdtemp(prefix="deepcuts-test-run-")
    config.stash[_TEMP_ROOT] = root
    os.environ["TMPDIR"] = root
    tempfile.tempdir = root


def pytest_unconfigure(config: pytest.Config) -> None:
    root = config.stash.get(_TEMP_ROOT, None)
    if root:
        shutil.rmtree(root, ignore_errors=True)


_TEMP_ROOT = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite the golden files under tests/goldens/ from real runs (review the diff)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site whose mkdocs.yml uses the deepcut fence; add pages and snippets."""
    made = Site(tmp_path / "site-project")
    made.write("mkdocs.yml", SITE_CONFIG.format(extra=""))
    (made.root / "snippets").mkdir()
    return made


def copy_project(target: Path) -> Path:
    """The repository's site (mkdocs.yml, docs/, snippets/, overrides/) in a folder of its own."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "docs", "snippets", "overrides"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    return target


def build_project(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of the site in ``root``, as CI runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def check_golden(golden: Path, actual: str, update: bool, what: str) -> None:
    """Compare ``actual`` with a reviewed golden file, or rewrite it when updating."""
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual)
        return
    assert golden.is_file(), f"no golden file {golden}: run pytest --update-goldens and review it"
    expected = golden.read_text()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), str(golden), "this run"
            )
        )
        pytest.fail(f"{what} differs from the golden file:\n{diff}")
