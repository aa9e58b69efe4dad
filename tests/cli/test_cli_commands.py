"""Each command's happy path and its failure modes, against the sandbox."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .conftest import Cli, Served

LOCATIONS_QUERY = "{ locations(first: 10) { edges { node { ref name status } } } }"


# -- query -----------------------------------------------------------------------------------


def test_query_json_table_and_csv(cli: Cli) -> None:
    as_json = cli("query", LOCATIONS_QUERY, "--sandbox")
    assert as_json.exit_code == 0, as_json.output
    refs = {edge["node"]["ref"] for edge in json.loads(as_json.stdout)["locations"]["edges"]}
    assert refs == {"LOC_MELB", "LOC_SYD", "LOC_DC"}

    as_table = cli("query", LOCATIONS_QUERY, "--sandbox", "-o", "table")
    assert as_table.exit_code == 0
    assert "Distribution Centre" in as_table.stdout

    as_csv = cli("query", LOCATIONS_QUERY, "--sandbox", "--output", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {row["ref"] for row in rows} == refs
    assert set(rows[0]) == {"ref", "name", "status"}


def test_query_from_file_with_variables(cli: Cli, tmp_path: Path) -> None:
    document = tmp_path / "location.graphql"
    document.write_text(
        "query L($ref: [String]) { locations(ref: $ref) { edges { node { name } } } }"
    )
    result = cli("query", str(document), "--vars", '{"ref": ["LOC_SYD"]}', "--sandbox")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["locations"]["edges"] == [{"node": {"name": "Sydney Store"}}]


def test_query_is_validated_before_sending(cli: Cli, served: Served) -> None:
    before = len(served.sandbox.requests)
    result = cli("query", "{ locations { edges { node { colour } } } }")
    assert result.exit_code == 2
    assert "colour" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert len(served.sandbox.requests) == before  # nothing sent, not even a login


def test_query_bad_vars_and_missing_file_are_usage_errors(cli: Cli) -> None:
    assert cli("query", LOCATIONS_QUERY, "--vars", "{not json", "--sandbox").exit_code == 2
    assert cli("query", LOCATIONS_QUERY, "--vars", "[1]", "--sandbox").exit_code == 2
    assert cli("query", "no-such-file.graphql", "--sandbox").exit_code == 2


def test_query_graphql_error_is_an_api_error(cli: Cli) -> None:
    result = cli(
        "query",
        'mutation { createSetting(input: {name: "x", valueType: "STRING", value: "1", '
        'context: "NOPE", contextId: 0}) { id } }',
        "--sandbox",
    )
    # Either Fluent refuses the context, or it accepts it: both are one clean outcome.
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert len(result.stderr.strip().splitlines()) == 1


# -- events ----------------------------------------------------------------------------------


def test_events_send_search_and_get(cli: Cli, served: Served) -> None:
    sent = cli(
        "events",
        "send",
        "ActivateLocation",
        "--entity-type",
        "LOCATION",
        "--entity-ref",
        "LOC_SYD",
        "--attributes",
        '{"reason": "test"}',
        "--sync",
        "-o",
        "json",
    )
    assert sent.exit_code == 0, sent.output
    event_id = json.loads(sent.stdout)["eventId"]

    found = cli("events", "search", "--name", "ActivateLocation", "--since", "1h", "-o", "json")
    assert found.exit_code == 0, found.output
    assert event_id in [record["id"] for record in json.loads(found.stdout)]

    table = cli("events", "search", "--entity-ref", "LOC_SYD")
    assert table.exit_code == 0
    assert "ActivateLocation" in table.stdout

    got = cli("events", "get", event_id)
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["name"] == "ActivateLocation"


def test_events_rejected_sync_event_exits_1(cli: Cli) -> None:
    result = cli(
        "events",
        "send",
        "NoSuchRuleset",
        "--entity-type",
        "LOCATION",
        "--entity-ref",
        "LOC_SYD",
        "--sync",
        "--sandbox",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: EventRejectedError")


def test_events_usage_errors(cli: Cli) -> None:
    no_entity = cli("events", "send", "X", "--entity-type", "ORDER", "--sandbox")
    assert no_entity.exit_code == 2
    assert "entity" in no_entity.stderr
    assert cli("events", "search", "--since", "yesterday", "--sandbox").exit_code == 2
    assert cli("events", "send", "X", "--sandbox").exit_code == 2  # --entity-type missing


# -- jobs ------------------------------------------------------------------------------------


def test_jobs_create_and_status(cli: Cli, served: Served, tmp_path: Path) -> None:
    created = cli("jobs", "create", "cli-test", "--meta", '{"preprocessing": "skip"}')
    assert created.exit_code == 0, created.output
    job_id = created.stdout.strip()

    status = cli("jobs", "status", job_id)
    assert status.exit_code == 0, status.output
    assert "cli-test" in status.stdout

    stock = tmp_path / "stock.csv"
    stock.write_text("skuRef,locationRef,qty\nHEADPHONE001-BLK,LOC_MELB,7\n")
    update = cli("inventory", "update", str(stock), "-o", "json")
    assert update.exit_code == 0, update.output
    job_id = str(json.loads(update.stdout)["job_id"])
    job = json.loads(cli("jobs", "status", job_id, "-o", "json").stdout)
    batch_id = str(job["batch"][0]["batchId"])
    batch = cli("jobs", "status", job_id, "--batch", batch_id)
    assert batch.exit_code == 0, batch.output
    assert "COMPLETE" in batch.stdout


def test_jobs_unknown_job_exits_1(cli: Cli) -> None:
    result = cli("jobs", "status", "9999", "--sandbox")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("Error: NotFound")
    ]


# -- inventory -------------------------------------------------------------------------------


def test_inventory_update_with_checkpoint(cli: Cli, served: Served, tmp_path: Path) -> None:
    stock = tmp_path / "stock.csv"
    stock.write_text(
        "skuRef,locationRef,qty\n"
        + "".join(
            f"{sku},{location},{qty}\n"
            for qty, (sku, location) in enumerate(
                (sku, location)
                for sku in ("HEADPHONE001-BLK", "HEADPHONE001-WHT", "SPEAKER001")
                for location in ("LOC_MELB", "LOC_SYD", "LOC_DC")
            )
        )
    )
    checkpoint = tmp_path / "stock.ckpt"
    result = cli(
        "inventory",
        "update",
        str(stock),
        "--no-progress",
        "--checkpoint",
        str(checkpoint),
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["read"] == summary["accepted"] == 9
    assert checkpoint.exists()
    position = served.sandbox.execute(
        '{ inventoryPositions(ref: ["SPEAKER001:LOC_DC"]) { edges { node { onHand } } } }'
    )
    assert position["data"]["inventoryPositions"]["edges"][0]["node"]["onHand"] == 8


def test_inventory_rejected_records_exit_1(cli: Cli, tmp_path: Path) -> None:
    stock = tmp_path / "stock.csv"
    stock.write_text(
        "skuRef,locationRef,qty\nHEADPHONE001-BLK,LOC_MELB,3\nNO-SUCH-SKU,LOC_MELB,1\n,LOC_SYD,x\n"
    )
    rejected = tmp_path / "rejected.csv"
    result = cli("inventory", "update", str(stock), "--rejected", str(rejected), "--sandbox")
    assert result.exit_code == 1
    assert "2 of 3 records not accepted" in result.stderr
    assert "accepted" in result.stdout
    assert rejected.exists()


def test_inventory_missing_file_is_a_usage_error(cli: Cli) -> None:
    assert cli("inventory", "update", "nope.csv", "--sandbox").exit_code == 2


# -- catalogue -------------------------------------------------------------------------------


def test_catalogue_sample_sync_and_dry_run(cli: Cli, served: Served, tmp_path: Path) -> None:
    sample = cli("catalogue", "sample", "--products", "2", "--variants", "2")
    assert sample.exit_code == 0
    file = tmp_path / "catalogue.json"
    file.write_text(sample.stdout)

    plan = cli("catalogue", "sync", str(file), "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert "plan (dry run): 9 create" in plan.stdout  # 3 categories + 2 products + 4 variants
    assert (
        served.sandbox.execute(
            '{ standardProducts(ref: ["DEMO-SHIRT-002"]) { edges { node { ref } } } }'
        )["data"]["standardProducts"]["edges"]
        == []
    )

    done = cli("catalogue", "sync", str(file))
    assert done.exit_code == 0, done.output
    assert "done: 9 create" in done.stdout

    again = cli("catalogue", "sync", str(file), "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(again.stdout)))
    assert {row["action"] for row in rows} == {"unchanged"}


def test_catalogue_bad_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "bad.json"
    file.write_text('{"items": []}')
    assert cli("catalogue", "sync", str(file), "--sandbox").exit_code == 2
    file.write_text("{")
    assert cli("catalogue", "sync", str(file), "--sandbox").exit_code == 2


def test_catalogue_failed_items_exit_1(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "orphan.json"
    file.write_text(
        json.dumps({"categories": [{"ref": "ORPHAN", "name": "Orphan", "parent_ref": "NOT_THERE"}]})
    )
    result = cli("catalogue", "sync", str(file), "--sandbox")
    assert result.exit_code in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1


# -- settings --------------------------------------------------------------------------------


def test_settings_set_then_get(cli: Cli, served: Served) -> None:
    created = cli("settings", "set", "cli.test.mapping", '{"AU": "DC1"}', "--type", "JSON")
    assert created.exit_code == 0, created.output
    got = cli("settings", "get", "cli.test.mapping", "-o", "json")
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["value"] == {"AU": "DC1"}
    assert json.loads(got.stdout)["context"] == "RETAILER:1"


def test_settings_secret_looking_values_are_masked(cli: Cli, served: Served) -> None:
    assert cli("settings", "set", "acme.api_key", "k-123456789").exit_code == 0
    masked = cli("settings", "get", "acme.api_key")
    assert "k-123456789" not in masked.output
    assert "***" in masked.stdout
    assert "k-123456789" in cli("settings", "get", "acme.api_key", "--reveal").stdout


def test_settings_missing_and_bad_values(cli: Cli) -> None:
    missing = cli("settings", "get", "no.such.setting", "--sandbox")
    assert missing.exit_code == 1
    assert "not set" in missing.stderr
    assert cli("settings", "set", "x", "maybe", "--type", "BOOLEAN", "--sandbox").exit_code == 2
    assert cli("settings", "set", "x", "{", "--type", "JSON", "--sandbox").exit_code == 2


# -- workflows -------------------------------------------------------------------------------


def test_workflows_get_and_put(cli: Cli, served: Served, tmp_path: Path) -> None:
    file = tmp_path / "order-hd.json"
    got = cli("workflows", "get", "ORDER::HD", "--out", str(file))
    assert got.exit_code == 0, got.output
    workflow = json.loads(file.read_text())
    assert workflow["name"] == "ORDER::HD"

    put = cli("workflows", "put", str(file))
    assert put.exit_code == 0, put.output
    assert put.stdout.startswith("saved ")

    printed = cli("workflows", "get", "ORDER::HD")
    assert json.loads(printed.stdout)["name"] == "ORDER::HD"


def test_workflows_errors(cli: Cli, tmp_path: Path) -> None:
    assert cli("workflows", "get", "ORDERHD", "--sandbox").exit_code == 2
    assert cli("workflows", "get", "ORDER::NOPE", "--sandbox").exit_code == 1
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    assert cli("workflows", "put", str(bad), "--sandbox").exit_code == 2
