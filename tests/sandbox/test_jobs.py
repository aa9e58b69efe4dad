from __future__ import annotations

from typing import Any

import httpx
import pytest

from fluent_sdk.sandbox import Sandbox

from .helpers import data

LOCATIONS = ["LOC_MELB", "LOC_SYD", "LOC_DC"]


def new_job(http: httpx.Client) -> str:
    response = http.post("/api/v4.1/job", json={"name": "Inventory load", "retailerId": "1"})
    assert response.status_code == 200
    job_id: str = response.json()["id"]
    return job_id


def inventory_batch(entities: list[dict[str, Any]]) -> dict[str, Any]:
    return {"action": "UPSERT", "entityType": "INVENTORY", "source": "ERP", "entities": entities}


def poll(http: httpx.Client, job_id: str, batch_id: str) -> dict[str, Any]:
    response = http.get(f"/api/v4.1/job/{job_id}/batch/{batch_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_job_and_batch_lifecycle(http: httpx.Client) -> None:
    job_id = new_job(http)
    entities = [{"locationRef": "LOC_MELB", "skuRef": "SPEAKER001", "qty": 42, "retailerId": 1}]
    batch_id = http.post(f"/api/v4.1/job/{job_id}/batch", json=inventory_batch(entities)).json()[
        "id"
    ]
    job = http.get(f"/api/v4.1/job/{job_id}").json()
    assert job["status"] == "OPEN"
    assert job["batch"] == [
        {"batchId": batch_id, "status": "PENDING", "createdOn": job["batch"][0]["createdOn"]}
    ]
    assert poll(http, job_id, batch_id)["status"] == "RUNNING"
    # Not processed until complete.
    onhand = (
        '{ inventoryPosition(ref: "SPEAKER001:LOC_MELB", catalogue: {ref: "DEFAULT:1"}) { '
        "onHand } }"
    )
    assert data(http, onhand)["inventoryPosition"]["onHand"] == 6
    done = poll(http, job_id, batch_id)
    assert done["status"] == "COMPLETE"
    assert done["results"] == [
        {
            "entityId": done["results"][0]["entityId"],
            "entityRef": "SPEAKER001:LOC_MELB",
            "responseCode": "200",
            "message": "OK",
        }
    ]
    assert data(http, onhand)["inventoryPosition"]["onHand"] == 42
    quantity = data(
        http,
        '{ inventoryQuantity(ref: "SPEAKER001:LOC_MELB:LAST_ON_HAND", catalogue: {ref: '
        '"DEFAULT:1"}) { quantity } }',
    )
    assert quantity["inventoryQuantity"]["quantity"] == 42


def test_unknown_location_or_product_fails_per_record(http: httpx.Client) -> None:
    job_id = new_job(http)
    entities = [
        {"locationRef": "LOC_NOWHERE", "skuRef": "SPEAKER001", "qty": 1},
        {"locationRef": "LOC_DC", "skuRef": "NO_SUCH_SKU", "qty": 1},
        {"locationRef": "LOC_DC", "skuRef": "HEADPHONE001-WHT", "qty": 9},
    ]
    batch_id = http.post(f"/api/v4.1/job/{job_id}/batch", json=inventory_batch(entities)).json()[
        "id"
    ]
    poll(http, job_id, batch_id)
    results = poll(http, job_id, batch_id)["results"]
    assert [r["responseCode"] for r in results] == ["404", "404", "200"]
    assert results[0]["entityRef"] == "SPEAKER001:LOC_NOWHERE"
    assert "LOC_NOWHERE" in results[0]["message"]
    assert "NO_SUCH_SKU" in results[1]["message"]
    assert results[0]["entityId"] is None


@pytest.mark.slow
def test_twenty_thousand_records_in_four_batches(http: httpx.Client, sandbox: Sandbox) -> None:
    # 5000 products x 4 locations: every record creates a position and a quantity.
    engine = sandbox.app.engine
    catalogue = engine.find("ProductCatalogue", {"ref": "PC:MASTER:1"})
    assert catalogue is not None
    from fluent_sdk.sandbox.store import Link

    for index in range(5000):
        engine.new_entity(
            "StandardProduct",
            {"ref": f"BULK-{index:05d}", "name": "Bulk", "gtin": str(index), "type": "STANDARD",
             "catalogue": Link("ProductCatalogue", str(catalogue["id"]))},
        )  # fmt: skip
    data(
        http,
        """mutation { createLocation(input: {ref: "LOC_EXTRA", type: "STORE", name: "Extra",
            retailer: {id: 1}, primaryAddress: {ref: "EXTRA_ADDR", latitude: 0, longitude: 0},
            openingSchedule: {allHours: true, monStart: 0, monEnd: 0, tueStart: 0, tueEnd: 0,
              wedStart: 0, wedEnd: 0, thuStart: 0, thuEnd: 0, friStart: 0, friEnd: 0,
              satStart: 0, satEnd: 0, sunStart: 0, sunEnd: 0}}) { id } }""",
    )
    job_id = new_job(http)
    batch_ids = []
    for location in [*LOCATIONS, "LOC_EXTRA"]:
        entities = [
            {"locationRef": location, "skuRef": f"BULK-{i:05d}", "qty": i % 97} for i in range(5000)
        ]
        response = http.post(f"/api/v4.1/job/{job_id}/batch", json=inventory_batch(entities))
        assert response.status_code == 200
        batch_ids.append(response.json()["id"])
    for batch_id in batch_ids:
        poll(http, job_id, batch_id)
        done = poll(http, job_id, batch_id)
        assert done["status"] == "COMPLETE"
        assert done["total"] == 5000
        assert {r["responseCode"] for r in done["results"]} == {"200"}
    assert sandbox.requests.count("batch.create") == 4
    received = sum(len(r.json()["entities"]) for r in sandbox.requests.filter("batch.create"))
    assert received == 20000
    query = """query($after: String) { inventoryPositions(catalogue: {ref: "DEFAULT:1"},
      productRef: ["BULK-%"],
        first: 5000, after: $after) { edges { cursor node { ref onHand } } pageInfo {
          hasNextPage } } }"""
    positions: dict[str, int] = {}
    after = None
    while True:
        page = data(http, query, {"after": after})["inventoryPositions"]
        positions.update({e["node"]["ref"]: e["node"]["onHand"] for e in page["edges"]})
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["edges"][-1]["cursor"]
    assert len(positions) == 20000
    assert positions["BULK-00100:LOC_EXTRA"] == 100 % 97
    quantities = data(
        http,
        '{ inventoryQuantities(catalogue: {ref: "DEFAULT:1"}, ref: ["BULK-04999:%"], type: '
        '["LAST_ON_HAND"]) { edges { node { quantity } } } }',
    )
    assert [e["node"]["quantity"] for e in quantities["inventoryQuantities"]["edges"]] == [
        4999 % 97
    ] * 4


def test_batch_limits_and_validation(http: httpx.Client) -> None:
    job_id = new_job(http)
    too_big = inventory_batch([{"locationRef": "LOC_DC", "skuRef": "SPEAKER001", "qty": 1}] * 5001)
    response = http.post(f"/api/v4.1/job/{job_id}/batch", json=too_big)
    assert response.status_code == 400
    assert "5000" in response.json()["errors"][0]["message"]
    missing = http.post(
        f"/api/v4.1/job/{job_id}/batch", json={"action": "UPSERT", "entityType": "INVENTORY"}
    )
    assert missing.status_code == 400
    assert http.post("/api/v4.1/job/9999/batch", json=too_big).status_code == 404
    assert http.get("/api/v4.1/job/9999").status_code == 404
    no_name = http.post("/api/v4.1/job", json={"retailerId": "1"})
    assert no_name.status_code == 400
    assert no_name.json() == {"errors": [{"code": "400", "message": "'name' is required"}]}


def test_retailer_create_batch(http: httpx.Client, sandbox: Sandbox) -> None:
    job_id = new_job(http)
    batch = {
        "action": "CREATE",
        "entityType": "RETAILER",
        "entities": [
            {
                "retailerId": "b2c",
                "retailerName": "b2c",
                "tradingName": "B2C Store",
                "region": "AUS",
            },
            {"retailerId": "long", "retailerName": "x" * 46},
        ],
    }
    batch_id = http.post(f"/api/v4.1/job/{job_id}/batch", json=batch).json()["id"]
    sandbox.complete_batches()
    results = poll(http, job_id, batch_id)["results"]
    assert [r["responseCode"] for r in results] == ["200", "400"]
    retailers = data(http, '{ retailers(ref: ["b2c"]) { edges { node { tradingName } } } }')
    assert retailers["retailers"]["edges"] == [{"node": {"tradingName": "B2C Store"}}]
    assert data(http, '{ user(username: "b2c_admin") { username } }')["user"] == {
        "username": "b2c_admin"
    }


def test_injected_batch_record_failures(http: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.fail_batch_records(refs={"SPEAKER001"}, message="Downstream timeout")
    job_id = new_job(http)
    entities = [
        {"locationRef": "LOC_DC", "skuRef": "SPEAKER001", "qty": 3},
        {"locationRef": "LOC_DC", "skuRef": "HEADPHONE001-BLK", "qty": 3},
    ]
    batch_id = http.post(f"/api/v4.1/job/{job_id}/batch", json=inventory_batch(entities)).json()[
        "id"
    ]
    sandbox.complete_batches()
    results = poll(http, job_id, batch_id)["results"]
    assert [(r["responseCode"], r["message"]) for r in results] == [
        ("500", "Downstream timeout"),
        ("200", "OK"),
    ]
