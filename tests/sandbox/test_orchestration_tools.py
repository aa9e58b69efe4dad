"""Issue #15, against the sandbox: send_many over 1,000 events checked against the request log,
the audit timeline of an order through two transitions and a failing rule, wait_for reaching a
status and timing out, and the sandbox's audit events."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient, RetryPolicy
from fluent_sdk.errors import EventRejectedError, StatusTimeoutError, TimeoutError
from fluent_sdk.rest.events import AuditTimeline, EventBatchOutcome, EventBatchReport
from fluent_sdk.sandbox import Sandbox

#: Retries without waiting, and enough of them that ten injected faults in a row cannot use up
#: one event's attempts: the transport retries what is safe (refused, never reached).
FAST_RETRY = RetryPolicy(max_attempts=25, initial_delay=0.001, max_delay=0.001)


def create_order(sandbox: Sandbox, ref: str) -> str:
    created = sandbox.execute(
        "mutation($input: CreateOrderInput) { createOrder(input: $input) { id } }",
        {
            "input": {
                "ref": ref,
                "type": "HD",
                "retailer": {"id": "1"},
                "customer": {"id": "1"},
                "items": [
                    {
                        "ref": f"{ref}-1",
                        "productRef": "SPEAKER001",
                        "productCatalogueRef": "PC:MASTER:1",
                        "quantity": 1,
                    }
                ],
            }
        },
    )
    assert "errors" not in created, created
    order_id: str = created["data"]["createOrder"]["id"]
    return order_id


def create_fulfilment(sandbox: Sandbox, order_id: str, ref: str) -> str:
    created = sandbox.execute(
        "mutation($input: CreateFulfilmentInput!) { createFulfilment(input: $input) { id } }",
        {"input": {"ref": ref, "type": "HD_PFS", "deliveryType": "STANDARD",
                   "order": {"id": order_id}, "items": []}},
    )  # fmt: skip
    assert "errors" not in created, created
    fulfilment_id: str = created["data"]["createFulfilment"]["id"]
    return fulfilment_id


def order_event(name: str, ref: str) -> dict[str, Any]:
    return {"name": name, "entityType": "ORDER", "entityRef": ref, "entitySubtype": "HD"}


# -- send_many: 1,000 events, mixed outcomes, faults, the request log ----------------------------

LOCATIONS = ("LOC_MELB", "LOC_SYD", "LOC_DC")


def thousand_events() -> Iterator[dict[str, Any]]:
    """1,000 events (a generator: streamed): every 10th has a misspelt entity type, every
    10th + 1 fails its rule, every 10th + 2 matches no ruleset, the rest complete."""
    for n in range(1000):
        kind = n % 10
        name = {1: "Explode", 2: "NoSuchRuleset"}.get(kind, "Ping")
        yield {
            "name": name,
            "entityType": "LOCATON" if kind == 0 else "LOCATION",
            "entityRef": LOCATIONS[n % 3],
            "attributes": {"n": n},
        }


def expected_outcome(n: int) -> EventBatchOutcome:
    return {
        0: EventBatchOutcome.INVALID,
        1: EventBatchOutcome.FAILED,
        2: EventBatchOutcome.NO_MATCH,
    }.get(n % 10, EventBatchOutcome.COMPLETE)


def inject_faults(sandbox: Sandbox) -> None:
    faults = sandbox.faults
    faults.server_error("event.sync", status=500, times=20, skip=50)
    faults.server_error("event.sync", status=503, times=20, skip=150)
    faults.read_timeout("event.sync", after_commit=True, times=20, skip=250)  # ran, reply lost
    faults.read_timeout("event.sync", times=10, skip=350)  # reply lost before it ran
    faults.drop_connection("event.sync", times=10, skip=450)  # never reached: retried
    faults.rate_limit("event.sync", retry_after=0, times=10, skip=550)  # turned away: retried


def sent_number(entry: Any) -> int:
    n: int = entry.json()["attributes"]["n"]
    return n


def check_thousand(report: EventBatchReport, sandbox: Sandbox) -> None:
    assert report.read == 1000
    assert [r.index for r in report.results] == list(range(1000))  # input order
    counts = report.counts
    assert counts["INVALID"] == 100
    assert counts["ERROR"] == 40  # the 500s and 503s: not processed, not retried
    assert counts["UNKNOWN"] == 30  # the lost replies: not sent again
    assert counts["QUEUED"] == 0
    assert report.sent == 900

    requests = sandbox.requests.filter("event.sync")
    per_event = Counter(sent_number(entry) for entry in requests)
    # Rejected locally: nothing sent.
    assert all(n % 10 != 0 for n in per_event)
    assert set(per_event) == {n for n in range(1000) if n % 10 != 0}
    # Never sent twice: a second request only follows one Fluent turned away unprocessed.
    refused = Counter(
        sent_number(entry)
        for entry in requests
        if entry.status == 429 or (entry.fault == "drop" and entry.status is None)
    )
    assert sum(refused.values()) == 20
    for n, count in per_event.items():
        assert count == 1 + refused[n], n
    # And Fluent ran each workflow at most once.
    ran = Counter(
        event["attributes"]["n"]
        for event in sandbox.events
        if event["type"] == "ORCHESTRATION" and isinstance(event.get("attributes"), dict)
    )
    assert max(ran.values()) == 1

    for result in report.results:
        n = result.index
        assert result.entity_ref == LOCATIONS[n % 3]
        if result.outcome is EventBatchOutcome.ERROR:
            assert ran[n] == 0
            assert "ServerError" in (result.error or "")
        elif result.outcome is EventBatchOutcome.UNKNOWN:
            assert "may have reached Fluent" in (result.error or "")
            assert "TimeoutError" in (result.error or "")
        else:
            assert result.outcome is expected_outcome(n), (n, result)
            if result.outcome is not EventBatchOutcome.INVALID:
                assert ran[n] == 1
                assert result.event_id is not None
    invalid = report.results[10]
    assert invalid.field == "events[10].entityType"
    assert "did you mean 'LOCATION'?" in (invalid.error or "")
    failed = report.results[1]
    assert failed.error is not None
    assert "event 'Explode' on LOCATION" in failed.error
    assert "finished FAILED: Rule ACME.custom.Explode failed" in failed.error


def teach_pings(sandbox: Sandbox) -> None:
    sandbox.add_transition("LOCATION", "Ping", "ACTIVE")
    sandbox.add_transition(
        "LOCATION", "Explode", fails_with="Rule ACME.custom.Explode failed", rule="ACME.custom.X"
    )


def test_send_many_thousand_events_against_the_request_log(fluent_sandbox: Sandbox) -> None:
    teach_pings(fluent_sandbox)
    inject_faults(fluent_sandbox)
    with fluent_sandbox.client(retry=FAST_RETRY) as client:
        report = client.events.send_many(thousand_events(), concurrency=8, progress=False)
    check_thousand(report, fluent_sandbox)
    assert fluent_sandbox.requests.count("oauth.token") == 1


async def test_async_send_many_thousand_events_against_the_request_log(
    fluent_sandbox: Sandbox,
) -> None:
    teach_pings(fluent_sandbox)
    inject_faults(fluent_sandbox)
    async with fluent_sandbox.async_client(retry=FAST_RETRY) as client:
        report = await client.events.send_many(thousand_events(), concurrency=8, progress=False)
    check_thousand(report, fluent_sandbox)


def test_idempotent_events_are_retried_after_a_lost_reply(fluent_sandbox: Sandbox) -> None:
    teach_pings(fluent_sandbox)
    fluent_sandbox.faults.read_timeout("event.sync", times=1)
    fluent_sandbox.faults.server_error("event.sync", status=503, times=1)
    events = [{"name": "Ping", "entityType": "LOCATION", "entityRef": "LOC_SYD"}]
    with fluent_sandbox.client(retry=FAST_RETRY) as client:
        report = client.events.send_many(events, idempotent=True, concurrency=1)
    assert report.counts["COMPLETE"] == 1
    assert fluent_sandbox.requests.count("event.sync") == 3


def test_async_mode_queues_and_says_so(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    events = [order_event("BookOrder", "NOPE"), {"name": "X", "entityType": "ORDER"}]
    report = fluent_client.events.send_many(events, mode="async")
    assert [r.outcome for r in report.results] == [
        EventBatchOutcome.QUEUED,  # its NO_MATCH is known only once processed
        EventBatchOutcome.INVALID,
    ]
    assert report.ok is False
    assert report.results[1].field == "events[1].entity_ref"
    assert fluent_sandbox.requests.count("event.async") == 1


def test_every_event_invalid_sends_nothing_not_even_a_login(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        report = client.events.send_many([{"name": "X", "entityType": "FULFILLMENT"}] * 3)
    assert report.counts["INVALID"] == 3
    assert len(fluent_sandbox.requests) == 0


# -- event errors --------------------------------------------------------------------------------


def test_rejected_sync_event_names_event_entity_and_outcome(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    order_id = create_order(fluent_sandbox, "WEB-7")
    with pytest.raises(EventRejectedError) as caught:
        fluent_client.events.send_sync(order_event("Fraud_Review_Passed", "WEB-7"))
    error = caught.value
    assert str(error).startswith(
        f"event 'Fraud_Review_Passed' on ORDER {order_id} (ref WEB-7) finished NO_MATCH: "
    )
    assert (error.event_name, error.entity_type, error.entity_ref) == (
        "Fraud_Review_Passed",
        "ORDER",
        "WEB-7",
    )
    assert "client.events.audit('ORDER', ref='WEB-7')" in str(error)


# -- the audit timeline ----------------------------------------------------------------------


def check_order_timeline(timeline: AuditTimeline, fulfilment_id: str) -> None:
    assert [group.name for group in timeline] == [
        "BookOrder",
        "FraudCheck",
        "ConfirmPick",
        "CompleteOrder",
    ]
    assert [group.status for group in timeline] == ["COMPLETE", "FAILED", "COMPLETE", "COMPLETE"]
    book, fraud, pick, complete = timeline.groups
    # ruleset -> rule -> action
    [ruleset] = book.nodes
    assert (ruleset.entry.kind, ruleset.entry.name, ruleset.entry.status) == (
        "ruleset",
        "BookOrder",
        "COMPLETE",
    )
    assert ruleset.entry.duration == 0.0
    [rule] = ruleset.children
    assert (rule.entry.kind, rule.entry.name) == ("rule", "SANDBOX.base.SetState")
    assert rule.entry.attributes["props"] == {"status": "BOOKED"}
    [action] = rule.children
    assert action.entry.kind == "action"
    assert action.entry.attributes["status"] == "BOOKED"
    # The failing rule: ruleset FAILED -> rule FAILED -> exception with its message.
    [fraud_ruleset] = fraud.nodes
    [fraud_rule] = fraud_ruleset.children
    [exception] = fraud_rule.children
    assert (fraud_ruleset.entry.status, fraud_rule.entry.status) == ("FAILED", "FAILED")
    assert fraud_rule.entry.name == "ACME.fraud.ScoreCheck"
    assert exception.entry.kind == "exception"
    assert exception.entry.message == "Rule ACME.fraud.ScoreCheck failed: score 97 > 80"
    # A child of the order (its fulfilment) is in the order's timeline.
    assert pick.nodes[0].entry.entity_type == "FULFILMENT"
    assert pick.nodes[0].entry.entity_id == fulfilment_id
    assert complete.nodes[0].children[0].children[0].entry.attributes["status"] == "COMPLETE"

    [failure] = timeline.failures()
    assert failure is exception.entry
    assert len(timeline) == 12  # 3 completed rulesets x (ruleset, rule, action) + the failed 3

    text = timeline.to_text()
    assert text.splitlines()[0] == (
        "ORDER ref WEB-1001: 4 source events, 12 audit entries, 1 failure"
    )
    assert "✗ exception RuleExecutionException  FAILED: Rule ACME.fraud.ScoreCheck failed" in text
    assert f"[FULFILMENT {fulfilment_id} (ref F-1)]" in text
    html = timeline._repr_html_()
    assert html.count("<details") == 4 + 4 + 4  # groups, rulesets, rules (each has a child)
    assert "background:#fde7e9" in html
    rows = timeline.to_records()
    assert [row["kind"] for row in rows[:4]] == ["event", "ruleset", "rule", "action"]
    assert [row["depth"] for row in rows[:4]] == [0, 1, 2, 3]
    frame = timeline.to_pandas()
    assert len(frame) == 12 + 4  # and a row per source event
    assert frame["failed"].sum() == 4  # FraudCheck's event, its ruleset and rule, the exception


def prepare_order(sandbox: Sandbox) -> str:
    order_id = create_order(sandbox, "WEB-1001")
    fulfilment_id = create_fulfilment(sandbox, order_id, "F-1")
    sandbox.add_transition(
        "ORDER",
        "FraudCheck",
        fails_with="Rule ACME.fraud.ScoreCheck failed: score 97 > 80",
        rule="ACME.fraud.ScoreCheck",
    )
    sandbox.add_transition("FULFILMENT", "ConfirmPick", "PICKED")
    return fulfilment_id


def test_audit_timeline_of_an_order_through_two_transitions_and_a_failing_rule(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fulfilment_id = prepare_order(fluent_sandbox)
    events = fluent_client.events
    events.send_sync(order_event("BookOrder", "WEB-1001"))
    with pytest.raises(EventRejectedError, match=r"finished FAILED: Rule ACME\.fraud\.ScoreCheck"):
        events.send_sync(order_event("FraudCheck", "WEB-1001"))
    # Sent with its id only: the sandbox knows its order, as Fluent does.
    events.send_sync({"name": "ConfirmPick", "entityType": "FULFILMENT", "entityId": fulfilment_id})
    events.send_sync(order_event("CompleteOrder", "WEB-1001"))

    timeline = events.audit("ORDER", ref="WEB-1001")

    check_order_timeline(timeline, fulfilment_id)
    searches = fluent_sandbox.requests.filter("event.search")
    assert len(searches) == 2
    assert {"eventType=ORCHESTRATION_AUDIT", "context.rootEntityRef=WEB-1001"} <= set(
        searches[0].query_string.split("&")
    )
    # The fulfilment alone: only its own events.
    alone = events.audit("FULFILMENT", id=fulfilment_id)
    assert [group.name for group in alone] == ["ConfirmPick"]


async def test_async_audit_timeline(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    fulfilment_id = prepare_order(fluent_sandbox)
    events = async_fluent_client.events
    await events.send_sync(order_event("BookOrder", "WEB-1001"))
    with pytest.raises(EventRejectedError):
        await events.send_sync(order_event("FraudCheck", "WEB-1001"))
    await events.send(
        {"name": "ConfirmPick", "entityType": "FULFILMENT", "entityId": fulfilment_id}
    )
    await events.send(order_event("CompleteOrder", "WEB-1001"))
    check_order_timeline(await events.audit("ORDER", ref="WEB-1001"), fulfilment_id)


def test_audit_window_and_no_match_entries(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    from datetime import datetime, timedelta, timezone

    create_order(fluent_sandbox, "WEB-2")
    fluent_client.events.send(order_event("NoSuchThing", "WEB-2"))
    [failure] = fluent_client.events.audit("ORDER", ref="WEB-2").failures()
    assert failure.status == "NO_MATCH"
    assert failure.message == (
        "No ruleset 'NoSuchThing' in workflow ORDER::HD for ORDER in status CREATED"
    )
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert len(fluent_client.events.audit("ORDER", ref="WEB-2", since=later)) == 0
    earlier = datetime.now(timezone.utc) - timedelta(hours=1)
    assert not fluent_client.events.audit("ORDER", ref="WEB-2", until=earlier)


# -- wait_for --------------------------------------------------------------------------------


def test_wait_for_reaches_a_status(fluent_client: FluentClient, fluent_sandbox: Sandbox) -> None:
    order_id = create_order(fluent_sandbox, "WEB-3")
    fluent_client.events.send(order_event("BookOrder", "WEB-3"))
    order = fluent_client.wait_for("ORDER", ref="WEB-3", status="BOOKED", poll=0.01)
    assert (order.id, order.status) == (order_id, "BOOKED")
    by_id = fluent_client.wait_for("ORDER", order_id, status=["COMPLETE", "BOOKED"], poll=0.01)
    assert by_id.ref == "WEB-3"
    lookups = [e.json()["query"] for e in fluent_sandbox.requests.filter("graphql")]
    assert any("orderById" in query for query in lookups)


def test_wait_for_times_out_with_last_status_and_audit_failures(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    create_order(fluent_sandbox, "WEB-4")
    fluent_sandbox.add_transition("ORDER", "FraudCheck", fails_with="score 97 > 80")
    fluent_client.events.send(order_event("FraudCheck", "WEB-4"))  # queued: fails quietly
    with pytest.raises(StatusTimeoutError) as caught:
        fluent_client.wait_for("ORDER", ref="WEB-4", status="BOOKED", timeout=0.2, poll=0.02)
    error = caught.value
    assert isinstance(error, TimeoutError)
    assert (error.last_status, error.statuses) == ("CREATED", ("BOOKED",))
    assert error.entity == "ORDER ref WEB-4"
    assert str(error).startswith("ORDER ref WEB-4 was still CREATED after ")
    assert "(waiting for BOOKED)" in str(error)
    assert "exception RuleExecutionException FAILED: score 97 > 80" in str(error)
    assert len(error.failures) == 1
    assert fluent_sandbox.requests.count("graphql") >= 2  # polled more than once


async def test_async_wait_for_reaches_and_times_out(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    create_order(fluent_sandbox, "WEB-5")
    await async_fluent_client.events.send(order_event("BookOrder", "WEB-5"))
    order = await async_fluent_client.wait_for("ORDER", ref="WEB-5", status="BOOKED", poll=0.01)
    assert order.status == "BOOKED"
    with pytest.raises(StatusTimeoutError) as caught:
        await async_fluent_client.wait_for(
            "ORDER", ref="WEB-404", status="BOOKED", timeout=0.1, poll=0.02
        )
    assert caught.value.last_status is None
    assert str(caught.value).startswith("ORDER ref WEB-404 was not found after ")


# -- the sandbox's own part --------------------------------------------------------------------


def test_sandbox_writes_audit_events_in_fluents_shape(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    create_order(fluent_sandbox, "WEB-6")
    fluent_sandbox.add_transition("ORDER", "Explode", fails_with="boom", rule="ACME.custom.Boom")
    outcome = fluent_client.events.send_sync(order_event("BookOrder", "WEB-6"))
    audit = [e for e in fluent_sandbox.events if e["type"] == "ORCHESTRATION_AUDIT"]
    assert [(e["category"], e["name"], e["eventStatus"]) for e in audit] == [
        ("ruleSet", "BookOrder", "COMPLETE"),
        ("rule", "SANDBOX.base.SetState", "COMPLETE"),
        ("ACTION", "SetState", "COMPLETE"),
    ]
    for event in audit:
        assert event["context"]["sourceEvents"] == [outcome.event_id]
        assert event["context"]["rootEntityType"] == "ORDER"
        assert event["context"]["rootEntityRef"] == "WEB-6"
        assert {a["name"] for a in event["attributes"]} >= {"startTimer", "stopTimer"} or (
            event["category"] == "ACTION"
        )
    with pytest.raises(EventRejectedError):
        fluent_client.events.send_sync(order_event("Explode", "WEB-6"))
    audit = [e for e in fluent_sandbox.events if e["type"] == "ORCHESTRATION_AUDIT"][3:]
    assert [(e["category"], e["name"], e["eventStatus"]) for e in audit] == [
        ("ruleSet", "Explode", "FAILED"),
        ("rule", "ACME.custom.Boom", "FAILED"),
        ("exception", "RuleExecutionException", "FAILED"),
    ]
    assert {a["name"]: a["value"] for a in audit[2]["attributes"]} == {
        "message": "boom",
        "lastRule": "ACME.custom.Boom",
        "lastRuleSet": "Explode",
    }
    # The sync answer keeps Fluent's documented shape.
    body = json.loads(fluent_sandbox.requests.filter("event.sync")[-1].body)
    assert body["name"] == "Explode"


def test_fail_message_is_still_accepted(fluent_sandbox: Sandbox) -> None:
    fluent_sandbox.add_transition("ORDER", "Old", fail_message="old name")
    assert fluent_sandbox.store.transitions[("ORDER", "Old")].fail_message == "old name"


def test_event_delay_holds_each_event_post(fluent_sandbox: Sandbox) -> None:
    sandbox = Sandbox(event_delay=0.05)
    assert sandbox.app.config.event_delay == 0.05
    with sandbox.client() as client:
        client.events.send({"name": "Ping", "entityType": "LOCATION", "entityRef": "LOC_SYD"})
        client.graphql.locations(first=1)
    from fluent_sdk.sandbox.messages import SandboxRequest

    event = SandboxRequest("POST", "/api/v4.1/event/async", "", {}, b"{}")
    graphql = SandboxRequest("POST", "/graphql", "", {}, b"{}")
    assert sandbox.app.prepare(event).plan.delay == 0.05
    assert sandbox.app.prepare(graphql).plan.delay == 0.0
