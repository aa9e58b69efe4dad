"""Fixtures for the core transport tests: respx router, clients (sync and async), sleeps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import respx
from core_support import BASE, Harness

from fluent_sdk._config import ENV_VARS, PROFILE_DIR_ENV


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FLUENT_* variable of the developer's shell leaks into a test."""
    for var in (*ENV_VARS.values(), PROFILE_DIR_ENV):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """A respx router for the test account; any request it does not mock fails the test."""
    with respx.mock(base_url=BASE, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture(params=["sync", "async"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    h = Harness(request.param)
    yield h
    await h.close()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Capture the retry waits of both clients instead of sleeping."""
    waited: list[float] = []
    real_async_sleep = asyncio.sleep

    def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    async def fake_async_sleep(seconds: float, *args: object) -> None:
        waited.append(seconds)
        await real_async_sleep(0)

    monkeypatch.setattr(time, "sleep", fake_sleep)
    monkeypatch.setattr(asyncio, "sleep", fake_async_sleep)
    return waited
