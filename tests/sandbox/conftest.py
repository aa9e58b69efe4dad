from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fluent_sdk.sandbox import Sandbox
from fluent_sdk.sandbox.pytest_plugin import (
    async_fluent_client,
    fluent_client,
    fluent_sandbox,
    pytest_configure,
)

from .helpers import sign_in

__all__ = ["async_fluent_client", "fluent_client", "fluent_sandbox", "pytest_configure"]


@pytest.fixture
def sandbox(fluent_sandbox: Sandbox) -> Sandbox:
    return fluent_sandbox


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client on the in-process transport, already holding a bearer token."""
    with httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport()) as client:
        token = sign_in(client, sandbox)
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield client
