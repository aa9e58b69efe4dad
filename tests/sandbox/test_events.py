from __future__ import annotations

from typing import Any

import httpx

from fluent_sdk.sandbox import Sandbox

from .helpers import data


def order_event(name: str, ref: str = "ORD-1", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "retailerId": "1",
        "entityType": "ORDER",
        "entityRef": ref,
        "rootEntityType": "ORDER",
        "rootEntityRef": ref,
        **extra,
    }


def make_order(http: httpx.Client, ref: str = "ORD-1") -> str:
    created = data(
        http,
        """mutation($input: CreateOrderInput) { createOrder(input: $input) { id } }""",
        {
            "input": {
                "ref": ref,
                "type": "HD",
                "retailer": {"id": "1"},
                "customer": {"id": "1"},
                "items": [
                    {
                        "ref": "I1",
                        "productRef": "SPEAKER001",
                        "productCatalogueRef": "PC:MASTER:1",
                        "quantity": 1,
                    }
                ],
            }
        },
    )
    order_id: str = created["createOrder"]["id"]
    return order_id


def order_status(http: httpx.Client, ref: str = "ORD-1") -> str:
    status: str = data(http, f'{{ order(ref: "{ref}") {{ status }} }}')["order"]["status"]
    return status


def test_sync_event_moves_status_through_workflow_rulesets(http: httpx.Client) -> None:
    order_id = make_order(http)
    response = http.post("/api/v4.1/event/sync", json=order_event("BookOrder"))
    assert response.status_code == 200
    body = response.json()
    assert body["eventStatus"] == "COMPLETE"
    assert body["entityId"] == order_id
    assert order_status(http) == "BOOKED"
    # The seeded ORDER::HD workflow only books CREATED orders, so a second booking finds no rule.
    again = http.post("/api/v4.1/event/sync", json=order_event("BookOrder"))
    assert again.status_code == 400
    assert again.json()["eventStatus"] == "NO_MATCH"
    assert order_status(http) == "BOOKED"


def test_unknown_event_name_is_no_match(http: httpx.Client) -> None:
    make_order(http)
    response = http.post("/api/v4.1/event/sync", json=order_event("DoSomethingOdd"))
    assert response.status_code == 400
    assert set(response.json()) == {"eventId", "entityId", "eventStatus"}
    assert response.json()["eventStatus"] == "NO_MATCH"


def test_failing_rule_is_failed(http: httpx.Client, sandbox: Sandbox) -> None:
    make_order(http)
    sandbox.add_transition("ORDER", "Explode", fail_message="Rule ACME.custom.Explode failed")
    response = http.post("/api/v4.1/event/sync", json=order_event("Explode"))
    assert response.status_code == 400
    assert response.json()["eventStatus"] == "FAILED"
    assert response.json()["errorMessage"] == "Rule ACME.custom.Explode failed"
    assert order_status(http) == "CREATED"


def test_configured_transition_map(http: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.add_transition("LOCATION", "Close", "CLOSED", from_statuses=["ACTIVE"])
    event = {"name": "Close", "retailerId": 1, "entityType": "LOCATION", "entityRef": "LOC_SYD"}
    assert http.post("/api/v4.1/event/sync", json=event).json()["eventStatus"] == "COMPLETE"
    assert data(http, '{ location(ref: "LOC_SYD") { status } }')["location"]["status"] == "CLOSED"


def test_async_event_is_recorded_and_fetchable(http: httpx.Client) -> None:
    make_order(http)
    response = http.post(
        "/api/v4.1/event/async", json=order_event("CancelOrder", attributes={"why": "x"})
    )
    assert response.status_code == 200
    event_id = response.json()["id"]
    fetched = http.get(f"/api/v4.1/event/{event_id}").json()
    assert fetched["name"] == "CancelOrder"
    assert fetched["retailerId"] == "1"
    assert fetched["context"]["entityRef"] == "ORD-1"
    assert fetched["attributes"] == {"why": "x"}
    assert fetched["eventStatus"] == "COMPLETE"
    assert order_status(http) == "CANCELLED"
    assert http.get("/api/v4.1/event/00000000-0000-0000-0000-000000000000").status_code == 404


def test_event_validation_errors(http: httpx.Client) -> None:
    response = http.post("/api/v4.1/event/async", json={"retailerId": "1"})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"code": "NotNull", "message": "'name' is required"}]}
    response = http.post("/api/v4.1/event/sync", json={"name": "X"})
    assert response.json()["errors"][0]["message"] == "'retailerId' is required"


def test_search_filters_and_paging(http: httpx.Client, sandbox: Sandbox) -> None:
    make_order(http)
    for index in range(7):
        http.post("/api/v4.1/event/async", json=order_event("Ping", attributes={"n": index}))
    query = {"name": "Ping", "context.entityRef": "ORD-1", "count": "3"}
    collected: list[Any] = []
    start = 0
    while True:
        page = http.get("/api/v4.1/event", params={**query, "start": str(start)}).json()
        assert page["start"] == start
        collected += page["results"]
        if not page["hasMore"]:
            break
        start += page["count"]
    assert [event["attributes"]["n"] for event in collected] == [6, 5, 4, 3, 2, 1, 0]
    # The order's creation raised a CREATE event, searchable like any other.
    created = http.get("/api/v4.1/event", params={"name": "CREATE", "context.entityType": "ORDER"})
    assert [e["context"]["entityRef"] for e in created.json()["results"]] == ["ORD-1"]
    # Without `from`, only the last 30 days are searched.
    sandbox.advance_time(31 * 86400)
    http.headers["Authorization"] = (
        "Bearer "
        + http.post("/oauth/token", data={"grant_type": "password", **sandbox.credentials}).json()[
            "access_token"
        ]
    )
    assert http.get("/api/v4.1/event", params={"name": "Ping"}).json()["results"] == []
    old = http.get("/api/v4.1/event", params={"name": "Ping", "from": "2000-01-01T00:00:00Z"})
    assert len(old.json()["results"]) == 7
