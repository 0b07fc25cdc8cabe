"""Every claim form against a real recorded run, on each installed interpreter: each true claim
holds, and a false one of each form fails with the recorded events as its evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLES, installed_pythons
from deepcuts.claims import ClaimError, check_claims, parse_claims
from deepcuts.errors import Location
from deepcuts.model import Trace
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.process import Limits
from deepcuts.run.runner import RecordOptions, run_snippet

STORY = SAMPLES / "story.py"

# (a true claim about story.py, a false one of the same form, what the failure says)
CASES = [
    ("increment reads count from a closure cell", "peek reads total from a closure cell",
     "peek's free variables (read from cells) are: count"),
    ("make_counter keeps count in a cell", "make_counter keeps peek in a cell",
     "cell variables (kept in cells) are: count"),
    ("increment and peek share the cell count", "increment and down share the cell count",
     "down has none"),
    ("down reaches depth 4", "down reaches depth 5", "down reached depth 4"),
    ("numbers yields 4 times", "numbers yields 2 times", "numbers yielded 4 time(s)"),
    ("numbers resumes with total=1", "numbers resumes with total=7",
     "numbers resumed with total="),
    ("numbers is never resumed", "make_counter is never resumed", "none was suspended"),
    ("worker and main take turns", "numbers and down take turns", "in the order they ran"),
    ("the exception raised in risky is caught in handler",
     "the exception raised in risky is caught in down", "down caught nothing"),
    ("risky's finally block runs before handler catches the exception",
     "handler's finally block runs before risky catches the exception",
     "finally blocks of handler that ran with an exception: 0"),
    ("down is called from down", "down is called from risky", "down was called from <module>"),
    # frames by name or by qualified name, as NAME itself
    ("the stack in increment is increment, <module>", "the stack in increment is increment",
     "the stack in increment was make_counter.<locals>.increment, <module>"),
    ("the stack in increment is make_counter.<locals>.increment, <module>",
     "the stack in increment is make_counter, <module>",
     "the stack in increment was make_counter.<locals>.increment, <module>"),
]  # fmt: skip


@pytest.fixture(scope="module", params=installed_pythons())
def story(request: pytest.FixtureRequest) -> Trace:
    interpreter: Interpreter = request.param
    if interpreter.version_info < (3, 11):
        pytest.skip("story.py needs CPython 3.11+")
    trace = run_snippet(STORY, SAMPLES, interpreter, Limits(timeout=30), RecordOptions())
    assert trace.ok, trace.stderr
    return trace


WHERE = Location("claims.md", 1, "story.py")


@pytest.mark.parametrize(("true", "false", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_true_claim_holds_and_a_false_one_fails_with_evidence(
    story: Trace, true: str, false: str, says: str
) -> None:
    check_claims(parse_claims([true], WHERE), story, WHERE)
    with pytest.raises(ClaimError) as info:
        check_claims(parse_claims([false], WHERE), story, WHERE)
    assert says in info.value.message, info.value.message
    assert info.value.detail.startswith("recorded events:")


@pytest.mark.parametrize("interpreter", installed_pythons())
def test_recursion_error_depth(interpreter: Interpreter, tmp_path: Path) -> None:
    """`RecursionError is raised at depth N`: N is the raising frame's recursion depth, which the
    recording holds to the last frame (3.11+; 3.10 stops recording short of the limit)."""
    if interpreter.version_info < (3, 11):
        pytest.skip("3.10 stops recording 50 frames short of the recursion limit")
    script = tmp_path / "deep.py"
    script.write_text(
        "import sys\nsys.setrecursionlimit(40)\n\ndef down(n):\n    return down(n + 1)\n\n"
        "try:\n    down(0)\nexcept RecursionError:\n    print('stopped')\n"
    )
    trace = run_snippet(script, tmp_path, interpreter, Limits(), RecordOptions())
    calls = [e for e in trace.events if e.event == "call" and e.qualname == "down"]
    claim = f"RecursionError is raised at depth {len(calls)}"  # the deepest of them raises
    check_claims(parse_claims([claim, f"down reaches depth {len(calls)}"], WHERE), trace, WHERE)
    with pytest.raises(ClaimError, match=f"raised at depth {len(calls)}"):
        check_claims(parse_claims(["RecursionError is raised at depth 3"], WHERE), trace, WHERE)
