"""Outcomes settled within the run, against the independent fault server.

A batch POST whose reply is lost may or may not have created the batch. The run reads the
job's batches back and claims the one holding exactly those records; if none does, the
batch was not created and is sent again. A poll that answers garbage (an HTML page with
status 200, malformed JSON) is repeated with backoff. Only what cannot be settled by
``settle_timeout`` stays ``unknown``, and it is kept apart from ``rejected``. A lost reply to
the job creation is retried (an extra empty job is harmless).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.helpers.inventory import InventoryUpdateReport

from .fault_server import FaultServer
from .support import FAST_RETRY

FAST: dict[str, Any] = {"poll_interval": 0.01, "progress": False, "batch_size": 10}
RECORDS = 50  # five batches of ten


def records(count: int = RECORDS) -> list[dict[str, Any]]:
    return [{"skuRef": f"SKU-{i}", "locationRef": "LOC-1", "qty": i} for i in range(1, count + 1)]


def received(server: FaultServer) -> Counter[str]:
    """How many created batches carried each record (by skuRef)."""
    return Counter(
        entity["skuRef"] for batch in server.batches.values() for entity in batch["entities"]
    )


def assert_each_record_once(server: FaultServer, count: int = RECORDS) -> None:
    seen = received(server)
    assert set(seen) == {f"SKU-{i}" for i in range(1, count + 1)}
    assert set(seen.values()) == {1}, {ref: n for ref, n in seen.items() if n != 1}


@pytest.fixture
def server() -> FaultServer:
    return FaultServer()


@pytest.fixture
def client(server: FaultServer) -> Iterator[FluentClient]:
    with FluentClient(
        transport=server.transport(), retry=FAST_RETRY, **server.credentials()
    ) as client:
        yield client


async def async_update(server: FaultServer, **options: Any) -> InventoryUpdateReport:
    async with AsyncFluentClient(
        transport=server.async_transport(), retry=FAST_RETRY, **server.credentials()
    ) as client:
        return await client.inventory.update(records(), **{**FAST, **options})


# -- lost POST replies ---------------------------------------------------------------------------

#: Lost replies to one batch POST, each with whether the server created the batch.
LOST = {
    "dropped after commit": ("drop_after", {}),
    "dropped before commit": ("drop_before", {}),
    "slow past the read timeout": ("slow", {"delay": 5}),
}


@pytest.mark.parametrize("lost", sorted(LOST))
@pytest.mark.parametrize("concurrency", [1, 3])
def test_lost_batch_reply_is_settled_within_the_run(
    server: FaultServer, lost: str, concurrency: int
) -> None:
    kind, options = LOST[lost]
    server.fault("batch.create", kind, nth=2, **options)
    with FluentClient(
        transport=server.transport(), retry=FAST_RETRY, timeout=0.2, **server.credentials()
    ) as client:
        report = client.inventory.update(records(), concurrency=concurrency, **FAST)
    assert report.ok, report.summary()
    assert (report.accepted, report.unknown, len(report.rejected)) == (RECORDS, 0, 0)
    assert report.failed_batches == []
    assert_each_record_once(server)
    # Created batches were found by reading the job back, not by sending them again.
    assert server.requests("job.get")
    assert len(server.batches) == 5
    # Sent again only when the server never got it: five batches, five POSTs otherwise.
    assert len(server.requests("batch.create")) == (6 if kind == "drop_before" else 5)


async def test_async_lost_batch_reply_is_settled_within_the_run(server: FaultServer) -> None:
    server.fault("batch.create", "drop_after", nth=3)
    server.fault("batch.create", "drop_before", nth=5)
    report = await async_update(server, concurrency=2)
    assert report.ok, report.summary()
    assert report.unknown == 0
    assert_each_record_once(server)


# -- polls that answer garbage -------------------------------------------------------------------


@pytest.mark.parametrize("garbage", ["html", "malformed_json"])
def test_a_poll_answering_garbage_is_polled_again(
    server: FaultServer, client: FluentClient, garbage: str
) -> None:
    server.fault("batch.get", garbage, nth=2, times=2)
    report = client.inventory.update(records(), concurrency=2, **FAST)
    assert report.ok, report.summary()
    assert (report.accepted, report.unknown) == (RECORDS, 0)
    assert_each_record_once(server)


async def test_async_poll_answering_html_is_polled_again(server: FaultServer) -> None:
    server.fault("batch.get", "html", nth=1, times=3)
    report = await async_update(server)
    assert report.ok, report.summary()
    assert_each_record_once(server)


def test_what_cannot_be_settled_is_unknown_not_rejected(
    server: FaultServer, client: FluentClient, tmp_path: Path
) -> None:
    server.fault("batch.get", "html", nth=1, times=10_000)  # every poll, for good
    report = client.inventory.update(records(20), settle_timeout=0.2, **FAST)
    assert (report.accepted, len(report.rejected), report.unknown) == (0, 0, 20)
    assert not report.ok
    assert not report.settled
    assert {r.stage for r in report.unknown_records} == {"unknown_outcome"}
    assert all(r.batch_id for r in report.unknown_records)
    summary = report.summary()
    assert (summary["rejected"], summary["unknown_outcome"]) == (0, 20)
    assert "unknown=20" in repr(report)
    # rejected.csv holds only what was rejected; the unknown ones have their own file.
    assert report.to_csv(tmp_path / "rejected.csv") == 0
    assert report.unknown_to_csv(tmp_path / "unknown.csv") == 20
    assert (tmp_path / "unknown.csv").read_text().count("unknown_outcome") == 20


def test_a_resume_settles_what_the_run_could_not(
    server: FaultServer, client: FluentClient, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "stock.ckpt"
    server.fault("batch.create", "drop_after", nth=1)
    server.fault("job.get", "html", nth=1, times=10_000)  # the job cannot be read back
    first = client.inventory.update(records(20), checkpoint=checkpoint, settle_timeout=0.2, **FAST)
    assert (first.accepted, first.unknown) == (10, 10)
    server._faults.clear()  # the server reads well again

    second = client.inventory.update(records(20), checkpoint=checkpoint, **FAST)
    assert second.ok, second.summary()
    assert (second.sent, second.resumed) == (0, 10)
    assert_each_record_once(server, 20)


# -- the job creation ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["drop_after", "drop_before", "html"])
def test_a_lost_reply_to_the_job_creation_is_retried(
    server: FaultServer, client: FluentClient, kind: str
) -> None:
    server.fault("job.create", kind, nth=1)
    report = client.inventory.update(records(), **FAST)
    assert report.ok, report.summary()
    assert_each_record_once(server)
    # At most one extra (empty) job: harmless, it closes at midnight UTC.
    assert len(server.jobs) == (2 if kind == "drop_after" else 1)
    used = {batch["jobId"] for batch in server.batches.values()}
    assert used == {report.job_id}


async def test_async_lost_reply_to_the_job_creation_is_retried(server: FaultServer) -> None:
    server.fault("job.create", "drop_after", nth=1)
    report = await async_update(server)
    assert report.ok, report.summary()
    assert_each_record_once(server)


# -- the command line ----------------------------------------------------------------------------


def test_cli_exit_code_and_files_tell_unknown_from_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 3 and an ``--unknown`` file when nothing was rejected but outcomes are unknown."""
    from fluent_sdk.cli import build_app
    from fluent_sdk.helpers import inventory as inventory_module

    stock = tmp_path / "stock.csv"
    stock.write_text("skuRef,locationRef,qty\nSKU-1,LOC-1,5\nSKU-2,LOC-1,6\n")
    unknown_report = InventoryUpdateReport(read=2)
    rejected_report = InventoryUpdateReport(read=2)
    from fluent_sdk.helpers._inventory_report import RejectedRecord

    unknown_report.unknown_records = [
        RejectedRecord(1, "unknown_outcome", "lost", {"skuRef": "SKU-1"}),
        RejectedRecord(2, "unknown_outcome", "lost", {"skuRef": "SKU-2"}),
    ]
    rejected_report.accepted = 1
    rejected_report.rejected = [RejectedRecord(2, "server", "404: nope", {"skuRef": "SKU-2"})]
    answers = iter([unknown_report, rejected_report])
    monkeypatch.setattr(inventory_module.Inventory, "update", lambda self, *a, **k: next(answers))

    runner, app = CliRunner(), build_app()
    args = ["inventory", "update", str(stock), "--sandbox", "--no-progress"]
    unsettled = runner.invoke(
        app, [*args, "--unknown", str(tmp_path / "u.csv"), "--rejected", str(tmp_path / "r.csv")]
    )
    assert unsettled.exit_code == 3, unsettled.output
    assert "unknown outcome" in unsettled.output
    assert (tmp_path / "u.csv").read_text().count("unknown_outcome") == 2
    assert not (tmp_path / "r.csv").exists()

    rejected = runner.invoke(app, args)
    assert rejected.exit_code == 1, rejected.output
