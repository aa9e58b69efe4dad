"""Cursor pagination: many pages, max_items, resume, stuck-cursor guard, flat memory."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import httpx
import pytest
import respx
from graphql_test_data import graphql_body, order_node, orders_page

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql import AsyncGraphQL, GraphQL, PaginationError


def serve_orders(total: int) -> Any:
    """A respx side effect serving ``total`` orders, honouring ``first`` and ``after``."""

    def handler(request: httpx.Request) -> httpx.Response:
        variables = graphql_body(request)["variables"]
        start = int(variables["after"][1:]) + 1 if variables.get("after") else 0
        count = max(0, min(variables["first"], total - start))
        return httpx.Response(200, json=orders_page(start, count, has_next=start + count < total))

    return handler


def test_iterates_every_node_over_many_pages(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.side_effect = serve_orders(25)
    refs = [order.ref for order in gql.iter_orders(status=["CREATED"], page_size=10)]
    assert refs == [f"O-{i}" for i in range(25)]
    sent = [graphql_body(call.request)["variables"] for call in graphql_route.calls]
    assert sent == [
        {"status": ["CREATED"], "first": 10, "after": None},
        {"status": ["CREATED"], "first": 10, "after": "c9"},
        {"status": ["CREATED"], "first": 10, "after": "c19"},
    ]


def test_max_items_stops_early_and_asks_only_for_what_is_needed(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.side_effect = serve_orders(100)
    nodes = list(gql.iter_orders(page_size=10, max_items=15))
    assert len(nodes) == 15
    assert [graphql_body(c.request)["variables"]["first"] for c in graphql_route.calls] == [10, 5]


def test_resume_from_cursor(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.side_effect = serve_orders(30)
    paginator = gql.iter_orders(page_size=10)
    first_part = []
    for order in paginator:
        first_part.append(order.id)
        if len(first_part) == 12:
            break
    assert paginator.cursor == "c11"
    rest = [order.id for order in gql.iter_orders(page_size=10, after=paginator.cursor)]
    assert first_part + rest == [str(i) for i in range(30)]


def test_pages_give_page_level_access(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.side_effect = serve_orders(7)
    pages = list(gql.paginate("orders", page_size=3).pages())
    assert [len(p.nodes) for p in pages] == [3, 3, 1]
    assert [p.end_cursor for p in pages] == ["c2", "c5", "c6"]
    assert [p.has_next_page for p in pages] == [True, True, False]
    assert pages[0].connection.page_info.has_next_page is True


def test_stuck_cursor_raises(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(json=orders_page(0, 2, has_next=True))  # same page every time
    with pytest.raises(PaginationError) as caught:
        list(gql.iter_orders(page_size=2))
    assert caught.value.cursor == "c1"
    assert graphql_route.call_count == 2


def test_has_next_without_edges_raises(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(
        json={"data": {"orders": {"edges": [], "pageInfo": {"hasNextPage": True}}}}
    )
    with pytest.raises(PaginationError):
        list(gql.iter_orders())


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 5001}, "page_size"),
        ({"max_items": -1}, "max_items"),
    ],
)
def test_bad_settings_fail_before_any_call(
    gql: GraphQL, graphql_route: respx.Route, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        gql.iter_orders(**options)
    assert caught.value.field == field
    assert graphql_route.call_count == 0


def test_paginate_rejects_an_unpaginated_operation(gql: GraphQL) -> None:
    with pytest.raises(ValidationError) as caught:
        gql.paginate("orderById")
    assert caught.value.field == "operation"


def test_default_page_size_is_large(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.side_effect = serve_orders(3)
    list(gql.iter_orders())
    assert graphql_body(graphql_route.calls.last.request)["variables"]["first"] == 1000


async def test_async_pagination(agql: AsyncGraphQL, graphql_route: respx.Route) -> None:
    graphql_route.side_effect = serve_orders(25)
    ids = [order.id async for order in agql.iter_orders(page_size=10)]
    assert ids == [str(i) for i in range(25)]
    pages = [page async for page in agql.paginate("orders", page_size=10, max_items=12).pages()]
    assert [len(p.nodes) for p in pages] == [10, 2]


@pytest.mark.slow
def test_memory_stays_flat_over_100k_nodes(gql: GraphQL, fluent_mock: respx.MockRouter) -> None:
    pages: dict[str, bytes] = {}
    total, size = 100_000, 5000

    def handler(request: httpx.Request) -> httpx.Response:
        after = graphql_body(request)["variables"]["after"]
        start = int(after[1:]) + 1 if after else 0
        key = "last" if start + size >= total else "mid"
        if key not in pages:  # reuse bodies: measure the SDK, not the fake server
            import json

            pages[key] = json.dumps(orders_page(0, size, has_next=key == "mid")).encode()
        body = pages[key].replace(b'"c4999"', f'"c{start + size - 1}"'.encode())
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    fluent_mock.post("/graphql").side_effect = handler
    count = 0
    gc.collect()
    tracemalloc.start()
    try:
        for _order in gql.iter_orders(page_size=size):
            count += 1
            if count == size:  # after the first page: baseline
                baseline = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == total
    # Later pages must not pile up: the peak stays within a few pages of the baseline.
    assert peak - baseline < 40 * 1024 * 1024, (baseline, peak)
    assert order_node(0)["id"] == "0"
