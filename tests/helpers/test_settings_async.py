"""`AsyncSettings`: the async twin of `client.settings` against the sandbox."""

from __future__ import annotations

import pytest

from fluent_sdk import AsyncFluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers.settings import AsyncSettings
from fluent_sdk.sandbox import Sandbox


async def test_async_get_set_value_and_iter(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    settings = async_fluent_client.settings
    assert isinstance(settings, AsyncSettings)

    created = await settings.set("acme.map", {"AU": "DC1"})
    updated = await settings.set("acme.map", {"AU": "DC2"})
    unchanged = await settings.set("acme.map", {"AU": "DC2"})
    flag = await settings.set("acme.flag", False, context="ACCOUNT")

    assert created.id == updated.id == unchanged.id
    assert (await settings.get("acme.map")).value == {"AU": "DC2"}  # type: ignore[union-attr]
    assert await settings.value("acme.flag", context="ACCOUNT") is False
    assert flag.context_id == 0
    assert await settings.get("acme.nothing") is None
    names = sorted([s.name async for s in settings.iter(name="acme.%")])
    assert names == ["acme.flag", "acme.map"]
    writes = [
        e.json()["operationName"]
        for e in fluent_sandbox.requests.filter("graphql")
        if e.json()["query"].lstrip().startswith("mutation")
    ]
    assert writes == ["CreateSetting", "UpdateSetting", "CreateSetting"]


async def test_async_iter_checks_arguments_when_called(fluent_sandbox: Sandbox) -> None:
    async with fluent_sandbox.async_client() as client:
        with pytest.raises(ValidationError) as error:
            client.settings.iter(context_id="x")  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            await client.settings.set("a", 1.5)
    assert error.value.field == "context_id"
    assert len(fluent_sandbox.requests) == 0
