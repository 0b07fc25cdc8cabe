"""Real `mkdocs build` runs of small sites: the page's HTML, error paths, and the cache."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Site
from deepcuts.run.cache import decode

PAGE = """\
---
title: Page
---

# Page

```deepcut
file: {file}
{extra}
```
"""


def _page(site: Site, file: str, extra: str = "", name: str = "docs/index.md") -> None:
    site.write(name, PAGE.format(file=file, extra=extra))


def test_page_shows_source_and_real_output(site: Site) -> None:
    site.write(
        "snippets/hello.py",
        """\
        import sys
        print("<b>hello</b>", sorted({"b", "a"}))
        print("to stderr", file=sys.stderr)
        print(object())
        """,
    )
    _page(site, "hello.py")
    result = site.build()
    assert result.returncode == 0, result.log
    assert result.executed == 1
    page = result.page()
    # Source with line numbers, output escaped (never interpreted as markup), stderr labelled.
    assert 'class="deepcut"' in page and "linenos" in page
    assert "&lt;b&gt;hello&lt;/b&gt; [&#39;a&#39;, &#39;b&#39;]" in page
    assert "<b>hello</b>" not in page
    assert '<pre class="deepcut-stderr"><code>to stderr' in page
    assert "&lt;object object at 0xADDR1&gt;" in page
    assert "verified on CPython" in page


def test_section_shows_part_with_file_line_numbers(site: Site) -> None:
    site.write(
        "snippets/parts.py",
        """\
        x = 1
        # [start:show]
        print("shown", x)
        # [end:show]
        print("not shown in source, still run")
        """,
    )
    _page(site, "parts.py", "section: show")
    result = site.build()
    assert result.returncode == 0, result.log
    page = result.page()
    source = page[page.index('class="deepcut"') : page.index("deepcut-output")]
    assert "shown" in source and "still run" not in source
    assert '<span class="normal">3</span>' in source  # numbered as in the file, not from 1
    assert "not shown in source, still run" in page  # the whole file ran


def test_unexpected_exception_fails_strict_build_with_location(site: Site) -> None:
    site.write("snippets/boom.py", "print('before')\n1 / 0\n")
    _page(site, "boom.py")
    result = site.build()
    assert result.returncode != 0
    assert "index.md:7 (snippet boom.py)" in result.log
    assert "ZeroDivisionError: division by zero" in result.log
    assert 'File "boom.py", line 2' in result.log  # the traceback is in the message, normalised
    assert "raises" in result.log  # and it says how to declare an expected exception


def test_error_is_shown_in_page_without_strict(site: Site) -> None:
    site.write("snippets/boom.py", "1 / 0\n")
    _page(site, "boom.py")
    site.write("docs/other.md", "# Other\n\nStill built.\n")
    result = site.build(strict=False)
    assert result.returncode == 0, result.log
    page = result.page()
    assert "DeepCut failed: index.md:7 (snippet boom.py)" in page
    assert "ZeroDivisionError" in page
    assert "Still built." in result.page("other")


def test_expected_exception_shows_traceback(site: Site) -> None:
    site.write("snippets/boom.py", "def f():\n    return 1 / 0\n\nf()\n")
    _page(site, "boom.py", "raises: ZeroDivisionError")
    result = site.build()
    assert result.returncode == 0, result.log
    page = html.unescape(result.page())
    assert 'File "boom.py", line 4, in <module>' in page
    assert "ZeroDivisionError: division by zero" in page


def test_wrong_expected_exception_fails(site: Site) -> None:
    site.write("snippets/boom.py", "raise KeyError('k')\n")
    _page(site, "boom.py", "raises: ValueError")
    result = site.build()
    assert result.returncode != 0
    assert "expected ValueError, but the run raised KeyError" in result.log


def test_expected_exception_that_does_not_happen_fails(site: Site) -> None:
    site.write("snippets/fine.py", "print('fine')\n")
    _page(site, "fine.py", "raises: true")
    result = site.build()
    assert result.returncode != 0
    assert "expected the run to raise" in result.log


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("file: missing.py", "snippet 'missing.py' does not exist"),
        ("file: ../outside.py", "must be relative to the snippets folder"),
        ("file: ok.py\ncolour: red", "unknown deepcut option(s) colour"),
        ("file: ok.py\nlines: 1-99", "lines 1-99 are outside ok.py"),
        ("file: ok.py\nsection: nope", "section 'nope' not found in ok.py"),
        ("file: ok.py\ntimeout: -1", "'timeout' must be more than 0"),
        ("- just\n- a list", "holds a YAML mapping"),
    ],
)
def test_malformed_fence_is_reported(site: Site, body: str, message: str) -> None:
    site.write("snippets/ok.py", "print('ok')\n")
    site.write("docs/index.md", f"# Page\n\n```deepcut\n{body}\n```\n")
    result = site.build()
    assert result.returncode != 0
    assert "index.md:3" in result.log
    assert message in result.log


def test_bad_yaml_names_the_line(site: Site) -> None:
    site.write("snippets/ok.py", "print('ok')\n")
    site.write("docs/index.md", "# Page\n\n```deepcut\nfile: ok.py\ntitle: [unclosed\n```\n")
    result = site.build()
    assert result.returncode != 0
    assert "not valid YAML" in result.log
    assert "index.md:" in result.log


def test_timeout_is_reported_and_build_goes_on(site: Site) -> None:
    site.write("snippets/spin.py", "while True:\n    pass\n")
    _page(site, "spin.py", "timeout: 1")
    result = site.build(strict=False, timeout=60)
    assert result.returncode == 0
    assert "still running after 1 s" in result.log
    assert "DeepCut failed" in result.page()


def test_warm_build_executes_nothing_and_edits_rerun_one(site: Site) -> None:
    for name in ("a", "b", "c"):
        site.write(f"snippets/{name}.py", f"print({name!r})\n")
    site.write(
        "docs/index.md",
        "".join(f"```deepcut\nfile: {n}.py\n```\n\n" for n in ("a", "b", "c")),
    )
    cold = site.build()
    assert cold.returncode == 0, cold.log
    assert cold.executed == 3
    cold_page = cold.page()

    warm = site.build()
    assert warm.executed == 0
    assert warm.page() == cold_page

    site.write("snippets/b.py", "print('B changed')\n")
    edited = site.build()
    assert edited.executed == 1
    assert "B changed" in edited.page()


def test_failed_run_is_not_cached(site: Site) -> None:
    site.write("snippets/boom.py", "1 / 0\n")
    _page(site, "boom.py")
    assert site.build(strict=False).executed == 1
    assert site.build(strict=False).executed == 1


def test_damaged_cache_entries_are_rerun_or_rerendered(site: Site) -> None:
    site.write("snippets/ok.py", "print('ok')\n")
    _page(site, "ok.py")
    first = site.build()
    assert first.executed == 1
    cache = site.root / ".cache" / "deepcuts"
    (entry,) = cache.rglob("*.trace")
    (fragment,) = cache.rglob("*.html")
    assert decode(entry.stem, entry.read_bytes()) is not None  # a whole entry
    # A damaged rendering is rendered again from the run, which is not run again.
    fragment.write_bytes(fragment.read_bytes()[:-20])
    again = site.build()
    assert (again.returncode, again.executed) == (0, 0), again.log
    assert again.page() == first.page()
    # A damaged run (and its rendering) is run again.
    entry.write_bytes(entry.read_bytes()[:40])
    fragment.write_bytes(fragment.read_bytes()[:-20])
    rerun = site.build()
    assert (rerun.returncode, rerun.executed) == (0, 1), rerun.log
    assert rerun.page() == first.page()


def test_fence_works_without_the_plugin(site: Site) -> None:
    """Content must never depend on the plugin alone: drop it, keep the extension and fence."""
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins:\n  - deepcuts\n", "plugins: []\n"))
    site.write("snippets/ok.py", "print('no plugin needed')\n")
    _page(site, "ok.py")
    result = site.build()
    assert result.returncode == 0, result.log
    assert "no plugin needed" in result.page()
    # Never silently: the log says, once, what only the plugin provides.
    assert result.log.count("the deepcuts MkDocs plugin is not loaded") == 1, result.log


def test_paths_are_relative_to_mkdocs_yml(site: Site, tmp_path: Path) -> None:
    """Building from another working directory with -f finds snippets next to mkdocs.yml."""
    site.write("snippets/ok.py", "print('found')\n")
    _page(site, "ok.py")
    result = site.build("-f", str(site.root / "mkdocs.yml"))
    assert result.returncode == 0, result.log


def test_editing_an_imported_helper_reruns_its_importer(site: Site) -> None:
    site.write("snippets/helper.py", "VALUE = 1\n")
    site.write("snippets/uses.py", "from helper import VALUE\nprint('value', VALUE)\n")
    site.write("snippets/alone.py", "print('alone')\n")
    site.write(
        "docs/index.md", "```deepcut\nfile: uses.py\n```\n\n```deepcut\nfile: alone.py\n```\n"
    )
    assert site.build().executed == 2
    site.write("snippets/helper.py", "VALUE = 2\n")
    result = site.build()
    assert result.executed == 1
    assert "value 2" in result.page()


def test_missing_configured_interpreter_is_named(site: Site) -> None:
    config = site.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      cache_dir: .cache/deepcuts\n",
            "      cache_dir: .cache/deepcuts\n      pythons: ['3.99']\n",
        )
    )
    site.write("snippets/ok.py", "print('ok')\n")
    _page(site, "ok.py")
    strict = site.build()
    assert strict.returncode != 0
    assert "no usable CPython 3.99 found" in strict.log
    relaxed = site.build(strict=False)
    assert relaxed.returncode == 0  # falls back to the building interpreter, with the warning
    assert "no usable CPython 3.99 found" in relaxed.log
    assert "ok" in relaxed.page()


def test_built_page_caches_the_recording(site: Site) -> None:
    site.write("snippets/calls.py", "def f(x):\n    return x * 2\n\nprint(f(21))\n")
    site.write("snippets/plain.py", "print('no recorder')\n")
    site.write(
        "docs/index.md",
        "```deepcut\nfile: calls.py\n```\n\n```deepcut\nfile: plain.py\ntrace: off\n```\n",
    )
    assert site.build().returncode == 0
    traces = {}
    for entry in (site.root / ".cache" / "deepcuts").rglob("*.trace"):
        found = decode(entry.stem, entry.read_bytes())
        assert found is not None
        trace = found.to_json()
        traces[trace["snippet"]] = trace
    assert [e["event"] for e in traces["calls.py"]["events"]] == [
        "call",
        "call",
        "return",
        "return",
    ]
    assert traces["calls.py"]["events"][1]["locals"] == {"x": "21"}
    assert traces["plain.py"]["events"] == [] and traces["plain.py"]["recorder"] is None


WATCHED_BUILD = """\
import json, sys
started = []
def hook(event, args):
    if event in ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.fork", "os.system"):
        started.append([event, repr(args)[:200]])
sys.addaudithook(hook)
from mkdocs.__main__ import cli
try:
    cli(["build", "--strict"], standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as handle:
        json.dump(started, handle)
"""


def test_a_warm_build_starts_no_process(site: Site, tmp_path: Path) -> None:
    """What each interpreter said about itself is cached by identity, and the sandbox is only
    chosen when something runs: a build with nothing to run starts no process at all."""
    site.write("snippets/a.py", "def f(x):\n    return x\n\nprint(f(1))\n")
    _page(site, "a.py", "viewer: true")
    assert site.build().returncode == 0
    record = tmp_path / "started.json"
    done = subprocess.run(
        [sys.executable, "-c", WATCHED_BUILD, str(record)],
        cwd=site.root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "0 snippet run(s) executed, 1 from cache" in done.stderr
    assert json.loads(record.read_text()) == []
