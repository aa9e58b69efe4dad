"""What went wrong when no HTTP response arrived, in words that say what to fix.

httpx raises one class for several failures (`httpx.ConnectError` covers a refused connection, a
failed DNS lookup and a TLS handshake failure); the cause is in the exception chain (an
`OSError` errno, a `socket.gaierror`, an `ssl.SSLError`) or, with some transports, only in the
message. `describe` finds it and names the host and port, so a message reads::

    could not connect to acme.sandbox.api.fluentretail.com:443 for POST /oauth/token:
    connection refused — check the base URL and that the host is reachable

The text is redacted by the error classes (a ``token_in_query`` URL holds the client secret).
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

__all__ = ["TransportFailure", "describe"]

_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class TransportFailure:
    """One failure: whether the request provably never left (``connect``), and the message."""

    #: "refused", "dns", "tls", "connect_timeout", "pool_timeout", "connect_failed",
    #: "read_timeout", "write_timeout", "dropped", "transport".
    kind: str
    #: True when the request never reached the server (safe to send again).
    connect: bool
    #: True for a timeout after the request was sent.
    timeout: bool
    message: str


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "no address associated",
    "name resolution",
)


def _connect_cause(exc: httpx.TransportError) -> str:
    """Which kind of connect failure ``exc`` is: refused, dns, tls or connect_failed."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return "dns"
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return "tls"
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return "refused"
    text = " ".join(str(cause) for cause in _causes(exc)).lower()
    if "refused" in text:
        return "refused"
    if any(word in text for word in _DNS_WORDS):
        return "dns"
    if "ssl" in text or "tls" in text or "certificate" in text or "handshake" in text:
        return "tls"
    return "connect_failed"


_CONNECT_TEXT = {
    "refused": (
        "connection refused",
        "check the base URL and that the host is reachable",
    ),
    "dns": (
        "DNS lookup failed (no such host)",
        "check the account name or base URL for typos, and your DNS or proxy settings",
    ),
    "tls": (
        "TLS handshake failed",
        "check the base URL's scheme and host, and any proxy or CA certificate settings "
        "(SSL_CERT_FILE)",
    ),
    "connect_timeout": (
        "connect timeout",
        "check network access to the host (firewall, proxy, VPN) or raise the connect timeout",
    ),
    "pool_timeout": (
        "no free connection in the pool in time",
        "lower the number of concurrent requests or raise the pool timeout; nothing was sent",
    ),
    "connect_failed": (
        "connection failed",
        "check the base URL and that the host is reachable",
    ),
}


def describe(exc: httpx.TransportError, request: httpx.Request) -> TransportFailure:
    """Classify ``exc`` (raised sending ``request``) and word its message."""
    url = request.url
    port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
    host = f"{url.host}:{port}" if port else url.host
    where = f"{request.method} {url.path}"
    detail = str(exc).strip()
    detail = f" ({type(exc).__name__}: {detail})" if detail else f" ({type(exc).__name__})"

    kind: str | None = None
    if isinstance(exc, httpx.ConnectTimeout):
        kind = "connect_timeout"
    elif isinstance(exc, httpx.PoolTimeout):
        kind = "pool_timeout"
    elif isinstance(exc, httpx.ConnectError):
        kind = _connect_cause(exc)
    if kind is not None:
        what, fix = _CONNECT_TEXT[kind]
        return TransportFailure(
            kind,
            connect=True,
            timeout=False,
            message=f"could not connect to {host} for {where}: {what} — {fix}{detail}",
        )
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.TimeoutException):
        kind = "write_timeout" if isinstance(exc, httpx.WriteTimeout) else "read_timeout"
        phase = "sending the request" if kind == "write_timeout" else "waiting for the reply"
        return TransportFailure(
            kind,
            connect=False,
            timeout=True,
            message=(
                f"{where} to {host} timed out {phase} ({kind.replace('_', ' ')}) — the server "
                "may have acted on it: check before sending it again, or raise the timeout"
                f"{detail}"
            ),
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return TransportFailure(
            "dropped",
            connect=False,
            timeout=False,
            message=(
                f"{where} to {host} failed: the connection was dropped before a reply — the "
                "server may have acted on it: check before sending it again (a proxy or load "
                f"balancer closing idle connections can cause this){detail}"
            ),
        )
    return TransportFailure(
        "transport",
        connect=False,
        timeout=False,
        message=(
            f"{where} to {host} failed — check the base URL, proxy and network settings{detail}"
        ),
    )
