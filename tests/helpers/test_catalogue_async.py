"""`AsyncCatalogue.sync`: the async twin behaves like the sync one against the sandbox."""

from __future__ import annotations

from typing import Any

from fluent_sdk import AsyncFluentClient
from fluent_sdk.helpers.catalogue import AsyncCatalogue, CategorySpec, ProductSpec
from fluent_sdk.sandbox import Sandbox

CATEGORIES: list[Any] = [
    CategorySpec(ref="CAT_EARBUDS", name="Earbuds", parent_ref="CAT_WEARABLE_AUDIO"),
    {"ref": "CAT_WEARABLE_AUDIO", "name": "Wearable audio", "parent_ref": "CAT_AUDIO"},
]
PRODUCTS: list[Any] = [
    ProductSpec(
        ref="BUDS-1",
        name="Earbuds",
        gtin="9300000000101",
        category_refs=["CAT_EARBUDS"],
        variants=[{"ref": "BUDS-1-BLK", "name": "Earbuds Black", "gtin": "9300000000102"}],
    ),
    {"ref": "HEADPHONE001", "summary": "Closed-back studio headphones"},
]


def mutation_names(sandbox: Sandbox) -> list[str]:
    return [
        entry.json()["operationName"]
        for entry in sandbox.requests.filter("graphql")
        if entry.json()["query"].lstrip().startswith("mutation")
    ]


async def test_async_sync_upserts_then_is_idempotent(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    assert isinstance(async_fluent_client.catalogue, AsyncCatalogue)

    report = await async_fluent_client.catalogue.sync(CATEGORIES, PRODUCTS)

    assert report.counts() == {
        "create": 4, "update": 1, "unchanged": 0, "failed": 0, "skipped": 0
    }  # fmt: skip
    assert mutation_names(fluent_sandbox) == [
        "CreateCategory",
        "CreateCategory",
        "CreateStandardProduct",
        "UpdateStandardProduct",
        "CreateVariantProduct",
    ]
    assert report.entry("standard_product", "HEADPHONE001").changes == {
        "summary": ("Closed-back headphones", "Closed-back studio headphones")
    }
    fluent_sandbox.requests.clear()
    again = await async_fluent_client.catalogue.sync(CATEGORIES, PRODUCTS)
    assert again.counts()["unchanged"] == 5
    assert mutation_names(fluent_sandbox) == []


async def test_async_dry_run_writes_nothing(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    categories_before = len(list(fluent_sandbox.store.all("Category")))

    report = await async_fluent_client.catalogue.sync(CATEGORIES, PRODUCTS, dry_run=True)

    assert report.dry_run
    assert len(report.created) == 4
    assert mutation_names(fluent_sandbox) == []
    assert len(list(fluent_sandbox.store.all("Category"))) == categories_before


async def test_async_failed_parent_skips_children(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    await async_fluent_client.login()
    fluent_sandbox.faults.server_error("graphql", status=500, skip=3, times=1)

    report = await async_fluent_client.catalogue.sync(CATEGORIES, PRODUCTS)

    assert [(e.ref, e.action) for e in report] == [
        ("CAT_WEARABLE_AUDIO", "failed"),
        ("CAT_EARBUDS", "skipped"),
        ("BUDS-1", "skipped"),
        ("HEADPHONE001", "update"),
        ("BUDS-1-BLK", "skipped"),
    ]
