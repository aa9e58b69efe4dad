"""Work through a stream with at most N jobs in flight: one loop for threads, one for tasks.

Bulk operations (inventory batches, inventory deltas, events) read their input lazily and must
never read further ahead than they can send, so that memory stays bounded however long the
input is. Both loops take an iterable of *jobs* (zero-argument callables) and run them with at
most ``concurrency`` in flight::

    run_bounded((partial(send, item) for item in items), concurrency=8)
    await arun_bounded((partial(asend, item) for item in items), concurrency=8)

The first job that raises stops the reading; ``on_error`` (for instance "stop recording") runs
before the jobs still in flight are waited for, and the error is then re-raised.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = ["arun_bounded", "run_bounded"]

Job = Callable[[], Any]
AsyncJob = Callable[[], Awaitable[Any]]


def run_bounded(
    jobs: Iterable[Job],
    *,
    concurrency: int,
    thread_name_prefix: str = "fluent-sdk",
    on_error: Callable[[], None] | None = None,
) -> None:
    """Run ``jobs`` on a thread pool, at most ``concurrency`` at once (inline when 1)."""
    if concurrency == 1:
        try:
            for job in jobs:
                job()
        except BaseException:
            if on_error is not None:
                on_error()
            raise
        return
    with concurrent.futures.ThreadPoolExecutor(
        concurrency, thread_name_prefix=thread_name_prefix
    ) as pool:
        in_flight: set[concurrent.futures.Future[Any]] = set()
        try:
            for job in jobs:
                while len(in_flight) >= concurrency:
                    done, in_flight = concurrent.futures.wait(
                        in_flight, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    for future in done:
                        future.result()
                in_flight.add(pool.submit(job))
            for future in concurrent.futures.as_completed(in_flight):
                future.result()
        except BaseException:
            if on_error is not None:
                on_error()  # before the pool's exit waits for the jobs in flight
            raise


async def _each(jobs: Iterable[AsyncJob] | AsyncIterable[AsyncJob]) -> Any:
    if isinstance(jobs, AsyncIterable):
        async for job in jobs:
            yield job
    else:
        for job in jobs:
            yield job


async def arun_bounded(
    jobs: Iterable[AsyncJob] | AsyncIterable[AsyncJob],
    *,
    concurrency: int,
    on_error: Callable[[], None] | None = None,
) -> None:
    """Run ``jobs`` as asyncio tasks, at most ``concurrency`` at once. The input is read on
    the event loop between starts; jobs still running when one fails are awaited first."""
    import asyncio  # only async users pay for importing asyncio

    in_flight: set[asyncio.Task[Any]] = set()
    try:
        async for job in _each(jobs):
            while len(in_flight) >= concurrency:
                done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            in_flight.add(asyncio.ensure_future(job()))
        while in_flight:
            done, in_flight = await asyncio.wait(in_flight)
            for task in done:
                task.result()
    except BaseException:
        if on_error is not None:
            on_error()
        if in_flight:  # let work already sent be recorded before giving up
            await asyncio.wait(in_flight)
        raise
