"""Shared constants and helpers for the core (transport) tests."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import parse_qs

import httpx

from fluent_sdk import ApiCall, AsyncFluentClient, FluentClient, RetryPolicy

T = TypeVar("T")

BASE = "https://acme.sandbox.api.fluentretail.com"
CLIENT_ID = "ACME"
CLIENT_SECRET = "cs-7d1e4c2a-client-secret-value"
USERNAME = "api_integration_user"
PASSWORD = "pw-Qx81!zz-user-password"
ACCESS_1 = "at-11111111-first-access-token"
ACCESS_2 = "at-22222222-second-access-token"
ACCESS_3 = "at-33333333-third-access-token"
REFRESH_1 = "rt-aaaaaaaa-first-refresh-token"
REFRESH_2 = "rt-bbbbbbbb-second-refresh-token"
STATIC = "st-99999999-static-bearer-token"
SECRETS = (CLIENT_SECRET, PASSWORD, ACCESS_1, ACCESS_2, ACCESS_3, REFRESH_1, REFRESH_2, STATIC)

#: Retries without any waiting.
NO_WAIT = RetryPolicy(initial_delay=0, max_delay=0)

CREDENTIALS: dict[str, Any] = dict(
    base_url=BASE,
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
    username=USERNAME,
    password=PASSWORD,
)


#: One TLS context for every test client: building one per client (loading the CA bundle)
#: costs ~70 ms, more than a whole test. respx intercepts below the transport either way.
_TLS = ssl.create_default_context()


def fast_transport(*, is_async: bool) -> httpx.HTTPTransport | httpx.AsyncHTTPTransport:
    if is_async:
        return httpx.AsyncHTTPTransport(verify=_TLS)
    return httpx.HTTPTransport(verify=_TLS)


class FakeClock:
    """A settable epoch clock for ``clock=``."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def token_json(
    access: str = ACCESS_1,
    *,
    refresh: str | None = None,
    expires_in: float | None = 3600,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": access, "token_type": "bearer", "scope": "api"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    if refresh is not None:
        body["refresh_token"] = refresh
    body.update(extra)
    return body


def token_response(access: str = ACCESS_1, **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=token_json(access, **kwargs))


def invalid_grant(description: str = "Invalid refresh token") -> httpx.Response:
    return httpx.Response(400, json={"error": "invalid_grant", "error_description": description})


def form(request: httpx.Request) -> dict[str, str]:
    """A form-encoded body as a flat dict (each field must occur once)."""
    parsed = parse_qs(request.content.decode(), keep_blank_values=True, strict_parsing=False)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params.multi_items())


def grants(calls: Iterable[Any]) -> list[str]:
    """The ``grant_type`` of each recorded token request."""
    return [form(call.request)["grant_type"] for call in calls]


def bearer(call: Any) -> str:
    return str(call.request.headers["Authorization"])


def body_json(call: Any) -> Any:
    return json.loads(call.request.content)


class Harness:
    """Runs the same scenario against `FluentClient` or `AsyncFluentClient`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.clients: list[FluentClient | AsyncFluentClient] = []

    @property
    def is_async(self) -> bool:
        return self.kind == "async"

    def client(self, **kwargs: Any) -> FluentClient | AsyncFluentClient:
        settings = {**CREDENTIALS, "retry": NO_WAIT, **kwargs}
        if "http_client" not in settings:
            settings.setdefault("transport", fast_transport(is_async=self.is_async))
        cls = AsyncFluentClient if self.is_async else FluentClient
        client = cls(**settings)
        self.clients.append(client)
        return client

    async def request(
        self, client: FluentClient | AsyncFluentClient, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        if isinstance(client, AsyncFluentClient):
            return await client.request(method, path, **kwargs)
        return client.request(method, path, **kwargs)

    async def call(self, client: FluentClient | AsyncFluentClient, call: ApiCall[T]) -> T:
        if isinstance(client, AsyncFluentClient):
            return await client.call(call)
        return client.call(call)

    async def login(self, client: FluentClient | AsyncFluentClient, **kwargs: Any) -> Any:
        if isinstance(client, AsyncFluentClient):
            return await client.login(**kwargs)
        return client.login(**kwargs)

    async def close(self) -> None:
        for client in self.clients:
            if isinstance(client, AsyncFluentClient):
                await client.aclose()
            else:
                client.close()
