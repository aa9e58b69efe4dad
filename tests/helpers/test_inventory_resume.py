"""Resumable runs: an interrupted `inventory.update` rerun with the same checkpoint sends
nothing twice and loses nothing; plus the 100k-record runs (sync and async)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inventory_support import interrupted, make_sandbox, posted_records, record, unique_records

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk._client import ApiCall
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers.inventory import InventoryUpdateReport
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


def assert_all_positions_right(client: FluentClient) -> None:
    positions = on_hand(client)
    for expected in unique_records():
        assert positions[(expected["skuRef"], expected["locationRef"])] == expected["qty"]


def journal(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("concurrency", [1, 3])
def test_interrupted_input_then_resume_sends_each_record_once(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path, concurrency: int
) -> None:
    checkpoint = tmp_path / "run.ckpt"
    records = unique_records()  # 120 records, 12 batches of 10
    with pytest.raises(KeyboardInterrupt):
        client.inventory.update(
            interrupted(records, after=55),
            checkpoint=checkpoint,
            batch_size=10,
            concurrency=concurrency,
            **FAST,
        )
    # Batches read before the interruption were sent whole, unless still waiting to start.
    sent_before = len(posted_records(sandbox))
    assert sent_before % 10 == 0
    assert 10 <= sent_before <= 50
    kinds = [line["kind"] for line in journal(checkpoint)]
    assert kinds.count("sent") == kinds.count("done") == sent_before // 10

    report = client.inventory.update(
        records, checkpoint=checkpoint, batch_size=10, concurrency=concurrency, **FAST
    )

    posted = posted_records(sandbox)
    assert len(posted) == 120
    assert set(posted.values()) == {1}
    assert (report.read, report.accepted, report.resumed) == (120, 120, sent_before)
    assert report.sent == 120 - sent_before
    assert report.ok
    assert report.checkpoint == str(checkpoint)
    assert_all_positions_right(client)

    # A third run has nothing left to send.
    again = client.inventory.update(records, checkpoint=checkpoint, **FAST)
    assert (again.accepted, again.resumed, again.sent, again.job_id) == (120, 120, 0, None)
    assert sum(posted_records(sandbox).values()) == 120


def test_interrupt_while_polling_then_resume_polls_instead_of_resending(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkpoint = tmp_path / "run.ckpt"
    original = client.call
    calls = {"n": 0}

    def interrupt_third_poll(call: ApiCall[Any]) -> Any:
        if call.operation == "jobs.get_batch":
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt  # batch 3 is created but never polled
        return original(call)

    monkeypatch.setattr(client, "call", interrupt_third_poll)
    with pytest.raises(KeyboardInterrupt):
        client.inventory.update(
            unique_records(), checkpoint=checkpoint, batch_size=10, concurrency=1, **FAST
        )
    assert len(posted_records(sandbox)) == 30
    monkeypatch.setattr(client, "call", original)

    report = client.inventory.update(
        unique_records(), checkpoint=checkpoint, batch_size=10, concurrency=2, **FAST
    )
    assert set(posted_records(sandbox).values()) == {1}
    assert sandbox.requests.count("batch.create") == 12
    assert (report.accepted, report.resumed, report.sent, report.batches) == (120, 20, 90, 9)
    assert_all_positions_right(client)


def test_poll_failure_is_unknown_and_a_resume_completes_it(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.ckpt"
    sandbox.faults.server_error("batch.get", status=500, times=1)
    first = client.inventory.update(
        unique_records(),
        checkpoint=checkpoint,
        batch_size=60,
        concurrency=1,
        settle_timeout=0,
        **FAST,
    )
    assert (first.accepted, first.unknown) == (60, 60)
    [failed] = first.failed_batches
    assert failed.outcome == "unknown"
    assert failed.batch_id is not None
    assert "polled again on resume" in failed.error

    second = client.inventory.update(unique_records(), checkpoint=checkpoint, **FAST)
    assert (second.accepted, second.sent, second.resumed) == (120, 0, 60)
    assert second.ok
    assert sandbox.requests.count("batch.create") == 2


def test_unknown_post_outcome_is_not_resent_unless_asked(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.ckpt"
    sandbox.faults.read_timeout("batch.create", times=1)  # before commit: not created
    first = client.inventory.update(
        unique_records()[:20], checkpoint=checkpoint, settle_timeout=0, **FAST
    )
    assert first.unknown == 20
    assert posted_records(sandbox) == {}

    second = client.inventory.update(
        unique_records()[:20], checkpoint=checkpoint, settle_timeout=0, **FAST
    )
    assert (second.unknown, second.sent, second.resumed) == (20, 0, 20)
    assert "earlier run" in second.unknown_records[0].reason

    third = client.inventory.update(
        unique_records()[:20], checkpoint=checkpoint, resend_unknown=True, settle_timeout=0, **FAST
    )
    assert (third.accepted, third.sent) == (20, 20)
    fourth = client.inventory.update(
        unique_records()[:20], checkpoint=checkpoint, settle_timeout=0, **FAST
    )
    assert (fourth.accepted, fourth.sent) == (20, 0)
    assert set(posted_records(sandbox).values()) == {1}


def test_server_rejections_are_restored_on_resume(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.ckpt"
    sandbox.faults.fail_batch_records(refs={"SKU-002"}, message="nope")
    first = client.inventory.update(unique_records(), checkpoint=checkpoint, **FAST)
    again = client.inventory.update(unique_records(), checkpoint=checkpoint, **FAST)
    assert [(r.row, r.reason) for r in again.rejected] == [
        (r.row, r.reason) for r in first.rejected
    ]
    assert len(again.rejected) == 3
    assert again.accepted == first.accepted == 117


def test_a_changed_input_is_refused(client: FluentClient, sandbox: Sandbox, tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    client.inventory.update(unique_records()[:20], checkpoint=checkpoint, batch_size=10, **FAST)
    changed = unique_records()[:20]
    changed[3]["qty"] = 1234
    with pytest.raises(ValidationError) as caught:
        client.inventory.update(changed, checkpoint=checkpoint, **FAST)
    assert caught.value.field == "checkpoint"
    assert "rows 1-10" in str(caught.value)
    with pytest.raises(ValidationError, match="fewer records"):
        client.inventory.update(unique_records()[:15], checkpoint=checkpoint, **FAST)


def test_a_checkpoint_for_another_catalogue_is_refused(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.ckpt"
    client.inventory.update(unique_records()[:2], checkpoint=checkpoint, **FAST)
    requests = len(sandbox.requests)
    with pytest.raises(ValidationError) as caught:
        client.inventory.update(
            unique_records()[:2], checkpoint=checkpoint, catalogue_ref="OTHER:1", **FAST
        )
    assert caught.value.field == "checkpoint"
    assert len(sandbox.requests) == requests
    (tmp_path / "junk.ckpt").write_text('{"hello": 1}\n')
    with pytest.raises(ValidationError, match="not an inventory update checkpoint"):
        client.inventory.update([record(1)], checkpoint=tmp_path / "junk.ckpt", **FAST)


def test_a_torn_last_line_is_ignored(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "run.ckpt"
    client.inventory.update(unique_records()[:20], checkpoint=checkpoint, batch_size=10, **FAST)
    with checkpoint.open("a") as handle:
        handle.write('{"kind": "sent", "first": 21, "la')
    report = client.inventory.update(unique_records()[:30], checkpoint=checkpoint, **FAST)
    assert (report.accepted, report.resumed, report.sent) == (30, 20, 10)


async def test_async_interrupted_then_resumed(sandbox: Sandbox, tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt"
    async with sandbox.async_client() as client:
        with pytest.raises(KeyboardInterrupt):
            await client.inventory.update(
                interrupted(unique_records(), after=45),
                checkpoint=checkpoint,
                batch_size=10,
                concurrency=3,
                **FAST,
            )
        sent_before = len(posted_records(sandbox))
        assert sent_before % 10 == 0
        assert 10 <= sent_before <= 40
        report = await client.inventory.update(
            unique_records(), checkpoint=checkpoint, batch_size=10, **FAST
        )
    assert set(posted_records(sandbox).values()) == {1}
    assert (report.accepted, report.resumed, report.sent) == (120, sent_before, 120 - sent_before)


# -- 100k records --------------------------------------------------------------------------------

INVALID_EVERY = 20_011  # a few invalid records scattered through the input
TOTAL = 100_000


def big_input() -> Iterator[dict[str, Any]]:
    for n in range(1, TOTAL + 1):
        if n % INVALID_EVERY == 0:
            yield {"skuRef": "SKU-001", "locationRef": "LOC_DC", "qty": "not a number"}
        else:
            yield record(n)


def big_faults(sandbox: Sandbox) -> None:
    sandbox.faults.server_error("batch.create", status=500, skip=3)  # the 4th batch fails
    sandbox.faults.fail_batch_records(predicate=lambda r: r["qty"] % 9973 == 0)


def check_big(report: InventoryUpdateReport, sandbox: Sandbox) -> None:
    invalid = TOTAL // INVALID_EVERY
    server = sum(1 for n in range(1, TOTAL + 1) if n % 9973 == 0 and n % INVALID_EVERY)
    assert report.read == TOTAL
    assert report.accepted + len(report.rejected) == TOTAL
    assert report.invalid == invalid
    [failed] = report.failed_batches
    assert failed.outcome == "failed"
    assert report.count("batch_failed") == failed.records == 5000
    in_failed = set(range(failed.first_row, failed.last_row + 1))
    assert report.count("server") == sum(
        1 for n in range(1, TOTAL + 1) if n % 9973 == 0 and n % INVALID_EVERY and n not in in_failed
    )
    assert server >= report.count("server")
    posted = posted_records(sandbox)
    assert set(posted.values()) == {1}  # no record posted twice
    assert len(posted) == TOTAL - invalid - 5000 == report.sent
    rejected_rows = {r.row for r in report.rejected}
    assert len(rejected_rows) == len(report.rejected)
    assert all(n in posted or n in rejected_rows for n in range(1, TOTAL + 1))


@pytest.mark.slow
def test_100k_records_sync(client: FluentClient, sandbox: Sandbox) -> None:
    big_faults(sandbox)
    report = client.inventory.update(big_input(), concurrency=4, **FAST)
    check_big(report, sandbox)


@pytest.mark.slow
async def test_100k_records_async(sandbox: Sandbox) -> None:
    big_faults(sandbox)
    async with sandbox.async_client() as client:
        report = await client.inventory.update(big_input(), concurrency=4, **FAST)
    assert isinstance(client, AsyncFluentClient)
    check_big(report, sandbox)
