"""The batch upsert's direct path stores what the generic GraphQL update code would."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from graphql import GraphQLError

from fluent_sdk.sandbox import Sandbox
from fluent_sdk.sandbox.rest.jobs import process_batch
from fluent_sdk.sandbox.store import _EVENT_NAMESPACE, Record, _IsoClock, iso_now, uuid5_text

START = 1_700_000_000.25


def run_batch(sandbox: Sandbox, entities: list[dict[str, Any]]) -> list[Record]:
    store = sandbox.store
    job_id = store.next_id("__job__")
    store.jobs[job_id] = {"jobId": job_id, "retailerId": "1", "batchIds": []}
    batch: Record = {"batchId": store.next_id("__batch__"), "jobId": job_id,
                     "entityType": "INVENTORY", "catalogueRef": None, "source": "ERP",
                     "event": "InventoryChanged", "entities": entities}  # fmt: skip
    process_batch(sandbox.app, batch)
    results: list[Record] = batch["results"]
    return results


def stored(sandbox: Sandbox, type_name: str, ref: str) -> Record:
    [record] = sandbox.store.by_ref(type_name, ref)
    return dict(record)


def test_updates_match_the_generic_update_code() -> None:
    sandbox = Sandbox(clock=lambda: START)
    engine = sandbox.app.engine
    row = {"skuRef": "HEADPHONE001", "locationRef": "LOC_DC", "qty": 5, "condition": "NEW"}
    run_batch(sandbox, [row])  # creates the position and its quantity
    position = stored(sandbox, "InventoryPosition", "HEADPHONE001:LOC_DC")
    quantity = stored(sandbox, "InventoryQuantity", "HEADPHONE001:LOC_DC:LAST_ON_HAND")
    assert "product" not in position  # created directly; linked at its first update

    sandbox.advance_time(61.5)
    now = sandbox.store.now_iso()
    expected_position = dict(position)
    engine._apply("InventoryPosition", expected_position, {"onHand": 9}, None, creating=False)
    expected_position["updatedOn"] = now
    changes = {"quantity": 9, "status": "ACTIVE", "type": "LAST_ON_HAND", "condition": "USED"}
    expected_quantity = dict(quantity)
    engine._apply("InventoryQuantity", expected_quantity, changes, None, creating=False)
    expected_quantity["updatedOn"] = now

    results = run_batch(sandbox, [{**row, "qty": 9, "condition": "USED"}])

    assert results == [{"entityId": position["id"], "entityRef": "HEADPHONE001:LOC_DC",
                        "responseCode": "200", "message": "OK"}]  # fmt: skip
    assert stored(sandbox, "InventoryPosition", "HEADPHONE001:LOC_DC") == expected_position
    assert expected_position["product"].type == "StandardProduct"
    assert stored(sandbox, "InventoryQuantity", "HEADPHONE001:LOC_DC:LAST_ON_HAND") == (
        expected_quantity
    )
    # The links made at the update are indexed: the product's positions are found back.
    product_link = expected_position["product"]
    assert ("InventoryPosition", position["id"], "product") in sandbox.store.backrefs(product_link)
    event = sandbox.events[-1]
    assert event["generatedOn"] == now
    assert event["attributes"] == {"batchId": event["attributes"]["batchId"], **row,
                                   "qty": 9, "condition": "USED"}  # fmt: skip
    assert event["context"] == {"sourceEvents": [], "entitySubtype": "DEFAULT",
                                "entityType": "INVENTORY_CATALOGUE", "entityId": None,
                                "entityRef": "DEFAULT:1", "rootEntityType": "INVENTORY_CATALOGUE",
                                "rootEntityId": None, "rootEntityRef": "DEFAULT:1"}  # fmt: skip


def test_attributes_still_merge_through_the_generic_code() -> None:
    sandbox = Sandbox()
    row = {"skuRef": "HEADPHONE001", "locationRef": "LOC_DC", "qty": 1, "attributes": {"a": "1"}}
    run_batch(sandbox, [row])
    run_batch(sandbox, [{**row, "attributes": {"b": "2"}}])
    quantity = stored(sandbox, "InventoryQuantity", "HEADPHONE001:LOC_DC:LAST_ON_HAND")
    assert [a["name"] for a in quantity["attributes"]] == ["a", "b"]


def test_duplicate_refs_in_a_catalogue_fail_as_the_uniqueness_check_does() -> None:
    sandbox = Sandbox()
    run_batch(sandbox, [{"skuRef": "HEADPHONE001", "locationRef": "LOC_DC", "qty": 1}])
    twin = {**stored(sandbox, "InventoryPosition", "HEADPHONE001:LOC_DC"), "id": "999999"}
    sandbox.store.put(twin)
    with pytest.raises(GraphQLError, match="C0121E: InventoryPosition with ref"):
        run_batch(sandbox, [{"skuRef": "HEADPHONE001", "locationRef": "LOC_DC", "qty": 2}])


def test_unknown_names_are_reported_per_record() -> None:
    sandbox = Sandbox()
    results = run_batch(
        sandbox,
        [{"skuRef": "NOPE", "locationRef": "LOC_DC", "qty": 1},
         {"skuRef": "SPEAKER001", "locationRef": "NOWHERE", "qty": 1},
         {"skuRef": "SPEAKER001", "locationRef": ["LOC_DC"], "qty": 1}],
    )  # fmt: skip
    assert [(r["responseCode"], r["message"]) for r in results] == [
        ("404", "Product 'NOPE' not found"),
        ("404", "Location 'NOWHERE' not found"),
        ("404", "Location '['LOC_DC']' not found"),
    ]


def test_event_ids_are_uuid5_of_the_counter() -> None:
    for n in (1, 2, 10, 12345, 999_999_999):
        assert uuid5_text(str(n)) == str(uuid.uuid5(_EVENT_NAMESPACE, str(n)))


@pytest.mark.parametrize(
    "moment",
    [0.0, 1.0, 1.9999995, 1.0000005, START, 1_700_000_000.9995, 1_700_000_000.0004999,
     1_700_000_059.9999996, 4_102_444_799.999, 1e10 + 0.5],
)  # fmt: skip
def test_iso_clock_formats_as_iso_now(moment: float) -> None:
    clock = _IsoClock()
    assert clock.text(moment - 1.0) == iso_now(lambda: moment - 1.0)
    assert clock.text(moment) == iso_now(lambda: moment)
    assert clock.text(moment) == iso_now(lambda: moment)  # cached
