"""Fixtures for the Platform (REST) namespace tests: a respx-mocked account and a `Rest` helper
that runs every test against the sync and the async client."""

from __future__ import annotations

import inspect
import json
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx

from fluent_sdk._client import AsyncFluentClient, FluentClient
from fluent_sdk._retry import RetryPolicy

BASE = "https://acme.sandbox.api.fluentretail.com"
TOKEN = {"access_token": "tok-1", "token_type": "bearer", "expires_in": 3600, "Retailer_id": 1}
SECRETS = ("s3cret-value", "p4ssword-value", "tok-1")
# Building an SSL context per client dominates test time; nothing here connects anyway.
_SSL_CONTEXT = ssl.create_default_context()


def client_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(
        base_url=BASE,
        client_id="ACME",
        client_secret="s3cret-value",
        username="api_user",
        password="p4ssword-value",
        retry=RetryPolicy(initial_delay=0, max_delay=0),
    )
    kwargs.update(overrides)
    return kwargs


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """The mocked account: ``POST /oauth/token`` answers; add routes per test."""
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth/token", name="token").respond(json=TOKEN)
        yield router


def body_of(call: Any) -> Any:
    """The JSON body a recorded respx call sent."""
    return json.loads(call.request.content)


def api_calls(router: respx.MockRouter) -> list[httpx.Request]:
    """Requests other than token requests."""
    return [c.request for c in router.calls if c.request.url.path != "/oauth/token"]


@dataclass
class Rest:
    """One client (sync or async) plus helpers that await only when needed."""

    is_async: bool
    client: FluentClient | AsyncFluentClient

    def make(self, sync_cls: type[Any], async_cls: type[Any], **kwargs: Any) -> Any:
        return (async_cls if self.is_async else sync_cls)(self.client, **kwargs)

    @staticmethod
    async def run(value: Any) -> Any:
        return await value if inspect.isawaitable(value) else value

    @staticmethod
    async def collect(iterable: Any) -> list[Any]:
        if hasattr(iterable, "__aiter__"):
            return [item async for item in iterable]
        return list(iterable)


@pytest.fixture(params=["sync", "async"])
async def rest(request: pytest.FixtureRequest, api: respx.MockRouter) -> AsyncIterator[Rest]:
    if request.param == "async":
        async with (
            httpx.AsyncClient(verify=_SSL_CONTEXT) as async_http,
            AsyncFluentClient(http_client=async_http, **client_kwargs()) as aclient,
        ):
            yield Rest(True, aclient)
    else:
        with (
            httpx.Client(verify=_SSL_CONTEXT) as sync_http,
            FluentClient(http_client=sync_http, **client_kwargs()) as client,
        ):
            yield Rest(False, client)
