"""client.payments (sync and async) against the in-process sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from orders_support import graphql_operations, home_delivery_order

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import NotFoundError, ValidationError
from fluent_sdk.helpers.payments import (
    AsyncPayments,
    FinancialTransaction,
    NewFinancialTransaction,
    Payments,
)
from fluent_sdk.sandbox import Sandbox

PAYMENT: dict[str, Any] = {
    "ref": "PAY-1",
    "type": "PAYMENT",
    "amount": 129.5,
    "currency": "AUD",
    "payment_method": "CREDITCARD",
    "card_type": "VISA",
    "payment_provider": "ADYEN",
    "external_transaction_id": "psp-1",
    "attributes": {"authCode": "A1"},
}


@pytest.fixture
def order_ref(fluent_sandbox: Sandbox) -> str:
    with fluent_sandbox.client() as client:
        client.orders.create(home_delivery_order("PAYME-1"))
    fluent_sandbox.requests.clear()
    return "PAYME-1"


def test_for_order_reads_every_transaction_past_the_first_page(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, order_ref: str
) -> None:
    """An order's transactions are read 200 at a time; the rest follow (they were cut off)."""
    order = fluent_client.orders.get(order_ref)
    assert order is not None
    for number in range(205):
        created = fluent_sandbox.execute(
            "mutation($input: CreateFinancialTransactionInput!) {"
            " createFinancialTransaction(input: $input) { id } }",
            {
                "input": {
                    "ref": f"TX-{number:03d}",
                    "type": "PAYMENT",
                    "amount": 1.0,
                    "currency": "AUD",
                    "paymentMethod": "CREDITCARD",
                    "order": {"id": order.id},
                }
            },
        )
        assert "errors" not in created, created
    fluent_sandbox.requests.clear()

    listed = fluent_client.payments.for_order(order_ref)

    assert sorted(t.ref or "" for t in listed) == [f"TX-{n:03d}" for n in range(205)]
    assert graphql_operations(fluent_sandbox) == [
        "SdkOrderFinancialTransactions",
        "SdkOrderFinancialTransactionsPage",
    ]


def test_record_list_and_update(fluent_client: FluentClient, order_ref: str) -> None:
    assert isinstance(fluent_client.payments, Payments)
    payment = fluent_client.payments.record(order_ref, NewFinancialTransaction(**PAYMENT))
    assert isinstance(payment, FinancialTransaction)
    assert (payment.ref, payment.amount, payment.currency, payment.status) == (
        "PAY-1",
        129.5,
        "AUD",
        "CREATED",
    )
    assert (payment.payment_provider_name, payment.attributes) == ("ADYEN", {"authCode": "A1"})

    order = fluent_client.orders.get(order_ref)
    assert order is not None
    refund = fluent_client.payments.record(order, {**PAYMENT, "ref": "REF-1", "type": "REFUND"})
    assert refund.type == "REFUND"

    listed = fluent_client.payments.for_order(order_ref)
    assert [t.ref for t in listed] == ["PAY-1", "REF-1"]
    settled = fluent_client.payments.update_status(payment.id, "SETTLED")
    assert settled.status == "SETTLED"


def test_timeout_after_commit_records_once(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, order_ref: str
) -> None:
    # The order-id lookup passes; the create commits but its reply is lost.
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True, skip=1)

    payment = fluent_client.payments.record(order_ref, PAYMENT)

    assert payment.ref == "PAY-1"
    assert len(fluent_sandbox.store.by_ref("FinancialTransaction", "PAY-1")) == 1
    assert graphql_operations(fluent_sandbox).count("SdkFinancialTransactionCreate") == 1


def test_existing_ok_makes_a_repeated_record_idempotent(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, order_ref: str
) -> None:
    first = fluent_client.payments.record(order_ref, PAYMENT, existing_ok=True)
    again = fluent_client.payments.record(order_ref, PAYMENT, existing_ok=True)
    assert again.id == first.id
    assert len(fluent_sandbox.store.by_ref("FinancialTransaction", "PAY-1")) == 1
    assert graphql_operations(fluent_sandbox).count("SdkFinancialTransactionCreate") == 1


def test_missing_order(fluent_client: FluentClient) -> None:
    with pytest.raises(NotFoundError):
        fluent_client.payments.record("NO-ORDER", PAYMENT)
    with pytest.raises(NotFoundError):
        fluent_client.payments.for_order("NO-ORDER")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": -1}, "transaction.amount"),
        ({"amount": float("nan")}, "transaction.amount"),
        ({"currency": "AU"}, "transaction.currency"),
        ({"payment_method": ""}, "transaction.payment_method"),
        ({"ref": None}, "transaction.ref"),
        ({"cvv": "123"}, "transaction.cvv"),
    ],
)
def test_bad_transactions_fail_before_any_request(
    fluent_sandbox: Sandbox, changes: dict[str, Any], field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as caught:
        client.payments.record("ORDER-1", {**PAYMENT, **changes})
    assert caught.value.field == field
    assert "123" not in str(caught.value)  # the rejected value is not echoed
    assert len(fluent_sandbox.requests) == 0


def test_bad_arguments_fail_before_any_request(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        with pytest.raises(ValidationError) as caught:
            client.payments.record("", PAYMENT)
        assert caught.value.field == "order"
        with pytest.raises(ValidationError) as caught:
            client.payments.update_status("1", "")
        assert caught.value.field == "status"
        with pytest.raises(ValidationError) as caught:
            client.payments.record("O", PAYMENT, max_attempts=0)
        assert caught.value.field == "max_attempts"
    assert len(fluent_sandbox.requests) == 0


async def test_async_record(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox, order_ref: str
) -> None:
    assert isinstance(async_fluent_client.payments, AsyncPayments)
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True, skip=1)
    payment = await async_fluent_client.payments.record(order_ref, PAYMENT)
    assert len(fluent_sandbox.store.by_ref("FinancialTransaction", "PAY-1")) == 1
    listed = await async_fluent_client.payments.for_order(order_ref)
    assert [t.id for t in listed] == [payment.id]
    updated = await async_fluent_client.payments.update_status(payment.id, "VOID")
    assert updated.status == "VOID"


def test_payments_send_typed_operations_never_ad_hoc_documents(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    order_ref: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fluent_sdk.graphql import GraphQL

    def ad_hoc(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a helper sent an ad-hoc document")

    monkeypatch.setattr(GraphQL, "execute", ad_hoc)
    payment = fluent_client.payments.record(order_ref, PAYMENT)
    assert [t.id for t in fluent_client.payments.for_order(order_ref)] == [payment.id]
    assert fluent_client.payments.update_status(payment.id, "SETTLED").status == "SETTLED"
    assert type(payment) is FinancialTransaction
    assert set(graphql_operations(fluent_sandbox)) == {
        "SdkPaymentOrder",
        "SdkFinancialTransactionCreate",
        "SdkOrderFinancialTransactions",
        "SdkFinancialTransactionUpdate",
    }
