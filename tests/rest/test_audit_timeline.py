"""`AuditTimeline` built from event-log records shaped as Fluent documents them (not as the
sandbox writes them): list or object attributes, timers, a ruleset logged after its rules,
exceptions naming their rule, source events without audit entries."""

from __future__ import annotations

from typing import Any

from fluent_sdk.rest.events import AuditTimeline, EventRecord

SOURCE = "11111111-0000-0000-0000-000000000001"
OTHER = "11111111-0000-0000-0000-000000000002"


def record(
    n: int,
    category: str | None,
    name: str,
    status: str,
    *,
    at: str,
    attributes: Any = None,
    source: str = SOURCE,
    entity: tuple[str, str, str] = ("ORDER", "55", "HD-9"),
    event_type: str = "ORCHESTRATION_AUDIT",
) -> EventRecord:
    kind, entity_id, ref = entity
    return EventRecord.model_validate(
        {
            "id": f"a-{n}",
            "name": name,
            "type": event_type,
            "category": category,
            "eventStatus": status,
            "attributes": attributes,
            "generatedOn": at,
            "context": {
                "sourceEvents": [source] if event_type == "ORCHESTRATION_AUDIT" else [],
                "entityType": kind,
                "entityId": entity_id,
                "entityRef": ref,
                "rootEntityType": "ORDER",
                "rootEntityRef": "HD-9",
            },
        }
    )


def attrs(**values: Any) -> list[dict[str, Any]]:
    return [{"name": k, "value": v, "type": "STRING"} for k, v in values.items()]


def newest_first(*records: EventRecord) -> list[EventRecord]:
    return list(reversed(records))  # as the event log answers


def test_a_ruleset_logged_after_its_rules_takes_them() -> None:
    audit = newest_first(
        record(1, "rule", "ACME.o.Validate", "SUCCESS", at="2024-05-10T10:00:00.100Z",
               attributes=attrs(startTimer=1000, stopTimer=1012)),
        record(2, "ACTION", "SendEvent", "SUCCESS", at="2024-05-10T10:00:00.110Z",
               attributes={"eventName": "ReserveStock"}),
        record(3, "rule", "ACME.o.Reserve", "FAILED", at="2024-05-10T10:00:00.120Z"),
        record(4, "exception", "java.lang.IllegalStateException", "FAILED",
               at="2024-05-10T10:00:00.130Z",
               attributes=attrs(exception={"message": "no stock at LOC_9"},
                                lastRule="ACME.o.Validate", lastRuleSet="ValidateOrder")),
        record(5, "ruleSet", "ValidateOrder", "FAILED", at="2024-05-10T10:00:00.140Z",
               attributes=attrs(duration="40")),
    )  # fmt: skip
    sources = [record(9, None, "ValidateOrder", "FAILED", at="2024-05-10T10:00:00.000Z",
                      event_type="ORCHESTRATION", source="")]  # fmt: skip
    sources[0] = sources[0].model_copy(update={"id": SOURCE})
    timeline = AuditTimeline.build("ORDER", None, "HD-9", audit, sources)

    [group] = timeline.groups
    assert (group.name, group.status, group.source_id) == ("ValidateOrder", "FAILED", SOURCE)
    [ruleset] = group.nodes
    assert ruleset.entry.duration == 0.04
    assert [child.entry.name for child in ruleset.children] == ["ACME.o.Validate", "ACME.o.Reserve"]
    validate, reserve = ruleset.children
    assert validate.entry.duration == 0.012
    # The exception names its rule, so it goes under it although Reserve came between.
    assert [c.entry.kind for c in validate.children] == ["action", "exception"]
    assert reserve.children == []
    failures = timeline.failures()
    assert [entry.kind for entry in failures] == ["exception", "rule"]
    assert failures[0].message == "no stock at LOC_9"
    assert failures[0].describe() == (
        "exception java.lang.IllegalStateException FAILED: no stock at LOC_9 "
        "(ORDER 55 (ref HD-9), 2024-05-10T10:00:00.130Z)"
    )
    assert timeline.to_text().splitlines() == [
        "ORDER ref HD-9: 1 source event, 5 audit entries, 2 failures",
        "└── event ValidateOrder  FAILED  2024-05-10T10:00:00.000Z",
        "    └── ✗ ruleSet ValidateOrder  FAILED  40 ms",
        "        ├── rule ACME.o.Validate  SUCCESS  12 ms",
        "        │   ├── ACTION SendEvent  SUCCESS: eventName=ReserveStock",
        "        │   └── ✗ exception java.lang.IllegalStateException  FAILED: no stock at LOC_9",
        "        └── ✗ rule ACME.o.Reserve  FAILED",
    ]


def test_groups_in_time_order_children_marked_and_lenient_fields() -> None:
    audit = newest_first(
        record(1, "ruleSet", "BookOrder", "COMPLETE", at="2024-05-10T10:00:00Z"),
        record(2, "ruleSet", "Pick", "COMPLETE", at="2024-05-10T10:05:00",  # no offset: UTC
               source=OTHER, entity=("FULFILMENT", "7", "F-7")),
        record(3, "snapshot", "ORDER", "COMPLETE", at="not a time", attributes=None),
        record(4, "CUSTOM", "log", "COMPLETE", at="2024-05-10T10:00:01Z",
               attributes={"message": "checked fraud score"}),
    )  # fmt: skip
    timeline = AuditTimeline.build("ORDER", None, "HD-9", audit)
    assert [group.name for group in timeline] == ["BookOrder", "Pick"]
    book, _ = timeline.groups
    assert book.source is None
    assert [node.entry.kind for node in book.nodes] == ["ruleset", "snapshot"]
    assert book.nodes[0].children[0].entry.message == "checked fraud score"
    assert "(source 11111111-0000-0000-0000-000000000001)" in book.heading()
    text = timeline.to_text()
    assert "ruleSet Pick  COMPLETE  [FULFILMENT 7 (ref F-7)]" in text
    assert "ruleSet BookOrder  COMPLETE\n" in text + "\n"
    assert timeline.failures() == []
    assert repr(timeline) == "<AuditTimeline ORDER ref HD-9 groups=2 entries=4 failures=0>"


def test_a_source_event_that_failed_without_audit_is_a_failure() -> None:
    source = record(1, None, "Ship", "NO_MATCH", at="2024-05-10T10:00:00Z",
                    event_type="ORCHESTRATION", source="")  # fmt: skip
    timeline = AuditTimeline.build("ORDER", "55", None, [], [source])
    [group] = timeline.groups
    assert group.nodes == []
    [failure] = timeline.failures()
    assert (failure.kind, failure.name, failure.status) == ("event", "Ship", "NO_MATCH")
    assert "<span style='color:#b00020'>" in timeline._repr_html_()
    assert timeline.to_records()[0]["failed"] is True


def test_display_never_shows_registered_secrets() -> None:
    from fluent_sdk._redact import register_secret

    register_secret("hunter2-super-secret")
    audit = [record(1, "exception", "Boom", "FAILED", at="2024-05-10T10:00:00Z",
                    attributes=attrs(message="login failed for hunter2-super-secret"))]  # fmt: skip
    timeline = AuditTimeline.build("ORDER", None, "HD-9", audit)
    assert "hunter2-super-secret" not in timeline.to_text()
    assert "hunter2-super-secret" not in timeline._repr_html_()
