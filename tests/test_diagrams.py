"""The diagram renderer: golden SVGs (canonicalised) drawn from a real recording of the seed
program, and what each diagram must say. Rewrite with `pytest --update-goldens`, then review."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, check_golden
from deepcuts.errors import FenceError, Location
from deepcuts.render.figures import render_diagrams
from deepcuts.run import interpreters
from deepcuts.run.process import Limits
from deepcuts.run.runner import RecordOptions, run_snippet
from deepcuts.spec import parse_spec

GOLDENS = Path(__file__).resolve().parent / "goldens" / "svg"
SEED = REPO / "snippets" / "function_call" / "seed.py"
WHERE = Location("article.md", 3, "seed.py")


def canonical(svg: str) -> str:
    """One tag per line, no indentation or blank lines: diffs show what changed."""
    return (
        "\n".join(
            line.strip() for line in re.sub(r">\s*<", ">\n<", svg).splitlines() if line.strip()
        )
        + "\n"
    )


@pytest.fixture(scope="module")
def seed_figures() -> dict[str, str]:
    trace = run_snippet(SEED, SEED.parent, interpreters.current(), Limits(), RecordOptions())
    spec = parse_spec(
        "file: seed.py\ndiagrams:\n  - timeline\n  - snapshot: add\n  - snapshot: level_two\n"
        "  - lifecycle\n",
        WHERE,
    )
    names = ["timeline", "snapshot-add", "snapshot-level_two", "lifecycle"]
    return dict(zip(names, render_diagrams(spec, trace, WHERE), strict=True))


@pytest.mark.parametrize("name", ["timeline", "snapshot-add", "snapshot-level_two", "lifecycle"])
def test_golden_svg(seed_figures: dict[str, str], name: str, update_goldens: bool) -> None:
    drawn = canonical(seed_figures[name])
    check_golden(GOLDENS / f"seed-{name}.svg", drawn, update_goldens, f"the {name} diagram")


def test_each_diagram_has_a_title_and_a_text_alternative(seed_figures: dict[str, str]) -> None:
    for svg in seed_figures.values():
        assert 'role="img"' in svg and "<title " in svg and "<desc " in svg


def test_what_the_diagrams_say(seed_figures: dict[str, str]) -> None:
    timeline = seed_figures["timeline"]
    assert timeline.count("<title>counter() returns 1</title>") == 2  # two frames, not one
    assert "<title>inner() returns &#39;done&#39;</title>" in timeline
    assert "async_fn: created, never started" in timeline
    add = seed_figures["snapshot-add"]
    assert ">a = 2<" in add and ">b = 3<" in add and "will return 5" in add
    assert "f_back &#8595; &lt;module&gt;" in add
    stack = seed_figures["snapshot-level_two"]
    assert stack.count('class="dc-frame"') == 3
    assert "level_two with no arguments, called from level_one; level_one" in stack
    life = seed_figures["lifecycle"]
    assert "async_fn: closed (never started)" in life and "async_fn: created" in life


def test_a_snapshot_of_a_function_that_never_ran_is_an_error() -> None:
    trace = run_snippet(SEED, SEED.parent, interpreters.current(), Limits(), RecordOptions())
    spec = parse_spec("file: seed.py\ndiagrams:\n  - snapshot: nowhere\n", WHERE)
    with pytest.raises(FenceError, match="nowhere was never called"):
        render_diagrams(spec, trace, WHERE)


def test_an_unknown_diagram_is_a_fence_error() -> None:
    with pytest.raises(FenceError, match="unknown diagram"):
        parse_spec("file: seed.py\ndiagrams:\n  - pie chart\n", WHERE)


def test_snapshot_at_a_line_and_at_a_marker(tmp_path: Path) -> None:
    script = tmp_path / "marked.py"
    script.write_text(
        "def outer(n):\n    total = n + 1\n    return inner(total)\n\n\n"
        "def inner(m):\n    doubled = m * 2  # snapshot: deep\n    return doubled\n\n\n"
        "print(outer(1))\n"
    )
    trace = run_snippet(
        script, tmp_path, interpreters.current(), Limits(), RecordOptions(lines=True)
    )
    where = Location("article.md", 3, "marked.py")
    spec = parse_spec(
        "file: marked.py\ndiagrams:\n  - snapshot: 7\n  - snapshot: marker deep\n", where
    )
    by_line, by_marker = render_diagrams(spec, trace, where, script.read_text())
    assert by_line == by_marker.replace("-d1", "-d0")  # the marker is on line 7
    assert "The stack when line 7 starts" in by_line
    assert ">m = 2<" in by_line and ">n = 1<" in by_line and ">total = 2<" in by_line
    bad = parse_spec("file: marked.py\ndiagrams:\n  - snapshot: marker nowhere\n", where)
    with pytest.raises(FenceError, match="no '# snapshot: nowhere' comment"):
        render_diagrams(bad, trace, where, script.read_text())
