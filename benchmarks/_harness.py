"""Timing helpers shared by the benchmarks.

Every figure is a ratio of two measurements taken in the same run, interleaved repeat by repeat
so that load from other processes hits both sides alike. Time is the CPU time of the measuring
thread (`time.thread_time`), not wall time: servers and other processes do not count.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Mapping

__all__ = ["Figure", "Units", "batch", "cpu_per_call", "figure"]

#: ``{"value", "baseline", "ratio", "target", "met"}``; ``target``/``met`` are None for rows
#: that are reported for information only.
Figure = dict[str, "float | bool | None"]
#: How `python -m benchmarks` displays a figure's value and baseline: ``"s"`` (shown in ms),
#: ``"B"`` (shown in MiB) or ``""`` (plain number).
Units = dict[str, str]


def figure(value: float, baseline: float, target: float | None) -> Figure:
    ratio = value / baseline if baseline else float("inf")
    return {
        "value": value,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": None if target is None else ratio <= target,
    }


def batch(call: Callable[[], object]) -> Callable[[int], None]:
    """A runner doing ``call()`` n times, keeping each result alive until the next one (as a
    caller holding on to its answer would), so both sides pay for building and freeing results."""

    def run(n: int) -> None:
        result: object = None
        for _ in range(n):
            result = call()
        del result

    return run


def cpu_per_call(
    runners: Mapping[str, Callable[[int], None]], *, calls: int, repeats: int, warmup: int = 2
) -> dict[str, float]:
    """Median CPU seconds per call of each runner, over ``repeats`` interleaved repeats.

    A runner performs n calls when called with n. The garbage collector stays enabled (its cost
    is part of what a caller pays); a full collection before each repeat gives every runner
    the same starting heap.
    """
    for run in runners.values():
        run(warmup)
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            gc.collect()
            started = time.thread_time()
            run(calls)
            samples[name].append((time.thread_time() - started) / calls)
    return {name: min(values) for name, values in samples.items()}
