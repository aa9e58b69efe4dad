"""A helper's own query read whole (``Operation(..., complete=True)``), as a plan without I/O.

The sandbox tests of each helper count the requests (orders, fulfilments, payments); here the
plan itself: what it sends, how follow-ups are named, and that the result is the typed one.
"""

from __future__ import annotations

from typing import Any

import pytest
from orders_support import graphql_operations, home_delivery_order

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._completion import analyse, analysis_data
from fluent_sdk.graphql.entities import Order
from fluent_sdk.helpers._calls import Operation, Query
from fluent_sdk.helpers._whole import _helper_query, read_whole
from fluent_sdk.sandbox import Sandbox

#: Every helper query the helpers read whole, and the connection its plan pages itself.
WHOLE_READS = {
    "_sdk_order_get": None,
    "_sdk_fulfilment_get": None,
    "_sdk_order_fulfilments": "order.fulfilments",
    "_sdk_article_get": None,
    "_sdk_consignment_get": None,
    "_sdk_order_financial_transactions": None,
    "_sdk_order_by_id_financial_transactions": None,
}


def edge(number: int) -> dict[str, Any]:
    cursor = f"c{number}"
    node = {"id": str(number), "ref": f"L{number}", "quantity": 1}
    return {"cursor": cursor, "_fluentSdkCursor": cursor, "node": node}


def page(*numbers: int, more: bool) -> dict[str, Any]:
    info = {"hasNextPage": more}
    return {"edges": [edge(n) for n in numbers], "pageInfo": info, "_fluentSdkPageInfo": info}


def test_a_whole_read_is_a_plan_of_queries_without_io() -> None:
    plan = read_whole(Operation("_sdk_order_get", {"ref": "O-1", "items_first": 2}, complete=True))

    first = next(plan)
    assert isinstance(first, Query)
    assert (first.operation, first.variables) == ("SdkOrderGet", {"ref": "O-1", "itemsFirst": 2})
    assert "_fluentSdkPageInfo: pageInfo" in first.text  # rewritten to say where more pages are
    no_more: dict[str, Any] = {"edges": [], "_fluentSdkPageInfo": {"hasNextPage": False}}
    order = {"id": "9", "_fluentSdkId": "9", "ref": "O-1", "fulfilmentChoices": no_more}
    follow_up = plan.send({"order": {**order, "items": page(0, 1, more=True)}})

    assert isinstance(follow_up, Query)
    assert follow_up.operation == "SdkOrderItemsPage"  # named for what it reads
    assert follow_up.text.startswith("query SdkOrderItemsPage(")
    assert follow_up.variables["fluentSdkKey0"] == "9"
    assert follow_up.variables["fluentSdkAfter0"] == "c1"
    with pytest.raises(StopIteration) as done:
        plan.send({"p0": {"items": page(2, more=False)}})

    read = done.value.value
    assert type(read) is Order  # the typed result, as _sdk_order_get returns it
    assert [item.ref for item in read.items] == ["L0", "L1", "L2"]
    assert read.items_after is None


def test_an_order_that_is_not_there_is_none_after_one_request() -> None:
    plan = read_whole(Operation("_sdk_order_get", {"ref": "NOPE", "items_first": 2}, complete=True))
    next(plan)
    with pytest.raises(StopIteration) as done:
        plan.send({"order": None})
    assert done.value.value is None


def test_arguments_and_operations_a_whole_read_cannot_take_are_refused() -> None:
    misspelt = read_whole(Operation("_sdk_order_get", {"ref": "O", "item_first": 2}, True))
    with pytest.raises(ValidationError) as unknown:
        next(misspelt)
    assert unknown.value.field == "item_first"
    assert "$itemFirst" in str(unknown.value)
    with pytest.raises(ValidationError) as mutation:
        next(read_whole(Operation("_sdk_order_create", {"input": {}}, complete=True)))
    assert mutation.value.field == "complete"


@pytest.mark.parametrize(("method", "paged_here"), WHOLE_READS.items())
def test_every_helper_query_read_whole_is_completable(method: str, paged_here: str | None) -> None:
    query = _helper_query(method)
    assert query.analysis.nested  # it has nested connections to complete
    assert (query.paged_here.label if query.paged_here else None) == paged_here
    query.analysis.check_completable(skip=query.paged_here)


def _refuse_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the GraphQL schema (~0.35 s the first time in a process) fails the test."""

    def no_schema() -> object:
        raise AssertionError("a helper loaded the GraphQL schema")

    def given_schema_only(schema: object) -> object:
        return no_schema() if schema is None else schema  # the sandbox passes its own

    monkeypatch.setattr("fluent_sdk._schema.load_schema", no_schema)
    monkeypatch.setattr("fluent_sdk.graphql._complexity._schema", given_schema_only)
    _helper_query.cache_clear()  # worked out again, under the patch
    analyse.cache_clear()
    monkeypatch.setattr("fluent_sdk.helpers.orders.ITEMS_PAGE_SIZE", 10)  # a follow-up too


def test_a_helper_reads_whole_without_loading_the_schema(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What completion needs for the helpers' own queries was worked out when the client was
    generated (``_generated/whole_reads.py``): ``orders.get`` rewrites nothing, estimates
    nothing, and loads no schema, follow-ups included."""
    lines = [{"product_ref": "SPEAKER001", "ref": f"L{i:02d}", "quantity": 1} for i in range(25)]
    fluent_client.orders.create(home_delivery_order("WEB-NS", items=lines))
    fluent_sandbox.requests.clear()
    _refuse_the_schema(monkeypatch)

    order = fluent_client.orders.get("WEB-NS")

    assert order is not None
    assert [item.ref for item in order.items] == [f"L{i:02d}" for i in range(25)]
    assert graphql_operations(fluent_sandbox) == ["SdkOrderGet", "SdkOrderItemsPage"]


async def test_an_async_helper_reads_whole_without_loading_the_schema(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [{"product_ref": "SPEAKER001", "ref": f"L{i:02d}", "quantity": 1} for i in range(25)]
    await async_fluent_client.orders.create(home_delivery_order("WEB-NS", items=lines))
    fluent_sandbox.requests.clear()
    _refuse_the_schema(monkeypatch)

    order = await async_fluent_client.orders.get("WEB-NS")

    assert order is not None
    assert len(order.items) == 25
    assert graphql_operations(fluent_sandbox) == ["SdkOrderGet", "SdkOrderItemsPage"]


def test_the_generated_whole_reads_are_the_analysis_of_each_document() -> None:
    """``whole_reads.py`` holds what `analyse` makes of each helper query with the schema
    (regenerate when the analysis changes)."""
    from fluent_sdk._generated.documents import BY_OPERATION
    from fluent_sdk._generated.whole_reads import WHOLE_READS as GENERATED

    assert {_helper_query(method).operation for method in WHOLE_READS} <= set(GENERATED)
    for operation, data in GENERATED.items():
        assert analysis_data(analyse(BY_OPERATION[operation], operation)) == data, operation
