"""Your own documents against the sandbox: nested connections reported, completed in batches,
and paged (with resume), sync and async."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

import httpx
import pydantic
import pytest
import respx
from graphql_test_data import graphql_body
from nested_orders import add_orders, internal_keys

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import PaginationError, ValidationError
from fluent_sdk.graphql import (
    COMPLEXITY_LIMIT,
    AsyncPaginator,
    GraphQL,
    Paginator,
    QueryResult,
    complexity,
)
from fluent_sdk.graphql._completion import (
    FOLLOW_UP_BATCH,
    _batch_plan,
    _follow_up_document,
    analyse,
    complete_nested,
)
from fluent_sdk.sandbox import Sandbox

ORDERS_WITH_ITEMS = """
query Report($after: String) {
  orders(first: 20, after: $after) {
    edges { node { id ref items(first: 10) {
      edges { node { ref quantity } } pageInfo { hasNextPage } } } }
  }
}
"""

#: The lines cut at 10 with nothing in the answer saying so: what the SDK warns about.
ORDERS_SILENTLY_CUT = ORDERS_WITH_ITEMS.replace("pageInfo { hasNextPage } ", "")

ORDERS_WITH_FRAGMENT = """
query Lines($after: String, $first: Int) {
  orders(first: $first, after: $after) { edges { node { ref ...Lines } } }
}
fragment Lines on Order { lines: items(first: 3) { edges { node { ...Line } } } }
fragment Line on OrderItem { ref product { ref } }
"""


def graphql_requests(sandbox: Sandbox) -> list[dict[str, object]]:
    return [entry.json() for entry in sandbox.requests.filter("graphql")]


@pytest.fixture
def twelve_orders(fluent_sandbox: Sandbox) -> list[str]:
    return add_orders(fluent_sandbox, orders=12, items=25)


# ---- execute ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("twelve_orders")
def test_execute_reports_truncated_nested_connections_and_warns_once(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    fluent_client.login()
    fluent_sandbox.requests.clear()
    assert "pageInfo" not in ORDERS_SILENTLY_CUT.split("items")[1]
    with caplog.at_level(logging.WARNING, logger="fluent_sdk.graphql"):
        result = fluent_client.graphql.execute(ORDERS_SILENTLY_CUT)

    assert isinstance(result, QueryResult)
    orders = result["orders"]["edges"]
    assert len(orders) == 12
    assert all(len(o["node"]["items"]["edges"]) == 10 for o in orders)
    assert result.truncated == tuple(f"orders.edges[{i}].node.items" for i in range(12))
    assert all(set(o["node"]["items"]) == {"edges"} for o in orders)  # as selected
    assert internal_keys(result) == []
    warnings = [r for r in caplog.records if "complete=True" in r.getMessage()]
    assert len(warnings) == 1
    assert "Report: 12 nested connection(s)" in warnings[0].getMessage()
    assert len(graphql_requests(fluent_sandbox)) == 1


@pytest.mark.usefixtures("twelve_orders")
def test_a_document_reading_page_info_itself_gets_truncated_but_no_warning(
    fluent_client: FluentClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="fluent_sdk.graphql"):
        result = fluent_client.graphql.execute(ORDERS_WITH_ITEMS)
    orders = result["orders"]["edges"]
    assert all(o["node"]["items"]["pageInfo"] == {"hasNextPage": True} for o in orders)
    assert len(result.truncated) == 12
    assert not [r for r in caplog.records if "complete=True" in r.getMessage()]


@pytest.mark.usefixtures("twelve_orders")
def test_complete_fetches_12_orders_times_25_items_in_two_requests(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    fluent_sandbox.requests.clear()

    result = fluent_client.graphql.execute(ORDERS_WITH_ITEMS, complete=True)

    orders = result["orders"]["edges"]
    assert [len(o["node"]["items"]["edges"]) for o in orders] == [25] * 12
    first = orders[0]["node"]
    number = int(first["ref"].split("-")[1])
    assert [e["node"]["ref"] for e in first["items"]["edges"]] == [
        f"O{number}-L{n:02d}" for n in range(25)
    ]
    assert len({e["node"]["ref"] for o in orders for e in o["node"]["items"]["edges"]}) == 300
    assert all(o["node"]["items"]["pageInfo"] == {"hasNextPage": False} for o in orders)
    assert result.truncated == ()
    assert internal_keys(result) == []
    # One request for the document, one follow-up fetching the rest for all 12 orders (with
    # items(first: 10): 2 extra pages per order, 24 if done one page per request).
    sent = graphql_requests(fluent_sandbox)
    assert len(sent) == 2
    follow_up = str(sent[1]["query"])
    assert follow_up.count("orderById(") == 12
    assert "p11: orderById" in follow_up


def test_complete_keeps_line_order_and_fragments(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    add_orders(fluent_sandbox, orders=2, items=7)
    result = fluent_client.graphql.execute(ORDERS_WITH_FRAGMENT, {"first": 5}, complete=True)

    for edge in result["orders"]["edges"]:
        lines = [e["node"] for e in edge["node"]["lines"]["edges"]]
        number = int(edge["node"]["ref"].split("-")[1])
        assert [line["ref"] for line in lines] == [f"O{number}-L{n:02d}" for n in range(7)]
        assert all(line["product"] == {"ref": "SPEAKER001"} for line in lines)
    assert internal_keys(result) == []


def test_complete_follows_connections_inside_connections_level_by_level(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    lines = [
        {
            "ref": f"L{n}",
            "productRef": "SPEAKER001",
            "productCatalogueRef": "PC:MASTER:1",
            "quantity": 1,
            "price": 10.0,
            "fulfilmentChoiceRef": f"FC{n % 2}",
        }
        for n in range(10)
    ]
    created = fluent_sandbox.execute(
        "mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }",
        {
            "input": {
                "ref": "MULTI-1",
                "type": "MULTI",
                "retailer": {"id": "1"},
                "customer": {"id": "1"},
                "items": lines,
                "fulfilmentChoices": [
                    {"ref": "FC0", "deliveryType": "STANDARD"},
                    {"ref": "FC1", "deliveryType": "EXPRESS"},
                ],
            }
        },
    )
    order_id = created["data"]["createOrder"]["id"]
    fluent_client.login()
    fluent_sandbox.requests.clear()

    result = fluent_client.graphql.execute(
        "query($id: ID!) { orderById(id: $id) { fulfilmentChoices(first: 1) { edges { node {"
        " ref items(first: 2) { edges { node { ref } } } } } } } }",
        {"id": order_id},
        complete=True,
    )

    choices = {
        e["node"]["ref"]: sorted(i["node"]["ref"] for i in e["node"]["items"]["edges"])
        for e in result["orderById"]["fulfilmentChoices"]["edges"]
    }
    assert choices == {
        "FC0": ["L0", "L2", "L4", "L6", "L8"],
        "FC1": ["L1", "L3", "L5", "L7", "L9"],
    }
    # The document; the second choice; then the rest of both choices' items in one request.
    assert len(graphql_requests(fluent_sandbox)) == 3


def test_complete_refuses_a_parent_without_look_up_before_any_request(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    fluent_sandbox.requests.clear()
    with pytest.raises(ValidationError) as caught:
        fluent_client.graphql.execute(
            "{ inventoryPositions(first: 2) { edges { node { ref"
            " quantities(first: 1) { edges { node { ref } } } } } } }",
            complete=True,
        )
    assert caught.value.field == "complete"
    assert "InventoryPosition" in str(caught.value)
    assert "result.truncated" in str(caught.value)
    assert graphql_requests(fluent_sandbox) == []


def test_a_document_without_nested_connections_is_sent_as_written(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    document = "{ locations(first: 2) { edges { node { ref } } } }"
    result = fluent_client.graphql.execute(document)
    assert result.truncated == ()
    assert graphql_requests(fluent_sandbox)[-1]["query"] == document


@pytest.mark.usefixtures("twelve_orders")
def test_execute_with_a_model_validates_the_completed_data(fluent_client: FluentClient) -> None:
    class Line(pydantic.BaseModel):
        ref: str

    class Edge(pydantic.BaseModel):
        node: Line

    class Items(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        edges: list[Edge]
        pageInfo: dict[str, bool]

    class Order(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        id: str
        ref: str
        items: Items

    class OrderEdge(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        node: Order

    class Orders(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        edges: list[OrderEdge]

    class Data(pydantic.BaseModel):
        orders: Orders

    document = ORDERS_WITH_ITEMS.replace("ref quantity", "ref")
    data = fluent_client.graphql.execute(document, complete=True, model=Data)
    assert [len(e.node.items.edges) for e in data.orders.edges] == [25] * 12


async def test_async_execute_completes_too(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    add_orders(fluent_sandbox, orders=3, items=12)
    result = await async_fluent_client.graphql.execute(ORDERS_WITH_ITEMS, complete=True)
    assert [len(o["node"]["items"]["edges"]) for o in result["orders"]["edges"]] == [12] * 3
    assert result.truncated == ()


# ---- paginate --------------------------------------------------------------------------------


@pytest.mark.usefixtures("twelve_orders")
def test_paginate_a_document_over_pages_with_nested_completion_and_resume(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    fluent_sandbox.requests.clear()
    paginator = fluent_client.graphql.paginate(ORDERS_WITH_ITEMS, page_size=4, complete=True)
    assert isinstance(paginator, Paginator)

    pages = list(paginator.pages())

    assert [len(p.nodes) for p in pages] == [4, 4, 4]
    assert [p.has_next_page for p in pages] == [True, True, False]
    assert all(len(node["items"]["edges"]) == 25 for p in pages for node in p.nodes)
    assert all(p.truncated == () for p in pages)
    assert internal_keys([p.nodes for p in pages]) == []
    assert len({node["ref"] for p in pages for node in p.nodes}) == 12
    # Three pages, each with one follow-up for its four orders.
    sent = graphql_requests(fluent_sandbox)
    assert len(sent) == 6
    assert [s["variables"]["fluentSdkPageSize"] for s in sent[::2]] == [4, 4, 4]  # type: ignore[index]
    assert all("FluentSdkComplete" in str(s["query"]) for s in sent[1::2])

    # Resume: stop after 5 orders, continue from the paginator's cursor.
    walk = fluent_client.graphql.paginate(ORDERS_WITH_ITEMS, page_size=4)
    first_five = []
    for node in walk:
        first_five.append(node["ref"])
        if len(first_five) == 5:
            break
    rest = [n["ref"] for n in fluent_client.graphql.paginate(ORDERS_WITH_ITEMS, after=walk.cursor)]
    assert first_five + rest == [node["ref"] for p in pages for node in p.nodes]


@pytest.mark.usefixtures("twelve_orders")
def test_paginate_without_complete_names_truncated_paths_per_page(
    fluent_client: FluentClient, caplog: pytest.LogCaptureFixture
) -> None:
    paginator = fluent_client.graphql.paginate(ORDERS_SILENTLY_CUT, page_size=5)
    with caplog.at_level(logging.WARNING, logger="fluent_sdk.graphql"):
        pages = list(paginator.pages())
    assert [len(p.truncated) for p in pages] == [5, 5, 2]
    assert pages[0].truncated[0] == "orders.edges[0].node.items"
    assert len([r for r in caplog.records if "complete=True" in r.getMessage()]) == 1


def test_paginate_uses_the_documents_first_variable_and_validates_nodes_into_a_model(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    add_orders(fluent_sandbox, orders=5, items=4)

    class Line(pydantic.BaseModel):
        ref: str
        product: dict[str, str]

    class Edge(pydantic.BaseModel):
        node: Line

    class Lines(pydantic.BaseModel):
        edges: list[Edge]

    class Order(pydantic.BaseModel):
        ref: str
        lines: Lines

    fluent_sandbox.requests.clear()
    nodes = list(
        fluent_client.graphql.paginate(
            ORDERS_WITH_FRAGMENT, {"first": 2}, model=Order, complete=True
        )
    )
    assert all(isinstance(node, Order) for node in nodes)
    assert [len(n.lines.edges) for n in nodes] == [4] * 5
    sent = graphql_requests(fluent_sandbox)
    assert [s["variables"]["first"] for s in sent if "first" in s["variables"]] == [2, 2, 2]  # type: ignore[operator,index]


async def test_async_paginate_a_document(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    add_orders(fluent_sandbox, orders=7, items=12)
    paginator = async_fluent_client.graphql.paginate(ORDERS_WITH_ITEMS, page_size=3, complete=True)
    assert isinstance(paginator, AsyncPaginator)
    nodes = [node async for node in paginator]
    assert len(nodes) == 7
    assert all(len(n["items"]["edges"]) == 12 for n in nodes)
    pages = [
        page
        async for page in async_fluent_client.graphql.paginate(
            ORDERS_WITH_ITEMS, page_size=3, after=None
        ).pages()
    ]
    assert [len(p.nodes) for p in pages] == [3, 3, 1]


def test_paginate_a_nested_connection_of_one_entity(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    [order_id] = add_orders(fluent_sandbox, orders=1, items=9)
    document = (
        "query($id: ID!, $after: String) { orderById(id: $id) { ref"
        " items(first: 4, after: $after) { edges { node { ref } } } } }"
    )
    pages = list(fluent_client.graphql.paginate(document, {"id": order_id}).pages())
    assert [len(p.nodes) for p in pages] == [4, 4, 1]  # the document's own first: 4
    assert [n["ref"] for p in pages for n in p.nodes] == [f"O0-L{n:02d}" for n in range(9)]


# ---- paginate: refused before any request ----------------------------------------------------


@pytest.mark.parametrize(
    ("document", "options", "field", "fix"),
    [
        (
            "{ orders(first: 5) { edges { node { ref } } } }",
            {},
            "document",
            "declare `$after: String` in the operation and write orders(first: …, after: $after)",
        ),
        (
            "query($a: String, $b: String) { orders(after: $a) { edges { node { ref } } }"
            " fulfilments(after: $b) { edges { node { ref } } } }",
            {},
            "path",
            "pass path= with the one to page, e.g. path='orders'",
        ),
        (
            "query($a: String) { orders(after: $a) { edges { node { ref } } } }",
            {"path": "fulfilments"},
            "path",
            "its connections are 'orders'",
        ),
        (
            "query($a: String) { orders { edges { node { items(after: $a) {"
            " edges { node { ref } } } } } } }",
            {},
            "path",
            "pass complete=True",
        ),
        (
            "{ me { username } }",
            {},
            "document",
            "selects none",
        ),
    ],
)
def test_documents_that_cannot_be_paged_say_how_to_fix_them(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    document: str,
    options: dict[str, object],
    field: str,
    fix: str,
) -> None:
    fluent_client.login()
    fluent_sandbox.requests.clear()
    with pytest.raises(ValidationError) as caught:
        fluent_client.graphql.paginate(document, **options)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert fix in str(caught.value)
    assert graphql_requests(fluent_sandbox) == []


def test_paginate_by_root_field_name_refuses_document_options(fluent_client: FluentClient) -> None:
    with pytest.raises(ValidationError) as caught:
        fluent_client.graphql.paginate("orders", path="orders")
    assert caught.value.field == "path"
    with pytest.raises(ValidationError) as caught:
        fluent_client.graphql.paginate(
            "query($a: String) { orders(after: $a) { edges { node { ref } } } }", status=["X"]
        )  # type: ignore[call-overload]
    assert caught.value.field == "status"


def test_a_follow_up_whose_cursor_does_not_move_raises(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    def connection(edges: list[dict[str, Any]]) -> dict[str, Any]:
        return {"edges": edges, "_fluentSdkPageInfo": {"hasNextPage": True}}

    answers = iter(
        [
            {
                "data": {
                    "orderById": {
                        "_fluentSdkId": "1",
                        "items": connection([{"node": {"ref": "a"}, "_fluentSdkCursor": "c1"}]),
                    }
                }
            },
            {"data": {"p0": {"items": connection([])}}},
        ]
    )
    graphql_route.side_effect = lambda request: httpx.Response(200, json=next(answers))
    document = "{ orderById(id: 1) { items(first: 1) { edges { node { ref } } } } }"

    with pytest.raises(PaginationError, match="cursor did not advance") as caught:
        gql.execute(document, complete=True)

    assert caught.value.cursor == "c1"
    follow_up = graphql_body(graphql_route.calls.last.request)
    assert follow_up["variables"]["fluentSdkAfter0"] == "c1"
    assert follow_up["variables"]["fluentSdkKey0"] == "1"


def test_a_helper_plan_completes_through_execute_calls(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    """How a helper's plan (I/O-free, yielding calls its driver performs with ``execute``)
    reads an order with all its lines."""
    [order_id] = add_orders(fluent_sandbox, orders=1, items=23)
    order = analyse(
        "query($id: ID!) { orderById(id: $id) { ref items(first: 5) { edges { node { ref } } } } }",
        None,
    )
    variables = {"id": order_id}

    def plan() -> Generator[tuple[str, dict[str, Any]], Any, tuple[dict[str, Any], list[str]]]:
        data = yield (order.text, variables)
        truncated = yield from complete_nested(
            order, variables, data, lambda follow_up: (follow_up.text, follow_up.variables)
        )
        return data, truncated

    fluent_client.login()
    fluent_sandbox.requests.clear()
    steps = plan()
    call = next(steps)
    try:
        while True:
            call = steps.send(fluent_client.graphql.execute(*call))
    except StopIteration as stop:
        data, truncated = stop.value

    lines = [edge["node"]["ref"] for edge in data["orderById"]["items"]["edges"]]
    assert lines == [f"O0-L{n:02d}" for n in range(23)]
    assert truncated == []
    assert internal_keys(data) == []
    assert len(graphql_requests(fluent_sandbox)) == 2


def test_a_nested_page_size_given_as_a_variable_is_completed(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    """The follow-up replaces ``items(first: $n)`` with its own page size: it must not declare
    $n as well (a variable declared and unused makes the whole document invalid)."""
    [order_id] = add_orders(fluent_sandbox, orders=1, items=12)
    data = fluent_client.graphql.execute(
        "query($id: ID!, $n: Int!) { orderById(id: $id) { items(first: $n) {"
        " edges { node { ref } } } } }",
        {"id": order_id, "n": 5},
        complete=True,
    )
    lines = [edge["node"]["ref"] for edge in data["orderById"]["items"]["edges"]]
    assert lines == [f"O0-L{n:02d}" for n in range(12)]
    [_first, follow_up] = graphql_requests(fluent_sandbox)[-2:]
    assert "$n" not in str(follow_up["query"])


@pytest.mark.parametrize("pending", [1, 12, 50, 500])
def test_batched_follow_ups_stay_within_the_complexity_limit(pending: int) -> None:
    analysis = analyse(
        "{ orders(first: 50) { edges { node { ref items(first: 10) { edges { node {"
        " ref product { ref } order { id } fulfilmentChoice { ref } } } } } } } }",
        None,
    )
    [items] = analysis.nested
    parents, size = _batch_plan(analysis, items, pending)
    text, _used = _follow_up_document(analysis, items, parents)

    assert 1 <= parents <= min(pending, FOLLOW_UP_BATCH)
    assert size >= 10  # never smaller pages than the document's own
    assert complexity(text, {"fluentSdkFirst": size}) <= COMPLEXITY_LIMIT
    assert complexity(text, {"fluentSdkFirst": size + 1}) > COMPLEXITY_LIMIT or size == 5000
