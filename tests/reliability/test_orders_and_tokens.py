"""No duplicate order after a lost reply; one token request however many callers find the token
expired. Sync and async, in-process and over the loopback server."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.helpers.orders import Address, HomeDelivery, NewCustomer, NewOrder, NewOrderItem
from fluent_sdk.sandbox import Sandbox
from fluent_sdk.sandbox.auth import DEFAULT_USERNAME

from .support import FAST_RETRY

CREATES = {"SdkOrderCreate", "SdkOrderAndCustomerCreate"}
ME = "{ me { username } }"
TASKS = 50
THREADS = 20
USER = DEFAULT_USERNAME


def new_order(ref: str) -> NewOrder:
    return NewOrder(
        ref=ref,
        customer=NewCustomer(email=f"{ref.lower()}@example.com", first_name="Sam"),
        fulfilment=HomeDelivery(
            delivery_address=Address(name="Sam", street="1 Main St", city="Melbourne")
        ),
        items=[NewOrderItem(product_ref="SPEAKER001", quantity=2, price=15.0)],
        currency="AUD",
    )


def creates_sent(sandbox: Sandbox) -> int:
    names = [json.loads(r.body).get("operationName") for r in sandbox.requests.filter("graphql")]
    return sum(1 for name in names if name in CREATES)


def assert_one_order(sandbox: Sandbox, ref: str, order: Any) -> None:
    assert order.ref == ref
    stored = sandbox.store.by_ref("Order", ref)
    assert len(stored) == 1
    assert str(stored[0]["id"]) == order.id
    # The lost create was looked up, not sent again.
    assert creates_sent(sandbox) == 1


# -- orders: a timeout after the server committed -----------------------------------------------

LOST_REPLIES: dict[str, Callable[[Sandbox], object]] = {
    "timeout": lambda s: s.faults.read_timeout("graphql", after_commit=True, hang=5),
    "dropped": lambda s: s.faults.drop_connection("graphql", after_commit=True),
}


@pytest.mark.parametrize("fault", sorted(LOST_REPLIES))
def test_sync_create_after_lost_reply_leaves_one_order(fault: str) -> None:
    sandbox = Sandbox()
    LOST_REPLIES[fault](sandbox)
    with sandbox.client(retry=FAST_RETRY) as client:
        order = client.orders.create(new_order("REL-SYNC-1"))
    assert_one_order(sandbox, "REL-SYNC-1", order)


@pytest.mark.parametrize("fault", sorted(LOST_REPLIES))
async def test_async_create_after_lost_reply_leaves_one_order(fault: str) -> None:
    sandbox = Sandbox()
    LOST_REPLIES[fault](sandbox)
    async with sandbox.async_client(retry=FAST_RETRY) as client:
        order = await client.orders.create(new_order("REL-ASYNC-1"))
    assert_one_order(sandbox, "REL-ASYNC-1", order)


@pytest.mark.parametrize("fault", sorted(LOST_REPLIES))
def test_sync_create_over_loopback_after_lost_reply_leaves_one_order(fault: str) -> None:
    sandbox = Sandbox()
    LOST_REPLIES[fault](sandbox)
    started = time.monotonic()
    with (
        sandbox.serve() as base_url,
        FluentClient(
            base_url=base_url, **sandbox.credentials, timeout=0.5, retry=FAST_RETRY
        ) as client,
    ):
        order = client.orders.create(new_order("REL-LOOP-1"))
    assert_one_order(sandbox, "REL-LOOP-1", order)
    assert time.monotonic() - started < 4  # gave up on the stalled reply after ~0.5 s


@pytest.mark.parametrize("fault", sorted(LOST_REPLIES))
async def test_async_create_over_loopback_after_lost_reply_leaves_one_order(fault: str) -> None:
    sandbox = Sandbox()
    LOST_REPLIES[fault](sandbox)
    with sandbox.serve() as base_url:
        async with AsyncFluentClient(
            base_url=base_url, **sandbox.credentials, timeout=0.5, retry=FAST_RETRY
        ) as client:
            order = await client.orders.create(new_order("REL-LOOP-2"))
    assert_one_order(sandbox, "REL-LOOP-2", order)


# -- one token request for many callers ---------------------------------------------------------


class Clock:
    """A client clock the test moves forward (client-side expiry: proactive refresh)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def expire(sandbox: Sandbox, clock: Clock, where: str) -> None:
    """Make the client's token expired: on the server (every caller gets a 401 first, a burst)
    or on the client's clock (every caller sees it stale before sending)."""
    if where == "server":
        sandbox.app.tokens.expire_all()
    else:
        clock.now += 3600
    sandbox.requests.clear()
    # Slow token replies widen the window in which callers pile up behind the refresh.
    sandbox.faults.latency("oauth.token", 0.05)
    sandbox.faults.latency("graphql", 0.005)


def check_single_refresh(sandbox: Sandbox, callers: int, where: str) -> None:
    tokens = sandbox.requests.filter("oauth.token")
    assert len(tokens) == 1, [t.status for t in tokens]
    assert tokens[0].status == 200
    graphql = sandbox.requests.filter("graphql")
    refused = [r for r in graphql if r.status == 401]
    assert len(graphql) == callers + len(refused)
    assert sum(1 for r in graphql if r.status == 200) == callers
    if where == "server":
        assert refused  # the burst of 401s happened
    else:
        assert not refused  # refreshed before sending


@pytest.mark.parametrize("where", ["server", "client"])
async def test_50_tasks_on_an_expired_token_make_one_token_request(where: str) -> None:
    sandbox = Sandbox()
    clock = Clock()
    async with sandbox.async_client(retry=FAST_RETRY, clock=clock) as client:
        await client.login()
        expire(sandbox, clock, where)
        start = asyncio.Event()

        async def call() -> str:
            await start.wait()
            return str((await client.graphql.execute(ME))["me"]["username"])

        tasks = [asyncio.create_task(call()) for _ in range(TASKS)]
        await asyncio.sleep(0)
        start.set()
        statuses = await asyncio.gather(*tasks)
    assert statuses == [USER] * TASKS
    check_single_refresh(sandbox, TASKS, where)


def run_threads(client: FluentClient) -> list[str]:
    barrier = threading.Barrier(THREADS)
    statuses: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            barrier.wait(timeout=10)
            status = str(client.graphql.execute(ME)["me"]["username"])
        except BaseException as error:  # reported below, in the test's thread
            with lock:
                errors.append(error)
            return
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=call) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    return statuses


@pytest.mark.parametrize("where", ["server", "client"])
def test_20_threads_on_an_expired_token_make_one_token_request(where: str) -> None:
    sandbox = Sandbox()
    clock = Clock()
    with sandbox.client(retry=FAST_RETRY, clock=clock) as client:
        client.login()
        expire(sandbox, clock, where)
        statuses = run_threads(client)
    assert statuses == [USER] * THREADS
    check_single_refresh(sandbox, THREADS, where)


@pytest.mark.usefixtures("wide_backlog")
@pytest.mark.parametrize("where", ["server", "client"])
def test_20_threads_over_loopback_on_an_expired_token_make_one_token_request(where: str) -> None:
    sandbox = Sandbox()
    clock = Clock()
    limits = httpx.Limits(max_connections=THREADS)
    with (
        sandbox.serve() as base_url,
        httpx.Client(limits=limits, timeout=10) as http,
        FluentClient(
            base_url=base_url,
            **sandbox.credentials,
            http_client=http,
            retry=FAST_RETRY,
            clock=clock,
        ) as client,
    ):
        client.login()
        expire(sandbox, clock, where)
        statuses = run_threads(client)
    assert statuses == [USER] * THREADS
    check_single_refresh(sandbox, THREADS, where)
