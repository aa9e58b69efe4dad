"""Figure 3: a bulk inventory load of streamed records through the Job/Batch API.

Server: `benchmarks._job_server` in a separate process (OAuth, job, batch POST, batch GET
answering ``COMPLETE`` at once with one accepted per-record result per record). Each load runs
in a fresh client process (`benchmarks._inventory_client`) so that its peak RSS is its own;
sides and sizes are interleaved repeat by repeat.

The SDK side is ``FluentClient.inventory.update(generator, progress=False)``; the raw side is
a bare ``httpx`` loop doing the same requests and reading work (log in, create a job, POST
5000-record batches, poll each until ``COMPLETE``, count the 200 results). Both stream the
same generator of dicts, never a list.

Figures are named by role, ``small`` (100k records; 10k with ``--quick``) and ``large`` (1M;
100k with ``--quick``):

- ``inventory_cpu_small`` / ``inventory_cpu_large``: client process CPU of the SDK with one
  batch in flight (``concurrency=1``) against the raw loop, sequential too (target <= 1.3x).
- ``inventory_cpu_small_concurrency4`` / ``..._large_concurrency4`` (for information): the
  same with the SDK's default ``concurrency=4`` (a thread pool).
- ``inventory_rss_small`` / ``inventory_rss_large``: peak RSS (Linux ``VmHWM``) of the SDK
  client process with ``concurrency=4`` (the default: four batches in flight) against the
  150 MiB budget (target <= 1.0: within budget).
- ``inventory_rss_growth``: SDK peak RSS at the large size against the small one (target
  <= 1.1: memory stays flat, only the batches in flight are held).
- ``inventory_rss_vs_raw_small`` / ``..._large`` (for information): SDK peak RSS against the raw
  loop's.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks._harness import Figure, Units, figure

__all__ = ["RSS_BUDGET", "UNITS", "job_server", "measure_inventory", "run_client"]

#: Peak RSS the SDK client process may reach (target of issue 8).
RSS_BUDGET = 150 * 2**20
DEFAULT_CONCURRENCY = 4

UNITS: Units = {
    "inventory_rss_growth": "B",
    **{
        f"inventory_{kind}_{role}{suffix}": unit
        for role in ("small", "large")
        for kind, suffix, unit in (
            ("cpu", "", "s"),
            ("cpu", "_concurrency4", "s"),
            ("rss", "", "B"),
            ("rss_vs_raw", "", "B"),
        )
    },
}


@contextmanager
def job_server(delay: float = 0.0) -> Iterator[str]:
    """Start `_job_server` (adding ``delay`` seconds to batch requests); yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._job_server", str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def run_client(side: str, base_url: str, count: int, concurrency: int = 1) -> dict[str, float]:
    """One load in a fresh `_inventory_client` process: ``{"cpu", "maxrss", "accepted"}``."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._inventory_client",
            side,
            str(count),
            base_url,
            str(concurrency),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{side} client failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    if result["accepted"] != count:
        raise RuntimeError(f"{side} client accepted {result['accepted']} of {count}")
    return result


def measure_inventory(
    *, small: int = 100_000, large: int = 1_000_000, repeats: int = 3
) -> dict[str, Figure]:
    """Figure 3 at two sizes, ``repeats`` runs per side and size, interleaved."""
    sizes = {"small": small, "large": large}
    sides = {"sdk": 1, "sdk4": DEFAULT_CONCURRENCY, "raw": 1}
    cpu: dict[tuple[str, str], list[float]] = {}
    rss: dict[tuple[str, str], list[float]] = {}
    with job_server() as base_url:
        for _ in range(repeats):
            for role, size in sizes.items():
                for side, concurrency in sides.items():
                    result = run_client(side[:3], base_url, size, concurrency)
                    cpu.setdefault((side, role), []).append(result["cpu"])
                    rss.setdefault((side, role), []).append(result["maxrss"])
    figures: dict[str, Figure] = {}
    for role in sizes:
        raw_cpu = min(cpu["raw", role])
        figures[f"inventory_cpu_{role}"] = figure(min(cpu["sdk", role]), raw_cpu, 1.3)
        figures[f"inventory_cpu_{role}_concurrency4"] = figure(
            min(cpu["sdk4", role]), raw_cpu, None
        )
    peak = {role: statistics.median(rss["sdk4", role]) for role in sizes}
    for role in sizes:
        figures[f"inventory_rss_{role}"] = figure(peak[role], RSS_BUDGET, 1.0)
        figures[f"inventory_rss_vs_raw_{role}"] = figure(
            peak[role], statistics.median(rss["raw", role]), None
        )
    figures["inventory_rss_growth"] = figure(peak["large"], peak["small"], 1.1)
    return figures
