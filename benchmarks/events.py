"""Figure 6: events in flight with ``events.send_many``, in wall-clock time.

Server: the embedded sandbox (in process) with ``Sandbox(event_delay=0.05)``: every event POST
takes 50 ms, slept outside the sandbox's lock as a remote workflow run would, so events in
flight overlap. Each run sends ``events`` synchronous events (``mode="sync"``, a ruleset that
completes) to the seeded locations, as a stream.

- ``events_send_many_wall``: wall time of ``FluentClient.events.send_many(...,
  concurrency=8)`` (a thread pool) against ``concurrency=1``, min over ``repeats`` interleaved
  runs (target <= 1/6, i.e. a speed-up of at least 6x; the ideal is 1/8).
- ``events_send_many_wall_async``: the same with ``AsyncFluentClient`` (asyncio tasks).

Bounded: the serial runs take ``events * delay`` seconds each (2.4 s by default).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

from benchmarks._harness import Figure, Units, figure
from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.sandbox import Sandbox

__all__ = ["SPEEDUP_TARGET", "UNITS", "event_stream", "measure_events"]

UNITS: Units = {"events_send_many_wall": "s", "events_send_many_wall_async": "s"}
#: Wall time with 8 events in flight must be at most this fraction of the serial one
#: (a 6x speed-up, rounded down so the target is never looser than 6x).
SPEEDUP_TARGET = 0.1666
_LOCATIONS = ("LOC_MELB", "LOC_SYD", "LOC_DC")


def event_stream(count: int) -> Iterator[dict[str, Any]]:
    """``count`` events that complete in the sandbox, as a generator (never a list)."""
    for n in range(count):
        yield {
            "name": "Ping",
            "entityType": "LOCATION",
            "entityRef": _LOCATIONS[n % len(_LOCATIONS)],
            "attributes": {"n": n},
        }


def _sandbox(delay: float) -> Sandbox:
    sandbox = Sandbox(event_delay=delay)
    sandbox.add_transition("LOCATION", "Ping", "ACTIVE")
    return sandbox


def _checked(elapsed: float, report: Any, count: int, concurrency: int) -> float:
    if report.counts["COMPLETE"] != count:
        raise RuntimeError(f"concurrency={concurrency}: {report!r}")
    return elapsed


def _sync_run(client: FluentClient, count: int, concurrency: int) -> float:
    started = time.perf_counter()
    report = client.events.send_many(event_stream(count), concurrency=concurrency, progress=False)
    return _checked(time.perf_counter() - started, report, count, concurrency)


async def _async_run(client: AsyncFluentClient, count: int, concurrency: int) -> float:
    started = time.perf_counter()
    report = await client.events.send_many(
        event_stream(count), concurrency=concurrency, progress=False
    )
    return _checked(time.perf_counter() - started, report, count, concurrency)


def _measure_sync(
    sandbox: Sandbox, *, events: int, in_flight: int, repeats: int
) -> tuple[float, float]:
    parallel: list[float] = []
    serial: list[float] = []
    with sandbox.client() as client:
        _sync_run(client, 2, 1)  # warm-up: login, first requests
        for _ in range(repeats):
            parallel.append(_sync_run(client, events, in_flight))
            serial.append(_sync_run(client, events, 1))
    return min(parallel), min(serial)


async def _measure_async(
    sandbox: Sandbox, *, events: int, in_flight: int, repeats: int
) -> tuple[float, float]:
    parallel: list[float] = []
    serial: list[float] = []
    async with sandbox.async_client() as client:
        await _async_run(client, 2, 1)
        for _ in range(repeats):
            parallel.append(await _async_run(client, events, in_flight))
            serial.append(await _async_run(client, events, 1))
    return min(parallel), min(serial)


def measure_events(
    *, events: int = 48, in_flight: int = 8, delay: float = 0.05, repeats: int = 3
) -> dict[str, Figure]:
    sandbox = _sandbox(delay)
    parallel, serial = _measure_sync(sandbox, events=events, in_flight=in_flight, repeats=repeats)
    async_parallel, async_serial = asyncio.run(
        _measure_async(sandbox, events=events, in_flight=in_flight, repeats=repeats)
    )
    return {
        "events_send_many_wall": figure(parallel, serial, SPEEDUP_TARGET),
        "events_send_many_wall_async": figure(async_parallel, async_serial, SPEEDUP_TARGET),
    }
