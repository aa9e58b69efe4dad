"""Clients sharing one `FileTokenStore` use each single-use refresh token once.

Issue 13 item 6: two clients sharing the store both used the same refresh token; one got
``invalid_grant`` and fell back to a password login. The fault server issues tokens that live
1 s and refresh tokens that work once; clients refresh 0.8 s early, so nearly every request
races the other client's refresh.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from fluent_sdk import AsyncFluentClient, FileTokenStore, FluentClient, RetryPolicy

from .fault_server import FaultServer

REQUESTS = 25
ONCE = RetryPolicy(max_attempts=1)

_WORKER = textwrap.dedent(
    """
    import json, sys, time
    from fluent_sdk import FileTokenStore, FluentClient, RetryPolicy

    options, store, start_at, requests = json.loads(sys.argv[1])
    time.sleep(max(0.0, start_at - time.time()))  # both processes start together
    with FluentClient(
        **options, token_store=FileTokenStore(store), refresh_skew=0.8,
        retry=RetryPolicy(max_attempts=1),
    ) as client:
        for _ in range(requests):
            client.graphql.execute("query { me { id } }")
            time.sleep(0.05)
    """
)


def check_each_refresh_token_used_once(server: FaultServer, clients: int) -> None:
    assert server.grants["invalid_grant"] == 0, server.grants
    assert server.grants["password"] == 1, f"one login, then only refreshes: {server.grants}"
    assert server.grants["refresh_token"] >= 4, (
        f"the clients should have refreshed: {server.grants}"
    )
    assert server.refresh_uses, "refresh tokens were presented"
    assert set(server.refresh_uses.values()) == {1}, server.refresh_uses
    answered = [r for r in server.requests("graphql") if r.status == 200]
    assert len(answered) == clients * REQUESTS


def test_two_processes_sharing_a_file_store(tmp_path: Path) -> None:
    server = FaultServer(expires_in=1)
    store = tmp_path / "tokens.json"
    with server.serve() as base_url:
        options = {**server.credentials(), "base_url": base_url}
        argument = json.dumps([options, str(store), time.time() + 1.5, REQUESTS])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, argument],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [worker.communicate(timeout=60) for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
    check_each_refresh_token_used_once(server, clients=2)
    assert oct(store.stat().st_mode & 0o777) == "0o600"


def test_two_threads_with_their_own_store_objects_on_one_file(tmp_path: Path) -> None:
    server = FaultServer(expires_in=1)
    path = tmp_path / "tokens.json"
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work() -> None:
        try:
            with FluentClient(
                transport=server.transport(),
                **server.credentials(),
                token_store=FileTokenStore(path),
                refresh_skew=0.8,
                retry=ONCE,
            ) as client:
                start.wait(timeout=10)
                for _ in range(REQUESTS):
                    client.graphql.execute("query { me { id } }")
                    time.sleep(0.05)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    check_each_refresh_token_used_once(server, clients=2)


def test_the_store_lock_excludes_a_second_holder_until_released(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    first, second = store.lock(), store.lock()
    assert first.try_acquire()
    assert not second.try_acquire(), "one holder at a time, even within one process"
    first.release()
    assert second.try_acquire()
    second.release()


async def test_two_async_clients_in_one_loop_share_a_file_store(tmp_path: Path) -> None:
    """Separate auths (separate task locks): only the file lock keeps them apart, and waiting
    for it must not block the event loop the other client runs on."""
    server = FaultServer(expires_in=1)
    # Slow token replies: the other task runs while a refresh is in flight.
    server.fault("token", "slow", nth=1, times=1000, delay=0.05)
    path = tmp_path / "tokens.json"

    async def work() -> None:
        async with AsyncFluentClient(
            transport=server.async_transport(),
            **server.credentials(),
            token_store=FileTokenStore(path),
            refresh_skew=0.8,
            retry=ONCE,
        ) as client:
            for _ in range(REQUESTS):
                await client.graphql.execute("query { me { id } }")
                await asyncio.sleep(0.05)

    await asyncio.wait_for(asyncio.gather(work(), work()), timeout=60)
    check_each_refresh_token_used_once(server, clients=2)
