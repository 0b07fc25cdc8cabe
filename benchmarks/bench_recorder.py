"""Recorder speed and memory, measured side by side on every installed interpreter.

    python benchmarks/bench_recorder.py [--repeat N] [--quick]

Each figure is the median of N interleaved runs of whole processes (interpreter start included),
so that machine noise hits the traced and untraced runs alike. "child" is the snippet's process
alone, which is what recording costs; "end to end" adds the parent's decoding of the events.
Targets (issue #3):

- cost per recorded call-level event on recursive fib(22) with the cap lifted: at most 2 us on
  3.12+ and 3 us on 3.10-3.11;
- fib(22) with the default cap, whole run: at most 1.5x the untraced run;
- the seed program with line-level detail, whole run: at most 1.5x a plain run;
- the child's peak memory does not grow with the number of calls once the cap is reached.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepcuts.errors import InterpreterError
from deepcuts.model import Trace
from deepcuts.run import interpreters, runner
from deepcuts.run.interpreters import Interpreter
from deepcuts.run.process import Limits, ProcessOutcome, run_process
from deepcuts.run.runner import RecordOptions, run_snippet

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "snippets" / "function_call" / "seed.py"

FIB = """\
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib({n}))
"""

# Prints the process's own peak resident memory (VmHWM, KiB; unlike ru_maxrss it starts afresh
# at exec, so the forked parent's size does not count); the number of calls is what varies.
MEMORY = """\
def leaf(i):
    return i


for i in range({calls}):
    leaf(i)
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM")))
"""

LIMITS = Limits(timeout=120, channel_bytes=512 * 1024 * 1024)


_child_seconds: list[float] = []


def _watched_run_process(*args: Any, **kwargs: Any) -> ProcessOutcome:
    """The runner's run_process, remembering how long the child itself took."""
    outcome = run_process(*args, **kwargs)
    _child_seconds.append(outcome.duration)
    return outcome


runner.run_process = _watched_run_process


def timed(run: Callable[[], Trace]) -> tuple[float, float, Trace]:
    """(child seconds, end-to-end seconds, trace)."""
    started = time.perf_counter()
    trace = run()
    return _child_seconds[-1], time.perf_counter() - started, trace


def side_by_side(
    runs: dict[str, Callable[[], Trace]], repeat: int
) -> tuple[dict[str, float], dict[str, float], dict[str, Trace]]:
    """Median child and end-to-end seconds per named run, the runs interleaved by rounds."""
    child: dict[str, list[float]] = {name: [] for name in runs}
    whole: dict[str, list[float]] = {name: [] for name in runs}
    last: dict[str, Trace] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            child_seconds, seconds, trace = timed(run)
            if not trace.ok:
                raise SystemExit(f"{name} failed: {trace.error} {trace.notes}")
            child[name].append(child_seconds)
            whole[name].append(seconds)
            last[name] = trace
    return (
        {name: statistics.median(values) for name, values in child.items()},
        {name: statistics.median(values) for name, values in whole.items()},
        last,
    )


def backends(interpreter: Interpreter) -> list[str]:
    return ["settrace", "monitoring"] if interpreter.version_info >= (3, 12) else ["settrace"]


def bench(interpreter: Interpreter, folder: Path, repeat: int, fib_n: int) -> list[str]:
    fib = folder / "fib.py"
    fib.write_text(FIB.format(n=fib_n))
    rows = []

    def run(script: Path, record: RecordOptions | None) -> Callable[[], Trace]:
        return lambda: run_snippet(script, script.parent, interpreter, LIMITS, record)

    for backend in backends(interpreter):
        default = backend == ("monitoring" if interpreter.version_info >= (3, 12) else "settrace")
        child, whole, traces = side_by_side(
            {
                "plain": run(fib, None),
                "uncapped": run(fib, RecordOptions(backend=backend, max_events=0)),
                "capped": run(fib, RecordOptions(backend=backend)),
                "seed plain": run(SEED, None),
                "seed lines": run(SEED, RecordOptions(backend=backend, lines=True)),
            },
            repeat,
        )
        events = len(traces["uncapped"].events)
        target = 2.0 if interpreter.version_info >= (3, 12) else 3.0

        def per_event(figures: dict[str, float], events: int = events) -> str:
            return f"{(figures['uncapped'] - figures['plain']) / events * 1e6:5.2f}"

        def ratio(figures: dict[str, float], traced: str, plain: str) -> str:
            return (
                f"{figures[traced] / figures[plain]:4.2f}x"
                f" ({figures[traced] * 1e3:4.0f}/{figures[plain] * 1e3:3.0f} ms)"
            )

        rows.append(
            f"{interpreter.full_version:<7} {backend:<10}{'*' if default else ' '}"
            f" us/event (target {target:g}): child {per_event(child)}, end to end"
            f" {per_event(whole)} [{events} events]"
            f" | fib capped/plain (1.5): child {ratio(child, 'capped', 'plain')},"
            f" end to end {ratio(whole, 'capped', 'plain')}"
            f" | seed lines/plain (1.5): child {ratio(child, 'seed lines', 'seed plain')},"
            f" end to end {ratio(whole, 'seed lines', 'seed plain')}"
        )
    return rows


def memory(interpreter: Interpreter, folder: Path) -> str:
    """Peak RSS of the child for 10^4, 10^5 and 10^6 calls under the default cap."""
    figures = []
    for calls in (10_000, 100_000, 1_000_000):
        script = folder / f"memory_{calls}.py"
        script.write_text(MEMORY.format(calls=calls))
        plain = run_snippet(script, folder, interpreter, LIMITS, None)
        traced = run_snippet(script, folder, interpreter, LIMITS, RecordOptions())
        figures.append(
            f"{calls:>7} calls {int(plain.stdout) / 1024:5.1f}/{int(traced.stdout) / 1024:5.1f} MiB"
        )
    return (
        f"{interpreter.full_version:<7} child peak memory, plain/traced with the default cap: "
        + ", ".join(figures)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--quick", action="store_true", help="fib(18) and 3 runs, to smoke-test")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    fib_n = 18 if args.quick else 22
    found = []
    for version in interpreters.SUPPORTED:
        try:
            found.append(interpreters.find(version))
        except InterpreterError as exc:
            print(f"skipped {version}: {exc}", file=sys.stderr)
    print(f"medians of {repeat} interleaved whole-process runs; fib({fib_n}); * = default backend")
    with tempfile.TemporaryDirectory() as folder:
        for interpreter in found:
            for row in bench(interpreter, Path(folder), repeat, fib_n):
                print(row, flush=True)
        for interpreter in found:
            print(memory(interpreter, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
