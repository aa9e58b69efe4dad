"""In-process httpx transports: requests reach the sandbox handlers without any socket."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from fluent_sdk.sandbox.messages import SandboxRequest

if TYPE_CHECKING:
    from fluent_sdk.sandbox.app import Outcome, SandboxApp

__all__ = ["SandboxAsyncTransport", "SandboxTransport", "to_sandbox_request"]


def to_sandbox_request(request: httpx.Request, body: bytes) -> SandboxRequest:
    return SandboxRequest(
        method=request.method,
        path=request.url.path,
        query_string=request.url.query.decode("ascii", "replace"),
        headers={key.lower(): value for key, value in request.headers.items()},
        body=body,
    )


def _response(outcome: Outcome, request: httpx.Request) -> httpx.Response:
    if outcome.failure == "timeout":
        raise httpx.ReadTimeout("Timed out waiting for the sandbox (injected)", request=request)
    if outcome.failure == "drop":
        if outcome.committed:
            raise httpx.ReadError("Connection closed by the sandbox (injected)", request=request)
        raise httpx.ConnectError("Connection refused by the sandbox (injected)", request=request)
    assert outcome.response is not None
    reply = outcome.response
    return httpx.Response(reply.status, headers=reply.headers, content=reply.body, request=request)


class SandboxTransport(httpx.BaseTransport):
    """Use as ``httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url)``."""

    def __init__(self, app: SandboxApp) -> None:
        self._app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange = self._app.prepare(to_sandbox_request(request, request.read()))
        if exchange.plan.delay > 0:
            time.sleep(exchange.plan.delay)
        return _response(self._app.run(exchange), request)


class SandboxAsyncTransport(httpx.AsyncBaseTransport):
    """Use as ``httpx.AsyncClient(transport=sandbox.async_transport(), base_url=…)``."""

    def __init__(self, app: SandboxApp) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = self._app.prepare(to_sandbox_request(request, await request.aread()))
        if exchange.plan.delay > 0:
            await asyncio.sleep(exchange.plan.delay)
        # Handlers are quick and synchronous (one store lock), so they run on the loop thread.
        return _response(self._app.run(exchange), request)
