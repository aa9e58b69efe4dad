"""Single-flight token requests across threads and tasks; the token lock is always released."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
import respx
from core_support import (
    ACCESS_1,
    ACCESS_2,
    CREDENTIALS,
    NO_WAIT,
    FakeClock,
    Harness,
    bearer,
    grants,
    invalid_grant,
    token_response,
)

from fluent_sdk import AsyncFluentClient, AuthenticationError, FluentClient

PATH = "/api/v4.1/order"
#: Generous bound for anything that could deadlock; a passing test takes milliseconds.
DEADLOCK_TIMEOUT = 10


def _slow_sync_token(access: str, **kwargs: Any) -> Any:
    def respond(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)  # keep the token request in flight while the other threads arrive
        return token_response(access, **kwargs)

    return respond


def _slow_async_token(access: str, **kwargs: Any) -> Any:
    async def respond(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return token_response(access, **kwargs)

    return respond


def _in_threads(n: int, fn: Callable[[], Any]) -> list[Any]:
    """Run ``fn`` in ``n`` daemon threads released together; fail (not hang) on a deadlock."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=DEADLOCK_TIMEOUT)
            results.append(fn())
        except BaseException as exc:
            errors.append(exc)

    # Daemon threads: a deadlocked worker must not keep the test run from finishing.
    threads = [threading.Thread(target=run, daemon=True) for _ in range(n)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLOCK_TIMEOUT
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "deadlock: a thread never finished"
    if errors:
        raise errors[0]
    return results


def test_threads_without_a_token_share_one_token_request(api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(side_effect=_slow_sync_token(ACCESS_1))
    orders = api.get(PATH).respond(200, json={})
    with FluentClient(**CREDENTIALS, retry=NO_WAIT) as client:
        results = _in_threads(20, lambda: client.request("GET", PATH).status_code)
    assert results == [200] * 20
    assert token.call_count == 1
    assert orders.call_count == 20
    assert {bearer(c) for c in orders.calls} == {f"Bearer {ACCESS_1}"}


def test_threads_with_an_expired_token_share_one_refresh(api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1), _slow_sync_token(ACCESS_2)]
    )
    orders = api.get(PATH).respond(200, json={})
    clock = FakeClock()
    with FluentClient(**CREDENTIALS, retry=NO_WAIT, clock=clock) as client:
        client.login()
        clock.advance(3600)
        _in_threads(20, lambda: client.request("GET", PATH))
    assert token.call_count == 2
    assert {bearer(c) for c in orders.calls} == {f"Bearer {ACCESS_2}"}


async def test_tasks_without_a_token_share_one_token_request(api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(side_effect=_slow_async_token(ACCESS_1))
    orders = api.get(PATH).respond(200, json={})
    async with AsyncFluentClient(**CREDENTIALS, retry=NO_WAIT) as client:
        responses = await asyncio.wait_for(
            asyncio.gather(*(client.request("GET", PATH) for _ in range(50))),
            DEADLOCK_TIMEOUT,
        )
    assert [r.status_code for r in responses] == [200] * 50
    assert token.call_count == 1
    assert orders.call_count == 50
    assert {bearer(c) for c in orders.calls} == {f"Bearer {ACCESS_1}"}


async def test_tasks_with_an_expired_token_share_one_refresh(api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[
            token_response(ACCESS_1, refresh="rt-0000-refresh"),
            _slow_async_token(ACCESS_2),
        ]
    )
    orders = api.get(PATH).respond(200, json={})
    clock = FakeClock()
    async with AsyncFluentClient(**CREDENTIALS, retry=NO_WAIT, clock=clock) as client:
        await client.login()
        clock.advance(3600)
        await asyncio.wait_for(
            asyncio.gather(*(client.request("GET", PATH) for _ in range(50))),
            DEADLOCK_TIMEOUT,
        )
    assert grants(token.calls) == ["password", "refresh_token"]
    assert {bearer(c) for c in orders.calls} == {f"Bearer {ACCESS_2}"}


async def test_async_client_works_across_event_loops(api: respx.MockRouter) -> None:
    """A client reused by a new ``asyncio.run`` (notebook cells) must not reuse another
    loop's lock."""
    token = api.post("/oauth/token").mock(side_effect=_slow_async_token(ACCESS_1, expires_in=0))
    api.get(PATH).respond(200, json={})
    client = AsyncFluentClient(**CREDENTIALS, retry=NO_WAIT, refresh_skew=0)

    async def burst() -> None:
        await asyncio.gather(*(client.request("GET", PATH) for _ in range(3)))

    def in_new_loop() -> None:
        asyncio.run(burst())

    for _ in range(2):  # from another thread: asyncio.run refuses to nest
        thread = threading.Thread(target=in_new_loop)
        thread.start()
        thread.join(DEADLOCK_TIMEOUT)
        assert not thread.is_alive()
    assert token.call_count >= 2  # expires_in=0: every burst logs in again
    # Locks of finished loops are forgotten once another loop takes the lock: a long-lived
    # client used from many loops does not keep one lock per loop.
    await client.request("GET", PATH)
    assert list(client._auth._task_locks) == [asyncio.get_running_loop()]  # type: ignore[union-attr]
    await client.aclose()


# -- the lock is released whatever happens during a token request -----------------------------


async def _bounded(harness: Harness, scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``scenario``, failing instead of hanging if the token lock was left held. The sync
    client blocks, so its scenario runs in a worker thread."""
    if harness.is_async:
        await asyncio.wait_for(scenario(), DEADLOCK_TIMEOUT)
    else:
        _in_threads(1, lambda: asyncio.run(scenario()))


async def test_lock_released_after_a_rejected_grant(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[invalid_grant("Bad credentials"), token_response(ACCESS_1)]
    )
    orders = api.get(PATH).respond(200, json={})
    client = harness.client()

    async def scenario() -> None:
        with pytest.raises(AuthenticationError):
            await harness.request(client, "GET", PATH)
        await harness.request(client, "GET", PATH)

    await _bounded(harness, scenario)
    assert token.call_count == 2
    assert orders.call_count == 1


@pytest.mark.parametrize("entry", ["request", "login"])
async def test_transport_error_on_token_request_is_retried_and_releases_the_lock(
    api: respx.MockRouter, harness: Harness, entry: str
) -> None:
    """A connection failure while the token lock is held used to leave it held (and raise
    RuntimeError "generator ignored GeneratorExit" instead of the connection error)."""
    token = api.post("/oauth/token").mock(
        side_effect=[httpx.ConnectError("refused"), token_response(ACCESS_1)]
    )
    orders = api.get(PATH).respond(200, json={})
    client = harness.client()

    async def scenario() -> None:
        if entry == "login":
            await harness.login(client)
        await harness.request(client, "GET", PATH)

    await _bounded(harness, scenario)
    assert token.call_count == 2
    assert orders.call_count == 1


async def test_cancelled_task_during_token_request_releases_the_lock(
    api: respx.MockRouter,
) -> None:
    started = asyncio.Event()
    never = asyncio.Event()

    token_calls: list[httpx.Request] = []

    async def hang(request: httpx.Request) -> httpx.Response:
        token_calls.append(request)
        started.set()
        await never.wait()
        raise AssertionError("unreachable")

    async def answer(request: httpx.Request) -> httpx.Response:
        token_calls.append(request)
        return token_response(ACCESS_1)

    api.post("/oauth/token").mock(side_effect=[hang, answer])  # type: ignore[list-item]
    api.get(PATH).respond(200, json={})
    async with AsyncFluentClient(**CREDENTIALS, retry=NO_WAIT) as client:
        stuck = asyncio.create_task(client.request("GET", PATH))
        await asyncio.wait_for(started.wait(), DEADLOCK_TIMEOUT)
        stuck.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
        response = await asyncio.wait_for(client.request("GET", PATH), DEADLOCK_TIMEOUT)
    assert response.status_code == 200
    assert len(token_calls) == 2
