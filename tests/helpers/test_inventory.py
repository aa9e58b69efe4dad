"""`client.inventory.update` / `send_deltas` / `positions` against the in-process sandbox."""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inventory_support import (
    LOCATIONS,
    PRODUCTS,
    make_sandbox,
    posted_records,
    record,
    unique_records,
)

from fluent_sdk import FluentClient
from fluent_sdk._client import ApiCall
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers import _inventory_run
from fluent_sdk.helpers.inventory import Inventory, InventoryRecord, InventoryUpdateReport
from fluent_sdk.sandbox import Sandbox

FAST = {"poll_interval": 0.01, "progress": False}


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[FluentClient]:
    with sandbox.client() as client:
        yield client


def on_hand(client: FluentClient) -> dict[tuple[str, str | None], int | None]:
    return {(p.product_ref, p.location_ref): p.on_hand for p in client.inventory.positions()}


def assert_accounted(report: InventoryUpdateReport, read: int) -> None:
    """Every record read is accepted, rejected or of unknown outcome, once."""
    assert report.read == read
    assert report.accepted + len(report.rejected) + report.unknown == read
    reported = [r.row for r in [*report.rejected, *report.unknown_records]]
    assert len(set(reported)) == len(reported)


def test_client_inventory_is_the_helper(client: FluentClient) -> None:
    assert isinstance(client.inventory, Inventory)


def test_update_sends_valid_records_and_reports_invalid_ones(
    client: FluentClient, sandbox: Sandbox
) -> None:
    records: list[Any] = unique_records()
    records.insert(5, {"skuRef": "SKU-000", "qty": 3})  # row 6: no location
    records.insert(10, {"skuRef": "SKU-001", "locationRef": "LOC_DC", "qty": "many"})  # row 11
    records.append(InventoryRecord(sku_ref="SPEAKER001", location_ref="LOC_DC", qty=9999))

    report = client.inventory.update(records, batch_size=50, **FAST)

    assert_accounted(report, 123)
    assert report.accepted == 121
    assert report.sent == 121
    assert report.batches == 3
    assert report.job_id is not None
    assert [(r.row, r.stage, r.field) for r in report.rejected] == [
        (6, "validation", "locationRef"),
        (11, "validation", "qty"),
    ]
    assert report.rejected[0].reason.startswith("row 6: locationRef: Field required")
    assert "row 11: qty:" in report.rejected[1].reason
    assert report.rejected[1].record == {
        "skuRef": "SKU-001",
        "locationRef": "LOC_DC",
        "qty": "many",
    }
    # Nothing invalid reached the sandbox; every valid record arrived once.
    posted = posted_records(sandbox)
    assert set(posted.values()) == {1}
    assert len(posted) == 121
    positions = on_hand(client)
    assert all(positions[(r["skuRef"], r["locationRef"])] == r["qty"] for r in unique_records())
    assert positions[("SPEAKER001", "LOC_DC")] == 9999


def test_batches_reuse_todays_job_and_fill_retailer_and_catalogue(
    client: FluentClient, sandbox: Sandbox
) -> None:
    first = client.inventory.update(unique_records()[:10], batch_size=4, **FAST)
    second = client.inventory.update(unique_records()[10:20], source="ERP", **FAST)
    assert first.job_id == second.job_id
    assert sandbox.requests.count("job.create") == 1
    bodies = [json.loads(r.body) for r in sandbox.requests.filter("batch.create")]
    assert [len(b["entities"]) for b in bodies] == [4, 4, 2, 10]
    assert {b["catalogueRef"] for b in bodies} == {"DEFAULT:1"}
    assert bodies[-1]["source"] == "ERP"
    assert all(e["retailerId"] == 1 for b in bodies for e in b["entities"])


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"batch_size": 5001}, "batch_size"),
        ({"batch_size": 0}, "batch_size"),
        ({"concurrency": 0}, "concurrency"),
        ({"job_name": " "}, "job_name"),
        ({"catalogue_ref": ""}, "catalogue_ref"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"source": 5}, "source"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    client: FluentClient, sandbox: Sandbox, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.inventory.update([record(1)], **arguments)
    assert caught.value.field == field
    assert len(sandbox.requests) == 0


@pytest.mark.parametrize(
    "source", [{"skuRef": "A", "locationRef": "B", "qty": 1}, 42, b"x", "missing.csv", "x.txt"]
)
def test_unreadable_sources_fail_before_any_request(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path, source: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("skuRef\n")
    with pytest.raises(ValidationError) as caught:
        client.inventory.update(source, **FAST)
    assert caught.value.field == "records"
    assert len(sandbox.requests) == 0


def test_csv_input(client: FluentClient, sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "stock.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["skuRef", "locationRef", "qty", "correctedQty", "attributes.channel"])
        writer.writerow(["SKU-000", "LOC_MELB", "12", "", "web"])
        writer.writerow(["SKU-001", "LOC_MELB", "twelve", "", ""])
        writer.writerow(["SKU-002", "", "4", "", ""])
        writer.writerow(["SKU-003", "LOC_SYD", "5", "1", ""])
    report = client.inventory.update(str(path), **FAST)
    assert_accounted(report, 4)
    assert report.accepted == 2
    assert [(r.row, r.field) for r in report.rejected] == [(2, "qty"), (3, "locationRef")]
    entities = json.loads(sandbox.requests.filter("batch.create")[0].body)["entities"]
    assert entities == [
        {"skuRef": "SKU-000", "locationRef": "LOC_MELB", "qty": 12,
         "attributes": {"channel": "web"}, "retailerId": 1},
        {"skuRef": "SKU-003", "locationRef": "LOC_SYD", "qty": 5, "correctedQty": 1,
         "retailerId": 1},
    ]  # fmt: skip


def test_jsonl_input_reports_undecodable_lines(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "stock.jsonl"
    lines = [json.dumps(record(n)) for n in range(3)]
    lines.insert(1, "{not json")
    path.write_text("\n".join(lines) + "\n\n")
    report = client.inventory.update(path, **FAST)
    assert_accounted(report, 4)
    assert report.accepted == 3
    assert report.rejected[0].row == 2
    assert "not valid JSON" in report.rejected[0].reason
    assert report.rejected[0].record == {"line": "{not json"}
    assert len(posted_records(sandbox)) == 3


def test_dataframe_input(client: FluentClient, sandbox: Sandbox) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "skuRef": ["SKU-000", "SKU-001", "SKU-002"],
            "locationRef": ["LOC_DC", "LOC_DC", None],
            "qty": [1, 2, 3],
            "reservedQty": [None, 1.0, None],
        }
    )
    report = client.inventory.update(frame, **FAST)
    assert_accounted(report, 3)
    assert report.accepted == 2
    assert [(r.row, r.field) for r in report.rejected] == [(3, "locationRef")]
    entities = json.loads(sandbox.requests.filter("batch.create")[0].body)["entities"]
    assert entities[1] == {
        "skuRef": "SKU-001", "locationRef": "LOC_DC", "qty": 2, "reservedQty": 1, "retailerId": 1
    }  # fmt: skip


def test_server_rejections_are_reported_per_record(client: FluentClient, sandbox: Sandbox) -> None:
    sandbox.faults.fail_batch_records(refs={"SKU-003"}, message="boom")
    records = [*unique_records()[:10], {"skuRef": "NO-SUCH", "locationRef": "LOC_DC", "qty": 1}]
    report = client.inventory.update(records, **FAST)
    assert_accounted(report, 11)
    assert [(r.row, r.stage) for r in report.rejected] == [(4, "server"), (11, "server")]
    assert report.rejected[0].reason == "500: boom"
    assert "404" in report.rejected[1].reason
    assert report.rejected[1].record["skuRef"] == "NO-SUCH"
    assert report.rejected[1].batch_id is not None


def test_failed_batch_post_is_reported_and_the_run_goes_on(
    client: FluentClient, sandbox: Sandbox
) -> None:
    sandbox.faults.server_error("batch.create", status=500, skip=1)
    report = client.inventory.update(unique_records(), batch_size=40, concurrency=1, **FAST)
    assert_accounted(report, 120)
    assert report.accepted == 80
    assert report.count("batch_failed") == 40
    assert {r.row for r in report.rejected} == set(range(41, 81))
    [failed] = report.failed_batches
    assert (failed.first_row, failed.last_row, failed.records, failed.outcome) == (
        41, 80, 40, "failed"
    )  # fmt: skip
    assert "500" in failed.error
    assert sandbox.requests.count("batch.create") == 3  # a plain 500 on a POST is not retried


def test_post_timeout_is_unknown_outcome_and_not_resent(
    client: FluentClient, sandbox: Sandbox
) -> None:
    sandbox.faults.read_timeout("batch.create", after_commit=True, skip=1)
    report = client.inventory.update(
        unique_records(), batch_size=40, concurrency=2, settle_timeout=0, **FAST
    )
    assert_accounted(report, 120)
    assert report.accepted == 80
    assert report.unknown == 40
    [failed] = report.failed_batches
    assert failed.outcome == "unknown"
    assert "may or may not have been created" in failed.error
    # The batch was created (after commit) and was not sent a second time.
    assert sandbox.requests.count("batch.create") == 3
    assert set(posted_records(sandbox).values()) == {1}


def test_connection_refused_batch_is_retried_by_the_transport(
    client: FluentClient, sandbox: Sandbox
) -> None:
    sandbox.faults.drop_connection("batch.create", times=1)
    sandbox.faults.rate_limit("batch.create", retry_after=0, times=1)
    report = client.inventory.update(unique_records()[:10], **FAST)
    assert report.accepted == 10
    assert report.ok
    assert len(posted_records(sandbox)) == 10


def first_page_of(size: int, client: FluentClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the sandbox page each batch's results: the first GET of a batch answers ``size``."""
    original = client.call

    def paged(call: ApiCall[Any]) -> Any:
        if call.operation == "jobs.get_batch" and not call.params:
            call = dataclasses.replace(call, params={"count": size})
        return original(call)

    monkeypatch.setattr(client, "call", paged)


def test_paged_batch_results_are_all_read(
    client: FluentClient, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fluent may page a batch's results: the rest are fetched with ``start``, and rejected
    results on every page are matched to their records by position."""
    sandbox.faults.fail_batch_records(refs={"SKU-005", "SKU-039"})
    first_page_of(30, client, monkeypatch)
    report = client.inventory.update(unique_records(), **FAST)
    assert_accounted(report, 120)
    assert report.accepted == 114
    # Row 6 is on the first page of results, the others on the second.
    assert sorted(r.row for r in report.rejected) == [6, 40, 46, 80, 86, 120]
    assert {r.record["skuRef"] for r in report.rejected} == {"SKU-005", "SKU-039"}
    assert all(r.stage == "server" and r.reason.startswith("500: ") for r in report.rejected)
    pages = [r.query_string for r in sandbox.requests.filter("batch.get")]
    assert any("start=30" in q for q in pages)


def test_report_exports(client: FluentClient, tmp_path: Path) -> None:
    records: list[Any] = unique_records()[:5]
    records.append({"skuRef": "SKU-001", "qty": 1, "attributes": {"a": 1}})
    report = client.inventory.update(records, **FAST)
    assert repr(report).startswith("<InventoryUpdateReport read=6 accepted=5 rejected=1")
    rows = report.to_records()
    assert rows[0]["row"] == 6
    assert rows[0]["stage"] == "validation"
    assert rows[0]["attributes.a"] == 1
    path = tmp_path / "rejected.csv"
    assert report.to_csv(path) == 1
    with path.open() as handle:
        [written] = list(csv.DictReader(handle))
    assert written["row"] == "6"
    assert written["field"] == "locationRef"
    assert written["skuRef"] == "SKU-001"
    html = report._repr_html_()
    assert "Inventory update" in html
    assert "accepted" in html
    pd = pytest.importorskip("pandas")
    frame = report.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["row"]) == [6]


def test_empty_input_opens_no_job(client: FluentClient, sandbox: Sandbox) -> None:
    report = client.inventory.update([], **FAST)
    assert (report.read, report.accepted, report.job_id) == (0, 0, None)
    assert sandbox.requests.count("job.create") == 0


# -- progress ----------------------------------------------------------------------------------


class FakeBar:
    made: list[FakeBar] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.count = 0
        self.closed = False
        FakeBar.made.append(self)

    def update(self, count: int) -> None:
        self.count += count

    def set_postfix(self, **kwargs: Any) -> None:
        pass

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> type[FakeBar]:
    import tqdm.auto

    FakeBar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", FakeBar)
    return FakeBar


def test_progress_is_off_when_stderr_is_not_a_terminal(
    client: FluentClient, fake_tqdm: type[FakeBar]
) -> None:
    assert not sys.stderr.isatty()
    client.inventory.update(unique_records()[:3], poll_interval=0.01, progress=True)
    assert fake_tqdm.made == []


def test_progress_bar_in_a_terminal_counts_every_record(
    client: FluentClient, fake_tqdm: type[FakeBar], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    records: list[Any] = unique_records()[:7]
    records.append({"qty": 1})
    client.inventory.update(records, batch_size=3, poll_interval=0.01)
    [bar] = fake_tqdm.made
    assert bar.kwargs["total"] == 8
    assert bar.count == 8
    assert bar.closed
    client.inventory.update(records, poll_interval=0.01, progress=False)
    assert len(fake_tqdm.made) == 1


def test_progress_without_tqdm_installed_is_silently_off(
    client: FluentClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import fails
    report = client.inventory.update(unique_records()[:3], poll_interval=0.01)
    assert report.accepted == 3
    assert _inventory_run._progress_bar(3) is None


# -- deltas and positions --------------------------------------------------------------------


def test_send_deltas_raises_one_inventory_delta_event_each(
    client: FluentClient, sandbox: Sandbox
) -> None:
    changes = [
        {"productRef": "SKU-000", "locationRef": "LOC_MELB", "qty": -2, "deltaId": "POS-1"},
        {"skuRef": "SKU-001", "locationRef": "LOC_SYD", "qty": 5},
        {"productRef": "SKU-002", "qty": -1},
    ]
    report = client.inventory.send_deltas(changes)
    assert (report.read, report.sent) == (3, 2)
    [invalid] = report.failed
    assert (invalid.row, invalid.stage, invalid.field) == (3, "validation", "locationRef")
    assert "row 3" in invalid.reason
    events = [e for e in sandbox.events if e["name"] == "INVENTORY_DELTA"]
    assert len(events) == 2
    first = events[0]
    assert first["context"]["entityType"] == "INVENTORY_CATALOGUE"
    assert first["context"]["entityRef"] == "DEFAULT:1"
    assert first["context"]["rootEntityRef"] == "DEFAULT:1"
    assert first["context"]["entitySubtype"] == "DEFAULT"
    assert first["retailerId"] == "1"
    by_id = {e["attributes"]["deltaId"]: e["attributes"] for e in events}
    assert by_id["POS-1"] == {
        "productRef": "SKU-000", "locationRef": "LOC_MELB", "qty": -2, "deltaId": "POS-1",
        "type": "DELTA",
    }  # fmt: skip
    assert set(report.event_ids) == set(by_id)  # a generated delta id is reported


def test_send_deltas_reports_failed_sends(client: FluentClient, sandbox: Sandbox) -> None:
    sandbox.faults.server_error("event.async", status=500, times=1)
    report = client.inventory.send_deltas(
        [{"productRef": "SKU-000", "locationRef": "LOC_DC", "qty": -1, "deltaId": "D1"}],
        event_name="MY_DELTA",
        concurrency=1,
    )
    assert report.sent == 0
    assert [(f.delta_id, f.stage) for f in report.failed] == [("D1", "failed")]
    assert "DeltaReport read=1 sent=0 failed=1" in repr(report)


def test_send_deltas_bad_arguments(client: FluentClient, sandbox: Sandbox) -> None:
    with pytest.raises(ValidationError) as caught:
        client.inventory.send_deltas({"productRef": "x"})  # type: ignore[arg-type]
    assert caught.value.field == "changes"
    with pytest.raises(ValidationError) as caught:
        client.inventory.send_deltas([], event_name="")
    assert caught.value.field == "event_name"
    assert len(sandbox.requests) == 0


def test_positions_filter_and_carry_quantities(client: FluentClient) -> None:
    client.inventory.update(
        [{"skuRef": "SKU-005", "locationRef": loc, "qty": 9} for loc in LOCATIONS], **FAST
    )
    found = list(client.inventory.positions(product_ref="SKU-005", location_ref=["LOC_SYD"]))
    [position] = found
    assert (position.ref, position.on_hand) == ("SKU-005:LOC_SYD", 9)
    quantities = [edge.node for edge in position.quantities.edges if edge]  # type: ignore[union-attr]
    assert [(q.type_, q.quantity) for q in quantities] == [("LAST_ON_HAND", 9)]
    assert len(list(client.inventory.positions(product_ref=list(PRODUCTS[:2]), page_size=2))) == 0
    with pytest.raises(ValidationError) as caught:
        client.inventory.positions(product_ref=[""])
    assert caught.value.field == "product_ref"


def test_notebook_without_widgets_gets_the_plain_text_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    import tqdm.auto
    import tqdm.notebook
    from tqdm import std

    real_find_spec = importlib.util.find_spec
    # In a kernel, tqdm.auto resolves to the notebook bar.
    monkeypatch.setattr(tqdm.auto, "tqdm", tqdm.notebook.tqdm)
    monkeypatch.setattr(_inventory_run, "_in_notebook", lambda: True)
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "ipywidgets" else real_find_spec(name, *args),
    )
    bar = _inventory_run._progress_bar(3)
    try:
        assert type(bar) is std.tqdm  # not tqdm.notebook's, which warns without widgets
    finally:
        bar.close()
