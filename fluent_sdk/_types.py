"""Value types shared by every layer: a REST call described without I/O, timeouts, ids, headers.

This module sits at the bottom of the import graph (it imports only httpx), so the REST
namespaces, the GraphQL runtime and the helpers can describe calls without importing the client
that performs them::

    ApiCall("GET", "/api/v4.1/job/12", parse_job, operation="jobs.get")

`FluentClient.call` / `AsyncFluentClient.call` perform an `ApiCall`. Timeout defaults are
defined here once; the client, the token flow and the retry policy all read them.

`RestClient` / `AsyncRestClient` say what a namespace needs of the client that performs its
calls (``call``, ``login``, ``retailer_id``), so that a type-only reference to the client goes
through a Protocol instead of an import of `fluent_sdk._client`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypedDict, TypeVar

import httpx

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WRITE_TIMEOUT",
    "JSON_HEADERS",
    "ApiCall",
    "AsyncRestClient",
    "RequestOptions",
    "RestClient",
    "RetailerId",
    "SignedIn",
    "TimeoutTypes",
    "to_timeout",
]

T = TypeVar("T")

#: Seconds to establish a connection. Fluent's hosts answer a TCP/TLS handshake quickly; a slow
#: connect usually means a network problem that a retry on a fresh connection fixes.
DEFAULT_CONNECT_TIMEOUT = 5.0
#: Seconds to wait for response bytes. Large GraphQL pages and sync events can take a while.
DEFAULT_READ_TIMEOUT = 30.0
#: Seconds to send the request body (a 5000-record batch is about 1 MB).
DEFAULT_WRITE_TIMEOUT = 30.0
#: The client's timeouts unless configured: every request, token requests included, carries
#: one (a bare `httpx.Request` has none, and httpcore would then wait forever).
DEFAULT_TIMEOUT = httpx.Timeout(
    DEFAULT_READ_TIMEOUT,
    connect=DEFAULT_CONNECT_TIMEOUT,
    write=DEFAULT_WRITE_TIMEOUT,
    pool=DEFAULT_CONNECT_TIMEOUT,
)

#: A timeout as callers give it: seconds, an `httpx.Timeout`, or None for the default.
TimeoutTypes = float | httpx.Timeout | None

#: A Fluent retailer id as callers give it (``1`` or ``"1"``); checked where it is used.
RetailerId = int | str

#: Headers of every JSON request body the SDK sends (GraphQL posts, REST bodies).
JSON_HEADERS: Mapping[str, str] = {"Content-Type": "application/json"}


def to_timeout(value: TimeoutTypes) -> httpx.Timeout:
    """``value`` as an `httpx.Timeout`: None is `DEFAULT_TIMEOUT`; plain seconds keep the
    connect phase within `DEFAULT_CONNECT_TIMEOUT`."""
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(value, connect=min(float(value), DEFAULT_CONNECT_TIMEOUT))


class RequestOptions(TypedDict, total=False):
    """The keyword arguments of `FluentClient.request`: the fields of `ApiCall` after
    ``parse``, each optional."""

    #: Query parameters.
    params: Mapping[str, Any] | None
    #: A body to send as JSON.
    json: Any
    #: A body already encoded.
    content: bytes | None
    #: Multipart files.
    files: Any
    #: Headers over the client's.
    headers: Mapping[str, str] | None
    #: Whether the request may be sent again after it may have arrived (default: by method).
    idempotent: bool | None
    #: This request's timeout instead of the client's.
    timeout: TimeoutTypes | None
    #: A name for logs and errors, e.g. ``jobs.get``.
    operation: str | None


@dataclass(frozen=True)
class ApiCall(Generic[T]):
    """One REST call described without I/O: what to send and how to read the answer (the
    fields after ``parse`` are the `RequestOptions`).

    API namespaces build these; `FluentClient.call` / `AsyncFluentClient.call` perform them.
    """

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    files: Any = None
    headers: Mapping[str, str] | None = None
    idempotent: bool | None = None
    operation: str | None = None
    timeout: TimeoutTypes | None = None


class SignedIn(Protocol):
    """What the REST layer reads of a sign-in (`fluent_sdk._auth.Token`): the token's retailer."""

    @property
    def retailer_id(self) -> int | None: ...


class RestClient(Protocol):
    """What the REST namespaces (`fluent_sdk.rest`) need of a client; `FluentClient` is one.

    They are typed against this rather than the client, whose module names them for its typed
    attributes: the client depends on the namespaces, never the other way round.
    """

    @property
    def retailer_id(self) -> int | None:
        """The configured retailer, else the signed-in user's (None before signing in)."""

    def login(self, *, force: bool = False) -> SignedIn:
        """Sign in (or reuse the token) now."""

    def call(self, call: ApiCall[T]) -> T:
        """Perform ``call`` and return its parsed answer."""


class AsyncRestClient(Protocol):
    """The twin of `RestClient` for the asynchronous namespaces; `AsyncFluentClient` is one."""

    @property
    def retailer_id(self) -> int | None:
        """See `RestClient.retailer_id`."""

    async def login(self, *, force: bool = False) -> SignedIn:
        """See `RestClient.login`."""

    async def call(self, call: ApiCall[T]) -> T:
        """See `RestClient.call`."""
