"""WMS / drop-ship interface: read an order's fulfilments, report picks, shipments, rejections.

``client.fulfilments`` is a `Fulfilments` (sync) or `AsyncFulfilments` (async)::

    for fulfilment in client.fulfilments.for_order("WEB-1001"):
        print(fulfilment.ref, fulfilment.status, [(i.ref, i.requested_quantity) for i in ...])

    fulfilment = client.fulfilments.get("42")                      # by id; None when missing
    client.fulfilments.confirm_pick(fulfilment, {"FI-1": 2, "FI-2": 0})   # 0 filled = rejected
    client.fulfilments.ship(fulfilment, tracking_number="TRK123", carrier_ref="AUSPOST")
    client.fulfilments.reject(fulfilment, reason="Damaged stock")

    client.fulfilments.event_names = FulfilmentEventNames(pick_confirmed="PickComplete")

Events go through ``client.events.send_sync`` by default (``wait=True``): the workflow runs
while the call waits, and a rejected event (``FAILED`` / ``NO_MATCH``) raises
`EventRejectedError`, which is what a WMS wants to know before acknowledging its own message.
``wait=False`` queues the event instead (``send``). Each call returns the `EventOutcome`.

Event names differ between workflows; the defaults (`FulfilmentEventNames`) are
``ConfirmPick``, ``ShipFulfilment`` and ``RejectFulfilment``. Every event names the
fulfilment (``entityType FULFILMENT``, id, ref, subtype = fulfilment type) under its order
(``rootEntityType ORDER``) and carries item quantities as the attribute ``fulfilmentItems``:
``[{"ref", "id", "filledQuantity", "rejectedQuantity"}]``. Items are named by fulfilment-item
ref, order-item ref or product ref; quantities are checked against what was requested before the
event is sent. Items left out of a pick count as fully filled; units of a listed item that
were not filled count as rejected unless ``(filled, rejected)`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field

from fluent_sdk.errors import NotFoundError, ValidationError
from fluent_sdk.graphql.entities import Fulfilment, FulfilmentItem, connection_page
from fluent_sdk.helpers._common import (
    AsyncHelper,
    InputModel,
    Operation,
    Plan,
    SendEvent,
    SyncHelper,
    check_ref,
    parse_input,
)

if TYPE_CHECKING:
    from fluent_sdk._client import AsyncFluentClient, FluentClient
    from fluent_sdk.rest.events import EventOutcome

__all__ = [
    "FULFILMENT_ITEMS_ATTRIBUTE",
    "AsyncFulfilments",
    "Fulfilment",
    "FulfilmentEventNames",
    "FulfilmentItem",
    "Fulfilments",
    "ItemQuantity",
]

#: The event attribute that carries item-level quantities.
FULFILMENT_ITEMS_ATTRIBUTE = "fulfilmentItems"
#: Fulfilments read per request by `Fulfilments.for_order`, each with its first
#: `FULFILMENT_ITEMS_FIRST` items (20 x 30 stays far below Fluent's complexity limit); the
#: rest of the items follow for every fulfilment of the page at once.
FULFILMENTS_PAGE_SIZE = 20
FULFILMENT_ITEMS_FIRST = 30
#: Items read with one fulfilment (`Fulfilments.get`); the rest follow in as few requests as
#: the complexity limit allows: an event reports every item, so none may be left out.
ITEMS_PAGE_SIZE = 200


@dataclass(frozen=True)
class FulfilmentEventNames:
    """The workflow event names a WMS sends; change them to match your fulfilment workflow."""

    pick_confirmed: str = "ConfirmPick"
    shipped: str = "ShipFulfilment"
    rejected: str = "RejectFulfilment"


class ItemQuantity(InputModel):
    """What happened to one fulfilment item: ``filled`` and ``rejected`` units (by default the
    requested units that were not filled)."""

    ref: str = Field(min_length=1)
    filled: int = Field(ge=0, strict=True)
    rejected: int | None = Field(default=None, ge=0, strict=True)


class _ItemList(InputModel):
    items: list[ItemQuantity]


def _checked_items(items: Any, field: str = "items") -> list[ItemQuantity] | None:
    """``{ref: filled}``, ``{ref: (filled, rejected)}`` or a list of `ItemQuantity` / mappings."""
    if items is None:
        return None
    if isinstance(items, Mapping):
        rows: list[Any] = []
        for ref, value in items.items():
            if isinstance(value, tuple | list) and len(value) == 2:
                rows.append({"ref": ref, "filled": value[0], "rejected": value[1]})
            else:
                rows.append({"ref": ref, "filled": value})
    elif isinstance(items, Sequence) and not isinstance(items, str):
        rows = list(items)
    else:
        raise ValidationError(
            f"{field} must be a mapping of item ref to quantity or a list of ItemQuantity",
            field=field,
        )
    return parse_input(_ItemList, {"items": rows}).items


def _item_lines(
    fulfilment: Fulfilment, reported: list[ItemQuantity] | None, *, reject_all: bool
) -> list[dict[str, Any]]:
    """Every fulfilment item with its filled / rejected quantities, checked."""
    by_item: dict[str, ItemQuantity] = {}
    for index, quantity in enumerate(reported or []):
        matches = [item for item in fulfilment.items if quantity.ref in item.names()]
        if not matches:
            known = ", ".join(sorted(item.ref or item.id for item in fulfilment.items))
            raise ValidationError(
                f"fulfilment {fulfilment.ref or fulfilment.id} has no item {quantity.ref!r} "
                f"(items: {known})",
                field=f"items[{index}].ref",
            )
        item = matches[0]
        if item.id in by_item:
            raise ValidationError(
                f"item {quantity.ref!r} is given twice", field=f"items[{index}].ref"
            )
        requested = item.requested_quantity
        if requested is not None and quantity.filled + (quantity.rejected or 0) > requested:
            raise ValidationError(
                f"item {quantity.ref!r}: {quantity.filled} filled + {quantity.rejected or 0} "
                f"rejected is more than the {requested} requested",
                field=f"items[{index}].filled",
            )
        by_item[item.id] = quantity
    lines = []
    for item in fulfilment.items:
        requested = item.requested_quantity or 0
        given = by_item.get(item.id)
        if given is not None:
            filled = given.filled
            rejected = given.rejected if given.rejected is not None else max(requested - filled, 0)
        elif reject_all:
            filled, rejected = 0, requested
        else:
            filled, rejected = requested, 0
        lines.append(
            {"ref": item.ref, "id": item.id, "filledQuantity": filled, "rejectedQuantity": rejected}
        )
    return lines


class _FulfilmentsBase:
    """Documents, checks and plans; the twins below only perform the calls."""

    event_names: FulfilmentEventNames

    def __init__(self) -> None:
        self.event_names = FulfilmentEventNames()

    @staticmethod
    def _get_plan(fulfilment_id: str) -> Plan[Fulfilment | None]:
        # Every item (an event must report them all): the pages after the first follow in
        # batched requests (SdkFulfilmentItemsPage).
        found: Fulfilment | None = yield Operation(
            "_sdk_fulfilment_get",
            {"id": fulfilment_id, "items_first": ITEMS_PAGE_SIZE},
            complete=True,
        )
        return found

    @staticmethod
    def _for_order_plan(order_ref: str) -> Plan[list[Fulfilment]]:
        found: list[Fulfilment] = []
        after: str | None = None
        while True:
            # A page of fulfilments; the items past each one's first page are read for all of
            # them at once (batched follow-ups), not fulfilment by fulfilment.
            order = yield Operation(
                "_sdk_order_fulfilments",
                {
                    "ref": order_ref,
                    "first": FULFILMENTS_PAGE_SIZE,
                    "after": after,
                    "items_first": FULFILMENT_ITEMS_FIRST,
                },
                complete=True,
            )
            if order is None:
                raise NotFoundError(f"order {order_ref!r} not found", operation="fulfilments")
            fulfilments, after = connection_page(order.fulfilments)
            for fulfilment in fulfilments:
                if fulfilment.order_id is None:  # read through its order: it is that order's
                    fulfilment = fulfilment.model_copy(
                        update={"order_id": order.id, "order_ref": order.ref}
                    )
                found.append(fulfilment)
            if after is None:
                return found

    def _event_plan(
        self,
        fulfilment: Fulfilment | str,
        *,
        name: str,
        items: list[ItemQuantity] | None,
        reject_all: bool,
        attributes: Mapping[str, Any],
        wait: bool,
    ) -> Plan[EventOutcome]:
        if isinstance(fulfilment, Fulfilment):
            target = fulfilment
        else:
            found = yield from self._get_plan(fulfilment)
            if found is None:
                raise NotFoundError(f"fulfilment {fulfilment!r} not found", operation=name)
            target = found
        event_attributes = {
            **attributes,
            FULFILMENT_ITEMS_ATTRIBUTE: _item_lines(target, items, reject_all=reject_all),
        }
        event = {
            "name": name,
            "entityType": "FULFILMENT",
            "entityId": target.id,
            "entityRef": target.ref,
            "entitySubtype": target.type,
            "rootEntityType": "ORDER",
            "rootEntityId": target.order_id,
            "rootEntityRef": target.order_ref,
            "attributes": event_attributes,
        }
        outcome: EventOutcome = yield SendEvent(
            {k: v for k, v in event.items() if v is not None}, wait=wait
        )
        return outcome

    @staticmethod
    def _checked_target(fulfilment: Any) -> Fulfilment | str:
        if isinstance(fulfilment, Fulfilment):
            return fulfilment
        return check_ref(fulfilment, field="fulfilment")

    @staticmethod
    def _checked_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
        if attributes is None:
            return {}
        if not isinstance(attributes, Mapping):
            raise ValidationError("attributes must be a mapping", field="attributes")
        if FULFILMENT_ITEMS_ATTRIBUTE in attributes:
            raise ValidationError(
                f"pass item quantities as items=, not as the {FULFILMENT_ITEMS_ATTRIBUTE} "
                "attribute",
                field=f"attributes.{FULFILMENT_ITEMS_ATTRIBUTE}",
            )
        return dict(attributes)

    # _pick_plan, _ship_plan and _reject_plan are plain functions returning a plan, so their
    # checks run when the method is called, before any request.
    def _pick_plan(
        self, fulfilment: Any, items: Any, attributes: Any, event_name: str | None, wait: bool
    ) -> Plan[EventOutcome]:
        target, checked = self._checked_target(fulfilment), _checked_items(items)
        extra = self._checked_attributes(attributes)
        name = check_ref(event_name or self.event_names.pick_confirmed, field="event_name")
        return self._event_plan(
            target, name=name, items=checked, reject_all=False, attributes=extra, wait=wait
        )

    def _ship_plan(
        self,
        fulfilment: Any,
        items: Any,
        *,
        tracking_number: str | None,
        carrier_ref: str | None,
        consignment_ref: str | None,
        attributes: Any,
        event_name: str | None,
        wait: bool,
    ) -> Plan[EventOutcome]:
        target, checked = self._checked_target(fulfilment), _checked_items(items)
        extra = self._checked_attributes(attributes)
        for field, value in (
            ("trackingNumber", tracking_number),
            ("carrierRef", carrier_ref),
            ("consignmentRef", consignment_ref),
        ):
            if value is not None:
                extra[field] = check_ref(value, field=_SNAKE[field])
        name = check_ref(event_name or self.event_names.shipped, field="event_name")
        return self._event_plan(
            target, name=name, items=checked, reject_all=False, attributes=extra, wait=wait
        )

    def _reject_plan(
        self,
        fulfilment: Any,
        *,
        reason: str | None,
        attributes: Any,
        event_name: str | None,
        wait: bool,
    ) -> Plan[EventOutcome]:
        target = self._checked_target(fulfilment)
        extra = self._checked_attributes(attributes)
        if reason is not None:
            extra["rejectionReason"] = check_ref(reason, field="reason")
        name = check_ref(event_name or self.event_names.rejected, field="event_name")
        return self._event_plan(
            target, name=name, items=None, reject_all=True, attributes=extra, wait=wait
        )


_SNAKE = {
    "trackingNumber": "tracking_number",
    "carrierRef": "carrier_ref",
    "consignmentRef": "consignment_ref",
}


class Fulfilments(_FulfilmentsBase, SyncHelper):
    """``client.fulfilments``: read fulfilments and send the WMS workflow events."""

    def __init__(self, client: FluentClient) -> None:
        SyncHelper.__init__(self, client)
        _FulfilmentsBase.__init__(self)

    def get(self, fulfilment_id: str) -> Fulfilment | None:
        """The fulfilment with this id, or None."""
        return self._run(self._get_plan(check_ref(fulfilment_id, field="fulfilment_id")))

    def for_order(self, order_ref: str) -> list[Fulfilment]:
        """Every fulfilment of the order (`NotFoundError` when there is no such order)."""
        return self._run(self._for_order_plan(check_ref(order_ref, field="order_ref")))

    def confirm_pick(
        self,
        fulfilment: Fulfilment | str,
        items: Mapping[str, Any] | Sequence[Any] | None = None,
        *,
        attributes: Mapping[str, Any] | None = None,
        event_name: str | None = None,
        wait: bool = True,
    ) -> EventOutcome:
        """Report what was picked: ``items`` maps item ref to filled units (or to
        ``(filled, rejected)``); what is left out was picked in full."""
        return self._run(self._pick_plan(fulfilment, items, attributes, event_name, wait))

    def ship(
        self,
        fulfilment: Fulfilment | str,
        items: Mapping[str, Any] | Sequence[Any] | None = None,
        *,
        tracking_number: str | None = None,
        carrier_ref: str | None = None,
        consignment_ref: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        event_name: str | None = None,
        wait: bool = True,
    ) -> EventOutcome:
        """Report the fulfilment shipped (tracking details become event attributes)."""
        return self._run(
            self._ship_plan(
                fulfilment,
                items,
                tracking_number=tracking_number,
                carrier_ref=carrier_ref,
                consignment_ref=consignment_ref,
                attributes=attributes,
                event_name=event_name,
                wait=wait,
            )
        )

    def reject(
        self,
        fulfilment: Fulfilment | str,
        *,
        reason: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        event_name: str | None = None,
        wait: bool = True,
    ) -> EventOutcome:
        """Reject the whole fulfilment (every item's requested units rejected)."""
        return self._run(
            self._reject_plan(
                fulfilment, reason=reason, attributes=attributes, event_name=event_name, wait=wait
            )
        )


class AsyncFulfilments(_FulfilmentsBase, AsyncHelper):
    """``client.fulfilments`` on `AsyncFluentClient`: the same methods, awaitable."""

    def __init__(self, client: AsyncFluentClient) -> None:
        AsyncHelper.__init__(self, client)
        _FulfilmentsBase.__init__(self)

    async def get(self, fulfilment_id: str) -> Fulfilment | None:
        return await self._run(self._get_plan(check_ref(fulfilment_id, field="fulfilment_id")))

    async def for_order(self, order_ref: str) -> list[Fulfilment]:
        return await self._run(self._for_order_plan(check_ref(order_ref, field="order_ref")))

    async def confirm_pick(
        self,
        fulfilment: Fulfilment | str,
        items: Mapping[str, Any] | Sequence[Any] | None = None,
        *,
        attributes: Mapping[str, Any] | None = None,
        event_name: str | None = None,
        wait: bool = True,
    ) -> EventOutcome:
        return await self._run(self._pick_plan(fulfilment, items, attributes, event_name, wait))

    async def ship(
        self,
        fulfilment: Fulfilment | str,
        items: Mapping[str, Any] | Sequence[Any] | None = None,
        *,
        tracking_number: str | None = None,
        carrier_ref: str | None = None,
        consignment_ref: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        event_name: str | None = None,
        wait: bool = True,
    ) -> EventOutcome:
        return await self._run(
            self._ship_plan(
                fulfilment,
                items,
                tracking_number=tracking_number,
                carrier_ref=carrier_ref,
                consignment_ref=consignment_ref,
                attributes=attributes,
                event_name=event_name,
                wait=wait,
            )
        )

    async def reject(
        self,
        fulfilment: Fulfilment | str,
        *,
        reason: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        event_name: str | None = None,
        wait: bool = True,
    ) -> EventOutcome:
        return await self._run(
            self._reject_plan(
                fulfilment, reason=reason, attributes=attributes, event_name=event_name, wait=wait
            )
        )
