"""client.orders on AsyncFluentClient against the in-process sandbox."""

from __future__ import annotations

import pytest
from orders_support import SEEDED_CUSTOMER_EMAIL, graphql_operations, home_delivery_order

from fluent_sdk import AsyncFluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers.orders import AsyncOrders, NewCustomer, Order
from fluent_sdk.sandbox import Sandbox


async def test_create_and_get(async_fluent_client: AsyncFluentClient) -> None:
    assert isinstance(async_fluent_client.orders, AsyncOrders)
    order = await async_fluent_client.orders.create(home_delivery_order("A-1"))

    assert isinstance(order, Order)
    assert (order.ref, order.type, len(order.items)) == ("A-1", "HD", 2)
    again = await async_fluent_client.orders.get("A-1")
    assert again is not None
    assert again.id == order.id
    assert await async_fluent_client.orders.get("A-404") is None


async def test_timeout_after_commit_returns_the_one_created_order(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True)

    order = await async_fluent_client.orders.create(home_delivery_order("A-DUP"))

    assert order.ref == "A-DUP"
    assert len(fluent_sandbox.store.by_ref("Order", "A-DUP")) == 1
    assert graphql_operations(fluent_sandbox).count("SdkOrderAndCustomerCreate") == 1


async def test_timeout_before_commit_retries(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_sandbox.faults.read_timeout("graphql")

    order = await async_fluent_client.orders.create(home_delivery_order("A-RETRY"))

    assert order.ref == "A-RETRY"
    assert len(fluent_sandbox.store.by_ref("Order", "A-RETRY")) == 1
    assert graphql_operations(fluent_sandbox).count("SdkOrderAndCustomerCreate") == 2


async def test_validation_happens_before_any_request(fluent_sandbox: Sandbox) -> None:
    client = fluent_sandbox.async_client()
    try:
        with pytest.raises(ValidationError) as caught:
            await client.orders.create(
                {
                    "ref": "X",
                    "customer_id": "1",
                    "fulfilment": {"pickup_location_ref": "L"},
                    "items": [
                        {"product_ref": "P", "quantity": 1},
                        {"product_ref": "Q", "quantity": -2},
                    ],
                }
            )
        assert caught.value.field == "items[1].quantity"
        with pytest.raises(ValidationError):
            client.orders.iter(page_size=99999)
    finally:
        await client.aclose()
    assert len(fluent_sandbox.requests) == 0


async def test_iter_pages_and_to_pandas(async_fluent_client: AsyncFluentClient) -> None:
    for index in range(3):
        await async_fluent_client.orders.create(home_delivery_order(f"A-HD-{index}"))

    refs = [o.ref async for o in async_fluent_client.orders.iter(type="HD", page_size=2)]
    assert sorted(r or "" for r in refs) == ["A-HD-0", "A-HD-1", "A-HD-2"]
    sizes = [len(p) async for p in async_fluent_client.orders.iter(page_size=2).pages()]
    assert sizes == [2, 1]
    frame = await async_fluent_client.orders.iter(ref="A-HD-1").to_pandas()
    assert list(frame["ref"]) == ["A-HD-1"]


async def test_get_or_create_customer(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    jane = await async_fluent_client.orders.get_or_create_customer({"email": SEEDED_CUSTOMER_EMAIL})
    assert jane.username == "1_jane@example.com"
    made = await async_fluent_client.orders.get_or_create_customer(
        NewCustomer(email="x@example.com")
    )
    found = await async_fluent_client.orders.find_customer(email="x@example.com")
    assert found is not None
    assert found.id == made.id
    assert len(list(fluent_sandbox.store.all("Customer"))) == 2
