"""Pytest fixtures for testing your code against the Fluent sandbox.

When ``fluent-sdk`` is installed the plugin loads by itself (``pytest11`` entry point); otherwise
add ``pytest_plugins = ["fluent_sdk.sandbox.pytest_plugin"]`` to your root ``conftest.py``.

Fixtures (each test gets fresh state, seeded with the default dataset):

``fluent_sandbox``
    A :class:`fluent_sdk.sandbox.Sandbox`. Inspect ``.store``/``.events``, count
    ``.requests``, inject ``.faults``, or ``.serve()`` it on 127.0.0.1. The test fails if the
    sandbox itself crashed while handling a request.
``fluent_client``
    A ``FluentClient`` signed in to that sandbox through the in-process transport.
``async_fluent_client``
    The ``AsyncFluentClient`` equivalent (needs pytest-asyncio).

Pick another seed per test with ``@pytest.mark.fluent_seed(seed)`` (a dict, a JSON file path,
``"default"`` or ``None`` for an empty account)::

    @pytest.mark.fluent_seed("tests/data/my_seed.json")
    def test_order_import(fluent_client, fluent_sandbox):
        import_orders(fluent_client, ...)
        assert fluent_sandbox.requests.count("graphql") == 3
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from fluent_sdk.sandbox import Sandbox

if TYPE_CHECKING:
    from fluent_sdk import AsyncFluentClient, FluentClient

__all__ = ["async_fluent_client", "fluent_client", "fluent_sandbox", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fluent_seed(seed): seed for the fluent_sandbox fixture (dict, path, None)"
    )


@pytest.fixture
def fluent_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    marker = request.node.get_closest_marker("fluent_seed")
    seed: Any = marker.args[0] if marker is not None and marker.args else "default"
    sandbox = Sandbox(seed=seed)
    yield sandbox
    if sandbox.app.errors:
        errors = ", ".join(repr(error) for error in sandbox.app.errors)
        pytest.fail(f"the Fluent sandbox crashed while handling requests: {errors}")


@pytest.fixture
def fluent_client(fluent_sandbox: Sandbox) -> Iterator[FluentClient]:
    client = fluent_sandbox.client()
    try:
        yield client
    finally:
        client.close()


try:
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # pragma: no cover - only without pytest-asyncio
    _async_fixture = pytest.fixture  # type: ignore[assignment]


@_async_fixture
async def async_fluent_client(fluent_sandbox: Sandbox) -> AsyncIterator[AsyncFluentClient]:
    client = fluent_sandbox.async_client()
    try:
        yield client
    finally:
        await client.aclose()
