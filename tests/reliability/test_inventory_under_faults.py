"""A 100k-record `inventory.update` through every kind of fault the sandbox can inject.

One run per client (sync, async) with all faults at once: token expiry mid-run (twice, each a
burst of 401s for the batches in flight), a failing token request, 429 bursts with Retry-After,
502/503/504, dropped connections and read timeouts before and after the batch was created,
per-record server failures and malformed input rows. Afterwards every record must be accepted
or reported, no row may have reached a created batch twice, and every ``unknown_outcome`` batch
must be explained by what the sandbox holds (`support.check_inventory_accounting`). Lost POST
replies are settled within the run (the job's batches are read back), so none stays unknown.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from fluent_sdk.helpers.inventory import InventoryUpdateReport
from fluent_sdk.sandbox import Sandbox
from fluent_sdk.sandbox.faults import FaultRule

from .support import FAST_RETRY, check_inventory_accounting, make_sandbox, record

#: Records per run. The sandbox handles ~4-5k records/s today; keep at 100k.
SIZE = 100_000
#: 40 batches: enough batch POSTs for every fault rule below to fire.
BATCH_SIZE = 2_500
#: Every run must finish well within this (seconds); a hang or runaway retries fails the test.
TIME_LIMIT = 180.0
#: Rows whose record is malformed (reported as ``validation``, never sent).
INVALID_EVERY = 10_007
#: Rows the sandbox rejects per record (``server``).
SERVER_REJECTS_EVERY = 997
#: The second token expiry is armed when the input reaches this row.
SECOND_EXPIRY_AT = 60_000

UPDATE = {
    "batch_size": BATCH_SIZE,
    "concurrency": 4,
    "poll_interval": 0.01,
    "progress": False,
}


def inject_faults(sandbox: Sandbox) -> dict[str, FaultRule]:
    """Every fault at once. Rules are consulted in order; ``skip`` spreads them over the run."""
    faults = sandbox.faults
    rules = {
        # The first token request fails; token requests are always retried.
        "token_503": faults.server_error("oauth.token", status=503, times=1),
        # Retried (Fluent turned them away): 429 bursts with Retry-After, lost connections.
        "create_429": faults.rate_limit("batch.create", retry_after=1, times=3, skip=2),
        "create_drop": faults.drop_connection("batch.create", times=2, skip=10),
        # Not retried (a POST), the batch was not created: reported batch_failed.
        "create_503": faults.server_error("batch.create", status=503, times=1, skip=5),
        # Not retried, and Fluent may have created the batch: settled within the run.
        "create_502": faults.server_error("batch.create", status=502, times=1, skip=8),
        "create_timeout": faults.read_timeout("batch.create", times=1, skip=18),
        "create_drop_after": faults.drop_connection(
            "batch.create", after_commit=True, times=1, skip=14
        ),
        "create_timeout_after": faults.read_timeout(
            "batch.create", after_commit=True, times=1, skip=22
        ),
        # Polls are idempotent: every one of these is retried away.
        "poll_504": faults.server_error("batch.get", status=504, times=3, skip=4),
        "poll_502": faults.server_error("batch.get", status=502, times=2, skip=10),
        "poll_503": faults.server_error("batch.get", status=503, times=2, skip=16),
        "poll_timeout": faults.read_timeout("batch.get", times=2, skip=6),
        "poll_drop": faults.drop_connection("batch.get", times=2, skip=12),
        "poll_429": faults.rate_limit("batch.get", retry_after=2, times=2, skip=20),
    }
    faults.fail_batch_records(predicate=lambda r: r.get("qty", 0) % SERVER_REJECTS_EVERY == 0)
    # Token expiry mid-run: every token dies, so each batch in flight gets a 401 (a burst).
    faults.expire_tokens_after(25)
    return rules


def records(sandbox: Sandbox) -> Iterator[dict[str, Any]]:
    for row in range(1, SIZE + 1):
        if row == SECOND_EXPIRY_AT:
            sandbox.faults.expire_tokens_after(3)  # a second burst, later in the run
        if row % INVALID_EVERY == 0:
            yield {**record(row), "qty": "many"}
        else:
            yield record(row)


def check_run(
    report: InventoryUpdateReport, sandbox: Sandbox, rules: dict[str, FaultRule], elapsed: float
) -> None:
    invalid_rows = {row for row in range(1, SIZE + 1) if row % INVALID_EVERY == 0}
    posts = check_inventory_accounting(report, sandbox, read=SIZE, invalid_rows=invalid_rows)

    # Every planned fault happened, so the checks above were made under all of them.
    assert {name: rule.fired for name, rule in rules.items()} == {
        name: rule.times for name, rule in rules.items()
    }
    # Of the five faults a POST may not retry, only the plain 503 (provably not created) costs
    # a batch; the four lost replies were settled: two found on the server, two sent again.
    outcomes = sorted(batch.outcome for batch in report.failed_batches)
    assert outcomes == ["failed"]
    assert report.unknown == 0
    assert len(posts.committed_but_lost) == 2
    lost_rows = {row for req in posts.committed_but_lost for row in posts.rows_of(req)}
    assert len(lost_rows) == 2 * BATCH_SIZE
    assert lost_rows <= set(posts.committed)
    assert report.count("batch_failed") == BATCH_SIZE
    # Every row read is in exactly one created batch, except the invalid ones and the failed.
    failed_rows = {r.row for r in report.rejected if r.stage == "batch_failed"}
    assert set(posts.committed) == set(range(1, SIZE + 1)) - invalid_rows - failed_rows
    # Server-side record failures were reported per record.
    server_rows = {r.row for r in report.rejected if r.stage == "server"}
    sent_rows = set(posts.committed)
    assert server_rows == {row for row in sent_rows if row % SERVER_REJECTS_EVERY == 0}
    assert server_rows

    # Token expiry: two bursts of 401s, each answered by exactly one refresh.
    tokens = sandbox.requests.filter("oauth.token")
    assert [t.status for t in tokens] == [503, 200, 200, 200]
    assert sum(1 for r in sandbox.requests if r.status == 401) >= 2
    assert not sandbox.app.errors
    assert elapsed < TIME_LIMIT, f"100k-record run took {elapsed:.1f}s"


@pytest.mark.slow
def test_sync_update_of_100k_records_under_every_fault() -> None:
    sandbox = make_sandbox()
    rules = inject_faults(sandbox)
    started = time.monotonic()
    with sandbox.client(retry=FAST_RETRY) as client:
        report = client.inventory.update(records(sandbox), **UPDATE)
    check_run(report, sandbox, rules, time.monotonic() - started)


@pytest.mark.slow
async def test_async_update_of_100k_records_under_every_fault() -> None:
    sandbox = make_sandbox()
    rules = inject_faults(sandbox)
    started = time.monotonic()
    async with sandbox.async_client(retry=FAST_RETRY) as client:
        report = await client.inventory.update(records(sandbox), **UPDATE)
    check_run(report, sandbox, rules, time.monotonic() - started)
