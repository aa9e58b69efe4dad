"""A helper's own query read whole (``Operation(..., complete=True)``), as a plan without I/O.

The sandbox tests of each helper count the requests (orders, fulfilments, payments); here the
plan itself: what it sends, how follow-ups are named, and that the result is the typed one.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql.entities import Order
from fluent_sdk.helpers._calls import Operation, Query
from fluent_sdk.helpers._whole import _helper_query, read_whole

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
