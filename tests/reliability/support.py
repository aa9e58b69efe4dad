"""Shared pieces of the reliability suite: a sandbox with a catalogue, numbered inventory records,
fast retry policies, token-capturing transports and the "every record accounted for" checks.

Records are numbered: record ``n`` (row ``n`` of the input, counted from 1) carries ``qty == n``,
so every entity found in a batch POST names the input row it came from.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from fluent_sdk import RetryPolicy
from fluent_sdk.helpers.inventory import InventoryUpdateReport
from fluent_sdk.sandbox import Sandbox
from fluent_sdk.sandbox.app import RecordedRequest

__all__ = [
    "FAST_RETRY",
    "LOCATIONS",
    "PRODUCTS",
    "AsyncTokenRecorder",
    "BatchPosts",
    "TokenLog",
    "TokenRecorder",
    "batch_posts",
    "check_inventory_accounting",
    "make_sandbox",
    "record",
]

LOCATIONS = ("LOC_MELB", "LOC_SYD", "LOC_DC")
PRODUCTS = tuple(f"REL-{n:03d}" for n in range(40))

#: Retries that never sleep long: no exponential back-off to speak of and any Retry-After capped
#: at 20 ms. Enough attempts that the fault plans below (at most 5 retryable failures in a row for
#: one request) never exhaust them.
FAST_RETRY = RetryPolicy(max_attempts=8, initial_delay=0, max_delay=0.01, retry_after_cap=0.02)

_CREATE_PRODUCT = """
mutation($input: CreateStandardProductInput) { createStandardProduct(input: $input) { id } }
"""


def make_sandbox(**options: Any) -> Sandbox:
    """The default sandbox plus `PRODUCTS`; batches complete at their first poll."""
    options.setdefault("batch_polls_to_complete", 1)
    sandbox = Sandbox(**options)
    for ref in PRODUCTS:
        created = sandbox.execute(
            _CREATE_PRODUCT,
            {
                "input": {
                    "ref": ref,
                    "catalogue": {"ref": "PC:MASTER:1"},
                    "type": "STANDARD",
                    "gtin": "9300000000011",
                    "name": ref,
                }
            },
        )
        assert "errors" not in created, created
    return sandbox


def record(row: int) -> dict[str, Any]:
    """Input row ``row`` (from 1): its ``qty`` is the row number."""
    return {
        "skuRef": PRODUCTS[row % len(PRODUCTS)],
        "locationRef": LOCATIONS[(row // len(PRODUCTS)) % len(LOCATIONS)],
        "qty": row,
    }


# -- what the sandbox received ------------------------------------------------------------------


@dataclass
class BatchPosts:
    """Every batch POST the sandbox received, split by whether its handler created a batch."""

    #: row -> how many batch POSTs that created a batch carried it.
    committed: Counter[int] = field(default_factory=Counter)
    #: row -> how many batch POSTs that did *not* create a batch carried it (429, 5xx, 401,
    #: dropped before handling).
    refused: Counter[int] = field(default_factory=Counter)
    committed_requests: list[RecordedRequest] = field(default_factory=list)
    #: Committed POSTs whose reply was then lost (after-commit faults).
    committed_but_lost: list[RecordedRequest] = field(default_factory=list)

    def rows_of(self, request: RecordedRequest) -> list[int]:
        return [entity["qty"] for entity in json.loads(request.body)["entities"]]


def batch_posts(sandbox: Sandbox) -> BatchPosts:
    posts = BatchPosts()
    for request in sandbox.requests.filter("batch.create"):
        rows = posts.rows_of(request)
        if request.status == 200:
            posts.committed.update(rows)
            posts.committed_requests.append(request)
            if request.fault is not None:
                posts.committed_but_lost.append(request)
        else:
            posts.refused.update(rows)
    return posts


def check_inventory_accounting(
    report: InventoryUpdateReport,
    sandbox: Sandbox,
    *,
    read: int,
    invalid_rows: set[int],
) -> BatchPosts:
    """Every record read ends accepted, rejected or unknown, once; no row reached Fluent twice;
    every ``unknown_outcome`` batch is explained by what the sandbox holds. Returns the POSTs
    seen."""
    posts = batch_posts(sandbox)
    reported = [r.row for r in [*report.rejected, *report.unknown_records]]
    by_stage: dict[str, set[int]] = {}
    for rejected in [*report.rejected, *report.unknown_records]:
        by_stage.setdefault(rejected.stage, set()).add(rejected.row)
    assert all(r.stage != "unknown_outcome" for r in report.rejected)
    assert all(r.stage == "unknown_outcome" for r in report.unknown_records)

    # Every record read is accepted, rejected or unknown, exactly once.
    assert report.read == read
    assert report.accepted + len(report.rejected) + report.unknown == read
    assert len(set(reported)) == len(reported)
    assert set(reported) <= set(range(1, read + 1))

    # None sent twice: each input row is in at most one batch Fluent created.
    assert max(posts.committed.values(), default=0) <= 1
    committed_rows = set(posts.committed)

    # Invalid records were reported (not raised) and never left the process.
    assert by_stage.get("validation", set()) == invalid_rows
    assert all(r.field for r in report.rejected if r.stage == "validation")
    assert not invalid_rows & (committed_rows | set(posts.refused))

    # Accepted rows = rows in created batches, minus those Fluent rejected and those whose
    # outcome stayed unknown.
    unknown_rows = by_stage.get("unknown_outcome", set())
    server_rows = by_stage.get("server", set())
    failed_rows = by_stage.get("batch_failed", set())
    assert report.accepted == len(committed_rows - unknown_rows - server_rows)
    assert server_rows <= committed_rows - unknown_rows
    # A failed batch was provably not created; it may be sent again safely.
    assert not failed_rows & committed_rows

    # Per-stage counts agree with each other and with the sandbox.
    lost_unsettled = [
        req for req in posts.committed_but_lost if set(posts.rows_of(req)) <= unknown_rows
    ]
    unsettled_rows = {row for req in lost_unsettled for row in posts.rows_of(req)}
    assert report.sent == len(committed_rows - unsettled_rows)
    assert report.batches == len(posts.committed_requests) - len(lost_unsettled)
    assert sum(b.records for b in report.failed_batches) == len(failed_rows | unknown_rows)
    summary = report.summary()
    assert summary["rejected"] == len(report.rejected)
    assert summary["invalid"] == len(invalid_rows)
    assert summary["unknown_outcome"] == len(unknown_rows)

    # Each unknown_outcome batch is explained: either Fluent holds exactly that batch (reply
    # lost after commit) or no batch of Fluent's carries any of its rows.
    for failed in report.failed_batches:
        rows = {
            r.row
            for r in [*report.rejected, *report.unknown_records]
            if failed.first_row <= r.row <= failed.last_row and r.stage != "validation"
        }
        assert len(rows) == failed.records
        if failed.outcome == "failed":
            assert not rows & committed_rows
            continue
        held = [req for req in posts.committed_requests if set(posts.rows_of(req)) == rows]
        assert held or not rows & committed_rows, f"unexplained unknown batch {failed}"
    return posts


# -- capturing every token the sandbox issues ----------------------------------------------------


class TokenLog:
    """Access and refresh tokens seen in ``/oauth/token`` replies."""

    def __init__(self) -> None:
        self.access: set[str] = set()
        self.refresh: set[str] = set()

    def capture(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            return
        body = json.loads(response.content)
        self.access.add(body["access_token"])
        if body.get("refresh_token"):
            self.refresh.add(body["refresh_token"])

    @property
    def all(self) -> set[str]:
        return self.access | self.refresh


class TokenRecorder(httpx.BaseTransport):
    """Wraps a transport and records the tokens in every token reply."""

    def __init__(self, inner: httpx.BaseTransport, log: TokenLog) -> None:
        self._inner = inner
        self._log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if request.url.path.endswith("/oauth/token"):
            response.read()
            self._log.capture(response)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncTokenRecorder(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, log: TokenLog) -> None:
        self._inner = inner
        self._log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.url.path.endswith("/oauth/token"):
            await response.aread()
            self._log.capture(response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
