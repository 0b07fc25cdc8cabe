"""The diagram renderer: golden SVGs (canonicalised) drawn from a real recording of the seed
program, and what each diagram must say. Rewrite with `pytest --update-goldens`, then review."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import REPO, check_golden
from deepcuts.errors import FenceError, Location
from deepcuts.render.diagrams import text as layout
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
    with pytest.raises(FenceError, match="nowhere was never reached"):
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
    with pytest.raises(FenceError, match="no '# marker: nowhere' comment"):
        render_diagrams(bad, trace, where, script.read_text())


STORY = Path(__file__).resolve().parent / "samples" / "story.py"
STORY_KINDS = ["depth", "lanes", "cells", "unwinding", "unwinding: risky", "cells: marker peeked"]


@pytest.fixture(scope="module")
def story_figures() -> dict[str, str]:
    """The diagrams of closures, recursion, turns and unwinding, from one recording."""
    trace = run_snippet(
        STORY, STORY.parent, interpreters.current(), Limits(), RecordOptions(lines=True)
    )
    spec = parse_spec("file: story.py\ndiagrams:\n" + "".join(f"  - {k}\n" for k in STORY_KINDS),
                      WHERE)  # fmt: skip
    figures = render_diagrams(spec, trace, WHERE, STORY.read_text())
    return dict(zip(STORY_KINDS, figures, strict=True))


@pytest.mark.parametrize("name", ["depth", "lanes", "cells", "unwinding"])
def test_golden_story_svg(story_figures: dict[str, str], name: str, update_goldens: bool) -> None:
    drawn = canonical(story_figures[name])
    check_golden(GOLDENS / f"story-{name}.svg", drawn, update_goldens, f"the {name} diagram")


def _text_in_boxes(svg: str) -> list[tuple[str, float, float]]:
    """(text, its width at the diagram font, the width of the box it is drawn in) for each
    group that draws one text inside one rect."""
    found = []
    for group in re.findall(r"<g class=\"[^\"]*\">(.*?)</g>", svg, re.S):
        rects = re.findall(r'<rect x="([\d.]+)"[^>]* width="([\d.]+)"', group)
        texts = re.findall(r'<text x="([\d.]+)"[^>]*>([^<]*)</text>', group)
        if len(rects) == 1 and len(texts) == 1:
            (rect_x, rect_w), (text_x, text) = rects[0], texts[0]
            shown = html.unescape(text)
            end = float(text_x) + len(shown) * layout.CHAR
            found.append((shown, end, float(rect_x) + float(rect_w)))
    return found


def test_no_label_is_wider_than_its_box(
    seed_figures: dict[str, str], story_figures: dict[str, str]
) -> None:
    checked = 0
    for svg in [*seed_figures.values(), *story_figures.values()]:
        for text, end, box_end in _text_in_boxes(svg):
            assert end <= box_end, f"{text!r} runs past its box ({end} > {box_end})"
            checked += 1
    assert checked > 20


def test_diagrams_are_drawn_at_their_natural_size_in_a_scroll_box(
    seed_figures: dict[str, str], story_figures: dict[str, str]
) -> None:
    for svg in [*seed_figures.values(), *story_figures.values()]:
        size = re.search(r'<svg [^>]*width="([\d.]+)" height="([\d.]+)" viewBox="-4 -4 ([\d.]+) '
                         r'([\d.]+)"', svg)  # fmt: skip
        assert size, "every SVG states its size in CSS pixels"
        assert size[1] == size[3] and size[2] == size[4], "one SVG unit is one CSS pixel"
        assert 'class="deepcut-diagram__scroll" tabindex="0" role="region"' in svg


def test_depth_folds_a_deep_recursion_and_marks_the_error(tmp_path: Path) -> None:
    script = tmp_path / "deep.py"
    script.write_text(
        "import sys\nsys.setrecursionlimit(120)\n\n\ndef down(n):\n    return down(n + 1)\n\n\n"
        "try:\n    down(0)\nexcept RecursionError:\n    print('stopped')\n"
    )
    trace = run_snippet(script, tmp_path, interpreters.current(), Limits(), RecordOptions())
    where = Location("article.md", 3, "deep.py")
    (svg,) = render_diagrams(parse_spec("file: deep.py\ndiagrams: [depth]\n", where), trace, where)
    deepest = max(e.depth for e in trace.events) + 1
    assert f"at most {deepest} frames" in svg
    folds = re.findall(r"\u2026 (\d+) more frames \u2026", svg)
    assert len(folds) == 2 and all(int(n) > deepest - 20 for n in folds)  # down, and back up
    assert "raises RecursionError" in svg
    width = float(re.search(r'<svg [^>]*width="([\d.]+)"', svg)[1])
    assert width < 700, "a recursion of any depth fits a column once folded"


def test_what_the_story_diagrams_say(story_figures: dict[str, str]) -> None:
    lanes = story_figures["lanes"]
    assert re.findall(r'class="dc-lane__name"[^>]*>([^<]*)<', lanes) == [
        "main()", "worker(name=&#39;a&#39;)", "worker(name=&#39;b&#39;)"]  # fmt: skip
    assert "numbers" not in lanes  # run to its end by list(): it takes turns with nobody
    assert lanes.count('class="dc-slice"') == 2 + 3 + 3  # main: a wait, an end; workers: 2, 1
    cells = story_figures["cells"]
    assert cells.count('class="dc-cells__arrow"') == 2 and cells.count('class="dc-cell"') == 1
    assert "cell 1 is shared" in cells and ">1<" in cells  # count is 1 at the end of the run
    marked = story_figures["cells: marker peeked"]
    assert "when line" in marked and ">0<" in marked  # before increment() ran: count is 0
    unwinding = story_figures["unwinding"]
    steps = re.findall(r'<g class="dc-step dc-step--(\w+)">', unwinding)
    assert steps == ["raised", "finally", "propagated", "caught"]
    assert story_figures["unwinding: risky"] == unwinding.replace("-d3", "-d4")


@pytest.mark.parametrize(
    ("kind", "script", "message"),
    [
        ("lanes", "def f():\n    yield 1\n\n\nprint(list(f()))\n", "fewer than two"),
        ("unwinding", "print(1)\n", "no exception was raised"),
        (
            "unwinding: g",
            "def f():\n    raise KeyError\n\n\ntry:\n    f()\nexcept KeyError:\n    pass\n",
            "no exception was raised in g",
        ),
        ("cells", "print(1)\n", "no function with a closure"),
        ("depth", "x = 1\n", "no call"),
    ],
)
def test_a_diagram_with_nothing_to_draw_says_why(
    tmp_path: Path, kind: str, script: str, message: str
) -> None:
    path = tmp_path / "nothing.py"
    path.write_text(script)
    trace = run_snippet(path, tmp_path, interpreters.current(), Limits(), RecordOptions())
    where = Location("article.md", 9, "nothing.py")
    spec = parse_spec(f"file: nothing.py\ndiagrams:\n  - {kind}\n", where)
    with pytest.raises(FenceError, match=message) as raised:
        render_diagrams(spec, trace, where, script)
    assert "article.md:9" in str(raised.value)
