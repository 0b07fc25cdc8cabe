"""Run many snippets at once, on a pool sized to the machine and bounded by the sandbox.

Each run is a child process that the parent mostly waits for (and decodes as it writes), so
threads are enough: the pool has one worker per core, at most as many as the build's pids cgroup
leaves room for (``cgroup.BUILD_BUDGET`` processes shared by all runs, each run allowed
``Limits.processes``). Results come back keyed, so the order in which runs finish never shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from deepcuts.errors import DeepCutsError
from deepcuts.run.cgroup import BUILD_BUDGET
from deepcuts.run.process import Limits

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def workers(requested: int | None = None) -> int:
    """How many runs go at once: ``requested``, else one per core; never more than the pids
    budget allows."""
    wanted = requested or os.cpu_count() or 1
    return max(1, min(wanted, BUILD_BUDGET // Limits().processes))


def run_all(
    items: Sequence[tuple[K, Callable[[], R]]],
    jobs: int | None = None,
    done: Callable[[K, R | DeepCutsError], None] | None = None,
) -> dict[K, R | DeepCutsError]:
    """Call every function, ``jobs`` at a time; the result of each by its key. A
    :class:`DeepCutsError` is a result too (it belongs to the fence that asked); anything else
    propagates. ``done`` hears of each result as it comes (from the worker's thread)."""
    results: dict[K, R | DeepCutsError] = {}

    def call(key: K, function: Callable[[], R]) -> None:
        result: R | DeepCutsError
        try:
            result = function()
        except DeepCutsError as exc:
            result = exc
        results[key] = result
        if done is not None:
            done(key, result)

    count = min(workers(jobs), len(items))
    if count <= 1:
        for key, function in items:
            call(key, function)
        return results
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="deepcuts-run") as pool:
        for future in [pool.submit(call, key, function) for key, function in items]:
            future.result()
    return results
