"""A response is freed when its last reference goes, not at the next cyclic collection."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import httpx
import pytest
from core_support import BASE, STATIC, Harness


@pytest.fixture
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b'{"big": "' + b"x" * 100_000 + b'"}')


@pytest.mark.usefixtures("collector_paused")
async def test_a_read_response_is_freed_by_reference_counting(harness: Harness) -> None:
    transport: httpx.MockTransport = httpx.MockTransport(_answer)
    client = harness.client(base_url=BASE, token=STATIC, transport=transport)
    response = await harness.request(client, "GET", "/api/v4.1/order/1")
    assert response.json()["big"].startswith("x")
    assert response.is_closed
    freed = weakref.ref(response)
    del response
    # httpx binds the stream back to the response; with that cycle left in place the
    # response (and its body) would live on until the collector, paused here, ran.
    assert freed() is None
