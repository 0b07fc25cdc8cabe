"""What the sandbox adds to one snippet run, measured side by side.

    python benchmarks/bench_sandbox.py [--repeat N]

For each installed interpreter, the same snippet runs with the full sandbox (bubblewrap and the
pids cgroup) and with only the always-on layers (rlimits, deadline, scratch, environment),
interleaved run by run; medians and the difference are printed. Target (issue #6): at most 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from deepcuts.errors import InterpreterError
from deepcuts.run import interpreters
from deepcuts.run.process import Limits
from deepcuts.run.runner import RecordOptions, run_snippet
from deepcuts.run.sandbox import Sandbox, choose_sandbox

REPO = Path(__file__).resolve().parents[1]
SNIPPETS = {
    "hello (plain run)": ("print('hello')\n", None),
    "seed program (recorded)": (
        (REPO / "snippets/function_call/seed.py").read_text(),
        RecordOptions(),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per figure (median)")
    args = parser.parse_args()
    full = choose_sandbox(require=True)
    bare = Sandbox(bwrap=None, missing=(), pids_cgroup=False)
    print(f"medians of {args.repeat} interleaved runs; {full.describe()[:120]}...")
    with tempfile.TemporaryDirectory() as folder:
        for version in interpreters.SUPPORTED:
            try:
                interpreter = interpreters.find(version)
            except InterpreterError as exc:
                print(f"skipped {version}: {exc}", file=sys.stderr)
                continue
            if interpreter.root is not None:
                print(f"skipped {version}: it runs only inside bubblewrap (its own /usr)")
                continue
            for label, (source, record) in SNIPPETS.items():
                script = Path(folder) / f"{label.split()[0]}.py"
                script.write_text(source)
                times: dict[str, list[float]] = {"bare": [], "full": []}
                for _ in range(args.repeat):
                    for name, sandbox in (("bare", bare), ("full", full)):
                        started = time.perf_counter()
                        trace = run_snippet(
                            script, script.parent, interpreter, Limits(), record, sandbox=sandbox
                        )
                        times[name].append(time.perf_counter() - started)
                        assert trace.ok, (name, trace.error, trace.notes)
                bare_ms = statistics.median(times["bare"]) * 1e3
                full_ms = statistics.median(times["full"]) * 1e3
                print(
                    f"{interpreter.full_version:<7} {label:<24} without {bare_ms:5.1f} ms,"
                    f" sandboxed {full_ms:5.1f} ms, added {full_ms - bare_ms:+5.1f} ms"
                    f" (target +10)"
                )


if __name__ == "__main__":
    main()
