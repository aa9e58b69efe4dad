"""client.fulfilments (sync and async) against the in-process sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
from orders_support import add_fulfilment, home_delivery_order

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import EventRejectedError, NotFoundError, ValidationError
from fluent_sdk.helpers.fulfilments import (
    AsyncFulfilments,
    Fulfilment,
    FulfilmentEventNames,
    Fulfilments,
    ItemQuantity,
)
from fluent_sdk.sandbox import Sandbox

QUANTITIES = {"SPEAKER001": 2, "HEADPHONE001-BLK": 1}


@pytest.fixture
def fulfilment_id(fluent_sandbox: Sandbox) -> str:
    with fluent_sandbox.client() as client:
        client.orders.create(home_delivery_order("WMS-1"))
    fluent_id = add_fulfilment(fluent_sandbox, "WMS-1", "F-1", QUANTITIES)
    fluent_sandbox.requests.clear()
    return fluent_id


def sent_events(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in sandbox.requests if "/event" in r.path]


def test_for_order_lists_fulfilments_with_items(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, fulfilment_id: str
) -> None:
    add_fulfilment(fluent_sandbox, "WMS-1", "F-2", {"SPEAKER001": 1})

    found = fluent_client.fulfilments.for_order("WMS-1")

    assert isinstance(fluent_client.fulfilments, Fulfilments)
    assert [f.ref for f in found] == ["F-1", "F-2"]
    first = found[0]
    assert (first.id, first.type, first.status, first.order_ref) == (
        fulfilment_id,
        "HD_PFS",
        "CREATED",
        "WMS-1",
    )
    assert [
        (i.ref, i.order_item_ref, i.product_ref, i.requested_quantity) for i in first.items
    ] == [
        ("F-1-SPEAKER001", "SPEAKER001", "SPEAKER001", 2),
        ("F-1-HEADPHONE001-BLK", "HEADPHONE001-BLK", "HEADPHONE001-BLK", 1),
    ]


def test_for_order_pages_through_many_fulfilments(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    fulfilment_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fluent_sdk.helpers.fulfilments as module

    monkeypatch.setattr(module, "FULFILMENTS_PAGE_SIZE", 2)
    for index in range(2, 6):
        add_fulfilment(fluent_sandbox, "WMS-1", f"F-{index}", {"SPEAKER001": 1})

    found = fluent_client.fulfilments.for_order("WMS-1")

    assert [f.ref for f in found] == ["F-1", "F-2", "F-3", "F-4", "F-5"]
    assert fluent_sandbox.requests.count("graphql") == 3


def test_for_order_reads_the_items_of_all_fulfilments_in_one_more_request(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 fulfilments of 25 items, each read with its first 10: the other 15 of all three come
    in one follow-up (batched across the fulfilments), not one request (or more) each."""
    import fluent_sdk.helpers.fulfilments as module

    monkeypatch.setattr(module, "FULFILMENT_ITEMS_FIRST", 10)
    lines = [{"product_ref": "SPEAKER001", "ref": f"L{i:02d}", "quantity": 3} for i in range(25)]
    with fluent_sandbox.client() as client:
        client.orders.create(home_delivery_order("WMS-25", items=lines))
    for number in range(3):
        add_fulfilment(
            fluent_sandbox, "WMS-25", f"F25-{number}", {f"L{i:02d}": 1 for i in range(25)}
        )
    fluent_sandbox.requests.clear()

    found = fluent_client.fulfilments.for_order("WMS-25")

    assert [f.ref for f in found] == ["F25-0", "F25-1", "F25-2"]
    for fulfilment in found:
        assert [i.order_item_ref for i in fulfilment.items] == [f"L{i:02d}" for i in range(25)]
        assert fulfilment.items_after is None
    names = [
        json.loads(r.body)["operationName"] for r in fluent_sandbox.requests if r.route == "graphql"
    ]
    assert names == ["SdkOrderFulfilments", "SdkFulfilmentItemsPage"]


def test_missing_order_and_fulfilment(fluent_client: FluentClient) -> None:
    with pytest.raises(NotFoundError):
        fluent_client.fulfilments.for_order("NOPE")
    assert fluent_client.fulfilments.get("99999") is None


def test_confirm_pick_sends_item_quantities_and_moves_status(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, fulfilment_id: str
) -> None:
    fluent_sandbox.add_transition("FULFILMENT", "ConfirmPick", "PICKED", from_statuses=["CREATED"])

    outcome = fluent_client.fulfilments.confirm_pick(fulfilment_id, {"SPEAKER001": 1})

    assert str(outcome.event_status) == "COMPLETE"
    [event] = sent_events(fluent_sandbox)
    assert event["name"] == "ConfirmPick"
    assert (event["entityType"], event["entityId"], event["entityRef"]) == (
        "FULFILMENT",
        fulfilment_id,
        "F-1",
    )
    assert (event["rootEntityType"], event["rootEntityRef"], str(event["retailerId"])) == (
        "ORDER",
        "WMS-1",
        "1",
    )
    assert event["attributes"]["fulfilmentItems"] == [
        {
            "ref": "F-1-SPEAKER001",
            "id": event["attributes"]["fulfilmentItems"][0]["id"],
            "filledQuantity": 1,
            "rejectedQuantity": 1,
        },
        {
            "ref": "F-1-HEADPHONE001-BLK",
            "id": event["attributes"]["fulfilmentItems"][1]["id"],
            "filledQuantity": 1,
            "rejectedQuantity": 0,
        },
    ]
    fulfilment = fluent_client.fulfilments.get(fulfilment_id)
    assert fulfilment is not None
    assert fulfilment.status == "PICKED"


def test_ship_and_reject_with_configured_event_names(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, fulfilment_id: str
) -> None:
    fluent_sandbox.add_transition("FULFILMENT", "Dispatched", "SHIPPED")
    fluent_client.fulfilments.event_names = FulfilmentEventNames(shipped="Dispatched")
    [fulfilment] = fluent_client.fulfilments.for_order("WMS-1")

    fluent_client.fulfilments.ship(
        fulfilment, tracking_number="TRK-1", carrier_ref="AUSPOST", attributes={"parcels": 2}
    )
    fluent_client.fulfilments.reject(fulfilment, reason="Damaged")  # default RejectFulfilment

    shipped, rejected = sent_events(fluent_sandbox)
    assert shipped["name"] == "Dispatched"
    assert shipped["attributes"]["trackingNumber"] == "TRK-1"
    assert shipped["attributes"]["carrierRef"] == "AUSPOST"
    assert shipped["attributes"]["parcels"] == 2
    assert [i["filledQuantity"] for i in shipped["attributes"]["fulfilmentItems"]] == [2, 1]
    assert rejected["name"] == "RejectFulfilment"
    assert rejected["attributes"]["rejectionReason"] == "Damaged"
    assert [i["rejectedQuantity"] for i in rejected["attributes"]["fulfilmentItems"]] == [2, 1]
    after = fluent_client.fulfilments.get(fulfilment.id)
    assert after is not None
    assert after.status == "REJECTED"


def test_event_without_matching_ruleset_raises(
    fluent_client: FluentClient, fulfilment_id: str
) -> None:
    with pytest.raises(EventRejectedError):
        fluent_client.fulfilments.confirm_pick(fulfilment_id)


def test_queued_event_does_not_wait(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, fulfilment_id: str
) -> None:
    fluent_client.fulfilments.confirm_pick(fulfilment_id, wait=False)
    [request] = [r for r in fluent_sandbox.requests if "/event" in r.path]
    assert request.path.endswith("/event/async")


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ({"SPEAKER001": -1}, "items[0].filled"),
        ({"SPEAKER001": "2"}, "items[0].filled"),
        ([ItemQuantity(ref="SPEAKER001", filled=1), {"ref": "X"}], "items[1].filled"),
        ("SPEAKER001", "items"),
    ],
)
def test_bad_item_shapes_fail_before_any_request(
    fluent_sandbox: Sandbox, items: Any, field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as caught:
        client.fulfilments.confirm_pick("1", items)
    assert caught.value.field == field
    assert len(fluent_sandbox.requests) == 0


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ({"UNKNOWN": 1}, "items[0].ref"),
        ({"SPEAKER001": 3}, "items[0].filled"),
        ({"SPEAKER001": (1, 2)}, "items[0].filled"),
        (
            [{"ref": "SPEAKER001", "filled": 1}, {"ref": "F-1-SPEAKER001", "filled": 1}],
            "items[1].ref",
        ),
    ],
)
def test_quantities_are_checked_against_the_fulfilment_before_sending(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, fulfilment_id: str, items: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        fluent_client.fulfilments.confirm_pick(fulfilment_id, items)
    assert caught.value.field == field
    assert sent_events(fluent_sandbox) == []


def test_other_bad_arguments(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        with pytest.raises(ValidationError) as caught:
            client.fulfilments.ship("1", tracking_number="")
        assert caught.value.field == "tracking_number"
        with pytest.raises(ValidationError) as caught:
            client.fulfilments.reject("1", attributes={"fulfilmentItems": []})
        assert caught.value.field == "attributes.fulfilmentItems"
        with pytest.raises(ValidationError) as caught:
            client.fulfilments.confirm_pick("")
        assert caught.value.field == "fulfilment"
    assert len(fluent_sandbox.requests) == 0


async def test_async_read_and_events(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox, fulfilment_id: str
) -> None:
    fluent_sandbox.add_transition("FULFILMENT", "ConfirmPick", "PICKED")
    assert isinstance(async_fluent_client.fulfilments, AsyncFulfilments)

    [fulfilment] = await async_fluent_client.fulfilments.for_order("WMS-1")
    assert isinstance(fulfilment, Fulfilment)
    outcome = await async_fluent_client.fulfilments.confirm_pick(fulfilment)
    assert str(outcome.event_status) == "COMPLETE"
    with pytest.raises(EventRejectedError):
        await async_fluent_client.fulfilments.ship(fulfilment.id)
    with pytest.raises(ValidationError):
        await async_fluent_client.fulfilments.confirm_pick(fulfilment, {"NOPE": 1})
    again = await async_fluent_client.fulfilments.get(fulfilment.id)
    assert again is not None
    assert again.status == "PICKED"
    assert await async_fluent_client.fulfilments.get("424242") is None


def test_every_item_is_read_past_the_first_page(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    fulfilment_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fluent_sdk.helpers.fulfilments as module

    # An event reports every item, so a fulfilment with more items than a page is read whole.
    monkeypatch.setattr(module, "ITEMS_PAGE_SIZE", 1)
    monkeypatch.setattr(module, "FULFILMENT_ITEMS_FIRST", 1)
    expected = ["F-1-SPEAKER001", "F-1-HEADPHONE001-BLK"]

    fulfilment = fluent_client.fulfilments.get(fulfilment_id)
    assert fulfilment is not None
    assert [item.ref for item in fulfilment.items] == expected
    assert fulfilment.items_after is None
    [listed] = fluent_client.fulfilments.for_order("WMS-1")
    assert [item.ref for item in listed.items] == expected
    names = [
        json.loads(r.body)["operationName"] for r in fluent_sandbox.requests if r.route == "graphql"
    ]
    assert names == [
        "SdkFulfilmentGet",
        "SdkFulfilmentItemsPage",
        "SdkOrderFulfilments",
        "SdkFulfilmentItemsPage",
    ]
