"""Smoke tests of figures 3 (bulk inventory) and 5 (concurrency) at tiny sizes.

Shapes only, never timings (targets live in ``python -m benchmarks``); plus the checks that
make the comparison fair: the raw loop posts the same batches as the SDK and reads the same
results."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from benchmarks.__main__ import BENCHMARKS
from benchmarks._inventory_client import RawLoader, raw_update, records, sdk_update
from benchmarks._job_server import batch_answer
from benchmarks.concurrency import UNITS as CONCURRENCY_UNITS
from benchmarks.concurrency import measure_concurrency
from benchmarks.inventory import RSS_BUDGET, job_server, measure_inventory, run_client
from benchmarks.inventory import UNITS as INVENTORY_UNITS
from fluent_sdk import FluentClient
from fluent_sdk.rest.jobs import Batch

KEYS = {"value", "baseline", "ratio", "target", "met"}

INVENTORY_FIGURES = {
    "inventory_cpu_small",
    "inventory_cpu_large",
    "inventory_cpu_small_concurrency4",
    "inventory_cpu_large_concurrency4",
    "inventory_rss_small",
    "inventory_rss_large",
    "inventory_rss_vs_raw_small",
    "inventory_rss_vs_raw_large",
    "inventory_rss_growth",
}


def _check(figures: dict[str, dict[str, Any]], names: set[str]) -> None:
    assert set(figures) == names
    for row in figures.values():
        assert set(row) == KEYS
        assert isinstance(row["value"], (int, float))
        assert row["value"] > 0
        assert isinstance(row["baseline"], (int, float))
        assert row["baseline"] > 0
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline"])
        if row["target"] is None:
            assert row["met"] is None
        else:
            assert row["met"] is (row["ratio"] <= row["target"])


def test_records_are_streamed_and_valid() -> None:
    stream = records(3)
    assert iter(stream) is stream  # a generator, never a list
    assert next(stream) == {"skuRef": "SKU-00000000", "locationRef": "LOC-0000", "qty": 0}


def test_batch_answer_validates_into_a_complete_batch() -> None:
    batch = Batch.model_validate(json.loads(batch_answer("7", "42", 3)))
    assert batch.is_complete
    assert (batch.id, batch.job_id, batch.total) == ("42", "7", 3)
    assert len(batch.results) == 3
    assert batch.failed_results == []


class _Recorder:
    """A mock Fluent recording batch bodies; batches complete with one 200 per record."""

    def __init__(self) -> None:
        self.batches: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/oauth/token":
            body: Any = {"access_token": "t", "expires_in": 3600, "Retailer_id": 1}
        elif path == "/api/v4.1/job":
            body = {"id": "1"}
        elif path.endswith("/batch"):
            self.batches.append(json.loads(request.content))
            body = {"id": str(len(self.batches))}
        else:
            batch_id = path.rsplit("/", 1)[1]
            count = len(self.batches[int(batch_id) - 1]["entities"])
            return httpx.Response(200, content=batch_answer("1", batch_id, count))
        return httpx.Response(200, json=body)


def test_raw_loop_posts_the_same_batches_as_the_sdk() -> None:
    sdk_side = _Recorder()
    with FluentClient(
        base_url="http://127.0.0.1:1",
        client_id="c",
        client_secret="s",
        username="u",
        password="p",
        transport=httpx.MockTransport(sdk_side),
    ) as client:
        report = client.inventory.update(records(7), progress=False, batch_size=5000)
    assert report.accepted == 7
    raw_side = _Recorder()
    loader = RawLoader("http://127.0.0.1:1", transport=httpx.MockTransport(raw_side))
    try:
        assert loader.update(records(7)) == 7
    finally:
        loader.close()
    assert len(sdk_side.batches) == len(raw_side.batches) == 1
    assert raw_side.batches == sdk_side.batches


def test_both_sides_load_through_the_job_server() -> None:
    with job_server() as base_url:
        assert sdk_update(base_url, 12) == 12
        assert sdk_update(base_url, 12, concurrency=4) == 12
        assert raw_update(base_url, 12) == 12


def test_run_client_reports_a_failing_client() -> None:
    with job_server() as base_url, pytest.raises(RuntimeError, match="bogus client failed"):
        run_client("bogus", base_url, 1)


def test_inventory_tiny() -> None:
    figures = measure_inventory(small=10, large=20, repeats=1)
    _check(figures, INVENTORY_FIGURES)
    assert figures["inventory_rss_small"]["baseline"] == RSS_BUDGET
    assert set(figures) <= set(INVENTORY_UNITS)


def test_concurrency_tiny() -> None:
    figures = measure_concurrency(batches=4, batch_size=2, in_flight=2, delay=0.01, repeats=1)
    _check(figures, {"concurrency_wall"})
    assert set(figures) == set(CONCURRENCY_UNITS)


def test_registered_in_main() -> None:
    assert {"inventory", "concurrency"} <= set(BENCHMARKS)


def test_peak_rss_is_the_child_s_own_not_its_parent_s() -> None:
    # Linux's ru_maxrss survives execve: a small child of a large parent would report the
    # parent's size. peak_rss must not.
    ballast = b"x" * (192 * 2**20)  # written, so resident
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from benchmarks._inventory_client import peak_rss; print(peak_rss())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    del ballast
    assert 0 < int(done.stdout) < 128 * 2**20
