"""The benchmarks run, at a tiny size: a smoke test. Their figures are never asserted here."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_the_build_benchmark_runs_every_measurement() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_build.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for measurement in ("bare", "plain build", "cold", "warm", "peak RSS", "cache", "serve"):
        assert measurement in done.stdout, (measurement, done.stdout)
