"""One measured bulk inventory load, run in a fresh process so that its peak RSS is its own.

``python -m benchmarks._inventory_client SIDE RECORDS BASE_URL [CONCURRENCY]`` streams
``RECORDS`` generated stock records (a generator, never a list) to the `_job_server` at
``BASE_URL`` and prints one JSON line: ``{"cpu": s, "maxrss": bytes, "accepted": n}``.

``SIDE`` is ``sdk`` (``FluentClient.inventory.update(..., progress=False)`` with
``CONCURRENCY`` batches in flight, default 1) or ``raw`` (the same work with bare ``httpx``:
log in, create a job, POST 5000-record batches one by one, poll each until ``COMPLETE`` and
count the per-record results that are 200). Both log in through ``POST /oauth/token``.

``cpu`` is the process CPU time (every thread) of the load alone: a one-batch warm-up run
first (imports, first requests, login) is not counted. ``maxrss`` is the process's peak RSS
at the end (`peak_rss`), which the warm-up does count (it is part of what the process needs).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["BATCH_SIZE", "CREDENTIALS", "main", "peak_rss", "raw_update", "records", "sdk_update"]

BATCH_SIZE = 5000
CREDENTIALS = {
    "client_id": "bench",
    "client_secret": "bench-secret",
    "username": "bench-user",
    "password": "bench-password",
}


def records(count: int) -> Iterator[dict[str, Any]]:
    """``count`` absolute stock records, made one at a time."""
    for index in range(count):
        yield {
            "skuRef": f"SKU-{index:08d}",
            "locationRef": f"LOC-{index % 500:04d}",
            "qty": index % 97,
        }


def sdk_update(base_url: str, count: int, *, concurrency: int = 1) -> int:
    """Records accepted by ``client.inventory.update`` of ``count`` streamed records."""
    from fluent_sdk import FluentClient

    with FluentClient(
        base_url=base_url,
        client_id=CREDENTIALS["client_id"],
        client_secret=CREDENTIALS["client_secret"],
        username=CREDENTIALS["username"],
        password=CREDENTIALS["password"],
    ) as client:
        report = client.inventory.update(
            records(count), concurrency=concurrency, progress=False, poll_interval=0.05
        )
    if report.accepted != count or report.read != count:
        raise RuntimeError(f"SDK run: {report!r}")
    return report.accepted


class RawLoader:
    """The raw baseline: what a hand-written httpx loader does for the same load."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        import httpx

        self._http = httpx.Client(base_url=base_url, timeout=60.0, transport=transport)
        self._job_id: str | None = None
        self._headers: dict[str, str] = {}
        self._retailer_id: int = 0

    def close(self) -> None:
        self._http.close()

    def _login(self) -> None:
        data = {"grant_type": "password", **CREDENTIALS}
        response = self._http.post("/oauth/token", data=data)
        response.raise_for_status()
        token = json.loads(response.content)
        self._headers = {"Authorization": f"Bearer {token['access_token']}"}
        self._retailer_id = int(token["Retailer_id"])

    def update(self, source: Iterator[dict[str, Any]]) -> int:
        if not self._headers:
            self._login()
        if self._job_id is None:
            response = self._http.post(
                "/api/v4.1/job",
                json={"name": "raw inventory", "retailerId": str(self._retailer_id)},
                headers=self._headers,
            )
            response.raise_for_status()
            self._job_id = str(json.loads(response.content)["id"])
        accepted = 0
        entities: list[dict[str, Any]] = []
        for record in source:
            record["retailerId"] = self._retailer_id
            entities.append(record)
            if len(entities) == BATCH_SIZE:
                accepted += self._send(entities)
                entities = []
        if entities:
            accepted += self._send(entities)
        return accepted

    def _send(self, entities: list[dict[str, Any]]) -> int:
        body = {
            "action": "UPSERT",
            "entityType": "INVENTORY",
            "catalogueRef": f"DEFAULT:{self._retailer_id}",
            "entities": entities,
        }
        path = f"/api/v4.1/job/{self._job_id}/batch"
        response = self._http.post(path, json=body, headers=self._headers)
        response.raise_for_status()
        batch_id = json.loads(response.content)["id"]
        while True:
            response = self._http.get(f"{path}/{batch_id}", headers=self._headers)
            response.raise_for_status()
            batch = json.loads(response.content)
            if batch["status"] == "COMPLETE":
                break
            time.sleep(0.05)
        results = batch["results"]
        if len(results) != len(entities):
            raise RuntimeError(f"batch {batch_id}: {len(results)} results for {len(entities)}")
        return sum(1 for result in results if result["responseCode"] == 200)


def raw_update(base_url: str, count: int) -> int:
    loader = RawLoader(base_url)
    try:
        accepted = loader.update(records(count))
    finally:
        loader.close()
    if accepted != count:
        raise RuntimeError(f"raw run: {accepted} accepted of {count}")
    return accepted


def measure(side: str, base_url: str, count: int, concurrency: int = 1) -> dict[str, float]:
    """Warm up with one small batch, then time the load of ``count`` records."""
    if side == "sdk":
        sdk_update(base_url, 10, concurrency=concurrency)
        started = time.process_time()
        accepted = sdk_update(base_url, count, concurrency=concurrency)
    elif side == "raw":
        raw_update(base_url, 10)
        started = time.process_time()
        accepted = raw_update(base_url, count)
    else:
        raise ValueError(f"side must be 'sdk' or 'raw', got {side!r}")
    cpu = time.process_time() - started
    return {"cpu": cpu, "maxrss": float(peak_rss()), "accepted": float(accepted)}


def peak_rss() -> int:
    """Peak resident set size of this process, in bytes.

    On Linux this is ``VmHWM`` (the high-water mark of this process's own memory): not
    ``ru_maxrss``, which Linux carries over an ``execve`` from the (v)forked parent, so that a
    child of a large benchmark process would report the parent's size. Elsewhere, ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024  # bytes on macOS, else KiB


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    side, count, base_url = args[0], int(args[1]), args[2]
    concurrency = int(args[3]) if len(args) > 3 else 1
    print(json.dumps(measure(side, base_url, count, concurrency)), flush=True)


if __name__ == "__main__":
    main()
