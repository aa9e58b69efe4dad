"""Generated paginators size their pages by the complexity estimate without loading the schema:
the generator computes each one's largest page within Fluent's limit and writes it into the
``iter_*`` method (``max_page_size=``), the runtime clamps ``page_size`` to it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import respx
from graphql_test_data import graphql_body

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk._generated import documents
from fluent_sdk._generated.operation_index import OPERATIONS
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql import COMPLEXITY_LIMIT, GraphQL, complexity
from fluent_sdk.graphql._complexity import page_cost
from fluent_sdk.graphql._pagination import MAX_PAGE_SIZE
from fluent_sdk.sandbox import Sandbox

GENERATED = Path(importlib.import_module("fluent_sdk._generated").__file__ or "").parent
EMPTY_ORDERS = {"data": {"orders": {"edges": [], "pageInfo": {"hasNextPage": False}}}}


def _first_variables(sandbox: Sandbox) -> list[int]:
    return [entry.json()["variables"]["first"] for entry in sandbox.requests.filter("graphql")]


def test_a_page_over_the_limit_is_never_asked_for(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    """``iter_orders(page_size=5000)``: 1 + 3 x 5,000 is over the limit; the first request asks
    for the largest page within it, so Fluent never answers C0001E."""
    fluent_client.login()
    fluent_sandbox.requests.clear()
    assert list(fluent_client.graphql.iter_orders(page_size=5000)) == []
    [sent] = [entry.json() for entry in fluent_sandbox.requests.filter("graphql")]
    first = sent["variables"]["first"]
    assert complexity(sent["query"], {"first": 5000}) > COMPLEXITY_LIMIT
    assert first < 5000
    assert complexity(sent["query"], {"first": first}) <= COMPLEXITY_LIMIT
    assert complexity(sent["query"], {"first": first + 1}) > COMPLEXITY_LIMIT
    # A smaller page is asked for as it is.
    fluent_sandbox.requests.clear()
    assert list(fluent_client.graphql.iter_orders(page_size=700)) == []
    assert _first_variables(fluent_sandbox) == [700]


async def test_an_async_page_over_the_limit_is_never_asked_for(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    await async_fluent_client.login()
    fluent_sandbox.requests.clear()
    assert [o async for o in async_fluent_client.graphql.iter_orders(page_size=5000)] == []
    [sent] = [entry.json() for entry in fluent_sandbox.requests.filter("graphql")]
    assert sent["variables"]["first"] == page_cost(sent["query"], {}, "first").largest_page()
    assert sent["variables"]["first"] < 5000


def test_the_runtime_clamps_without_the_schema(
    gql: GraphQL, graphql_route: respx.Route, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing estimates at run time: the schema (~0.4 s to load) is never asked for."""

    def no_schema(schema: object) -> object:
        raise AssertionError("the schema was loaded to size a page")

    monkeypatch.setattr("fluent_sdk.graphql._complexity._schema", no_schema)
    graphql_route.respond(json=EMPTY_ORDERS)
    assert list(gql.iter_orders(page_size=5000)) == []
    first = graphql_body(graphql_route.calls.last.request)["variables"]["first"]
    assert first == 3703  # 1 + 3 x 3,703 = 11,110
    assert gql.iter_orders(page_size=5000)._settings["page_size"] == 3703
    # An invalid page size is still refused, not clamped into a valid one.
    for invalid in (0, MAX_PAGE_SIZE + 1):
        with pytest.raises(ValidationError, match="page_size"):
            gql.iter_orders(page_size=invalid)


def _paginator_bounds() -> dict[str, tuple[str, int]]:
    """``iter_*`` method -> (the method it pages, its ``max_page_size``), from client.py."""
    module = ast.parse((GENERATED / "client.py").read_text(encoding="utf-8"))
    client_class = next(s for s in module.body if isinstance(s, ast.ClassDef))
    bounds: dict[str, tuple[str, int]] = {}
    for method in client_class.body:
        if not isinstance(method, ast.FunctionDef) or not method.name.startswith("iter_"):
            continue
        paged = next(
            node.func.attr
            for node in ast.walk(method)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr != "_paginate"
        )
        [bound] = [
            node.value
            for node in ast.walk(method)
            if isinstance(node, ast.keyword) and node.arg == "max_page_size"
        ]
        assert isinstance(bound, ast.Constant)
        assert isinstance(bound.value, int)
        bounds[method.name] = (paged, bound.value)
    return bounds


def test_every_generated_paginator_carries_the_largest_page_of_its_document() -> None:
    """The figures in the generated code are the estimate's (regenerate when it changes)."""
    bounds = _paginator_bounds()
    checked = 0
    for name, (paged, bound) in bounds.items():
        assert 1 <= bound <= MAX_PAGE_SIZE, name
        if paged not in OPERATIONS:  # a deprecated alias paging through another alias
            continue
        operation = OPERATIONS[paged][1]
        expected = page_cost(documents.BY_OPERATION[operation], {}, "first").largest_page()
        assert bound == expected, f"{name}: max_page_size={bound}, the estimate gives {expected}"
        checked += 1
    assert checked >= 60
    assert min(bound for _, bound in bounds.values()) < 5000  # some documents are heavy
