"""`AsyncFluentClient.inventory`: the async twin of the inventory helper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from inventory_support import make_sandbox, posted_records, unique_records

from fluent_sdk import AsyncFluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers.inventory import AsyncInventory
from fluent_sdk.sandbox import Sandbox

FAST = {"poll_interval": 0.01, "progress": False}


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[AsyncFluentClient]:
    async with sandbox.async_client() as client:
        yield client


async def test_async_update_with_invalid_records_and_failures(
    client: AsyncFluentClient, sandbox: Sandbox
) -> None:
    assert isinstance(client.inventory, AsyncInventory)
    sandbox.faults.server_error("batch.create", status=503, skip=1, times=None)
    sandbox.faults.fail_batch_records(refs={"SKU-000"})
    records: list[Any] = unique_records()
    records.insert(0, {"skuRef": "SKU-000", "locationRef": "LOC_DC"})
    report = await client.inventory.update(records, batch_size=30, concurrency=3, **FAST)
    assert report.read == 121
    assert report.accepted + len(report.rejected) == 121
    assert report.rejected[0].row == 1
    assert report.rejected[0].field == "qty"
    # The first batch was created; the later POSTs all answered 503 (not retried: POST).
    assert report.count("batch_failed") == 90
    assert len(report.failed_batches) == 3
    assert report.count("server") == 1  # SKU-000 at LOC_MELB, in the first batch
    assert report.accepted == 29
    assert set(posted_records(sandbox).values()) == {1}


async def test_async_bad_arguments_fail_before_any_request(
    client: AsyncFluentClient, sandbox: Sandbox
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.inventory.update(unique_records(), batch_size=10_000)
    assert caught.value.field == "batch_size"
    with pytest.raises(ValidationError) as caught:
        client.inventory.positions(location_ref=[])
    assert caught.value.field == "location_ref"
    assert len(sandbox.requests) == 0


async def test_async_deltas_and_positions(client: AsyncFluentClient, sandbox: Sandbox) -> None:
    await client.inventory.update(unique_records(), **FAST)
    report = await client.inventory.send_deltas(
        [{"productRef": "SKU-001", "locationRef": "LOC_DC", "qty": -n} for n in range(1, 6)],
        concurrency=2,
    )
    assert (report.read, report.sent, report.failed) == (5, 5, [])
    assert len([e for e in sandbox.events if e["name"] == "INVENTORY_DELTA"]) == 5
    found = [p async for p in client.inventory.positions(product_ref="SKU-001")]
    assert sorted((p.location_ref, p.on_hand) for p in found) == [
        ("LOC_DC", 81), ("LOC_MELB", 1), ("LOC_SYD", 41)
    ]  # fmt: skip
