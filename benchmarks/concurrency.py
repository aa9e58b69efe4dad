"""Figure 5: batches in flight with the async ``inventory.update``, in wall-clock time.

Server: `benchmarks._job_server` in a separate process, adding ``delay`` seconds (50 ms) to
every batch POST and every batch poll, as a remote Fluent would; it answers ``COMPLETE`` on the
first poll. The client is one ``AsyncFluentClient`` (logged in and its job opened by a warm-up
run) loading ``batches`` batches of ``batch_size`` streamed records.

- ``concurrency_wall``: wall time of ``inventory.update(..., concurrency=8)`` against
  ``concurrency=1``, min over ``repeats`` interleaved runs (target <= 1/6, i.e. a speed-up of
  at least 6x; the ideal with 40 batches is 1/8). Bounded: the serial run takes about
  ``batches * 2 * delay`` seconds (4 s by default).
"""

from __future__ import annotations

import asyncio
import time

from benchmarks._harness import Figure, Units, figure
from benchmarks._inventory_client import CREDENTIALS, records
from benchmarks.inventory import job_server
from fluent_sdk import AsyncFluentClient

__all__ = ["SPEEDUP_TARGET", "UNITS", "measure_concurrency"]

UNITS: Units = {"concurrency_wall": "s"}
#: Wall time with 8 batches in flight must be at most this fraction of the serial one
#: (a 6x speed-up, rounded down so the target is never looser than 6x).
SPEEDUP_TARGET = 0.1666


async def _load(client: AsyncFluentClient, count: int, batch_size: int, concurrency: int) -> float:
    started = time.perf_counter()
    report = await client.inventory.update(
        records(count),
        batch_size=batch_size,
        concurrency=concurrency,
        progress=False,
        poll_interval=0.05,
    )
    elapsed = time.perf_counter() - started
    if report.accepted != count or report.batches != -(-count // batch_size):
        raise RuntimeError(f"concurrency={concurrency}: {report!r}")
    return elapsed


async def _measure(
    base_url: str, *, batches: int, batch_size: int, in_flight: int, repeats: int
) -> tuple[float, float]:
    count = batches * batch_size
    async with AsyncFluentClient(
        base_url=base_url,
        client_id=CREDENTIALS["client_id"],
        client_secret=CREDENTIALS["client_secret"],
        username=CREDENTIALS["username"],
        password=CREDENTIALS["password"],
    ) as client:
        await _load(client, batch_size, batch_size, 1)  # warm-up: login, job, first requests
        parallel: list[float] = []
        serial: list[float] = []
        for _ in range(repeats):
            parallel.append(await _load(client, count, batch_size, in_flight))
            serial.append(await _load(client, count, batch_size, 1))
    return min(parallel), min(serial)


def measure_concurrency(
    *,
    batches: int = 40,
    batch_size: int = 20,
    in_flight: int = 8,
    delay: float = 0.05,
    repeats: int = 3,
) -> dict[str, Figure]:
    with job_server(delay) as base_url:
        parallel, serial = asyncio.run(
            _measure(
                base_url,
                batches=batches,
                batch_size=batch_size,
                in_flight=in_flight,
                repeats=repeats,
            )
        )
    return {"concurrency_wall": figure(parallel, serial, SPEEDUP_TARGET)}
