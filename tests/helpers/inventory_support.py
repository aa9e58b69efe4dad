"""Shared pieces of the inventory helper tests: a sandbox with a bigger catalogue, generated
records and a count of what the sandbox received."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from fluent_sdk.sandbox import Sandbox

__all__ = [
    "LOCATIONS",
    "PRODUCTS",
    "interrupted",
    "make_sandbox",
    "posted_records",
    "record",
    "unique_records",
]

LOCATIONS = ("LOC_MELB", "LOC_SYD", "LOC_DC")
#: Products created on top of the default seed, so that many distinct positions exist.
PRODUCTS = tuple(f"SKU-{n:03d}" for n in range(40))

_CREATE_PRODUCT = """
mutation($input: CreateStandardProductInput) { createStandardProduct(input: $input) { id } }
"""


def make_sandbox() -> Sandbox:
    """The default sandbox plus `PRODUCTS`; batches complete at their first poll."""
    sandbox = Sandbox(batch_polls_to_complete=1)
    for ref in PRODUCTS:
        sandbox.execute(
            _CREATE_PRODUCT,
            {
                "input": {
                    "ref": ref,
                    "catalogue": {"ref": "PC:MASTER:1"},
                    "type": "STANDARD",
                    "gtin": "9300000000011",
                    "name": ref,
                }
            },
        )
    return sandbox


def record(n: int) -> dict[str, Any]:
    """Record ``n``: its ``qty`` is ``n``, so every record sent can be told apart."""
    return {
        "skuRef": PRODUCTS[n % len(PRODUCTS)],
        "locationRef": LOCATIONS[(n // len(PRODUCTS)) % len(LOCATIONS)],
        "qty": n,
    }


def unique_records() -> list[dict[str, Any]]:
    """One record per position (120), so the final on-hand of each is known."""
    return [record(n) for n in range(len(PRODUCTS) * len(LOCATIONS))]


def interrupted(records: Iterable[Any], after: int) -> Iterator[Any]:
    """Yield ``after`` records, then fail as a Ctrl-C would."""
    for count, item in enumerate(records):
        if count == after:
            raise KeyboardInterrupt
        yield item


def posted_records(sandbox: Sandbox) -> Counter[int]:
    """How many times each record (by ``qty``) arrived in a batch POST that was handled."""
    seen: Counter[int] = Counter()
    for request in sandbox.requests.filter("batch.create"):
        if request.status != 200:
            continue
        for entity in json.loads(request.body)["entities"]:
            seen[entity["qty"]] += 1
    return seen
