"""Sandbox data for the own-document tests: orders with many lines."""

from __future__ import annotations

from typing import Any

from fluent_sdk.sandbox import Sandbox

__all__ = ["INTERNAL_PREFIX", "add_orders", "internal_keys"]

INTERNAL_PREFIX = "_fluentSdk"
_CREATE_ORDER = "mutation($input: CreateOrderInput!) { createOrder(input: $input) { id ref } }"


def add_orders(sandbox: Sandbox, orders: int = 12, items: int = 25) -> list[str]:
    """Create ``orders`` orders of ``items`` lines each (no HTTP, no request log); their ids."""
    ids = []
    for number in range(orders):
        lines = [
            {
                "ref": f"O{number}-L{line:02d}",
                "productRef": "SPEAKER001",
                "productCatalogueRef": "PC:MASTER:1",
                "quantity": line + 1,
                "price": 10.0,
            }
            for line in range(items)
        ]
        answer = sandbox.execute(
            _CREATE_ORDER,
            {
                "input": {
                    "ref": f"O-{number:02d}",
                    "type": "HD",
                    "retailer": {"id": "1"},
                    "customer": {"id": "1"},
                    "items": lines,
                }
            },
        )
        assert "errors" not in answer, answer
        ids.append(answer["data"]["createOrder"]["id"])
    return ids


def internal_keys(value: Any) -> list[str]:
    """Keys the SDK adds to a document (``_fluentSdk…``) still present in ``value``."""
    if isinstance(value, dict):
        found = [k for k in value if str(k).startswith(INTERNAL_PREFIX)]
        return found + [k for item in value.values() for k in internal_keys(item)]
    if isinstance(value, list):
        return [k for item in value for k in internal_keys(item)]
    return []
