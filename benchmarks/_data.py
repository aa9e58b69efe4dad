"""Canned GraphQL responses for the benchmarks: ``orders`` pages with every selected field of the
default ``Orders`` operation filled in (the widest realistic case), encoded once up front."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["order_node", "orders_page_bytes", "orders_page_dict"]

_STAMP = "2024-05-01T10:00:00.000Z"


def _attributes(index: int) -> list[dict[str, Any]]:
    return [
        {"name": "channel", "type": "STRING", "value": "web"},
        {"name": "loyalty", "type": "JSON", "value": {"tier": "gold", "points": index % 977}},
    ]


def order_node(index: int) -> dict[str, Any]:
    """One order node with every field of the default ``Orders`` selection set."""
    return {
        "id": str(index),
        "ref": f"O-{index:08d}",
        "type": "HD",
        "status": "CREATED",
        "workflowRef": "ORDER::HD",
        "workflowVersion": 3,
        "createdOn": _STAMP,
        "updatedOn": _STAMP,
        "attributes": _attributes(index),
        "retailer": {
            "id": "1",
            "createdOn": _STAMP,
            "updatedOn": _STAMP,
            "status": "ACTIVE",
            "ref": "ACME",
            "summary": "Acme retail",
            "websiteUrl": "https://acme.example",
            "websiteUrlName": "Acme",
            "primaryEmail": "ops@acme.example",
            "supportContactName": "Ops",
            "supportEmail": "support@acme.example",
            "supportPhone": "+61 2 0000 0000",
            "tradingName": "Acme Pty Ltd",
        },
        "totalPrice": 129.95,
        "totalTaxPrice": 11.81,
        "fulfilmentChoice": {
            "id": str(500_000 + index),
            "ref": f"FC-{index:08d}",
            "type": "HD",
            "status": "CREATED",
            "workflowRef": "FULFILMENT_CHOICE::HD",
            "workflowVersion": 1,
            "createdOn": _STAMP,
            "updatedOn": _STAMP,
            "currency": "AUD",
            "deliveryFirstName": "Jo",
            "deliveryLastName": "Citizen",
            "deliveryContact": "+61 400 000 000",
            "deliveryEmail": "jo@example.com",
            "deliverAfter": _STAMP,
            "deliverBefore": _STAMP,
            "dispatchOn": _STAMP,
            "attributes": _attributes(index),
            "deliveryInstruction": "Leave at the door",
            "deliveryType": "STANDARD",
            "fulfilmentPrice": 9.95,
            "fulfilmentTaxPrice": 0.9,
            "fulfilmentType": "HD_PFS",
            "pickupLocationRef": None,
            "deliveryAddress": {"__typename": "Address", "id": str(900_000 + index), "ref": None},
        },
        "customer": {
            "id": str(700_000 + index % 5000),
            "ref": f"C-{index % 5000}",
            "status": "ACTIVE",
            "createdOn": _STAMP,
            "updatedOn": _STAMP,
            "attributes": _attributes(index),
            "title": "Ms",
            "department": None,
            "country": "AU",
            "firstName": "Jo",
            "lastName": "Citizen",
            "username": f"jo{index % 5000}",
            "primaryEmail": "jo@example.com",
            "primaryPhone": "+61 400 000 000",
            "timezone": "Australia/Sydney",
            "promotionOptIn": True,
            "retailer": {"__typename": "Retailer", "id": "1", "ref": "ACME"},
        },
        "customerLink": {"ref": f"C-{index % 5000}"},
        "payment": {"ref": f"P-{index:08d}"},
        "billingAddress": {
            "id": str(800_000 + index),
            "companyName": None,
            "name": "Jo Citizen",
            "street": "1 George St",
            "street2": None,
            "city": "Sydney",
            "state": "NSW",
            "postcode": "2000",
            "region": "APAC",
            "country": "AU",
            "latitude": -33.86,
            "longitude": 151.2,
            "timeZone": "Australia/Sydney",
            "email": "jo@example.com",
            "createdOn": _STAMP,
            "updatedOn": _STAMP,
        },
    }


def orders_page_dict(start: int, count: int, *, has_next: bool) -> dict[str, Any]:
    """``{"data": {"orders": {...}}}`` holding nodes ``start .. start+count-1`` with cursors."""
    return {
        "data": {
            "orders": {
                "edges": [
                    {"cursor": f"cur-{i}", "node": order_node(i)}
                    for i in range(start, start + count)
                ],
                "pageInfo": {"hasNextPage": has_next},
            }
        }
    }


def orders_page_bytes(start: int, count: int, *, has_next: bool) -> bytes:
    return json.dumps(orders_page_dict(start, count, has_next=has_next)).encode()
