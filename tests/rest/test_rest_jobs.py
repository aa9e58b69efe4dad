"""The Job and Batch API namespace, against the sync and the async client."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from fluent_sdk.errors import BadRequestError, ServerError, ValidationError
from fluent_sdk.rest.jobs import (
    MAX_BATCH_RECORDS,
    AsyncJobs,
    Batch,
    BatchState,
    BatchTimeoutError,
    InventoryBatch,
    InventoryRecord,
    Jobs,
    JobStatus,
    RetailerBatch,
)

from .conftest import Rest, api_calls, body_of


class FakeTime:
    """A UTC wall clock and a monotonic clock that advance only when slept on."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.elapsed

    def _advance(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds
        self.now += timedelta(seconds=seconds)

    def sleep(self, seconds: float) -> None:
        self._advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self._advance(seconds)


def jobs_of(rest: Rest, fake: FakeTime) -> Jobs | AsyncJobs:
    namespace: Jobs | AsyncJobs = rest.make(
        Jobs,
        AsyncJobs,
        clock=fake.clock,
        monotonic=fake.monotonic,
        sleep=fake.async_sleep if rest.is_async else fake.sleep,
    )
    return namespace


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime(datetime(2024, 5, 10, 23, 50, tzinfo=timezone.utc))


# The documented examples (job-api, retailer-batch, inventory-batch-api).
JOB = {
    "jobId": "199",
    "status": "OPEN",
    "batch": [
        {"batchId": "331", "status": "COMPLETE", "createdOn": "2024-05-10T10:00:00.000+0000"},
        {"batchId": "332", "status": "RUNNING", "createdOn": "2024-05-10T10:05:00.000+0000"},
    ],
    "meta": {},
    "name": "Batch Inventory Job",
    "retailerId": "1",
    "createdOn": "2024-05-10T09:59:00.000Z",
}
RETAILER_BATCH = {
    "action": "CREATE",
    "entityType": "RETAILER",
    "entities": [
        {
            "retailerId": "b2c",
            "retailerName": "b2c",
            "region": "AUS",
            "tradingName": "B2C Trading",
            "customerSupportPhone": "1300 000 000",
            "customerSupportEmail": "support@b2c.example",
            "website": "https://b2c.example",
        }
    ],
}
BATCH_STATUS = {
    "batchId": "331",
    "jobId": "199",
    "entityType": "INVENTORY",
    "action": "UPSERT",
    "status": "COMPLETE",
    "start": 1,
    "count": 2,
    "total": 2,
    "results": [
        {"entityId": "5001", "entityRef": "SKU_1:LOC_1", "responseCode": 200, "message": "OK"},
        {"entityRef": "SKU_9:LOC_1", "responseCode": 404, "message": "Product SKU_9 not found"},
    ],
}


def inventory(count: int) -> list[dict[str, Any]]:
    return [{"skuRef": f"SKU_{i}", "locationRef": "LOC_1", "qty": i} for i in range(count)]


# -- jobs ------------------------------------------------------------------------------------


async def test_create_job(rest: Rest, api: respx.MockRouter, fake: FakeTime) -> None:
    route = api.post("/api/v4.1/job").respond(200, json={"id": "199"})

    created = await rest.run(
        jobs_of(rest, fake).create("Batch Inventory Job", meta={"preprocessing": "skip"})
    )

    assert created.id == "199"
    assert body_of(route.calls.last) == {
        "name": "Batch Inventory Job",
        "retailerId": 1,
        "meta": {"preprocessing": "skip"},
    }


async def test_create_job_error_shape(rest: Rest, api: respx.MockRouter, fake: FakeTime) -> None:
    route = api.post("/api/v4.1/job").respond(
        400, json={"errors": [{"code": "400", "message": "'name' is required"}]}
    )

    with pytest.raises(BadRequestError, match="'name' is required"):
        await rest.run(jobs_of(rest, fake).create("Nightly", retailer_id="2"))

    assert body_of(route.calls.last)["retailerId"] == "2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "job.name"),
        ({"name": "J", "retailer_id": "x1"}, "retailer_id"),
        ({"name": "J", "meta": ["skip"]}, "job.meta"),
    ],
)
async def test_bad_job_is_refused_before_any_request(
    rest: Rest, api: respx.MockRouter, fake: FakeTime, kwargs: dict[str, Any], field: str
) -> None:
    kwargs = dict(kwargs)
    name = kwargs.pop("name")
    with pytest.raises(ValidationError) as caught:
        await rest.run(jobs_of(rest, fake).create(name, **kwargs))
    assert caught.value.field == field
    assert not api.calls


async def test_get_job_with_batches(rest: Rest, api: respx.MockRouter, fake: FakeTime) -> None:
    api.get("/api/v4.1/job/199").respond(200, json=JOB)

    job = await rest.run(jobs_of(rest, fake).get(199))

    assert job.id == "199"
    assert job.status is JobStatus.OPEN
    assert [(b.id, b.status) for b in job.batches] == [
        ("331", BatchState.COMPLETE),
        ("332", BatchState.RUNNING),
    ]
    assert job.model_extra == {}


async def test_open_job_for_today_reuses_until_midnight_utc(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.post("/api/v4.1/job")
    route.side_effect = [
        httpx.Response(200, json={"id": "100"}),
        httpx.Response(200, json={"id": "101"}),
        httpx.Response(200, json={"id": "102"}),
    ]
    jobs = jobs_of(rest, fake)

    first = await rest.run(jobs.open_job_for_today("Inventory"))
    again = await rest.run(jobs.open_job_for_today("Inventory"))
    other = await rest.run(jobs.open_job_for_today("Prices"))
    fake.now += timedelta(minutes=10)  # 00:00 UTC on the 11th: yesterday's job is closed
    next_day = await rest.run(jobs.open_job_for_today("Inventory"))
    next_day_again = await rest.run(jobs.open_job_for_today("Inventory"))

    assert (first, again, other, next_day, next_day_again) == ("100", "100", "101", "102", "102")
    assert [body_of(c)["name"] for c in route.calls] == ["Inventory", "Prices", "Inventory"]


async def test_open_job_for_today_is_per_retailer(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.post("/api/v4.1/job")
    route.side_effect = [
        httpx.Response(200, json={"id": "100"}),
        httpx.Response(200, json={"id": "200"}),
    ]
    jobs = jobs_of(rest, fake)

    assert await rest.run(jobs.open_job_for_today("Inventory")) == "100"
    assert await rest.run(jobs.open_job_for_today("Inventory", retailer_id=2)) == "200"
    assert await rest.run(jobs.open_job_for_today("Inventory", retailer_id=1)) == "100"
    assert [body_of(c)["retailerId"] for c in route.calls] == [1, 2]


async def test_open_job_for_today_reuses_a_job_seen_open_today(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    api.get("/api/v4.1/job/199").respond(200, json=JOB)
    create = api.post("/api/v4.1/job").respond(200, json={"id": "500"})
    jobs = jobs_of(rest, fake)

    await rest.run(jobs.get("199"))
    reused = await rest.run(jobs.open_job_for_today("Batch Inventory Job"))

    assert reused == "199"
    assert not create.called


async def test_open_job_for_today_forgets_a_job_seen_closed(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    api.get("/api/v4.1/job/100").respond(
        200, json={**JOB, "jobId": "100", "status": "CLOSED", "name": "Inventory"}
    )
    route = api.post("/api/v4.1/job")
    route.side_effect = [
        httpx.Response(200, json={"id": "100"}),
        httpx.Response(200, json={"id": "101"}),
    ]
    jobs = jobs_of(rest, fake)

    assert await rest.run(jobs.open_job_for_today("Inventory")) == "100"
    await rest.run(jobs.get("100"))
    assert await rest.run(jobs.open_job_for_today("Inventory")) == "101"


# -- batches ---------------------------------------------------------------------------------


async def test_send_inventory_batch_fills_catalogue_and_retailer(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.post("/api/v4.1/job/199/batch").respond(200, json={"id": "331"})
    batch = InventoryBatch(
        source="ERP",
        entities=[
            InventoryRecord(sku_ref="SKU_1", location_ref="LOC_1", qty=500, corrected_qty=0),
            InventoryRecord(
                sku_ref="SKU_2",
                location_ref="LOC_1",
                qty=7,
                type="IN_TRANSIT",
                status="ACTIVE",
                reserved_qty=1,
                retailer_id=3,
                attributes={"expectedOn": "2024-06-01T00:00:00Z", "channel": "WEB"},
            ),
        ],
    )

    created = await rest.run(jobs_of(rest, fake).send_batch("199", batch))

    assert created.id == "331"
    assert body_of(route.calls.last) == {
        "action": "UPSERT",
        "entityType": "INVENTORY",
        "source": "ERP",
        "catalogueRef": "DEFAULT:1",
        "entities": [
            {
                "skuRef": "SKU_1",
                "locationRef": "LOC_1",
                "qty": 500,
                "correctedQty": 0,
                "retailerId": 1,
            },
            {
                "skuRef": "SKU_2",
                "locationRef": "LOC_1",
                "qty": 7,
                "reservedQty": 1,
                "type": "IN_TRANSIT",
                "status": "ACTIVE",
                "attributes": {"expectedOn": "2024-06-01T00:00:00Z", "channel": "WEB"},
                "retailerId": 3,
            },
        ],
    }


async def test_send_batch_keeps_explicit_catalogue(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.post("/api/v4.1/job/199/batch").respond(200, json={"id": "331"})
    batch = {
        "action": "UPSERT",
        "entityType": "INVENTORY",
        "event": "InventoryChanged",
        "catalogueRef": "STORE:1",
        "conditions": {"hasRelatedInventoryQuantities": [{"type": "SALE", "status": "ACTIVE"}]},
        "entities": [{**inventory(1)[0], "retailerId": 1}],
    }

    await rest.run(jobs_of(rest, fake).send_batch(199, batch))

    assert body_of(route.calls.last) == batch


async def test_send_retailer_batch(rest: Rest, api: respx.MockRouter, fake: FakeTime) -> None:
    route = api.post("/api/v4.1/job/199/batch").respond(200, json={"id": "9"})

    await rest.run(jobs_of(rest, fake).send_batch("199", RETAILER_BATCH))
    await rest.run(
        jobs_of(rest, fake).send_batch("199", RetailerBatch.model_validate(RETAILER_BATCH))
    )

    assert [body_of(c) for c in route.calls] == [RETAILER_BATCH, RETAILER_BATCH]


async def test_batch_of_5000_is_sent_and_5001_refused(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.post("/api/v4.1/job/199/batch").respond(200, json={"id": "1"})
    jobs = jobs_of(rest, fake)

    with pytest.raises(ValidationError, match="at most 5000 per batch") as caught:
        await rest.run(
            jobs.send_batch(
                "199", {"entityType": "INVENTORY", "entities": inventory(MAX_BATCH_RECORDS + 1)}
            )
        )
    assert caught.value.field == "batch.entities"
    assert not api.calls

    await rest.run(
        jobs.send_batch(
            "199", {"entityType": "INVENTORY", "entities": inventory(MAX_BATCH_RECORDS)}
        )
    )
    assert len(body_of(route.calls.last)["entities"]) == MAX_BATCH_RECORDS


@pytest.mark.parametrize(
    ("job_id", "batch", "field"),
    [
        ("199", {"entityType": "LOCATION", "entities": []}, "batch.entityType"),
        ("199", {"entities": inventory(1)}, "batch.entityType"),
        ("199", {"entityType": "INVENTORY", "entities": []}, "batch.entities"),
        (
            "199",
            {"entityType": "INVENTORY", "entities": [{"locationRef": "L", "qty": 1}]},
            "batch.entities[0].skuRef",
        ),
        (
            "199",
            {"entityType": "INVENTORY", "entities": [{**inventory(1)[0], "qty": "lots"}]},
            "batch.entities[0].qty",
        ),
        (
            "199",
            {"entityType": "INVENTORY", "action": "DELETE", "entities": inventory(1)},
            "batch.action",
        ),
        (
            "199",
            {"entityType": "INVENTORY", "entities": inventory(1), "catalogue": "X"},
            "batch.catalogue",
        ),
        (
            "199",
            {**RETAILER_BATCH, "entities": [{"retailerId": "b2c", "retailerName": "x" * 46}]},
            "batch.entities[0].retailerName",
        ),
        ("199/../1", {"entityType": "INVENTORY", "entities": inventory(1)}, "job_id"),
        ("199", "not a batch", "batch"),
    ],
)
async def test_bad_batch_is_refused_before_any_request(
    rest: Rest, api: respx.MockRouter, fake: FakeTime, job_id: str, batch: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await rest.run(jobs_of(rest, fake).send_batch(job_id, batch))
    assert caught.value.field == field
    assert not api.calls


async def test_batch_send_503_is_not_retried(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.post("/api/v4.1/job/199/batch").respond(503)

    with pytest.raises(ServerError):
        await rest.run(jobs_of(rest, fake).send_batch("199", RETAILER_BATCH))

    assert route.call_count == 1


async def test_get_batch_results(rest: Rest, api: respx.MockRouter, fake: FakeTime) -> None:
    api.get("/api/v4.1/job/199/batch/331").respond(200, json=BATCH_STATUS)

    batch = await rest.run(jobs_of(rest, fake).get_batch("199", "331"))

    assert isinstance(batch, Batch)
    assert batch.is_complete
    assert batch.total == 2
    assert [(r.entity_ref, r.ok) for r in batch.results] == [
        ("SKU_1:LOC_1", True),
        ("SKU_9:LOC_1", False),
    ]
    assert batch.failed_results[0].message == "Product SKU_9 not found"
    assert batch.results[0].entity_id == "5001"


async def test_wait_for_batch_polls_with_backoff_until_complete(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.get("/api/v4.1/job/199/batch/331")
    route.side_effect = [
        httpx.Response(200, json={**BATCH_STATUS, "status": "PENDING", "results": []}),
        httpx.Response(200, json={**BATCH_STATUS, "status": "RUNNING", "results": []}),
        httpx.Response(200, json={**BATCH_STATUS, "status": "RUNNING", "results": []}),
        httpx.Response(200, json=BATCH_STATUS),
    ]

    batch = await rest.run(
        jobs_of(rest, fake).wait_for_batch("199", "331", poll_interval=1, max_poll_interval=3)
    )

    assert batch.status is BatchState.COMPLETE
    assert len(batch.results) == 2
    assert fake.sleeps == [1, 2, 3]
    assert len(api_calls(api)) == 4


async def test_wait_for_batch_times_out_naming_the_batch(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    route = api.get("/api/v4.1/job/199/batch/331").respond(
        200, json={**BATCH_STATUS, "status": "RUNNING", "results": []}
    )

    with pytest.raises(BatchTimeoutError) as caught:
        await rest.run(jobs_of(rest, fake).wait_for_batch("199", "331", timeout=5, poll_interval=1))

    assert fake.sleeps == [1, 2, 2]  # the last wait is cut to end at the deadline
    assert route.call_count == 4
    error = caught.value
    assert (error.job_id, error.batch_id, error.last_status) == ("199", "331", "RUNNING")
    assert "batch 331 of job 199" in str(error)
    assert isinstance(error, TimeoutError)


async def test_wait_for_batch_refuses_bad_timeout(
    rest: Rest, api: respx.MockRouter, fake: FakeTime
) -> None:
    with pytest.raises(ValidationError) as caught:
        await rest.run(jobs_of(rest, fake).wait_for_batch("199", "331", timeout=0))
    assert caught.value.field == "timeout"
    assert not api.calls
