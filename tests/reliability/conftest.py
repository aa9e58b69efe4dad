from __future__ import annotations

import pytest

from fluent_sdk.sandbox import server

#: Simultaneous connections the loopback tests open (20 threads / clients).
LOOPBACK_CONNECTIONS = 20


@pytest.fixture
def wide_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work around a sandbox limitation until `fluent_sdk/sandbox/server.py` fixes it: the
    loopback server keeps socketserver's default listen backlog of 5, so more than 5 clients
    connecting at once get "connection reset by peer" (see
    `test_sandbox_load.test_loopback_server_backlog_holds_20_simultaneous_connects`)."""
    if server._Server.request_queue_size < LOOPBACK_CONNECTIONS:
        monkeypatch.setattr(server._Server, "request_queue_size", 128)
