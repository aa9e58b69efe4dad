"""Creates with a unique ref after a lost reply, against the independent fault server.

The first reply is lost after the server committed; the follow-up look-up by ref lags (the
order is not visible yet), so the retry meets ``C0121E`` (ref taken). The order exists: the SDK
returns it, flagged ``found_existing=True``, and never creates a second one. Likewise for a
customer (`get_or_create_customer`, whose natural key is its username).
"""

from __future__ import annotations

import json

import pytest

from fluent_sdk import AsyncFluentClient, ConflictError, FluentClient
from fluent_sdk.helpers.orders import (
    Address,
    Customer,
    HomeDelivery,
    NewCustomer,
    NewOrder,
    NewOrderItem,
)

from .fault_server import FaultServer
from .support import FAST_RETRY


def new_order(ref: str) -> NewOrder:
    return NewOrder(
        ref=ref,
        customer=NewCustomer(email=f"{ref.lower()}@example.com"),
        fulfilment=HomeDelivery(delivery_address=Address(name="S", city="Melbourne")),
        items=[NewOrderItem(product_ref="P-1", quantity=2, price=5.0)],
    )


def creates(server: FaultServer) -> int:
    return sum(1 for r in server.requests("graphql") if b"createOrder" in (r.body or b""))


@pytest.fixture
def server() -> FaultServer:
    server = FaultServer()
    server.fault("graphql", "drop_after", nth=1)  # the create: committed, the reply lost
    server.read_lag = 3  # the look-ups after the lost reply find nothing at first
    return server


def test_create_after_lost_reply_and_lagging_lookup_returns_the_order(
    server: FaultServer,
) -> None:
    with FluentClient(
        transport=server.transport(), retry=FAST_RETRY, **server.credentials()
    ) as client:
        order = client.orders.create(new_order("WEB-T4"))
    assert order.ref == "WEB-T4"
    assert order.found_existing is True
    assert order.id == server.orders["WEB-T4"]["id"]
    assert list(server.orders) == ["WEB-T4"]
    assert creates(server) == 2  # the lost one, and the retry that met C0121E
    assert "found_existing" not in order.model_dump()


async def test_async_create_after_lost_reply_and_lagging_lookup_returns_the_order(
    server: FaultServer,
) -> None:
    async with AsyncFluentClient(
        transport=server.async_transport(), retry=FAST_RETRY, **server.credentials()
    ) as client:
        order = await client.orders.create(new_order("WEB-T4"))
    assert order.found_existing is True
    assert list(server.orders) == ["WEB-T4"]


def test_a_plain_create_is_not_found_existing() -> None:
    server = FaultServer()
    with FluentClient(transport=server.transport(), **server.credentials()) as client:
        order = client.orders.create(new_order("WEB-T5"))
    assert order.found_existing is False


def test_a_ref_taken_before_the_call_still_raises_conflict() -> None:
    server = FaultServer()
    with FluentClient(transport=server.transport(), **server.credentials()) as client:
        client.orders.create(new_order("WEB-T6"))
        with pytest.raises(ConflictError, match="C0121E"):
            client.orders.create(new_order("WEB-T6"))
        again = client.orders.create(new_order("WEB-T6"), existing_ok=True)
    assert again.found_existing is True
    assert len(server.orders) == 1


def test_a_lookup_that_never_catches_up_raises_with_what_to_do(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fluent_sdk.helpers import _common

    monkeypatch.setattr(_common, "LAGGING_LOOKUP_DELAY", 0.0)
    server.read_lag = 10_000
    with (
        FluentClient(
            transport=server.transport(), retry=FAST_RETRY, **server.credentials()
        ) as client,
        pytest.raises(ConflictError) as caught,
    ):
        client.orders.create(new_order("WEB-T7"))
    notes = " ".join(getattr(caught.value, "__notes__", []))
    assert "reply was lost" in notes
    assert list(server.orders) == ["WEB-T7"]


# -- customers ---------------------------------------------------------------------------------

NEW_CUSTOMER = NewCustomer(email="lag@example.com", first_name="Lag")


def customer_creates(server: FaultServer) -> int:
    return sum(1 for r in server.requests("graphql") if b"createCustomer" in (r.body or b""))


@pytest.fixture
def customer_server() -> FaultServer:
    server = FaultServer()
    server.fault("graphql:createCustomer", "drop_after")  # committed, the reply lost
    # The look-ups (by ref, username, e-mail) after the lost reply, and those after the retry
    # meets C0121E, find nothing at first: the customer shows only after a pause.
    server.read_lag = 8
    return server


def check_one_customer_found_existing(server: FaultServer, customer: Customer) -> None:
    assert customer.found_existing is True
    assert (customer.username, customer.primary_email) == ("1_lag@example.com", "lag@example.com")
    assert customer.id == server.customers["1_lag@example.com"]["id"]
    assert list(server.customers) == ["1_lag@example.com"]
    assert customer_creates(server) == 2  # the lost one, and the retry that met C0121E
    assert "found_existing" not in customer.model_dump()


def test_get_or_create_customer_after_lost_reply_and_lagging_lookup_returns_the_customer(
    customer_server: FaultServer,
) -> None:
    with FluentClient(
        transport=customer_server.transport(), retry=FAST_RETRY, **customer_server.credentials()
    ) as client:
        customer = client.orders.get_or_create_customer(NEW_CUSTOMER)
    check_one_customer_found_existing(customer_server, customer)


async def test_async_get_or_create_customer_after_lost_reply_and_lagging_lookup(
    customer_server: FaultServer,
) -> None:
    async with AsyncFluentClient(
        transport=customer_server.async_transport(),
        retry=FAST_RETRY,
        **customer_server.credentials(),
    ) as client:
        customer = await client.orders.get_or_create_customer(NEW_CUSTOMER)
    check_one_customer_found_existing(customer_server, customer)


def test_a_new_customer_is_looked_up_once_then_created() -> None:
    server = FaultServer()
    with FluentClient(transport=server.transport(), **server.credentials()) as client:
        customer = client.orders.get_or_create_customer(NEW_CUSTOMER)
        again = client.orders.get_or_create_customer(NEW_CUSTOMER)
    assert (customer.found_existing, again.found_existing) == (False, True)
    assert again.id == customer.id
    names = [json.loads(r.body)["operationName"] for r in server.requests("graphql")]
    # by ref, username, e-mail; then the create (no second look-up); then found by ref
    assert names == [
        "SdkCustomerGet",
        "SdkCustomersFind",
        "SdkCustomersFind",
        "SdkCustomerCreate",
        "SdkCustomerGet",
    ]
