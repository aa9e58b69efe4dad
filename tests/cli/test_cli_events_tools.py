"""``fluent-sdk events``: send's outcome and exit codes, send-many, audit, search --until."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .conftest import Cli, Served

CREATE_ORDER = "mutation($input: CreateOrderInput) { createOrder(input: $input) { id } }"


def create_order(served: Served, ref: str) -> None:
    served.sandbox.execute(
        CREATE_ORDER,
        {"input": {"ref": ref, "type": "HD", "retailer": {"id": "1"}, "customer": {"id": "1"},
                   "items": [{"ref": f"{ref}-1", "productRef": "SPEAKER001",
                              "productCatalogueRef": "PC:MASTER:1", "quantity": 1}]}},
    )  # fmt: skip


def test_async_send_to_a_missing_order_says_the_outcome_is_unknown(cli: Cli) -> None:
    result = cli(
        "events", "send", "BookOrder", "--entity-type", "ORDER", "--entity-ref", "HD-1",
        "--sandbox",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "outcome is unknown until Fluent processes it" in result.stderr


def test_sync_send_that_matches_nothing_exits_1_naming_the_event(cli: Cli) -> None:
    result = cli(
        "events", "send", "BookOrder", "--entity-type", "ORDER", "--entity-ref", "HD-1",
        "--sync", "--sandbox",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: EventRejectedError: event 'BookOrder' on ORDER ref HD-1 finished NO_MATCH"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_misspelt_entity_type_is_a_usage_error(cli: Cli, served: Served) -> None:
    before = len(served.sandbox.requests)
    result = cli("events", "send", "X", "--entity-type", "FULFILLMENT", "--entity-id", "1")
    assert result.exit_code == 2
    assert "did you mean 'FULFILMENT'?" in result.stderr
    assert len(served.sandbox.requests) == before


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("name,entityType,entityRef,attributes.reason\n" + "\n".join(rows) + "\n")
    return path


def test_send_many_all_complete_exits_0(cli: Cli, served: Served, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "events.csv", [
        "DeactivateLocation,LOCATION,LOC_MELB,audit", "ActivateLocation,LOCATION,LOC_MELB,",
    ])  # fmt: skip
    result = cli("events", "send-many", str(file), "-o", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["read"], summary["complete"]) == (2, 2)
    assert not (tmp_path / "events.csv.failures.csv").exists()
    assert served.sandbox.requests.count("event.sync") == 2


def test_send_many_with_failures_exits_1_and_writes_them(
    cli: Cli, served: Served, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "events.csv", [
        "DeactivateLocation,LOCATION,LOC_MELB,", "X,LOCATON,LOC_SYD,", "Nope,LOCATION,LOC_SYD,",
    ])  # fmt: skip
    result = cli("events", "send-many", str(file), "--concurrency", "2")
    assert result.exit_code == 1
    assert "Error: 2 of 3 events did not succeed (first: events[1] INVALID" in result.stderr
    rows = read_rows(tmp_path / "events.csv.failures.csv")
    assert [(row["index"], row["outcome"]) for row in rows] == [("1", "INVALID"), ("2", "NO_MATCH")]
    assert "did you mean 'LOCATION'?" in rows[0]["error"]
    assert served.sandbox.requests.count("event.sync") == 2  # the invalid row was not sent

    jsonl = tmp_path / "failed.jsonl"
    again = cli("events", "send-many", str(file), "--failures", str(jsonl), "--mode", "async")
    assert again.exit_code == 1  # the invalid row; the others are queued
    assert "2 event(s) queued; their outcome is unknown" in again.stderr
    assert [json.loads(line)["outcome"] for line in jsonl.read_text().splitlines()] == ["INVALID"]


def test_send_many_with_lost_replies_only_exits_3(cli: Cli, served: Served, tmp_path: Path) -> None:
    served.sandbox.faults.read_timeout("event.sync", after_commit=True, times=1, hang=0.5)
    file = write_csv(tmp_path / "events.csv", ["DeactivateLocation,LOCATION,LOC_MELB,"])
    result = cli("events", "send-many", str(file))
    assert result.exit_code == 3, result.output
    assert "unknown outcome" in result.stderr
    rows = read_rows(tmp_path / "events.csv.failures.csv")
    assert [row["outcome"] for row in rows] == ["UNKNOWN"]


def test_send_many_unreadable_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "events.txt").write_text("x")
    assert cli("events", "send-many", str(tmp_path / "events.txt"), "--sandbox").exit_code == 2
    assert cli("events", "send-many", str(tmp_path / "none.csv"), "--sandbox").exit_code == 2


def test_audit_prints_the_tree(cli: Cli, served: Served) -> None:
    create_order(served, "WEB-1001")
    served.sandbox.add_transition("ORDER", "FraudCheck", fails_with="score 97 > 80")
    for name in ("BookOrder", "FraudCheck"):
        cli("events", "send", name, "--entity-type", "ORDER", "--entity-ref", "WEB-1001")
    result = cli("events", "audit", "ORDER", "--ref", "WEB-1001")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ORDER ref WEB-1001: 2 source events, 6 audit entries, 1 failure"
    assert lines[1].startswith("├── event BookOrder  COMPLETE")
    assert "✗ exception RuleExecutionException  FAILED: score 97 > 80" in result.stdout
    as_json = cli("events", "audit", "ORDER", "--ref", "WEB-1001", "-o", "json")
    assert [row["kind"] for row in json.loads(as_json.stdout)][:2] == ["event", "ruleset"]
    window = cli("events", "audit", "ORDER", "--ref", "WEB-1001", "--until", "1h")
    assert "0 source events" in window.stdout


def test_audit_usage_errors(cli: Cli) -> None:
    assert cli("events", "audit", "ORDER", "--sandbox").exit_code == 2
    typo = cli("events", "audit", "ORDERS", "--ref", "X", "--sandbox")
    assert typo.exit_code == 2
    assert "did you mean 'ORDER'?" in typo.stderr


def test_search_until_ends_the_window(cli: Cli, served: Served) -> None:
    sent = cli("events", "send", "ActivateLocation", "--entity-type", "LOCATION",
               "--entity-ref", "LOC_SYD", "--sync", "-o", "json")  # fmt: skip
    event_id = json.loads(sent.stdout)["eventId"]
    recent = cli("events", "search", "--name", "ActivateLocation", "--until", "1h", "-o", "json")
    assert recent.exit_code == 0, recent.output
    assert event_id not in [record["id"] for record in json.loads(recent.stdout)]
    now = cli("events", "search", "--name", "ActivateLocation", "-o", "json")
    assert event_id in [record["id"] for record in json.loads(now.stdout)]
    assert cli("events", "search", "--until", "tomorrow", "--sandbox").exit_code == 2
