"""The Event API namespace, against the sync and the async client."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import respx

from fluent_sdk.errors import (
    BadRequestError,
    EventRejectedError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    ValidationError,
)
from fluent_sdk.rest.events import (
    AsyncEvents,
    EntityType,
    Event,
    EventRecord,
    Events,
    EventSearchPage,
    EventSearchWindowWarning,
    EventStatus,
    RootEntityType,
)

from .conftest import SECRETS, Rest, body_of

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)

# The documented example (workflow-event-execution), minus retailerId, which the client fills.
CANCEL_ORDER = {
    "name": "CancelOrder",
    "entityId": "1234",
    "entityRef": "ON-1234",
    "entityType": "ORDER",
    "rootEntityType": "ORDER",
    "rootEntityId": "1234",
    "rootEntityRef": "ON-1234",
    "attributes": {"cancelReason": "Stolen Credit Card"},
}
SYNC_OK = {
    "eventId": "09cb96b0-5b2f-11ee-8c99-0242ac120002",
    "entityId": "143",
    "eventStatus": "COMPLETE",
}
SYNC_FAILED = {
    "eventId": "2c2b6c1e-5b30-11ee-8c99-0242ac120002",
    "entityId": "143",
    "eventStatus": "FAILED",
    "errorMessage": "Event has Failed",
}
SYNC_NO_MATCH = {
    "eventId": "3d4e5f60-5b30-11ee-8c99-0242ac120002",
    "entityId": "143",
    "eventStatus": "NO_MATCH",
}
LOGGED_EVENT = {
    "id": "f5b2a7d0-5b2f-11ee-8c99-0242ac120002",
    "name": "CancelOrder",
    "type": "ORCHESTRATION_AUDIT",
    "accountId": "ACME",
    "retailerId": "1",
    "category": "ruleSet",
    "context": {
        "sourceEvents": ["09cb96b0-5b2f-11ee-8c99-0242ac120002"],
        "entityType": "ORDER",
        "entityId": "1234",
        "entityRef": "ON-1234",
        "rootEntityType": "ORDER",
        "rootEntityId": "1234",
        "rootEntityRef": "ON-1234",
    },
    "eventStatus": "COMPLETE",
    "attributes": [{"name": "cancelReason", "value": "Stolen Credit Card", "type": "STRING"}],
    "source": "Fluent-API",
    "generatedBy": "api_user",
    "generatedOn": "2024-05-10T11:59:58.123+00:00",
}


def events_of(rest: Rest) -> Events | AsyncEvents:
    namespace: Events | AsyncEvents = rest.make(Events, AsyncEvents, clock=lambda: NOW)
    return namespace


def record(n: int) -> dict[str, object]:
    return {**LOGGED_EVENT, "id": f"evt-{n}"}


# -- sending ---------------------------------------------------------------------------------


async def test_send_posts_to_async_endpoint_with_client_retailer(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.post("/api/v4.1/event/async").respond(200, json={"id": "evt-1"})

    outcome = await rest.run(events_of(rest).send(CANCEL_ORDER))

    assert outcome.event_id == "evt-1"
    assert body_of(route.calls.last) == {**CANCEL_ORDER, "retailerId": 1}
    assert route.calls.last.request.headers["Authorization"].lower() == "bearer tok-1"


async def test_send_accepts_empty_async_answer(rest: Rest, api: respx.MockRouter) -> None:
    api.post("/api/v4.1/event/async").respond(200, content=b"")

    outcome = await rest.run(events_of(rest).send(Event.model_validate(CANCEL_ORDER)))

    assert outcome.event_id is None
    assert outcome.event_status is None


async def test_send_keeps_explicit_retailer_and_typed_fields(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.post("/api/v4.1/event/async").respond(200, json={})
    event = Event(
        name="InventoryChanged",
        retailer_id="7",
        entity_type=EntityType.INVENTORY_POSITION,
        entity_ref="SKU_1:LOC_1",
        entity_subtype="DEFAULT",
        root_entity_type="INVENTORY_CATALOGUE",
        root_entity_ref="DEFAULT:7",
        meta={"workflow": {"rulesets": []}},
    )

    await rest.run(events_of(rest).send(event))

    assert body_of(route.calls.last) == {
        "name": "InventoryChanged",
        "retailerId": "7",
        "entityType": "INVENTORY_POSITION",
        "entityRef": "SKU_1:LOC_1",
        "entitySubtype": "DEFAULT",
        "rootEntityType": "INVENTORY_CATALOGUE",
        "rootEntityRef": "DEFAULT:7",
        "meta": {"workflow": {"rulesets": []}},
    }


async def test_unknown_entity_type_is_sent_unchanged(rest: Rest, api: respx.MockRouter) -> None:
    route = api.post("/api/v4.1/event/async").respond(200, json={})
    event = Event(name="Ping", entity_type="CUSTOM_THING", entity_ref="X-1")

    await rest.run(events_of(rest).send(event))

    assert event.entity_type == "CUSTOM_THING"
    assert not event.entity_type.is_known
    assert EntityType("ORDER") is EntityType.ORDER
    assert body_of(route.calls.last)["entityType"] == "CUSTOM_THING"


async def test_send_sync_returns_outcome(rest: Rest, api: respx.MockRouter) -> None:
    route = api.post("/api/v4.1/event/sync").respond(200, json=SYNC_OK)

    outcome = await rest.run(events_of(rest).send_sync(CANCEL_ORDER))

    assert route.called
    assert outcome.event_id == SYNC_OK["eventId"]
    assert outcome.entity_id == "143"
    assert outcome.event_status is EventStatus.COMPLETE


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (400, SYNC_FAILED),
        (400, SYNC_NO_MATCH),
        (404, SYNC_NO_MATCH),
        (200, SYNC_FAILED),
        (200, SYNC_NO_MATCH),
    ],
)
async def test_send_sync_rejection_raises_event_rejected(
    rest: Rest, api: respx.MockRouter, status: int, answer: dict[str, str]
) -> None:
    route = api.post("/api/v4.1/event/sync").respond(status, json=answer)

    with pytest.raises(EventRejectedError) as caught:
        await rest.run(events_of(rest).send_sync(CANCEL_ORDER))

    assert caught.value.event_id == answer["eventId"]
    assert caught.value.event_status == answer["eventStatus"]
    assert caught.value.entity_id == "143"
    assert caught.value.status == status
    assert route.call_count == 1  # a rejection is final, never retried
    if "errorMessage" in answer:
        assert "Event has Failed" in str(caught.value)


async def test_send_503_is_not_retried(rest: Rest, api: respx.MockRouter) -> None:
    route = api.post("/api/v4.1/event/async").respond(503, text="Service Unavailable")

    with pytest.raises(ServerError):
        await rest.run(events_of(rest).send(CANCEL_ORDER))

    assert route.call_count == 1


async def test_get_503_is_retried(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get(f"/api/v4.1/event/{LOGGED_EVENT['id']}")
    route.side_effect = [httpx.Response(503), httpx.Response(200, json=LOGGED_EVENT)]

    found = await rest.run(events_of(rest).get(str(LOGGED_EVENT["id"])))

    assert route.call_count == 2
    assert isinstance(found, EventRecord)
    assert found.context is not None
    assert found.context.root_entity_type is RootEntityType.ORDER
    assert found.retailer_id == "1"
    assert found.generated_at == datetime(2024, 5, 10, 11, 59, 58, 123000, tzinfo=timezone.utc)


async def test_get_unknown_event_raises_not_found(rest: Rest, api: respx.MockRouter) -> None:
    api.get("/api/v4.1/event/nope").respond(
        404, json={"errors": [{"code": "404", "message": "Event not found"}]}
    )

    with pytest.raises(NotFoundError, match="Event not found"):
        await rest.run(events_of(rest).get("nope"))


async def test_v41_error_shapes_map_to_error_classes(rest: Rest, api: respx.MockRouter) -> None:
    api.post("/api/v4.1/event/async").respond(
        400, json={"errors": [{"code": "NotNull", "message": "'retailerId' is required"}]}
    )
    api.get("/api/v4.1/event/e1").respond(
        403, json={"errors": [{"code": "403", "message": "missing EVENT_VIEW"}]}
    )
    events = events_of(rest)

    with pytest.raises(BadRequestError) as bad:
        await rest.run(events.send(CANCEL_ORDER))
    with pytest.raises(PermissionDeniedError) as denied:
        await rest.run(events.get("e1"))

    assert bad.value.code == "NotNull"
    assert "'retailerId' is required" in str(bad.value)
    assert "missing EVENT_VIEW" in str(denied.value)
    for error in (bad.value, denied.value):
        assert not any(secret in str(error) or secret in repr(error) for secret in SECRETS)


# -- validation before any request ----------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({**CANCEL_ORDER, "name": ""}, "event.name"),
        (
            {k: v for k, v in CANCEL_ORDER.items() if k not in ("entityId", "entityRef")},
            "event.entity_ref",
        ),
        ({**CANCEL_ORDER, "entityType": None}, "event.entityType"),
        ({**CANCEL_ORDER, "retailerId": "abc"}, "event.retailerId"),
        ({**CANCEL_ORDER, "entityTyp": "ORDER"}, "event.entityTyp"),
        (["not", "a", "mapping"], "event"),
    ],
)
async def test_bad_event_is_refused_before_any_request(
    rest: Rest, api: respx.MockRouter, event: object, field: str
) -> None:
    api.post("/api/v4.1/event/async").respond(200, json={})

    with pytest.raises(ValidationError) as caught:
        await rest.run(events_of(rest).send(event))  # type: ignore[arg-type]

    assert caught.value.field == field
    assert not api.calls  # not even a token request


def test_event_model_raises_sdk_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Event(name="x", entity_type="ORDER")
    assert caught.value.field == "entity_ref"


async def test_unknown_retailer_is_refused_before_the_event(
    rest: Rest, api: respx.MockRouter
) -> None:
    api.routes["token"].return_value = httpx.Response(
        200, json={"access_token": "tok-1", "token_type": "bearer", "expires_in": 3600}
    )
    route = api.post("/api/v4.1/event/async").respond(200, json={})

    with pytest.raises(ValidationError) as caught:
        await rest.run(events_of(rest).send(CANCEL_ORDER))

    assert caught.value.field == "retailer_id"
    assert not route.called


@pytest.mark.parametrize("event_id", ["../job/1", "..", "", "a b", "x?y=1"])
async def test_bad_event_id_is_refused(rest: Rest, api: respx.MockRouter, event_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        await rest.run(events_of(rest).get(event_id))
    assert caught.value.field == "event_id"
    assert not api.calls


# -- search ----------------------------------------------------------------------------------


async def test_search_pages_through_has_more(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get("/api/v4.1/event")
    route.side_effect = [
        httpx.Response(
            200, json={"start": 0, "count": 2, "hasMore": True, "results": [record(1), record(2)]}
        ),
        httpx.Response(
            200, json={"start": 2, "count": 2, "hasMore": True, "results": [record(3), record(4)]}
        ),
        httpx.Response(
            200, json={"start": 4, "count": 2, "hasMore": False, "results": [record(5)]}
        ),
    ]
    since = datetime(2024, 5, 1, tzinfo=timezone.utc)

    found = await rest.collect(
        events_of(rest).search(
            page_size=2,
            from_=since,
            root_entity_type=RootEntityType.ORDER,
            root_entity_id=1234,
            event_type="ORCHESTRATION_AUDIT",
        )
    )

    assert [e.id for e in found] == ["evt-1", "evt-2", "evt-3", "evt-4", "evt-5"]
    params = [dict(c.request.url.params) for c in route.calls]
    assert [p["start"] for p in params] == ["0", "2", "4"]
    assert params[0] == {
        "context.rootEntityType": "ORDER",
        "context.rootEntityId": "1234",
        "eventType": "ORCHESTRATION_AUDIT",
        "from": "2024-05-01T00:00:00.000Z",
        "start": "0",
        "count": "2",
    }


async def test_search_sends_every_filter(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get("/api/v4.1/event").respond(
        200, json={"start": 0, "count": 10, "hasMore": False, "results": []}
    )
    since = datetime(2024, 5, 1, 10, tzinfo=timezone(timedelta(hours=10)))

    page = await rest.run(
        events_of(rest).search_page(
            start=20,
            page_size=10,
            root_entity_type="ORDER",
            root_entity_id="17",
            root_entity_ref="HD_123",
            entity_type=EntityType.FULFILMENT,
            entity_id=5,
            entity_ref="F-5",
            name="CancelOrder",
            category="ruleSet",
            event_type="ORCHESTRATION",
            event_status=EventStatus.FAILED,
            retailer_id=1,
            source_events="evt-0",
            from_=since,
            to=NOW,
        )
    )

    assert isinstance(page, EventSearchPage)
    assert dict(route.calls.last.request.url.params) == {
        "context.rootEntityType": "ORDER",
        "context.rootEntityId": "17",
        "context.rootEntityRef": "HD_123",
        "context.entityType": "FULFILMENT",
        "context.entityId": "5",
        "context.entityRef": "F-5",
        "context.sourceEvents": "evt-0",
        "name": "CancelOrder",
        "category": "ruleSet",
        "eventType": "ORCHESTRATION",
        "eventStatus": "FAILED",
        "retailerId": "1",
        "from": "2024-05-01T00:00:00.000Z",
        "to": "2024-05-10T12:00:00.000Z",
        "start": "20",
        "count": "10",
    }


async def test_search_without_from_warns_and_bounds_the_window(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.get("/api/v4.1/event").respond(
        200, json={"start": 0, "count": 100, "hasMore": False, "results": [record(1)]}
    )

    with pytest.warns(EventSearchWindowWarning, match="last 30 days") as caught:
        pages = await rest.collect(events_of(rest).search_pages(name="CancelOrder"))

    assert caught[0].filename == __file__  # points at the caller
    assert [len(p.results) for p in pages] == [1]
    params = route.calls.last.request.url.params
    assert params["from"] == "2024-04-10T12:00:00.000Z"
    assert params["to"] == "2024-05-10T12:00:00.000Z"
    assert params["count"] == "100"


async def test_search_with_from_does_not_warn(rest: Rest, api: respx.MockRouter) -> None:
    api.get("/api/v4.1/event").respond(
        200, json={"start": 0, "count": 100, "hasMore": False, "results": []}
    )

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = await rest.collect(events_of(rest).search(from_=NOW - timedelta(days=90)))

    assert found == []


async def test_search_stops_on_empty_page_even_if_has_more(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.get("/api/v4.1/event").respond(
        200, json={"start": 0, "count": 5, "hasMore": True, "results": []}
    )

    found = await rest.collect(events_of(rest).search(from_=NOW))

    assert found == []
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"page_size": 5001}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"start": -1}, "start"),
        ({"from_": datetime(2024, 5, 1)}, "from_"),  # naive
        ({"from_": NOW, "to": NOW - timedelta(days=1)}, "to"),
        ({"retailer_id": "abc", "from_": NOW}, "retailer_id"),
        ({"entity_typ": "ORDER", "from_": NOW}, "entity_typ"),
    ],
)
async def test_bad_search_is_refused_before_any_request(
    rest: Rest, api: respx.MockRouter, kwargs: dict[str, object], field: str
) -> None:
    events = events_of(rest)

    with pytest.raises(ValidationError) as caught:
        events.search(**kwargs)  # type: ignore[arg-type]  # validated when called, not iterated

    assert caught.value.field == field
    assert not api.calls


async def test_search_with_only_to_searches_30_days_before_it(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.get("/api/v4.1/event").respond(
        200, json={"start": 0, "count": 100, "hasMore": False, "results": []}
    )

    with pytest.warns(EventSearchWindowWarning):
        await rest.run(events_of(rest).search_page(to=datetime(2024, 3, 31, tzinfo=timezone.utc)))

    params = route.calls.last.request.url.params
    assert (params["from"], params["to"]) == (
        "2024-03-01T00:00:00.000Z",
        "2024-03-31T00:00:00.000Z",
    )
