"""Issue #15 against a mocked account (sync and async): event errors that say what failed,
send_many's checks, outcomes, retries and report, and the audit reader's requests."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from fluent_sdk.errors import EventRejectedError, ValidationError
from fluent_sdk.rest.events import (
    AsyncEvents,
    EntityType,
    Event,
    EventBatchOutcome,
    EventBatchReport,
    Events,
    read_events,
)

from .conftest import Rest, api_calls, body_of

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
FRAUD = {"name": "Fraud_Review_Passed", "entityType": "FULFILMENT", "entityId": "123"}
NO_MATCH = {"eventId": "e-1", "entityId": "123", "eventStatus": "NO_MATCH"}


def events_of(rest: Rest) -> Events | AsyncEvents:
    namespace: Events | AsyncEvents = rest.make(Events, AsyncEvents, clock=lambda: NOW)
    return namespace


async def rejection(rest: Rest, api: respx.MockRouter, status: int, body: Any) -> Any:
    api.post("/api/v4.1/event/sync").respond(status, json=body)
    with pytest.raises(EventRejectedError) as caught:
        await rest.run(events_of(rest).send_sync(FRAUD))
    return caught.value


# -- event errors --------------------------------------------------------------------------------


async def test_no_match_names_event_entity_and_outcome(rest: Rest, api: respx.MockRouter) -> None:
    error = await rejection(rest, api, 400, NO_MATCH)
    text = str(error)
    assert text.startswith("event 'Fraud_Review_Passed' on FULFILMENT 123 finished NO_MATCH: ")
    assert "no ruleset matched" in text
    assert "client.events.audit('FULFILMENT', id='123')" in text
    assert text.endswith("(HTTP 400 in events.send_sync)")
    assert (error.event_name, error.entity_type, error.entity_id) == (
        "Fraud_Review_Passed",
        "FULFILMENT",
        "123",
    )
    assert (error.event_status, error.event_id, error.status) == ("NO_MATCH", "e-1", 400)
    assert error.unmatched is None
    assert error.reason is None
    assert "Fraud_Review_Passed" in error._repr_html_()


@pytest.mark.parametrize(
    ("message", "unmatched"),
    [
        ("No workflow found for FULFILMENT::HD_PFS", "workflow"),
        ("Ruleset Fraud_Review_Passed does not accept status CREATED", "status"),
        ("No matching ruleset for event Fraud_Review_Passed", "ruleset"),
        ("Entity FULFILMENT 123 not found", "entity"),
        ("Something else entirely", None),
    ],
)
async def test_no_match_says_what_did_not_match_when_fluent_does(
    rest: Rest, api: respx.MockRouter, message: str, unmatched: str | None
) -> None:
    error = await rejection(rest, api, 400, {**NO_MATCH, "errorMessage": message})
    assert error.unmatched == unmatched
    assert error.reason == message
    assert f"finished NO_MATCH: {message}" in str(error)
    if unmatched:
        assert "(what did not match: " in str(error)


async def test_failed_event_keeps_fluents_message(rest: Rest, api: respx.MockRouter) -> None:
    body = {**NO_MATCH, "eventStatus": "FAILED", "errorMessage": "Rule ACME.x.Check failed"}
    error = await rejection(rest, api, 200, body)  # some environments answer 200
    assert str(error).startswith(
        "event 'Fraud_Review_Passed' on FULFILMENT 123 finished FAILED: Rule ACME.x.Check failed"
    )
    assert error.status == 200


async def test_generic_failure_points_at_the_audit(rest: Rest, api: respx.MockRouter) -> None:
    body = {**NO_MATCH, "eventStatus": "FAILED", "errorMessage": "Event has Failed"}
    error = await rejection(rest, api, 400, body)
    assert "finished FAILED: Event has Failed (client.events.audit(" in str(error)


async def test_a_misspelt_entity_type_is_refused_before_sending(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.post("/api/v4.1/event/sync").respond(200, json={})
    with pytest.raises(ValidationError) as caught:
        await rest.run(events_of(rest).send_sync({**FRAUD, "entityType": "FULFILLMENT"}))
    assert caught.value.field == "event.entityType"
    assert "did you mean 'FULFILMENT'?" in str(caught.value)
    with pytest.raises(ValidationError, match="did you mean 'ORDER'"):
        Event(name="X", entity_type="order", entity_ref="A")
    with pytest.raises(ValidationError, match="did you mean 'ORDER'"):
        Event(name="X", entity_type="ORDER", root_entity_type="ORDERS", entity_ref="A")
    assert not route.called
    # Deliberately unknown types still pass (Fluent adds types), explicitly or far from any.
    explicit = Event(name="X", entity_type=EntityType("FULFILLMENT"), entity_ref="A")
    assert not explicit.entity_type.is_known
    far = Event(name="X", entity_type="CUSTOM_THING", entity_ref="A")
    assert far.entity_type == "CUSTOM_THING"


def test_an_entity_must_live_under_its_root() -> None:
    with pytest.raises(ValidationError) as caught:
        Event(name="X", entity_type="FULFILMENT", entity_id="1", root_entity_type="LOCATION")
    assert caught.value.field == "rootEntityType"
    assert "a FULFILMENT is not under a LOCATION" in str(caught.value)
    Event(name="X", entity_type="FULFILMENT", entity_id="1", root_entity_type="ORDER")


# -- send_many -----------------------------------------------------------------------------------


def ping(n: int, **extra: Any) -> dict[str, Any]:
    return {"name": "Ping", "entityType": "ORDER", "entityRef": f"O-{n}", **extra}


async def send_many(rest: Rest, events: Any, **options: Any) -> EventBatchReport:
    report: EventBatchReport = await rest.run(events_of(rest).send_many(events, **options))
    return report


async def test_outcomes_of_each_kind(rest: Rest, api: respx.MockRouter) -> None:
    answers = {
        "O-0": httpx.Response(200, json={"eventId": "a", "eventStatus": "COMPLETE"}),
        "O-1": httpx.Response(400, json={"eventId": "b", "eventStatus": "NO_MATCH"}),
        "O-2": httpx.Response(400, json={"eventId": "c", "eventStatus": "FAILED"}),
        "O-3": httpx.Response(500, json={"errors": [{"code": "500", "message": "boom"}]}),
        "O-4": httpx.Response(502, text="Bad Gateway"),
        "O-6": httpx.Response(403, json={"errors": [{"code": "C0020E", "message": "no"}]}),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        ref = json.loads(request.content)["entityRef"]
        if ref == "O-5":
            raise httpx.ReadTimeout("slow", request=request)
        return answers[ref]

    route = api.post("/api/v4.1/event/sync").mock(side_effect=answer)
    events = [ping(n) for n in range(7)]
    events.insert(3, {"name": "Ping", "entityType": "ORDER"})  # no entity: never sent
    report = await send_many(rest, events, concurrency=3)

    assert [r.outcome.value for r in report.results] == [
        "COMPLETE", "NO_MATCH", "FAILED", "INVALID", "ERROR", "UNKNOWN", "UNKNOWN", "ERROR",
    ]  # fmt: skip
    assert route.call_count == 7  # nothing repeated: a POST is not idempotent
    assert report.results[0].event_id == "a"
    assert report.results[1].error is not None
    assert "event 'Ping' on ORDER ref O-1 finished NO_MATCH" in report.results[1].error
    assert report.results[3].field == "events[3].entity_ref"
    assert "may have reached Fluent" in (report.results[5].error or "")
    assert report.read == 8
    assert report.sent == 7
    assert report.succeeded == 1
    assert report.unknown == 2
    assert not report.ok
    assert len(report.failures) == 7
    assert repr(report).startswith("<EventBatchReport mode=sync read=8 complete=1 no_match=1")


async def test_idempotent_events_are_retried_by_the_transport(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.post("/api/v4.1/event/async")
    route.side_effect = [httpx.Response(503), httpx.Response(200, json={"id": "x"})]
    report = await send_many(rest, [ping(1)], mode="async", idempotent=True)
    assert report.counts["QUEUED"] == 1
    assert route.call_count == 2
    route.side_effect = [httpx.Response(503), httpx.Response(200, json={"id": "x"})]
    report = await send_many(rest, [ping(1)], mode="async")
    assert report.counts["ERROR"] == 1
    assert route.call_count == 3  # not retried: the first 503 answered alone


async def test_connect_errors_are_retried_even_when_not_idempotent(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.post("/api/v4.1/event/sync")
    route.side_effect = [httpx.ConnectError("refused"), httpx.Response(200, json={})]
    report = await send_many(rest, [ping(1)])
    assert report.counts["COMPLETE"] == 1
    assert route.call_count == 2


async def test_events_are_filled_with_the_clients_retailer(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.post("/api/v4.1/event/sync").respond(200, json={})
    mine = Event.model_validate(ping(2, retailerId="7"))
    await send_many(rest, [ping(1), mine], concurrency=1)
    assert [body_of(call)["retailerId"] for call in route.calls] == [1, "7"]


async def test_arguments_are_checked_before_anything(rest: Rest, api: respx.MockRouter) -> None:
    events = events_of(rest)
    for kwargs, field in [
        ({"events": {"name": "x"}}, "events"),
        ({"events": "file.csv"}, "events"),
        ({"events": [], "mode": "later"}, "mode"),
        ({"events": [], "concurrency": 0}, "concurrency"),
        ({"events": [], "progress": "yes"}, "progress"),
    ]:
        with pytest.raises(ValidationError) as caught:
            await rest.run(events.send_many(**kwargs))
        assert caught.value.field == field
    assert api_calls(api) == []
    report = await send_many(rest, iter([]))
    assert (report.read, report.ok) == (0, True)


async def test_strict_entity_types_in_bulk(rest: Rest, api: respx.MockRouter) -> None:
    api.post("/api/v4.1/event/sync").respond(200, json={})
    report = await send_many(
        rest,
        [
            {"name": "X", "entityType": "CUSTOMER", "entityRef": "C"},
            Event(name="X", entity_type="CUSTOM_THING", entity_ref="C"),
            {"name": "X", "entityType": "FULFILMENT", "entityId": 1, "atributes": {}},
            {1: "x"},
            ValidationError("events[4]: line 6 is not valid JSON", field="events[4]"),
        ],
    )
    assert [r.outcome for r in report.results] == [EventBatchOutcome.INVALID] * 5
    assert [r.field for r in report.results] == [
        "events[0].entityType", "events[1].entityType", "events[2].atributes", "events[3]",
        "events[4]",
    ]  # fmt: skip
    assert "not an entity type events can target" in (report.results[0].error or "")
    assert "did you mean 'attributes'" in (report.results[2].error or "")
    assert report.results[2].entity_id == "1"
    assert api_calls(api) == []


async def test_report_rows_files_and_display(
    rest: Rest, api: respx.MockRouter, tmp_path: Path
) -> None:
    api.post("/api/v4.1/event/sync").mock(
        side_effect=lambda request: httpx.Response(
            200 if "O-1" in request.content.decode() else 400,
            json={"eventId": "e", "eventStatus": "COMPLETE" if "O-1" in request.content.decode()
                  else "NO_MATCH"},
        )
    )  # fmt: skip
    report = await send_many(rest, [ping(1), ping(2), {"name": "X"}], concurrency=1)
    rows = report.to_records()
    assert [row["outcome"] for row in rows] == ["COMPLETE", "NO_MATCH", "INVALID"]
    assert set(rows[0]) == {"index", "outcome", "name", "entity_type", "entity_id",
                            "entity_ref", "event_id", "error", "field"}  # fmt: skip
    assert [row["index"] for row in report.to_records(failures_only=True)] == [1, 2]
    assert report.to_csv(tmp_path / "f.csv", failures_only=True) == 2
    assert (tmp_path / "f.csv").read_text().splitlines()[0].startswith("index,outcome,name")
    assert report.to_jsonl(tmp_path / "f.jsonl") == 3
    lines = (tmp_path / "f.jsonl").read_text().splitlines()
    assert json.loads(lines[2])["outcome"] == "INVALID"
    assert list(report.to_pandas()["outcome"]) == ["COMPLETE", "NO_MATCH", "INVALID"]
    html = report._repr_html_()
    assert "Events sent (sync)" in html
    assert "events[1]" in html
    assert "NO_MATCH" in html
    assert report.summary()["no_match"] == 1


class FakeBar:
    made: list[FakeBar] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.count = kwargs.get("initial", 0)
        self.postfix = ""
        self.closed = False
        FakeBar.made.append(self)

    def update(self, count: int) -> None:
        self.count += count

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = text

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> type[FakeBar]:
    import tqdm.auto

    FakeBar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", FakeBar)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    return FakeBar


async def test_progress_bar_runs_on_long_input(
    rest: Rest, api: respx.MockRouter, fake_tqdm: type[FakeBar]
) -> None:
    api.post("/api/v4.1/event/sync").respond(200, json={})
    await send_many(rest, [ping(n) for n in range(5)])
    assert fake_tqdm.made == []  # short: done before a bar helps
    await send_many(rest, (ping(n) for n in range(150)), concurrency=4)  # length unknown
    [bar] = fake_tqdm.made
    assert bar.count == 150
    assert bar.closed
    assert bar.postfix == "ok=150, failed=0"
    assert bar.kwargs["total"] is None
    await send_many(rest, [ping(n) for n in range(120)], progress=False)
    await send_many(rest, [ping(n) for n in range(3)], progress=True)
    assert len(fake_tqdm.made) == 2
    assert fake_tqdm.made[1].kwargs["total"] == 3


def test_read_events_from_csv_and_jsonl(tmp_path: Path) -> None:
    csv_file = tmp_path / "events.csv"
    csv_file.write_text(
        "name,entityType,entityRef,attributes.reason,attributes,entitySubtype\n"
        'BookOrder,ORDER,HD-1,late,"{""n"": 1}",HD\n'
        "CancelOrder,ORDER,HD-2,,,\n"
        "X,ORDER,HD-3,,{oops,\n"
        "Y,ORDER,HD-4,,,,extra\n",
        encoding="utf-8",
    )
    rows = list(read_events(csv_file))
    assert rows[0] == {"name": "BookOrder", "entityType": "ORDER", "entityRef": "HD-1",
                       "entitySubtype": "HD", "attributes": {"n": 1, "reason": "late"}}  # fmt: skip
    assert rows[1] == {"name": "CancelOrder", "entityType": "ORDER", "entityRef": "HD-2"}
    assert isinstance(rows[2], ValidationError)
    assert rows[2].field == "events[2].attributes"
    assert isinstance(rows[3], ValidationError)
    assert "more cells than the header" in str(rows[3])

    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text('{"name": "A"}\n\n{not json\n[1]\n', encoding="utf-8")
    rows = list(read_events(jsonl))
    assert rows[0] == {"name": "A"}
    assert isinstance(rows[1], ValidationError)
    assert str(rows[1]).startswith("events[1]: line 3 is not valid JSON")
    assert rows[2] == [1]
    with pytest.raises(ValidationError, match="no such file"):
        read_events(tmp_path / "missing.csv")
    (tmp_path / "events.txt").write_text("x")
    with pytest.raises(ValidationError, match=r"expected a \.csv or \.jsonl"):
        read_events(tmp_path / "events.txt")


# -- audit requests -----------------------------------------------------------------------------

EMPTY_PAGE = {"start": 0, "count": 1000, "hasMore": False, "results": []}


async def test_audit_reads_a_root_with_its_children(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get("/api/v4.1/event").respond(200, json=EMPTY_PAGE)
    timeline = await rest.run(events_of(rest).audit("ORDER", ref="WEB-1001"))
    assert not timeline
    assert timeline.to_text().endswith("(no orchestration audit events in the window)")
    audit, sources = (dict(call.request.url.params) for call in route.calls)
    assert audit == {
        "context.rootEntityType": "ORDER",
        "context.rootEntityRef": "WEB-1001",
        "eventType": "ORCHESTRATION_AUDIT",
        "from": "2024-04-10T12:00:00.000Z",  # 30 days back, said explicitly
        "start": "0",
        "count": "1000",
    }
    assert sources["eventType"] == "ORCHESTRATION"


async def test_audit_reads_a_sub_entity_by_its_own_context(
    rest: Rest, api: respx.MockRouter
) -> None:
    route = api.get("/api/v4.1/event").respond(200, json=EMPTY_PAGE)
    since, until = NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    await rest.run(events_of(rest).audit("FULFILMENT", id=123, since=since, until=until))
    params = dict(route.calls[0].request.url.params)
    assert (params["context.entityType"], params["context.entityId"]) == ("FULFILMENT", "123")
    assert params["from"] == "2024-05-10T10:00:00.000Z"
    assert params["to"] == "2024-05-10T11:00:00.000Z"


async def test_audit_arguments_are_checked(rest: Rest, api: respx.MockRouter) -> None:
    events = events_of(rest)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"entity_type": "FULFILLMENT", "id": "1"}, "entity_type", "did you mean 'FULFILMENT'"),
        ({"entity_type": "ORDER"}, "id", "id or ref"),
        ({"entity_type": "ORDER", "ref": ""}, "ref", "non-empty"),
        ({"entity_type": "ORDER", "ref": "A", "since": datetime(2024, 1, 1)}, "since", "aware"),
        ({"entity_type": "ORDER", "ref": "A", "since": NOW, "until": NOW - timedelta(1)},
         "until", "before"),
    ]  # fmt: skip
    for kwargs, field, words in cases:
        with pytest.raises(ValidationError) as caught:
            await rest.run(events.audit(**kwargs))
        assert caught.value.field == field, kwargs
        assert words in str(caught.value)
    assert api_calls(api) == []
