"""Verified outputs, claims, several Python versions, and `deepcuts check`, for real."""

from __future__ import annotations

import html
import os
import subprocess
import sys

import pytest

from conftest import Site
from deepcuts.errors import InterpreterError
from deepcuts.run import interpreters

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def check(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepcuts.cli", "check", *args],
        cwd=site.root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _page(site: Site, body: str) -> None:
    site.write("docs/index.md", f"# Page\n\nText.\n\n```deepcut\n{body}\n```\n")


def test_changed_output_fails_build_and_check_until_updated(site: Site) -> None:
    site.write("snippets/hello.py", "print('hello')\n")
    _page(site, "file: hello.py")
    assert check(site, "--update").returncode == 0
    assert (site.root / "snippets" / "hello.out").read_text() == "hello\n"
    assert site.build().returncode == 0

    site.write("snippets/hello.py", "print('hello, world')\n")
    build = site.build()
    assert build.returncode != 0
    assert "index.md:5 (snippet hello.py): stdout differs from hello.out" in build.log
    assert "-hello\n+hello, world" in build.log  # the unified diff
    checked = check(site)
    assert checked.returncode == 1
    assert "index.md:5 (snippet hello.py)" in checked.stdout
    assert "-hello" in checked.stdout and "+hello, world" in checked.stdout
    assert "0 passed, 1 failed" in checked.stdout

    assert check(site, "--update").returncode == 0
    assert (site.root / "snippets" / "hello.out").read_text() == "hello, world\n"
    assert site.build().returncode == 0
    assert "1 passed, 0 failed" in check(site).stdout


def test_a_snippet_without_expectations_fails_the_check(site: Site) -> None:
    site.write("snippets/new.py", "print('new')\n")
    _page(site, "file: new.py")
    done = check(site)
    assert done.returncode == 1
    assert "no expected output is recorded; run `deepcuts check --update`" in done.stdout


def test_a_snippet_line_wider_than_80_characters_fails_the_check(site: Site) -> None:
    site.write("snippets/wide.py", "x = 1\nprint('" + "w" * 80 + "')\n")
    _page(site, "file: wide.py")
    done = check(site, "--update")  # not even --update writes outputs for it
    assert done.returncode == 1
    assert "index.md:5 (snippet wide.py): 1 line(s) wider than 80 characters: line 2 (89)" in (
        done.stdout
    )
    assert not (site.root / "snippets" / "wide.out").exists()
    site.write("snippets/wide.py", "x = 1\nprint('" + "w" * 71 + "')\n")  # exactly 80
    assert check(site, "--update").returncode == 0


def test_check_python_restricts_to_a_version_and_fails_when_it_is_missing(site: Site) -> None:
    site.write("snippets/hello.py", "print('hello')\n")
    _page(site, "file: hello.py")
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert check(site, "--update", "--python", version).returncode == 0
    done = check(site, "--python", version)
    assert done.returncode == 0 and f"on CPython {version}." in done.stderr
    missing = check(site, "--python", "3.99")
    assert missing.returncode == 2
    assert "required CPython 3.99 not found: nothing checked" in missing.stderr
    assert "passed" not in missing.stdout


def test_true_claims_show_and_a_false_claim_fails_with_evidence(site: Site) -> None:
    site.write(
        "snippets/calls.py",
        "def twice(x):\n    return 2 * x\n\n\nprint(twice(4), twice(5))\n",
    )
    _page(
        site,
        "file: calls.py\nclaims:\n  - twice is called 2 times\n  - twice returns 10\n"
        "  - each call of twice runs in its own frame\n  - twice is called with x=4",
    )
    good = site.build()
    assert good.returncode == 0, good.log
    page = html.unescape(good.page())
    assert "twice is called 2 times" in page and "twice returns 10" in page
    assert "deepcut-claim" in page

    _page(site, "file: calls.py\nclaims:\n  - twice returns 9")
    bad = site.build()
    assert bad.returncode != 0
    assert "claim not true on CPython" in bad.log
    assert "'twice returns 9': twice returned 8, 10" in bad.log
    assert "<- twice returned 8" in bad.log  # the recorded events, as evidence


def test_an_unreadable_claim_is_a_fence_error(site: Site) -> None:
    site.write("snippets/ok.py", "print('ok')\n")
    _page(site, "file: ok.py\nclaims:\n  - the moon is made of cheese")
    build = site.build()
    assert build.returncode != 0
    assert "cannot read the claim 'the moon is made of cheese'" in build.log


def test_check_flags_output_that_differs_between_runs(site: Site) -> None:
    site.write("snippets/rand.py", "import os\nprint('stable')\nprint(os.urandom(4).hex())\n")
    _page(site, "file: rand.py")
    done = check(site, "--update")
    assert done.returncode == 1
    assert "the output differs between two runs" in done.stdout
    assert "-stable" not in done.stdout  # the stable line is not reported as differing
    _page(site, "file: rand.py\nvaries: true")
    assert check(site).returncode == 0
    build = site.build()
    assert build.returncode == 0
    assert "This output varies from run to run" in build.page()


def _two_versions() -> tuple[str, str]:
    found = []
    for version in interpreters.SUPPORTED:
        try:
            interpreters.find(version)
            found.append(version)
        except InterpreterError:
            continue
    if len(found) < 2:
        pytest.skip("needs two installed CPython versions")
    return found[0], found[-1]


def test_versions_that_differ_get_tabs_and_a_note(site: Site) -> None:
    old, new = _two_versions()
    config = site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      cache_dir: .cache/deepcuts\n",
            f"      cache_dir: .cache/deepcuts\n      pythons: ['{old}', '{new}']\n",
        )
    )
    site.write("snippets/which.py", "import sys\nprint('same line')\nprint(sys.version_info[:2])\n")
    site.write("snippets/same.py", "print('everywhere')\n")
    site.write(
        "docs/index.md", "```deepcut\nfile: which.py\n```\n\n```deepcut\nfile: same.py\n```\n"
    )
    assert check(site, "--update").returncode == 0
    assert (site.root / "snippets" / f"which.{new}.out").is_file()  # only where it differs
    assert not (site.root / "snippets" / f"same.{new}.out").exists()
    build = site.build()
    assert build.returncode == 0, build.log
    page = html.unescape(build.page())
    assert "differs between Python versions" in page
    assert "tabbed-set" in page and "in stdout line 2" in page
    assert f"verified on CPython {interpreters.find(old).full_version}, " in page
