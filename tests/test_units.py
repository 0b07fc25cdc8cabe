"""Small pieces on their own: normalisation, fence parsing, snippet discovery, terminal text."""

from __future__ import annotations

import json
from pathlib import Path

import markdown
import pytest

from deepcuts.discover import excerpt, load_snippet, local_modules
from deepcuts.errors import FenceError, Location
from deepcuts.extension import LineMarker
from deepcuts.model import Event, RunError, Trace
from deepcuts.render import terminal_text
from deepcuts.run.normalise import Normaliser
from deepcuts.spec import parse_spec


def test_addresses_numbered_in_order_and_reused() -> None:
    norm = Normaliser([])
    text = "<A at 0x7f00aa> <B at 0x7f00bb> <frame at 0x7F00AA, file 'x'>"
    assert norm.text(text) == "<A at 0xADDR1> <B at 0xADDR2> <frame at 0xADDR1, file 'x'>"
    # The numbering is shared by everything normalised in one run.
    assert norm.text("again <C at 0x7f00bb>") == "again <C at 0xADDR2>"


def test_plain_hex_numbers_are_data() -> None:
    assert Normaliser([]).text("hex(255) = 0xff, id 0x7f3a") == "hex(255) = 0xff, id 0x7f3a"


def test_paths_become_relative_longest_prefix_first() -> None:
    norm = Normaliser([("/a/b", "<stdlib>/"), ("/a/b/snippets", "")])
    assert norm.text('File "/a/b/snippets/x/y.py", line 3') == 'File "x/y.py", line 3'
    assert norm.text("/a/b/json/__init__.py") == "<stdlib>/json/__init__.py"
    assert norm.text("cwd /a/b") == "cwd <stdlib>"


def test_terminal_text_strips_escapes_and_shows_controls() -> None:
    assert terminal_text("\x1b[31mred\x1b[0m \x1b]0;title\x07ok") == "red ok"
    assert terminal_text("bell\x07 nul\x00 tab\tnl\n") == "bell\\x07 nul\\x00 tab\tnl\n"


LOC = Location("a.md", 10)


def test_spec_full() -> None:
    spec = parse_spec("file: x.py\nsection: s\nraises: KeyError\ntimeout: 2\ntitle: T\n", LOC)
    assert (spec.file, spec.section, spec.raises, spec.timeout, spec.title) == (
        "x.py",
        "s",
        "KeyError",
        2.0,
        "T",
    )
    assert parse_spec("file: x.py\nraises: true", LOC).raises == "*"
    assert parse_spec("file: x.py\nlines: 2-4", LOC).lines == (2, 4)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "holds a YAML mapping"),
        ("title: no file", "needs 'file:"),
        ("file: x.py\nlines: two", "'lines' must look like 3-9"),
        ("file: x.py\nlines: 1-2\nsection: s", "not both"),
        ("file: x.py\nraises: 3", "'raises' is an exception name"),
        ("file: x.py\ntimeout: yes", "'timeout' is a number"),
        ("file: x.py\ntimeout: 600", "at most 60"),
        ("file: x.py\ntitle: [1]", "'title' must be text"),
    ],
)
def test_spec_errors(body: str, message: str) -> None:
    with pytest.raises(FenceError, match=message.replace("(", r"\(")) as info:
        parse_spec(body, LOC)
    assert info.value.location.article == "a.md"


def test_yaml_error_points_at_the_body_line() -> None:
    with pytest.raises(FenceError) as info:
        parse_spec("file: x.py\ntitle: [oops\n", LOC)
    assert info.value.location.line is not None and info.value.location.line > LOC.line  # type: ignore[operator]


def test_snippet_paths_stay_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "secret.py").write_text("x = 1\n")
    (tmp_path / "snippets" / "link.py").symlink_to(tmp_path / "secret.py")
    for name in ("../secret.py", "/etc/passwd", "link.py", "notes.txt"):
        with pytest.raises(FenceError):
            load_snippet(tmp_path / "snippets", name)


def test_sections_and_lines(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text("a = 1\n# [start:x]\nb = 2\nc = 3\n# [end:x]\nd = 4\n")
    snippet = load_snippet(tmp_path, "s.py")
    part = excerpt(snippet, "x", None)
    assert (part.text, part.first_line) == ("b = 2\nc = 3", 3)
    assert excerpt(snippet, None, (6, 6)).text == "d = 4"
    assert excerpt(snippet, None, None).first_line == 1


def test_local_modules_followed_transitively(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("import a\nimport json\n")
    (tmp_path / "a.py").write_text("from b import thing\n")
    (tmp_path / "b.py").write_text("thing = 1\n")
    (tmp_path / "unrelated.py").write_text("x = 1\n")
    assert [p.name for p in local_modules(tmp_path / "main.py")] == ["a.py", "b.py"]


def test_line_marker_skips_examples_inside_other_fences() -> None:
    lines = [
        "````markdown",  # 1: an example block
        "```deepcut",  # 2: shown, not run
        "file: x.py",
        "```",
        "````",  # 5: end of the example
        "",
        "```deepcut",  # 7: a real fence
        "file: y.py",
        "```",
        "> ```deepcut",  # 10: in a block quote
        "> ```",
    ]
    out = LineMarker(markdown.Markdown()).run(lines)
    assert out[1] == "```deepcut"
    assert out[6] == '```deepcut deepcuts_line="7"'
    assert out[9] == '> ```deepcut deepcuts_line="10"'


def test_trace_json_round_trip() -> None:
    trace = Trace(
        python="3.12.1",
        snippet="a.py",
        stdout="x\n",
        stderr="",
        exit_code=1,
        error=RunError("exception", "ValueError: v"),
        truncated=True,
        events=(
            Event("call", 1, None, 0, "<module>", "<module>", 1, stdout=0, stderr=0),
            Event("call", 2, 1, 1, "f", "f", 3, thread=1, locals={"a": "1"}),
            Event(
                "abandoned",
                3,
                1,
                1,
                "c",
                "c",
                5,
                value="<coroutine>",
                how="never started",
                objects={"<coroutine>": "created"},
            ),
        ),
        notes=("n",),
        recorder={"backend": "monitoring", "reason": "r"},
    )
    assert Trace.from_json(json.loads(json.dumps(trace.to_json()))) == trace
