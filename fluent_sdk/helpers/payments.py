"""Payment interface: record financial transactions (payments, refunds…) against an order.

``client.payments`` is a `Payments` (sync) or `AsyncPayments` (async)::

    from fluent_sdk.helpers.payments import NewFinancialTransaction

    transaction = client.payments.record(
        "WEB-1001",                                # an order ref, or an Order / OrderSummary
        NewFinancialTransaction(ref="PAY-1001", type="PAYMENT", amount=129.5, currency="AUD",
                                payment_method="CREDITCARD", card_type="VISA",
                                payment_provider="ADYEN", external_transaction_id="psp-8812"),
    )
    client.payments.for_order("WEB-1001")          # [FinancialTransaction, ...]
    client.payments.update_status(transaction.id, "SETTLED")

Each maps onto the schema's ``createFinancialTransaction`` (``order: {id}``),
``order.financialTransactions`` and ``updateFinancialTransaction``. Like orders, a record whose
reply is lost is looked up by ``ref`` on the order before it is sent again, so a payment is never
recorded twice; a ref already used on the order raises `GraphQLError` (kind `ConflictError`)
unless ``existing_ok=True``. Invalid input raises `ValidationError` before any request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from fluent_sdk.errors import NotFoundError
from fluent_sdk.graphql.entities import FinancialTransaction, OrderSummary, connection_page
from fluent_sdk.helpers._common import (
    DEFAULT_CREATE_ATTEMPTS,
    AsyncHelper,
    InputModel,
    Operation,
    Plan,
    SyncHelper,
    attributes_input,
    check_attempts,
    check_ref,
    create_or_find,
    parse_input,
    required,
)

if TYPE_CHECKING:
    pass

__all__ = ["AsyncPayments", "FinancialTransaction", "NewFinancialTransaction", "Payments"]

Ref = Annotated[str, Field(min_length=1, max_length=255)]


class NewFinancialTransaction(InputModel):
    """A payment event to record: ``type`` as your payment workflow expects (``PAYMENT``,
    ``REFUND``…), ``payment_method`` e.g. ``CREDITCARD``."""

    ref: Ref
    type: Ref
    amount: float = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    payment_method: Ref
    card_type: str | None = None
    payment_provider: str | None = None
    external_transaction_id: str | None = None
    external_transaction_code: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    def to_input(self, order_id: str) -> dict[str, Any]:
        return self.fluent_input(
            exclude={"attributes"},
            order={"id": order_id},
            attributes=attributes_input(self.attributes),
        )


class _PaymentsBase:
    """Checks and plans; the twins below only perform the calls."""

    @staticmethod
    def _order_key(order: Any) -> tuple[str, str]:
        """("id", id) for an order model, ("ref", ref) for a ref string."""
        if isinstance(order, OrderSummary):
            return "id", order.id
        return "ref", check_ref(order, field="order")

    @staticmethod
    def _transactions_plan(
        key: tuple[str, str], ref: str | None = None
    ) -> Plan[list[FinancialTransaction] | None]:
        kind, value = key
        method = (
            "_sdk_order_financial_transactions"
            if kind == "ref"
            else "_sdk_order_by_id_financial_transactions"
        )
        # Every transaction: past the first page of 200, the rest follow (batched).
        order = yield Operation(
            method, {kind: value, "tx_ref": [ref] if ref else None}, complete=True
        )
        if order is None:
            return None
        return connection_page(order.financial_transactions)[0]

    def _for_order_plan(self, order: Any) -> Plan[list[FinancialTransaction]]:
        key = self._order_key(order)

        def plan() -> Plan[list[FinancialTransaction]]:
            found = yield from self._transactions_plan(key)
            if found is None:
                raise NotFoundError(f"order {key[1]!r} not found", operation="payments")
            return found

        return plan()

    def _record_plan(
        self, order: Any, transaction: Any, *, max_attempts: int, existing_ok: bool
    ) -> Plan[FinancialTransaction]:
        key = self._order_key(order)
        checked = parse_input(NewFinancialTransaction, transaction, field="transaction")
        attempts = check_attempts(max_attempts)

        def lookup() -> Plan[FinancialTransaction | None]:
            found = yield from self._transactions_plan(key, checked.ref)
            return next((t for t in found or [] if t.ref == checked.ref), None)

        def plan() -> Plan[FinancialTransaction]:
            order_id = key[1]
            if key[0] == "ref":
                found = yield Operation("_sdk_payment_order", {"ref": key[1]})
                if found is None:
                    raise NotFoundError(f"order {key[1]!r} not found", operation="payments")
                order_id = str(found.id)
            created: FinancialTransaction = yield from create_or_find(
                Operation(
                    "_sdk_financial_transaction_create", {"input": checked.to_input(order_id)}
                ),
                lookup,
                operation="createFinancialTransaction",
                max_attempts=attempts,
                existing_ok=existing_ok,
            )
            return created

        return plan()

    @staticmethod
    def _update_plan(transaction_id: Any, status: Any) -> Plan[FinancialTransaction]:
        variables = {
            "input": {
                "id": check_ref(transaction_id, field="transaction_id"),
                "status": check_ref(status, field="status"),
            }
        }
        update = Operation("_sdk_financial_transaction_update", variables)
        return required(update, operation="updateFinancialTransaction")


class Payments(_PaymentsBase, SyncHelper):
    """``client.payments``: financial transactions against orders."""

    def record(
        self,
        order: str | OrderSummary,
        transaction: NewFinancialTransaction | Mapping[str, Any],
        *,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> FinancialTransaction:
        """Record ``transaction`` on the order exactly once."""
        return self._run(
            self._record_plan(
                order, transaction, max_attempts=max_attempts, existing_ok=existing_ok
            )
        )

    def for_order(self, order: str | OrderSummary) -> list[FinancialTransaction]:
        """The order's financial transactions (`NotFoundError` when there is no such order)."""
        return self._run(self._for_order_plan(order))

    def update_status(self, transaction_id: str, status: str) -> FinancialTransaction:
        return self._run(self._update_plan(transaction_id, status))


class AsyncPayments(_PaymentsBase, AsyncHelper):
    """``client.payments`` on `AsyncFluentClient`: the same methods, awaitable."""

    async def record(
        self,
        order: str | OrderSummary,
        transaction: NewFinancialTransaction | Mapping[str, Any],
        *,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> FinancialTransaction:
        return await self._run(
            self._record_plan(
                order, transaction, max_attempts=max_attempts, existing_ok=existing_ok
            )
        )

    async def for_order(self, order: str | OrderSummary) -> list[FinancialTransaction]:
        return await self._run(self._for_order_plan(order))

    async def update_status(self, transaction_id: str, status: str) -> FinancialTransaction:
        return await self._run(self._update_plan(transaction_id, status))
