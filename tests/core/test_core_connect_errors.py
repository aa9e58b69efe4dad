"""Transport failures name the host and port, say which failure it was and what to fix."""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Callable

import httpx
import pytest
from core_support import CREDENTIALS

from fluent_sdk import AsyncFluentClient, ConnectError, FluentClient, RetryPolicy, TimeoutError
from fluent_sdk.errors import TransportError

ONCE = RetryPolicy(max_attempts=1, initial_delay=0, max_delay=0)
HOST = "acme.sandbox.api.fluentretail.com:443"


def caused(error: httpx.TransportError, cause: BaseException | None) -> httpx.TransportError:
    """``error`` raised from ``cause``, as httpx raises from httpcore from the socket."""
    error.__cause__ = cause
    return error


def refused() -> httpx.TransportError:
    return caused(
        httpx.ConnectError("[Errno 111] Connection refused"),
        ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
    )


def dns() -> httpx.TransportError:
    return caused(
        httpx.ConnectError("[Errno -2] Name or service not known"),
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    )


def tls() -> httpx.TransportError:
    return caused(
        httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
        ssl.SSLCertVerificationError(1, "certificate verify failed"),
    )


# (failure, raised class, words the message must hold)
CASES: dict[
    str, tuple[Callable[[], httpx.TransportError], type[TransportError], tuple[str, ...]]
] = {
    "refused": (refused, ConnectError, ("could not connect to", "connection refused", "base URL")),
    "refused, message only": (
        lambda: httpx.ConnectError("Connection refused by peer"),
        ConnectError,
        ("connection refused",),
    ),
    "dns": (dns, ConnectError, ("DNS lookup failed", "account name")),
    "dns, message only": (
        lambda: httpx.ConnectError("getaddrinfo failed"),
        ConnectError,
        ("DNS lookup failed",),
    ),
    "tls": (tls, ConnectError, ("TLS handshake failed", "certificate")),
    "tls, message only": (
        lambda: httpx.ConnectError("SSL: WRONG_VERSION_NUMBER"),
        ConnectError,
        ("TLS handshake failed",),
    ),
    "connect timeout": (
        lambda: httpx.ConnectTimeout("timed out"),
        ConnectError,
        ("could not connect to", "connect timeout", "firewall"),
    ),
    "pool timeout": (
        lambda: httpx.PoolTimeout("no connection"),
        ConnectError,
        ("no free connection in the pool", "nothing was sent"),
    ),
    "read timeout": (
        lambda: httpx.ReadTimeout("timed out"),
        TimeoutError,
        ("timed out waiting for the reply", "read timeout", "may have acted"),
    ),
    "write timeout": (
        lambda: httpx.WriteTimeout("timed out"),
        TimeoutError,
        ("timed out sending the request", "write timeout"),
    ),
    "dropped": (
        lambda: httpx.RemoteProtocolError("Server disconnected without sending a response."),
        TransportError,
        ("connection was dropped", "may have acted"),
    ),
    "reset": (
        lambda: httpx.ReadError("[Errno 104] Connection reset by peer"),
        TransportError,
        ("connection was dropped",),
    ),
}


def raising(failure: Callable[[], httpx.TransportError], path: str) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == path:
            raise failure()
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "at-connect-test", "expires_in": 60})
        return httpx.Response(200, json={})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("path", ["/oauth/token", "/api/v4.1/event/sync"])
@pytest.mark.parametrize("case", list(CASES))
async def test_each_failure_names_host_port_cause_and_fix(case: str, path: str) -> None:
    failure, expected, words = CASES[case]
    errors: list[TransportError] = []
    with FluentClient(**CREDENTIALS, transport=raising(failure, path), retry=ONCE) as client:
        with pytest.raises(TransportError) as sync_error:
            client.request("POST", "/api/v4.1/event/sync", json={"name": "X"})
        errors.append(sync_error.value)
    async with AsyncFluentClient(
        **CREDENTIALS, transport=raising(failure, path), retry=ONCE
    ) as aclient:
        with pytest.raises(TransportError) as async_error:
            await aclient.request("POST", "/api/v4.1/event/sync", json={"name": "X"})
        errors.append(async_error.value)
    for error in errors:
        assert type(error) is expected, (case, type(error))
        text = str(error)
        assert HOST in text, text
        assert f"POST {path}" in text, text
        assert " — " in text, "every message says what to fix"
        for word in words:
            assert word in text, (word, text)
        assert error.operation == ("oauth.token" if path == "/oauth/token" else None)


def test_a_real_refused_loopback_port_says_connection_refused() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    credentials = {**CREDENTIALS, "base_url": f"http://127.0.0.1:{port}"}
    with FluentClient(**credentials, retry=ONCE) as client, pytest.raises(ConnectError) as error:
        client.login()
    text = str(error.value)
    assert (
        f"could not connect to 127.0.0.1:{port} for POST /oauth/token: connection refused" in text
    )
    assert "check the base URL" in text
