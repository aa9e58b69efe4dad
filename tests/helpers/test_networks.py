"""`client.networks` against the sandbox: get, iter, create (sync and async)."""

from __future__ import annotations

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers.networks import AsyncNetworks, Network, Networks, NewNetwork
from fluent_sdk.sandbox import Sandbox


def test_get_and_iter(fluent_client: FluentClient) -> None:
    assert isinstance(fluent_client.networks, Networks)
    network = fluent_client.networks.get("NET_ALL")
    assert isinstance(network, Network)
    assert (network.ref, network.type, network.status) == ("NET_ALL", "HD", "ACTIVE")
    assert network.location_refs == ["LOC_MELB", "LOC_SYD", "LOC_DC"]
    assert fluent_client.networks.get("NET_NONE") is None
    assert [n.ref for n in fluent_client.networks.iter(type="CC")] == ["NET_STORES"]
    assert sorted(n.ref or "" for n in fluent_client.networks.iter(page_size=1)) == [
        "NET_ALL",
        "NET_STORES",
    ]
    assert len(list(fluent_client.networks.iter(max_items=1))) == 1


def test_create_resolves_location_refs(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    network = fluent_client.networks.create(
        {"name": "NET_VIC", "type": "CC", "location_refs": ["LOC_MELB", "LOC_DC"],
         "location_ids": [2], "attributes": {"region": "VIC"}}
    )  # fmt: skip

    assert (network.ref, network.type) == ("NET_VIC", "CC")
    assert sorted(network.location_refs) == ["LOC_DC", "LOC_MELB", "LOC_SYD"]
    assert network.attributes is not None
    assert [(a.name, a.value) for a in network.attributes if a] == [("region", "VIC")]
    [sent] = [
        e.json()["variables"]["input"]
        for e in fluent_sandbox.requests.filter("graphql")
        if e.json()["operationName"] == "CreateNetwork"
    ]
    assert sent["retailers"] == [{"id": "1"}]
    assert sent["locations"] == [{"id": "2"}, {"id": "1"}, {"id": "3"}]


def test_unknown_location_refs_and_bad_input(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        with pytest.raises(ValidationError) as bad:
            client.networks.create({"name": ""})
        assert bad.value.field == "network.name"
        with pytest.raises(ValidationError) as typo:
            client.networks.get("")
        assert typo.value.field == "ref"
        assert len(fluent_sandbox.requests) == 0
        with pytest.raises(ValidationError) as unknown:
            client.networks.create(NewNetwork(name="NET_X", location_refs=["LOC_NOPE"]))
        assert unknown.value.field == "network.location_refs"
        assert "LOC_NOPE" in str(unknown.value)
        assert client.networks.get("NET_X") is None


async def test_async_networks(async_fluent_client: AsyncFluentClient) -> None:
    networks = async_fluent_client.networks
    assert isinstance(networks, AsyncNetworks)
    network = await networks.get("NET_STORES")
    assert network is not None
    assert network.location_refs == ["LOC_MELB", "LOC_SYD"]
    created = await networks.create(NewNetwork(name="NET_DC", location_refs=["LOC_DC"]))
    assert created.location_refs == ["LOC_DC"]
    refs = sorted([n.ref or "" async for n in networks.iter(page_size=2)])
    assert refs == ["NET_ALL", "NET_DC", "NET_STORES"]
