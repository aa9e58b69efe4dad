"""Jupyter runs cells inside a running asyncio event loop: the sync `FluentClient` must work
there (calls, paginators, ``to_pandas``, `client.inventory.update`), and so must ``await`` with
the `AsyncFluentClient`, one loop after another (each ``asyncio.run`` is a new loop)."""

from __future__ import annotations

import asyncio
from typing import Any

from fluent_sdk.sandbox import Sandbox

from .support import add_providers, graphql_requests

STOCK = [
    {"skuRef": "SPEAKER001", "locationRef": "LOC_MELB", "qty": 11},
    {"skuRef": "HEADPHONE001-BLK", "locationRef": "LOC_SYD", "qty": 7},
    {"skuRef": "NO-SUCH-SKU", "locationRef": "", "qty": "many"},
]


def test_sync_client_works_inside_a_running_event_loop() -> None:
    sandbox = Sandbox(batch_polls_to_complete=1)
    add_providers(sandbox, 3)

    async def cell() -> dict[str, Any]:
        asyncio.get_running_loop()  # really inside a loop, as a notebook cell is
        with sandbox.client() as client:
            me = client.graphql.me()
            refs = [node.ref for node in client.graphql.iter_payment_service_providers(page_size=2)]
            page = next(iter(client.graphql.iter_locations(page_size=2).pages()))
            frame = client.graphql.iter_locations(page_size=2).to_pandas()
            report = client.inventory.update(STOCK, progress=False, poll_interval=0.01)
            positions = {
                (p.product_ref, p.location_ref): p.on_hand for p in client.inventory.positions()
            }
            return {
                "me": me,
                "refs": refs,
                "page": page,
                "frame": frame,
                "report": report,
                "positions": positions,
            }

    result = asyncio.run(cell())

    assert result["me"] is not None
    assert result["me"].username == "sandbox_admin"
    assert sorted(result["refs"]) == ["PSP-00", "PSP-01", "PSP-02"]
    assert len(result["page"].nodes) == 2
    assert result["page"].has_next_page
    assert sorted(result["frame"]["ref"]) == ["LOC_DC", "LOC_MELB", "LOC_SYD"]
    assert "primaryAddress.city" in result["frame"].columns
    report = result["report"]
    assert report.accepted == 2
    assert len(report.rejected) == 1
    assert "Inventory update" in report._repr_html_()
    assert result["positions"][("SPEAKER001", "LOC_MELB")] == 11
    assert result["positions"][("HEADPHONE001-BLK", "LOC_SYD")] == 7


def test_async_client_awaits_in_one_loop_after_another() -> None:
    sandbox = Sandbox()
    add_providers(sandbox, 3)
    client = sandbox.async_client()

    async def first_cell() -> list[str]:
        return [
            node.ref async for node in client.graphql.iter_payment_service_providers(page_size=2)
        ]

    async def second_cell() -> Any:
        connection = await client.graphql.locations(first=2)
        frame = await client.graphql.iter_locations(page_size=2).to_pandas()
        return connection, frame

    async def last_cell() -> None:
        await client.aclose()

    refs = asyncio.run(first_cell())  # a notebook may run each cell in a fresh loop
    connection, frame = asyncio.run(second_cell())
    asyncio.run(last_cell())

    assert sorted(refs) == ["PSP-00", "PSP-01", "PSP-02"]
    assert connection is not None
    assert len(connection.edges) == 2
    assert "<b>Locations: 2 nodes</b>" in connection._repr_html_()
    assert len(frame) == 3
    assert "retailer.ref" in frame.columns
    assert graphql_requests(sandbox) == 2 + 1 + 2
