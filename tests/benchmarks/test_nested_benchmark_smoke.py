"""Smoke test of figure 7 (nested completion against a hand-written cursor loop) at a tiny
size: shapes and request counts only, never timings (the CPU target lives in
``python -m benchmarks``)."""

from __future__ import annotations

from benchmarks.__main__ import BENCHMARKS
from benchmarks.nested import CPU_TARGET, REQUESTS_TARGET, UNITS, measure_nested


def test_measure_nested_counts_requests_and_cpu() -> None:
    figures = measure_nested(orders=3, items=25, repeats=1)

    assert set(figures) == set(UNITS) == {"nested_completion_requests", "nested_completion_cpu"}
    requests = figures["nested_completion_requests"]
    # 1 document + 1 batched follow-up, against 1 + 2 extra pages for each of the 3 orders.
    assert (requests["value"], requests["baseline"]) == (2, 7)
    assert requests["target"] == REQUESTS_TARGET
    assert requests["met"] is (requests["ratio"] <= REQUESTS_TARGET)  # type: ignore[operator]
    cpu = figures["nested_completion_cpu"]
    assert set(cpu) == {"value", "baseline", "ratio", "target", "met"}
    assert isinstance(cpu["value"], float)
    assert cpu["value"] > 0
    assert isinstance(cpu["baseline"], float)
    assert cpu["baseline"] > 0
    assert cpu["target"] == CPU_TARGET
    assert cpu["met"] is (cpu["ratio"] <= CPU_TARGET)  # type: ignore[operator]
    assert "nested" in BENCHMARKS
