"""`client.inventory.positions`: one paginator over ``inventoryPositions`` in both twins, with the
same API (``for`` / ``async for``, ``.pages()``, ``.cursor``, ``to_pandas``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest
from inventory_support import make_sandbox, unique_records

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.sandbox import Sandbox

FAST = {"poll_interval": 0.01, "progress": False}


@pytest.fixture
def sandbox() -> Sandbox:
    sandbox = make_sandbox()
    with sandbox.client() as client:
        client.inventory.update(unique_records(), **FAST)
    sandbox.requests.clear()
    return sandbox


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[FluentClient]:
    with sandbox.client() as client:
        yield client


@pytest.fixture
async def async_client(sandbox: Sandbox) -> AsyncIterator[AsyncFluentClient]:
    async with sandbox.async_client() as client:
        yield client


def _sent(sandbox: Sandbox) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in sandbox.requests if r.route == "graphql"]


def test_sync_positions_is_the_generated_paginator(client: FluentClient, sandbox: Sandbox) -> None:
    paginator = client.inventory.positions(product_ref="SKU-001", page_size=2)
    assert isinstance(paginator, Paginator)
    pages = list(paginator.pages())
    assert [len(page.nodes) for page in pages] == [2, 1]
    assert paginator.cursor == pages[-1].end_cursor
    [first, *_] = _sent(sandbox)
    assert first["operationName"] == "InventoryPositions"  # the one paginator's operation
    assert first["variables"]["quantitiesFirst"] == 10


async def test_async_positions_returns_the_async_paginator_with_the_same_api(
    async_client: AsyncFluentClient, sandbox: Sandbox, client: FluentClient
) -> None:
    paginator = async_client.inventory.positions(product_ref="SKU-001", page_size=2)
    assert isinstance(paginator, AsyncPaginator)
    assert len(sandbox.requests) == 0  # nothing is read before iterating

    positions = [p async for p in paginator]
    expected = {(p.ref, p.on_hand) for p in client.inventory.positions(product_ref="SKU-001")}
    assert {(p.ref, p.on_hand) for p in positions} == expected
    assert len(positions) == 3
    assert paginator.cursor is not None
    assert all(p.quantities is not None and p.quantities.edges for p in positions)

    pages = [page async for page in async_client.inventory.positions(page_size=50).pages()]
    assert sum(len(page.nodes) for page in pages) == len(list(client.inventory.positions()))
    assert pages[0].has_next_page
    assert not pages[-1].has_next_page

    # Resume after the first position, as the sync twin does.
    first = async_client.inventory.positions(product_ref="SKU-001", max_items=1)
    [head] = [p async for p in first]
    rest = [
        p.ref
        async for p in async_client.graphql.iter_inventory_positions(
            catalogue={"ref": "DEFAULT:1"}, product_ref=["SKU-001"], after=first.cursor
        )
    ]
    assert head.ref not in rest
    assert len(rest) == 2

    pd = pytest.importorskip("pandas")
    frame = await async_client.inventory.positions(product_ref="SKU-002").to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert sorted(frame["ref"]) == sorted(
        p.ref for p in client.inventory.positions(product_ref="SKU-002")
    )
    sent = _sent(sandbox)
    assert {body["operationName"] for body in sent} == {"InventoryPositions"}
    assert {body["variables"]["catalogue"]["ref"] for body in sent} == {"DEFAULT:1"}  # type: ignore[index]


async def test_async_positions_checks_its_arguments_before_any_request(
    async_client: AsyncFluentClient, sandbox: Sandbox
) -> None:
    with pytest.raises(ValidationError) as caught:
        async_client.inventory.positions(page_size=0)
    assert caught.value.field == "page_size"
    with pytest.raises(ValidationError) as caught:
        async_client.inventory.positions(product_ref=[""])
    assert caught.value.field == "product_ref"
    assert len(sandbox.requests) == 0
