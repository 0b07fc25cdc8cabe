"""Edit and run without a browser: the Python the worker runs (deepcuts.inbrowser), run here on
CPython, and what a build puts into the site (or says when it cannot). The browser side is in
tests/test_browser.py."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, Site
from deepcuts import edit_run, inbrowser
from deepcuts.run.process import Limits

RECORD = "lines=0,max_events=10000,stdlib=0"

_RUN = """
import json, sys
sys.path[:0] = [{generator!r}, {record!r}]
from deepcuts import inbrowser
inbrowser.SNIPPETS, inbrowser.WORK = {snippets!r}, {work!r}
posted = []
result = inbrowser.run(sys.stdin.read(), {snippet!r}, {options!r}, lambda *a: posted.append(a))
result["posted"] = posted
print(json.dumps(result))
"""


def _run(tmp_path: Path, source: str, snippet: str = "function_call/seed.py") -> dict[str, object]:
    """inbrowser.run in a fresh interpreter (it redirects fds 1 and 2, as in the worker)."""
    script = _RUN.format(
        generator=str(REPO / "generator"),
        record=str(REPO / "generator" / "deepcuts" / "record"),
        snippets=str(tmp_path / "snippets"),
        work=str(tmp_path / "work"),
        snippet=snippet,
        options=RECORD,
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=source,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_a_run_in_process_prints_what_the_build_recorded(tmp_path: Path) -> None:
    seed = REPO / "snippets" / "function_call" / "seed.py"
    result = _run(tmp_path, seed.read_text())
    expected = seed.with_suffix(".out").read_text()
    stdout = str(result["stdout"])
    # The frames under the snippet's module differ only here (the worker execs from C).
    assert stdout.split("level_two", 1)[0] == expected.split("level_two", 1)[0]
    assert result["stderr"] == seed.with_suffix(".err").read_text()
    viewer = json.loads(str(result["viewer"]))
    assert len(viewer["events"]) == 19
    add = [e for e in viewer["events"] if viewer["frames"][e[1]] == "add"]
    assert add[0][0] == "call" and add[0][3] == {"a": "2", "b": "3"}
    assert add[1][:4] == ["return", add[0][1], 9, "5"]


def test_input_raises_eof_error_and_is_reported(tmp_path: Path) -> None:
    result = _run(tmp_path, "name = input('name? ')\n", "a/b.py")
    assert result["asked_input"] is True
    assert str(result["stderr"]).endswith("EOFError: EOF when reading a line\n")
    assert result["exit_code"] == 1


def test_errors_and_exits_are_reported_as_the_interpreter_would(tmp_path: Path) -> None:
    failed = _run(tmp_path, "def f():\n    1/0\nf()\n", "a/b.py")
    assert str(failed["stderr"]).startswith('Traceback (most recent call last):\n  File "a/b.py"')
    assert _run(tmp_path, "def f(:\n", "a/b.py")["stderr"] == textwrap.dedent("""\
          File "a/b.py", line 1
            def f(:
                  ^
        SyntaxError: invalid syntax
    """)
    assert _run(tmp_path, "import sys\nsys.exit(3)\n", "a/b.py")["exit_code"] == 3


def test_output_past_the_cap_is_posted_to_the_page(tmp_path: Path) -> None:
    result = _run(tmp_path, "for i in range(100_000):\n    print('x' * 10)\n", "a/b.py")
    assert result["posted"] and result["posted"][0][0] == "stdout"  # type: ignore[index]
    assert len(str(result["stdout"])) <= inbrowser.OUTPUT_CAP + 20


def test_the_browser_has_the_build_limits() -> None:
    assert Limits().stdout_bytes == Limits().stderr_bytes == inbrowser.OUTPUT_CAP


def test_the_bundle_is_the_project_code_and_stdlib_only() -> None:
    """What the browser gets is read from the generator, and imports only the standard library
    and the bundle itself (Pyodide has nothing else)."""
    files = edit_run.bundle()
    recorder = REPO / "generator/deepcuts/record/_deepcuts_recorder.py"
    assert files["record/_deepcuts_recorder.py"] == recorder.read_text()
    assert files["__init__.py"] == files["run/__init__.py"] == ""
    own = {Path(name).stem for name in files if name.startswith("record/")}
    for name, text in files.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top == "deepcuts":
                    path = module.removeprefix("deepcuts").strip(".").replace(".", "/")
                    assert f"{path}.py" in files or f"{path}/__init__.py".lstrip("/") in files, (
                        name,
                        module,
                    )
                else:
                    assert top in sys.stdlib_module_names or top in own, (name, module)


PAGE = """\
# Page

```deepcut
file: demo.py
viewer: true
```
"""


def _site(site: Site, extra: str = "") -> None:
    config = (site.root / "mkdocs.yml").read_text()
    config = config.replace("cache_dir: .cache/deepcuts\n", f"cache_dir: .cache/deepcuts\n{extra}")
    site.write("mkdocs.yml", config)
    site.write("docs/index.md", PAGE)
    site.write("snippets/demo.py", "print(1 + 1)\n")
    site.write("snippets/demo.out", "2\n")


@pytest.mark.slow
def test_a_site_can_turn_edit_and_run_off(site: Site) -> None:
    _site(site, "      edit_and_run: false\n")
    built = site.build()
    assert built.returncode == 0, built.log
    assert "Edit and run: off in this site's configuration" in built.log
    assert 'class="deepcut-viewer" data-run=' not in built.page()
    assert not (built.site / "site" / "assets" / "pyodide").exists()


@pytest.mark.slow
def test_without_the_npm_package_the_control_is_not_offered_and_the_build_says_why(
    site: Site, tmp_path: Path
) -> None:
    _site(site, f"      pyodide_dir: {tmp_path / 'nowhere'}\n")
    built = site.build()
    assert built.returncode == 0, built.log
    assert "Edit and run is not offered on this build: the npm package pyodide is not " in (
        built.log
    )
    assert "data-run=" not in built.page()


@pytest.mark.slow
def test_with_the_npm_package_the_site_carries_pyodide_once(site: Site) -> None:
    found, why = edit_run.find_pyodide()
    if found is None:
        pytest.skip(why)
    _site(site)
    built = site.build()
    assert built.returncode == 0, built.log
    assert 'class="deepcut-viewer" data-run="assets/"' in built.page()
    copied = built.site / "site" / "assets" / "pyodide"
    assert sorted(p.name for p in copied.iterdir()) == sorted(edit_run.PYODIDE_FILES)
    bundle = json.loads((built.site / "site" / edit_run.SITE_BUNDLE).read_text())
    assert bundle["version"] == edit_run.PYODIDE_VERSION
    assert set(bundle["files"]) == set(edit_run.bundle())
