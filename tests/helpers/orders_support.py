"""Shared builders for the order/fulfilment/consignment/payment helper tests."""

from __future__ import annotations

import json
from typing import Any

from fluent_sdk.helpers.orders import (
    Address,
    ClickAndCollect,
    HomeDelivery,
    NewCustomer,
    NewOrder,
    NewOrderItem,
)
from fluent_sdk.sandbox import Sandbox

__all__ = [
    "SEEDED_CUSTOMER_EMAIL",
    "add_fulfilment",
    "click_and_collect_order",
    "graphql_operations",
    "home_delivery_order",
    "multi_choice_order",
]

SEEDED_CUSTOMER_EMAIL = "jane@example.com"


def home_delivery_order(ref: str = "WEB-1", **overrides: Any) -> NewOrder:
    values: dict[str, Any] = {
        "ref": ref,
        "customer": NewCustomer(email=f"{ref.lower()}@example.com", first_name="Sam"),
        "fulfilment": HomeDelivery(
            delivery_address=Address(
                name="Sam", street="1 Main St", city="Melbourne", country="AU"
            ),
            fulfilment_price=5.0,
        ),
        "items": [
            NewOrderItem(product_ref="SPEAKER001", quantity=2, price=15.0),
            NewOrderItem(product_ref="HEADPHONE001-BLK", quantity=1, price=99.5),
        ],
        "currency": "AUD",
    }
    values.update(overrides)
    return NewOrder(**values)


def click_and_collect_order(ref: str, customer_id: str) -> NewOrder:
    return NewOrder(
        ref=ref,
        customer_id=customer_id,
        fulfilment=ClickAndCollect(pickup_location_ref="LOC_MELB"),
        items=[NewOrderItem(product_ref="SPEAKER001", quantity=1, price=15.0, currency="AUD")],
        billing_address=Address(name="Jane", city="Melbourne"),
    )


def multi_choice_order(ref: str = "WEB-MULTI") -> NewOrder:
    return NewOrder(
        ref=ref,
        customer=NewCustomer(email="multi@example.com"),
        fulfilment_choices=[
            HomeDelivery(
                ref="HOME",
                delivery_address=Address(name="M", street="2 High St", city="Sydney"),
            ),
            ClickAndCollect(ref="STORE", pickup_location_ref="LOC_SYD"),
        ],
        items=[
            NewOrderItem(product_ref="SPEAKER001", quantity=1, fulfilment_choice_ref="HOME"),
            NewOrderItem(product_ref="HEADPHONE001-WHT", quantity=3, fulfilment_choice_ref="STORE"),
        ],
    )


def graphql_operations(sandbox: Sandbox) -> list[str]:
    """The operationName of every GraphQL request received, in order."""
    names = []
    for request in sandbox.requests:
        if request.route == "graphql":
            body = json.loads(request.body or b"{}")
            names.append(str(body.get("operationName")))
    return names


def add_fulfilment(
    sandbox: Sandbox,
    order_ref: str,
    ref: str,
    quantities: dict[str, int],
    *,
    fulfilment_type: str = "HD_PFS",
) -> str:
    """Create a fulfilment for the order's items (order-item ref -> requested units), as
    Fluent's sourcing would; returns its id. Sent straight to the sandbox (no HTTP)."""
    found = sandbox.execute(
        "query($ref: String!) { order(ref: $ref) {"
        " id items(first: 100) { edges { node { id ref } } } } }",
        {"ref": order_ref},
    )
    order = found["data"]["order"]
    item_ids = {e["node"]["ref"]: e["node"]["id"] for e in order["items"]["edges"]}
    created = sandbox.execute(
        "mutation($input: CreateFulfilmentInput!) { createFulfilment(input: $input) { id } }",
        {
            "input": {
                "ref": ref,
                "type": fulfilment_type,
                "deliveryType": "STANDARD",
                "order": {"id": order["id"]},
                "items": [
                    {
                        "ref": f"{ref}-{item_ref}",
                        "requestedQuantity": quantity,
                        "filledQuantity": 0,
                        "rejectedQuantity": 0,
                        "orderItem": {"id": item_ids[item_ref]},
                    }
                    for item_ref, quantity in quantities.items()
                ],
            }
        },
    )
    assert "errors" not in created, created
    return str(created["data"]["createFulfilment"]["id"])
