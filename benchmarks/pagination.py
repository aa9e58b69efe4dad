"""Figure 4: walking a large ``orders`` connection page by page over loopback HTTP.

Server: `benchmarks._page_server` in a separate process (a fixed-data server answering
``first``/``after`` with canned nodes and cursors), so only the client's work is measured.

- ``pagination_cpu``: client CPU (this thread's CPU time) to iterate ``nodes`` typed nodes with
  ``client.graphql.iter_orders(page_size=...)`` against a raw ``httpx.Client`` +
  ``json.loads`` cursor loop over the same pages (target <= 1.5x).
- ``pagination_memory``: tracemalloc peak while iterating ``nodes`` with the SDK against the peak
  for a tenth of them (target <= 1.5x: memory stays flat, one page at a time).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from benchmarks._harness import Figure, Units, figure
from fluent_sdk import FluentClient

__all__ = ["UNITS", "measure_pagination", "page_server"]

TOKEN = "benchmark-token"
UNITS: Units = {"pagination_cpu": "s", "pagination_memory": "B"}


@contextmanager
def page_server(total: int) -> Iterator[str]:
    """Start `_page_server` over ``total`` nodes; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._page_server", str(total)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def sdk_walk(client: FluentClient, nodes: int, page_size: int) -> int:
    count = 0
    for node in client.graphql.iter_orders(page_size=page_size, max_items=nodes):
        count += node.id is not None
    return count


def raw_walk(http: httpx.Client, url: str, nodes: int, page_size: int) -> int:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    query = "query Orders($first: Int, $after: String) { orders(first: $first, after: $after) }"
    count = 0
    after: str | None = None
    while count < nodes:
        body = json.dumps(
            {"query": query, "variables": {"first": min(page_size, nodes - count), "after": after}}
        )
        response = http.post(url, content=body, headers=headers)
        response.raise_for_status()
        connection = json.loads(response.content)["data"]["orders"]
        for edge in connection["edges"]:
            count += edge["node"]["id"] is not None
            after = edge["cursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
    return count


def _peak(client: FluentClient, nodes: int, page_size: int) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        sdk_walk(client, nodes, page_size)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure_pagination(
    *, nodes: int = 100_000, page_size: int = 1000, repeats: int = 3, memory: bool = True
) -> dict[str, Figure]:
    with page_server(nodes) as base_url:
        client = FluentClient(base_url=base_url, token=TOKEN)
        http = httpx.Client()
        try:
            assert sdk_walk(client, page_size, page_size) == page_size  # warm up both paths
            assert raw_walk(http, f"{base_url}/graphql", page_size, page_size) == page_size
            sdk_samples: list[float] = []
            raw_samples: list[float] = []
            for _ in range(repeats):
                gc.collect()
                started = time.thread_time()
                assert sdk_walk(client, nodes, page_size) == nodes
                sdk_samples.append(time.thread_time() - started)
                gc.collect()
                started = time.thread_time()
                assert raw_walk(http, f"{base_url}/graphql", nodes, page_size) == nodes
                raw_samples.append(time.thread_time() - started)
            figures = {"pagination_cpu": figure(min(sdk_samples), min(raw_samples), 1.5)}
            if memory:
                small = _peak(client, max(1, nodes // 10), page_size)
                large = _peak(client, nodes, page_size)
                figures["pagination_memory"] = figure(large, small, 1.5)
        finally:
            client.close()
            http.close()
    return figures
