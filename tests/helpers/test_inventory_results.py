"""The bulk-load fast paths of `Inventory.update` past validation: batch bodies built directly,
and batch results tallied (accepted ones counted, only the others read as models)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fluent_sdk.errors import APIError
from fluent_sdk.helpers._inventory_run import PlannedBatch, UpdateRun
from fluent_sdk.rest import jobs
from fluent_sdk.rest.jobs import (
    BatchRecordResult,
    BatchState,
    BatchTally,
    InventoryBatch,
    InventoryRecord,
    batch_tally_call,
)


def make_run(records: list[Any], *, source: str | None = None) -> UpdateRun:
    return UpdateRun(
        enumerate(records, start=1),
        len(records),
        retailer_id=1,
        catalogue_ref="DEFAULT:1",
        batch_size=5000,
        source=source,
        journal=None,
        resend_unknown=False,
        progress=False,
    )


def tally(body: Any, **params: int) -> BatchTally:
    call = batch_tally_call("7", "12", **params)
    request = httpx.Request(call.method, f"https://fluent.test{call.path}")
    return call.parse(httpx.Response(200, json=body, request=request))


def answer(results: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "batchId": "12",
        "jobId": "7",
        "status": "COMPLETE",
        "total": len(results),
        "results": results,
        **extra,
    }


def sent(run: UpdateRun) -> PlannedBatch:
    [planned] = run.batches()
    run.batch_created(planned, "7", "12")
    return planned


def rec(n: int) -> dict[str, Any]:
    return {"skuRef": f"SKU-{n}", "locationRef": "LOC", "qty": n}


OK = {"responseCode": 200, "message": "OK"}

# Every way Fluent words a result, and whether it is a success (`BatchRecordResult.ok`).
MIXED = [
    (OK, True),
    ({"responseCode": "200", "message": "OK"}, True),
    ({"responseCode": "200 OK"}, True),
    ({"responseCode": 200.0}, True),
    ({"responseCode": 404, "message": "Location not found"}, False),
    ({"responseCode": "500", "message": "Internal error"}, False),
    ({"responseCode": "301 Unauthorised"}, False),
    ({"responseCode": None, "message": "lost"}, False),
    ({"message": "no code at all"}, False),
    ({"responseCode": True}, False),
]


def test_mixed_results_are_counted_and_rejected_ones_kept_with_reasons() -> None:
    results = [result for result, _ in MIXED]
    parsed = tally(answer(results))
    assert parsed.is_complete
    assert (parsed.id, parsed.status, parsed.total, parsed.results) == (
        "12",
        BatchState.COMPLETE,
        len(MIXED),
        len(MIXED),
    )
    expected = [i for i, (_, ok) in enumerate(MIXED) if not ok]
    assert [i for i, _ in parsed.failures] == expected
    # The tally agrees with the full model of every result.
    assert [i for i, r in enumerate(results) if not BatchRecordResult(**r).ok] == expected
    assert parsed.failures[0][1].message == "Location not found"


def test_accepted_results_build_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the tally: 5000 accepted results are counted, not modelled."""
    modelled: list[Any] = []

    class Counting(BatchRecordResult):
        @classmethod
        def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Any:
            modelled.append(obj)
            return BatchRecordResult.model_validate(obj, *args, **kwargs)

    monkeypatch.setattr(jobs, "BatchRecordResult", Counting)
    results: list[Any] = [OK] * 5000
    results[17] = {"responseCode": 404, "message": "nope"}
    results[4000] = {"responseCode": "200"}
    parsed = tally(answer(results))
    assert [i for i, _ in parsed.failures] == [17]
    assert modelled == [{"responseCode": 404, "message": "nope"}]


def test_completed_batch_accounts_every_record() -> None:
    records = [rec(n) for n in range(len(MIXED))]
    run = make_run(records)
    planned = sent(run)
    run.completed(planned, tally(answer([result for result, _ in MIXED])))
    report = run.report
    accepted = sum(ok for _, ok in MIXED)
    assert (report.read, report.sent, report.accepted) == (len(MIXED), len(MIXED), accepted)
    assert len(report.rejected) == len(MIXED) - accepted
    assert [r.row for r in report.rejected] == [i + 1 for i, (_, ok) in enumerate(MIXED) if not ok]
    first = report.rejected[0]
    assert (first.stage, first.reason, first.batch_id) == (
        "server",
        "404: Location not found",
        "12",
    )
    assert first.record == {**records[4], "retailerId": 1}


def test_results_without_one_per_record_are_matched_by_entity_ref() -> None:
    run = make_run([rec(1), rec(2), rec(3)])
    planned = sent(run)
    results = [
        {"responseCode": 404, "entityRef": "SKU-2:LOC", "message": "gone"},
        {"responseCode": 500, "entityRef": "SKU-3", "message": "boom"},
    ]
    run.completed(planned, tally(answer(results)))
    assert run.report.accepted == 1
    assert [(r.row, r.reason) for r in run.report.rejected] == [(2, "404: gone"), (3, "500: boom")]


def test_paged_results_are_merged_by_position() -> None:
    run = make_run([rec(n) for n in range(5)])
    planned = sent(run)
    first = tally({**answer([OK, {"responseCode": 500}]), "total": 5})
    call = run.more_results_call(planned, first)
    assert call is not None
    assert call.params == {"start": 2, "count": 5000}
    page = tally({**answer([OK, OK, {"responseCode": 404}]), "total": 5}, start=2)
    merged = run.merged(first, page)
    assert (merged.results, [i for i, _ in merged.failures]) == (5, [1, 4])
    assert run.more_results_call(planned, merged) is None
    run.completed(planned, merged)
    assert run.report.accepted == 3
    assert [r.row for r in run.report.rejected] == [2, 5]


def test_a_server_ignoring_start_ends_paging() -> None:
    run = make_run([rec(1), rec(2)])
    planned = sent(run)
    first = tally({**answer([OK]), "total": 2})
    merged = run.merged(first, tally({**answer([]), "total": 2}))
    assert run.more_results_call(planned, merged) is None


def test_entities_alias_and_running_batches() -> None:
    parsed = tally({"id": 12, "status": "RUNNING", "entities": [OK]})
    assert (parsed.id, parsed.is_complete, parsed.results, parsed.total) == ("12", False, 1, None)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([OK], "expected a JSON object"),
        ({"batchId": "12", "results": {"a": 1}}, "results: expected a list"),
        ({"status": "COMPLETE", "results": []}, "batchId"),
        (answer([OK, ["not", "a", "result"]]), "results[1]"),
        (answer([OK, {"responseCode": 404, "entityId": ["x"]}]), "results[1].entityId"),
    ],
)
def test_unreadable_answers_are_api_errors(body: Any, problem: str) -> None:
    with pytest.raises(APIError) as caught:
        tally(body)
    assert problem in str(caught.value)
    assert caught.value.operation == "jobs.get_batch"


def test_batch_body_is_what_the_model_would_send() -> None:
    """The POST carries the bytes ``InventoryBatch(...)`` sent through httpx's ``json=`` would."""
    records: list[Any] = [
        rec(1),
        {"skuRef": "S", "locationRef": "Lé", "qty": "4", "type": "LAST_ON_HAND"},
        InventoryRecord(sku_ref="M", location_ref="L", qty=2, attributes={"a": [1, "ü"]}),
    ]
    run = make_run(records, source="ERP")
    [planned] = run.batches()
    call = run.send_call("7", planned)
    assert (call.method, call.path, call.operation) == (
        "POST",
        "/api/v4.1/job/7/batch",
        "jobs.send_batch",
    )
    model = InventoryBatch(
        catalogue_ref="DEFAULT:1",
        source="ERP",
        entities=[InventoryRecord(**{"retailerId": 1, **r}) for r in planned.records],
    )
    expected = httpx.Request("POST", "https://fluent.test/", json=model.to_body())
    assert call.content == expected.content
    assert call.headers == {"Content-Type": "application/json"}
    without_source = make_run([rec(1)]).send_call("7", planned)
    assert without_source.content is not None
    assert json.loads(without_source.content).keys() == {
        "action",
        "entityType",
        "catalogueRef",
        "entities",
    }
