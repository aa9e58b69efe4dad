"""Figure 7: nested completion (``execute(..., complete=True)``) against a hand-written cursor loop.

Data: the embedded sandbox, served on 127.0.0.1 from its own thread, holding ``orders`` orders of
``items`` lines each. Both sides read every line of every order with ``items(first: 10)``:

- the SDK: one document, ``client.graphql.execute(REPORT, complete=True)``;
- the baseline: what report scripts do by hand today: the same document selecting ``id``,
  ``cursor`` and ``pageInfo``, then for each order whose lines have more pages, a loop of
  ``orderById(id) { items(first: 10, after: $cursor) }`` requests until ``hasNextPage`` is false.

Figures:

- ``nested_completion_requests``: GraphQL requests the SDK sends against the hand loop's
  (target <= 0.25; with 12 x 25 that is 2 against 25: 1 + one batched follow-up, instead of
  1 + 2 extra pages per order);
- ``nested_completion_cpu``: CPU time of the calling thread (request building, JSON parsing,
  completion and merging; the sandbox's own work runs in its server thread and is not counted)
  per full read, min over ``repeats`` interleaved runs (target <= 1.0: no more CPU than the hand
  loop).
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks._harness import Figure, Units, figure
from fluent_sdk import FluentClient
from fluent_sdk.sandbox import Sandbox

__all__ = ["CPU_TARGET", "REQUESTS_TARGET", "UNITS", "hand_loop", "measure_nested", "sdk_read"]

UNITS: Units = {"nested_completion_requests": "", "nested_completion_cpu": "s"}
REQUESTS_TARGET = 0.25
CPU_TARGET = 1.0

REPORT = """
query Report($first: Int) {
  orders(first: $first) { edges { node {
    id ref status
    items(first: 10) {
      edges { cursor node { ref quantity price product { ref } } }
      pageInfo { hasNextPage }
    }
  } } }
}
"""
ITEMS_PAGE = """
query ItemsPage($id: ID!, $after: String) {
  orderById(id: $id) {
    items(first: 10, after: $after) {
      edges { cursor node { ref quantity price product { ref } } }
      pageInfo { hasNextPage }
    }
  }
}
"""


def _seed(sandbox: Sandbox, orders: int, items: int) -> None:
    for number in range(orders):
        lines = [
            {
                "ref": f"O{number}-L{line:03d}",
                "productRef": "SPEAKER001",
                "productCatalogueRef": "PC:MASTER:1",
                "quantity": 1 + line % 4,
                "price": 10.0,
            }
            for line in range(items)
        ]
        answer = sandbox.execute(
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }",
            {
                "input": {
                    "ref": f"BENCH-{number:04d}",
                    "type": "HD",
                    "retailer": {"id": "1"},
                    "customer": {"id": "1"},
                    "items": lines,
                }
            },
        )
        if "errors" in answer:
            raise RuntimeError(answer["errors"])


def hand_loop(client: FluentClient, orders: int) -> list[dict[str, Any]]:
    """The cursor loop a report script writes by hand."""
    data = client.graphql.execute(REPORT, {"first": orders})
    result = []
    for edge in data["orders"]["edges"]:
        order = edge["node"]
        items = order["items"]
        edges = list(items["edges"])
        has_next = items["pageInfo"]["hasNextPage"]
        while has_next:
            page = client.graphql.execute(
                ITEMS_PAGE, {"id": order["id"], "after": edges[-1]["cursor"]}
            )
            more = page["orderById"]["items"]
            edges.extend(more["edges"])
            has_next = more["pageInfo"]["hasNextPage"]
        order["items"] = {"edges": edges, "pageInfo": {"hasNextPage": False}}
        result.append(order)
    return result


def sdk_read(client: FluentClient, orders: int) -> list[dict[str, Any]]:
    data = client.graphql.execute(REPORT, {"first": orders}, complete=True)
    return [edge["node"] for edge in data["orders"]["edges"]]


def _lines(orders: list[dict[str, Any]]) -> int:
    return sum(len(order["items"]["edges"]) for order in orders)


def measure_nested(*, orders: int = 12, items: int = 25, repeats: int = 5) -> dict[str, Figure]:
    sandbox = Sandbox()
    _seed(sandbox, orders, items)
    with (
        sandbox.serve() as base_url,
        FluentClient(
            base_url=base_url,
            client_id=sandbox.credentials["client_id"],
            client_secret=sandbox.credentials["client_secret"],
            username=sandbox.credentials["username"],
            password=sandbox.credentials["password"],
        ) as client,
    ):
        counts: dict[str, int] = {}
        for name, read in (("sdk", sdk_read), ("hand", hand_loop)):
            sandbox.requests.clear()
            got = _lines(read(client, orders))  # also the warm-up (login, caches)
            if got != orders * items:
                raise RuntimeError(f"{name} read {got} lines, expected {orders * items}")
            counts[name] = sandbox.requests.count("graphql")
        cpu: dict[str, list[float]] = {"sdk": [], "hand": []}
        for _ in range(repeats):
            for name, read in (("sdk", sdk_read), ("hand", hand_loop)):
                started = time.thread_time()
                read(client, orders)
                cpu[name].append(time.thread_time() - started)
    return {
        "nested_completion_requests": figure(counts["sdk"], counts["hand"], REQUESTS_TARGET),
        "nested_completion_cpu": figure(min(cpu["sdk"]), min(cpu["hand"]), CPU_TARGET),
    }
