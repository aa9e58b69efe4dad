"""Shared test data for the GraphQL tests: account, credentials and response builders."""

from __future__ import annotations

import json
from typing import Any

import httpx

BASE_URL = "https://acme.sandbox.api.fluentretail.com"
CREDENTIALS: dict[str, Any] = dict(
    base_url=BASE_URL,
    client_id="ACME",
    client_secret="s3cret-value",
    username="u",
    password="p4ss-value",
)


def graphql_body(request: httpx.Request) -> dict[str, Any]:
    """The JSON body a GraphQL request carried."""
    body: dict[str, Any] = json.loads(request.content)
    return body


def order_node(index: int, **extra: Any) -> dict[str, Any]:
    """A minimal order as the server sends it (every non-null field present)."""
    return {
        "id": str(index),
        "ref": f"O-{index}",
        "type": "HD",
        "status": "CREATED",
        "workflowRef": "ORDER::HD",
        "workflowVersion": 1,
        "createdOn": "2024-05-01T10:00:00.000Z",
        **extra,
    }


def orders_page(start: int, count: int, *, has_next: bool) -> dict[str, Any]:
    return {
        "data": {
            "orders": {
                "edges": [
                    {"cursor": f"c{i}", "node": order_node(i)} for i in range(start, start + count)
                ],
                "pageInfo": {"hasNextPage": has_next},
            }
        }
    }
