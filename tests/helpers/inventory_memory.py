"""Peak memory of ``client.inventory.update`` for N streamed records (not a test).

    .venv/bin/python tests/helpers/inventory_memory.py 100000        # tracemalloc peak + RSS
    .venv/bin/python tests/helpers/inventory_memory.py 1000000 rss   # RSS only (no tracing cost)

The sandbox keeps everything it receives (request log, batches, events), so an httpx
MockTransport stands in for Fluent here: the figures measure the SDK, not the fake server.
"""

import gc
import json
import resource
import sys
import time
import tracemalloc

import httpx

from fluent_sdk import FluentClient

N = int(sys.argv[1])
state = {"batches": {}, "next": 0}


def handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/oauth/token":
        return httpx.Response(
            200,
            json={
                "access_token": "t",
                "token_type": "bearer",
                "expires_in": 3600,
                "Retailer_id": 1,
            },
        )
    if request.method == "POST" and path == "/api/v4.1/job":
        return httpx.Response(200, json={"id": "1"})
    if request.method == "POST" and path.endswith("/batch"):
        state["next"] += 1
        count = len(json.loads(request.content)["entities"])
        state["batches"][str(state["next"])] = count
        return httpx.Response(200, json={"id": str(state["next"])})
    batch_id = path.rsplit("/", 1)[1]
    count = state["batches"].pop(batch_id)
    results = [{"responseCode": "200", "message": "OK"}] * count
    return httpx.Response(
        200, json={"batchId": batch_id, "status": "COMPLETE", "total": count, "results": results}
    )


def records():
    for n in range(N):
        yield {"skuRef": f"SKU-{n % 997}", "locationRef": f"LOC-{n % 13}", "qty": n}


client = FluentClient(
    base_url="https://x.fluent.test",
    client_id="c",
    client_secret="s",
    username="u",
    password="p",
    transport=httpx.MockTransport(handler),
)
client.login()
gc.collect()
TRACE = len(sys.argv) < 3
if TRACE:
    tracemalloc.start()
started = time.perf_counter()
report = client.inventory.update(records(), progress=False, poll_interval=0.01, concurrency=4)
elapsed = time.perf_counter() - started
current, peak = tracemalloc.get_traced_memory() if TRACE else (0, 0)
if TRACE:
    tracemalloc.stop()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    f"N={N:>9,} accepted={report.accepted:>9,} batches={report.batches:>4} "
    f"time={elapsed:5.1f}s tracemalloc_peak={peak / 2**20:6.1f} MiB peak_rss={rss:6.1f} MiB"
)
