"""Figure 1: client CPU per GraphQL call returning a 100-node ``orders`` page.

Server: an in-process fixed-response ``httpx.MockTransport`` answering every POST with the same
canned page (every field of the default ``Orders`` selection filled in, see `_data`). The SDK
clients get a static ``token=`` so no token request is made; the call still goes through the
auth flow, the retry loop and error mapping, and returns fully validated typed models.

- ``graphql_call_sync``: ``client.graphql.orders(first=100)`` against a raw ``httpx.Client``
  post of the same body + ``json.loads`` of the answer (target <= 1.25x).
- ``graphql_call_async``: the same with ``AsyncFluentClient`` / ``httpx.AsyncClient``
  (target <= 1.15x).
- ``graphql_call_gql_parsed_once`` / ``..._parsed_per_call`` (for information): gql's ``Client``
  over its ``HTTPXTransport`` (same mock transport), the document parsed once with ``gql()`` or
  on every call, against the same raw baseline.
- ``graphql_call_pydantic_floor_sync`` / ``_async`` (for information): the raw post followed by
  nothing but pydantic's own validation of the body into the same generated models
  (``model_validate_json``, collector paused as the SDK does), against the raw baseline: what
  typed pydantic results cost before any SDK code runs.
- ``graphql_call_sync_over_floor`` / ``_async_over_floor``: the SDK's typed call against that
  floor: the SDK's own cost per call (request building, auth flow, retry loop, error mapping,
  logging) (target <= 1.10x).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from benchmarks._data import orders_page_bytes
from benchmarks._harness import Figure, Units, batch, cpu_per_call, figure
from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk._generated.orders import Orders
from fluent_sdk.graphql._gc_pause import parse_paused
from fluent_sdk.graphql._runtime import _envelope_for

__all__ = ["UNITS", "measure_graphql_call"]

BASE_URL = "https://acme.sandbox.api.fluentretail.com"
TOKEN = "benchmark-token"
UNITS: Units = {
    "graphql_call_sync": "s",
    "graphql_call_async": "s",
    "graphql_call_gql_parsed_once": "s",
    "graphql_call_gql_parsed_per_call": "s",
    "graphql_call_pydantic_floor_sync": "s",
    "graphql_call_pydantic_floor_async": "s",
    "graphql_call_sync_over_floor": "s",
    "graphql_call_async_over_floor": "s",
}


class _FixedServer:
    """Answers every request with one canned body; remembers the last request body."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.last_request: bytes = b""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.last_request = request.content
        return httpx.Response(200, content=self.body, headers={"Content-Type": "application/json"})


def _async_batch(loop: asyncio.AbstractEventLoop, call: Callable[[], Any]) -> Callable[[int], None]:
    async def many(n: int) -> None:
        result: object = None
        for _ in range(n):
            result = await call()
        del result

    def run(n: int) -> None:
        loop.run_until_complete(many(n))

    return run


def measure_graphql_call(
    *, nodes: int = 100, calls: int = 50, repeats: int = 15
) -> dict[str, Figure]:
    server = _FixedServer(orders_page_bytes(0, nodes, has_next=True))
    transport = httpx.MockTransport(server)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    url = f"{BASE_URL}/graphql"

    sync_client = FluentClient(base_url=BASE_URL, token=TOKEN, transport=transport)
    async_client = AsyncFluentClient(base_url=BASE_URL, token=TOKEN, transport=transport)
    raw_client = httpx.Client(transport=transport)
    raw_async = httpx.AsyncClient(transport=transport)
    loop = asyncio.new_event_loop()

    def sdk_sync() -> object:
        return sync_client.graphql.orders(first=nodes)

    first = sync_client.graphql.orders(first=nodes)
    assert first is not None
    assert len(first.edges or []) == nodes
    body = server.last_request  # raw and gql send exactly what the SDK sent
    query = json.loads(body)["query"]

    def raw_sync() -> object:
        response = raw_client.post(url, content=body, headers=headers)
        response.raise_for_status()
        return json.loads(response.content)

    # The same generated result model the SDK's `orders` method parses into.
    validate = _envelope_for(Orders).model_validate_json

    def floor_sync() -> object:
        response = raw_client.post(url, content=body, headers=headers)
        response.raise_for_status()
        return parse_paused(validate, response.content)

    async def sdk_async() -> object:
        return await async_client.graphql.orders(first=nodes)

    async def raw_async_call() -> object:
        response = await raw_async.post(url, content=body, headers=headers)
        response.raise_for_status()
        return json.loads(response.content)

    async def floor_async() -> object:
        response = await raw_async.post(url, content=body, headers=headers)
        response.raise_for_status()
        return parse_paused(validate, response.content)

    from gql import Client, GraphQLRequest, gql
    from gql.transport.httpx import HTTPXTransport

    gql_client = Client(transport=HTTPXTransport(url, headers=headers, transport=transport))
    session = gql_client.connect_sync()  # type: ignore[no-untyped-call]
    variables = {"first": nodes}
    parsed_once = GraphQLRequest(gql(query), variable_values=variables)

    def gql_once() -> object:
        return session.execute(parsed_once)

    def gql_per_call() -> object:
        return session.execute(GraphQLRequest(gql(query), variable_values=variables))

    try:
        per_call = cpu_per_call(
            {
                "sdk_sync": batch(sdk_sync),
                "raw_sync": batch(raw_sync),
                "sdk_async": _async_batch(loop, sdk_async),
                "raw_async": _async_batch(loop, raw_async_call),
                "floor_sync": batch(floor_sync),
                "floor_async": _async_batch(loop, floor_async),
                "gql_once": batch(gql_once),
                "gql_per_call": batch(gql_per_call),
            },
            calls=calls,
            repeats=repeats,
        )
    finally:
        gql_client.close_sync()  # type: ignore[no-untyped-call]
        sync_client.close()
        raw_client.close()
        loop.run_until_complete(async_client.aclose())
        loop.run_until_complete(raw_async.aclose())
        loop.close()
    return {
        "graphql_call_sync": figure(per_call["sdk_sync"], per_call["raw_sync"], 1.25),
        "graphql_call_async": figure(per_call["sdk_async"], per_call["raw_async"], 1.15),
        "graphql_call_pydantic_floor_sync": figure(
            per_call["floor_sync"], per_call["raw_sync"], None
        ),
        "graphql_call_pydantic_floor_async": figure(
            per_call["floor_async"], per_call["raw_async"], None
        ),
        "graphql_call_sync_over_floor": figure(per_call["sdk_sync"], per_call["floor_sync"], 1.10),
        "graphql_call_async_over_floor": figure(
            per_call["sdk_async"], per_call["floor_async"], 1.10
        ),
        "graphql_call_gql_parsed_once": figure(per_call["gql_once"], per_call["raw_sync"], None),
        "graphql_call_gql_parsed_per_call": figure(
            per_call["gql_per_call"], per_call["raw_sync"], None
        ),
    }
