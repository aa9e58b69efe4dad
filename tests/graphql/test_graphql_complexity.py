"""Our complexity estimate: its figures, the shipped documents under Fluent's limit, the
sandbox's ``C0001E``, and paginators that size their pages by it."""

from __future__ import annotations

import gc
import itertools
import json
import logging
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    VariableNode,
    parse,
)
from graphql_test_data import graphql_body

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk._schema.documents import collect_documents
from fluent_sdk.errors import BadRequestError, GraphQLError, ValidationError
from fluent_sdk.graphql import COMPLEXITY_LIMIT, DEFAULT_PAGE_SIZE, GraphQL, complexity
from fluent_sdk.graphql._complexity import page_cost, safe_page_size
from fluent_sdk.sandbox import Sandbox
from fluent_sdk.sandbox import graphql as sandbox_graphql

OPERATIONS_DIR = Path(__file__).resolve().parents[2] / "graphql" / "operations"
#: The largest page ``iter_orders`` asks for (generated: 1 + 3 x 3,703 <= 11,111).
ORDERS_LARGEST_PAGE = 3703
#: A sandbox limit stricter than our estimate, as Fluent's unpublished formula may be.
STRICTER_LIMIT = 5_000

REPORT = """
query($first: Int, $after: String) {
  orders(first: $first, after: $after) { edges { node {
    ref customer { id }
    items(first: 10) { edges { node { ref product { ref } } } }
  } } }
}
"""


def test_the_estimate_counts_the_root_and_every_linked_record() -> None:
    # 1 (orders) + 100 customers + 100 items connections + 100 x 10 products.
    assert complexity(REPORT, {"first": 100}) == 1 + 100 + 100 + 1000
    # Unset first: Fluent's default page of 10.
    assert complexity(REPORT) == 1 + 10 + 10 + 100
    # One per root field; scalars and value objects (attributes, pageInfo) are free.
    assert complexity("{ me { username } orderById(id: 1) { ref attributes { name } } }") == 2
    # A variable's default, a fragment, an inline fragment, `last` and the 5000 cap.
    document = (
        "query($n: Int = 7) { a: orders(first: $n) { edges { node { ...F } } }"
        " b: orders(last: 3) { edges { node { ... on Order { customer { id } } } } }"
        " c: orders(first: 9999) { edges { node { customer { id } } } } }"
        " fragment F on Order { retailer { id } }"
    )
    assert complexity(document) == (1 + 7) + (1 + 3) + (1 + 5000)
    assert complexity(parse(document), {"n": 1}) == (1 + 1) + (1 + 3) + (1 + 5000)


def test_page_cost_is_linear_in_the_page_size() -> None:
    cost = page_cost(REPORT, {}, "first")
    assert (cost.fixed, cost.per_page) == (1, 12)
    assert cost.at(100) == complexity(REPORT, {"first": 100})
    assert cost.largest_page() == (COMPLEXITY_LIMIT - 1) // 12
    assert cost.at(cost.largest_page()) <= COMPLEXITY_LIMIT < cost.at(cost.largest_page() + 1)


def _paged_variables(operation: OperationDefinitionNode) -> dict[str, Any]:
    """The root connection's ``first`` at the paginators' default page size."""
    variables: dict[str, Any] = {}
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            for argument in selection.arguments:
                if argument.name.value == "first" and isinstance(argument.value, VariableNode):
                    variables[argument.value.name.value] = DEFAULT_PAGE_SIZE
    return variables


def test_every_shipped_document_stays_under_the_limit_at_its_default_page_size() -> None:
    operations, fragments = collect_documents(OPERATIONS_DIR)
    assert operations, "no shipped documents found"
    library = parse("\n".join(fragments.values())).definitions if fragments else ()
    figures: dict[str, int] = {}
    for path, text in operations.items():
        parsed = parse(text)
        for operation in parsed.definitions:
            if not isinstance(operation, OperationDefinitionNode) or operation.name is None:
                continue
            local = [d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)]
            names = {d.name.value for d in local}
            shared = [
                d
                for d in library
                if isinstance(d, FragmentDefinitionNode) and d.name.value not in names
            ]
            document = DocumentNode(definitions=(operation, *local, *shared))
            name = f"{path.relative_to(OPERATIONS_DIR)}:{operation.name.value}"
            figures[name] = complexity(document, _paged_variables(operation))
    over = {name: cost for name, cost in figures.items() if cost > COMPLEXITY_LIMIT}
    assert over == {}, f"shipped documents over Fluent's complexity limit: {over}"
    assert len(figures) > 200


# ---- the sandbox -----------------------------------------------------------------------------


def test_the_sandbox_answers_c0001e_in_fluents_error_shape(fluent_sandbox: Sandbox) -> None:
    answer = fluent_sandbox.execute(REPORT, {"first": 5000})
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "C0001E"}
    assert error["message"].startswith("C0001E: ")
    assert f"{complexity(REPORT, {'first': 5000}):,}" in error["message"]
    assert "errors" not in fluent_sandbox.execute(REPORT, {"first": 900})


def test_execute_of_a_too_complex_document_raises_with_the_code(
    fluent_client: FluentClient,
) -> None:
    with pytest.raises(GraphQLError) as caught:
        fluent_client.graphql.execute(REPORT, {"first": 5000})
    assert caught.value.code == "C0001E"
    assert isinstance(caught.value, BadRequestError)


def test_a_generated_paginator_halves_its_page_after_a_sandbox_c0001e(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Fluent's formula is not published: here it is stricter than our estimate, so the largest
    # page the generator allowed (3,703 orders: 1 + 3 x 3,703 <= 11,111) is refused.
    monkeypatch.setattr(sandbox_graphql, "COMPLEXITY_LIMIT", STRICTER_LIMIT)
    fluent_client.login()
    fluent_sandbox.requests.clear()
    with caplog.at_level(logging.WARNING, logger="fluent_sdk.graphql"):
        locations = list(fluent_client.graphql.iter_orders(page_size=5000))
    assert locations == []  # the default seed has no orders
    sent = [
        entry.json()["variables"]["first"] for entry in fluent_sandbox.requests.filter("graphql")
    ]
    statuses = [
        "errors" in entry.json() for entry in fluent_sandbox.requests.filter("graphql")
    ]  # requests carry no errors; the answers did
    assert statuses == [False] * len(sent)
    # Refused (C0001E) until the page fits, each time asked again with half the page (the
    # default orders selection links 3 entities per order: 1 + 3 x 1851 is refused, 1 + 3 x
    # 925 is not).
    assert sent == [ORDERS_LARGEST_PAGE, 1851, 925]
    assert all(later == earlier // 2 for earlier, later in itertools.pairwise(sent))
    refusals = [r for r in caplog.records if "C0001E" in r.getMessage()]
    assert len(refusals) == 1  # logged once per walk
    assert f"pages of {sent[1]}" in refusals[0].getMessage()


def test_a_document_paginator_picks_a_page_size_within_the_limit(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    fluent_sandbox.requests.clear()
    nodes = list(fluent_client.graphql.paginate(REPORT, page_size=5000))
    assert nodes == []
    [request] = [entry.json() for entry in fluent_sandbox.requests.filter("graphql")]
    assert request["variables"]["first"] == (COMPLEXITY_LIMIT - 1) // 12


def test_a_document_too_complex_even_at_one_node_per_page_is_refused(
    fluent_client: FluentClient,
) -> None:
    heavy = (
        "query($after: String) { orders(after: $after) { edges { node {"
        " items(first: 5000) { edges { node { product { ref } order { id }"
        " fulfilmentChoice { id } } } } } } } }"
    )
    with pytest.raises(ValidationError, match="even one node per page"):
        fluent_client.graphql.paginate(heavy)


def test_a_document_paginator_halves_its_page_after_c0001e(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    answers = iter(
        [
            httpx.Response(
                200,
                json={
                    "data": None,
                    "errors": [
                        {"message": "C0001E: too complex", "extensions": {"code": "C0001E"}}
                    ],
                },
            ),
            httpx.Response(
                200,
                json={
                    "data": {
                        "orders": {
                            "edges": [
                                {"node": {"ref": "O-1"}, "_fluentSdkCursor": "c1"},
                            ],
                            "_fluentSdkPageInfo": {"hasNextPage": False},
                        }
                    }
                },
            ),
        ]
    )
    graphql_route.side_effect = lambda request: next(answers)
    document = (
        "query($after: String) { orders(first: 40, after: $after) { edges { node { ref } } } }"
    )

    nodes = list(gql.paginate(document))

    assert nodes == [{"ref": "O-1"}]
    sent = [graphql_body(call.request)["variables"] for call in graphql_route.calls]
    assert [v["fluentSdkPageSize"] for v in sent] == [40, 20]


def test_a_generated_paginator_given_its_document_sizes_pages_within_the_limit(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(
        json={"data": {"orders": {"edges": [], "pageInfo": {"hasNextPage": False}}}}
    )
    document = (
        "query Orders($first: Int, $after: String) { orders(first: $first, after: $after) {"
        " edges { node { ref items(first: 100) { edges { node { product { ref } } } } } } } }"
    )
    # Per order: its items connection (1) and 100 products: (11,111 - 1) // 101 = 110 orders.
    paginator = gql._paginate(
        lambda first, after: gql.orders(first=first, after=after),
        page_size=1000,
        max_items=None,
        after=None,
        operation="orders",
        document=document,
    )
    assert list(paginator) == []
    assert graphql_body(graphql_route.calls.last.request)["variables"]["first"] == 110
    assert safe_page_size(50, document) == 50
    assert safe_page_size(0, document) == 0  # left for the paginator to refuse
    assert safe_page_size(1000, None) == 1000


async def test_an_async_generated_paginator_halves_its_page_after_c0001e(
    async_fluent_client: AsyncFluentClient,
    fluent_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox_graphql, "COMPLEXITY_LIMIT", STRICTER_LIMIT)
    await async_fluent_client.login()
    fluent_sandbox.requests.clear()
    orders = [o async for o in async_fluent_client.graphql.iter_orders(page_size=5000)]
    assert orders == []
    sent = [e.json()["variables"]["first"] for e in fluent_sandbox.requests.filter("graphql")]
    # Refused (C0001E) until the page fits, each time asked again with half the page.
    assert sent == [ORDERS_LARGEST_PAGE, 1851, 925]
    assert all(later == earlier // 2 for earlier, later in itertools.pairwise(sent))


def test_a_document_paginator_keeps_memory_flat(
    gql: GraphQL, fluent_mock: respx.MockRouter
) -> None:
    pages, size = 40, 1000
    template = json.dumps(
        {
            "data": {
                "orders": {
                    "edges": [
                        {"node": {"ref": f"O-{n}", "status": "CREATED"}, "_fluentSdkCursor": "CUR"}
                        for n in range(size)
                    ],
                    "_fluentSdkPageInfo": {"hasNextPage": True},
                }
            }
        }
    ).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        after = graphql_body(request)["variables"]["after"]
        number = int(after[1:]) + 1 if after else 0
        body = template.replace(b'"CUR"', f'"p{number}"'.encode())
        if number == pages - 1:
            body = body.replace(b'"hasNextPage": true', b'"hasNextPage": false')
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    fluent_mock.post("/graphql").side_effect = handler
    document = "query($after: String) { orders(after: $after) { edges { node { ref status } } } }"
    count = 0
    gc.collect()
    tracemalloc.start()
    try:
        for _node in gql.paginate(document, page_size=size):
            count += 1
            if count == size:  # one page held
                first = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
            if count == 10 * size:
                early = tracemalloc.get_traced_memory()[1]
                tracemalloc.reset_peak()
        _current, late = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == pages * size
    # Pages do not pile up: a few pages at most are alive (the answer being parsed, the page
    # handed out, their JSON), over pages 2-10 as over pages 11-40 (holding every page would
    # be some 40 times one page).
    assert early < 8 * first, (first, early)
    assert late < 8 * first, (first, late)
