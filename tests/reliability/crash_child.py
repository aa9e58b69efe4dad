"""A child process for `test_crash_resume`: one checkpointed `inventory.update`, killed with
SIGKILL at a chosen point.

Run as ``python crash_child.py '<json>'`` with keys ``base_url``, ``credentials``,
``checkpoint``, ``records``, ``batch_size``, ``concurrency``, ``mode`` (``sync``/``async``) and
``kill``: None (run to the end), ``{"timer": seconds}``, or ``{"kind": K, "nth": n}`` to die
just before (``"before": true``) or just after the ``n``-th checkpoint line of kind ``K`` is
written. Dying before the ``n``-th ``sent`` line is the window between a batch POST that the
server committed and the checkpoint recording it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from collections.abc import Mapping
from typing import Any


def records(count: int) -> list[dict[str, Any]]:
    return [{"skuRef": f"SKU-{i}", "locationRef": "LOC-1", "qty": i} for i in range(1, count + 1)]


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(kill: Mapping[str, Any] | None) -> None:
    if kill is None:
        return
    if "timer" in kill:
        timer = threading.Timer(float(kill["timer"]), die)
        timer.daemon = True
        timer.start()
        return
    from fluent_sdk.helpers._inventory_checkpoint import Checkpoint

    original = Checkpoint.append
    seen = {"count": 0}
    counting = threading.Lock()  # batches run on threads: each line gets its own number

    def append(self: Checkpoint, entry: Mapping[str, Any]) -> None:
        if entry.get("kind") == kill["kind"]:
            with counting:
                seen["count"] += 1
                number = seen["count"]
            if number == kill["nth"] and kill.get("before"):
                die()
            original(self, entry)
            if number == kill["nth"]:
                die()
            return
        original(self, entry)

    Checkpoint.append = append  # type: ignore[method-assign]


def main(options: Mapping[str, Any]) -> None:
    from fluent_sdk import AsyncFluentClient, FluentClient

    arm(options.get("kill"))
    update = {
        "checkpoint": options["checkpoint"],
        "batch_size": options["batch_size"],
        "concurrency": options["concurrency"],
        "poll_interval": 0.01,
        "progress": False,
    }
    connect = {**options["credentials"], "base_url": options["base_url"]}
    if options["mode"] == "async":

        async def run() -> Any:
            async with AsyncFluentClient(**connect) as client:
                return await client.inventory.update(records(options["records"]), **update)

        report = asyncio.run(run())
    else:
        with FluentClient(**connect) as client:
            report = client.inventory.update(records(options["records"]), **update)
    print(json.dumps(report.summary()))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
