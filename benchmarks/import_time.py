"""Import cost: ``import fluent_sdk`` (and ``from fluent_sdk import FluentClient``) against
``import httpx, pydantic``, each the median of fresh interpreter processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

__all__ = ["measure_import"]


def _median_seconds(statement: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure_import(runs: int = 15) -> dict[str, dict[str, float | bool]]:
    baseline = _median_seconds("import httpx, pydantic", runs)
    figures: dict[str, dict[str, float | bool]] = {}
    for name, statement, target in (
        ("import_fluent_sdk", "import fluent_sdk", 1.5),
        ("import_fluent_client", "from fluent_sdk import FluentClient", 1.5),
    ):
        value = _median_seconds(statement, runs)
        ratio = value / baseline
        figures[name] = {
            "value": value,
            "baseline": baseline,
            "ratio": ratio,
            "target": target,
            "met": ratio <= target,
        }
    return figures
