"""The headline integration, end to end: what ``fluent-sdk demo`` (and ``make demo``) runs.

Without credentials, `run_sandbox_demo` starts the embedded sandbox on a loopback port and drives
it over real HTTP with a real `FluentClient`: sign in, sync a sample catalogue (categories,
standard and variant products), push a few thousand inventory records through a Job/Batch, create
a home-delivery and a click-and-collect order, read them back as typed models and page through
orders. With credentials, `run_account_checks` signs in to the real account and runs read-only
checks (``me``, small paged counts); it writes only when asked (``write=True``).

Each step is timed and recorded in a `DemoReport`. A failed step does not stop the steps that
do not depend on it; steps that do are recorded as skipped.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fluent_sdk.errors import FluentError

if TYPE_CHECKING:
    from fluent_sdk import FluentClient

__all__ = [
    "DEFAULT_RECORDS",
    "DemoCatalogue",
    "DemoReport",
    "DemoStep",
    "run_account_checks",
    "run_sandbox_demo",
    "sample_catalogue",
    "sample_inventory",
]

DEFAULT_RECORDS = 3000
#: Enough stores that each sellable SKU has one inventory record per store (SKUs x stores).
_SEEDED_LOCATIONS = ("LOC_MELB", "LOC_SYD", "LOC_DC")
_PAGE_SIZE_FOR_DEMO = 1  # small on purpose, to show paging
_COUNT_CAP = 500  # read-only account checks count at most this many of each entity


@dataclass(frozen=True)
class DemoStep:
    """One step's outcome. ``status`` is ``ok``, ``failed`` or ``skipped``."""

    name: str
    status: str
    summary: str
    count: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class DemoReport:
    """All steps of one run; ``ok`` only when every step succeeded."""

    mode: str
    target: str
    steps: list[DemoStep] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    def step(self, name: str) -> DemoStep | None:
        return next((step for step in self.steps if step.name == name), None)


class _StepFailed(Exception):
    """A step's own check failed (not an SDK error)."""


StepListener = Callable[[DemoStep], None]


class _Runner:
    """Runs steps, times them, turns exceptions into failed steps, skips dependants."""

    def __init__(self, report: DemoReport, on_step: StepListener | None) -> None:
        self.report = report
        self._on_step = on_step
        self.results: dict[str, Any] = {}

    def _record(self, step: DemoStep) -> None:
        self.report.steps.append(step)
        if self._on_step is not None:
            self._on_step(step)

    def run(
        self,
        name: str,
        action: Callable[[], tuple[str, int | None, Any]],
        *,
        needs: Sequence[str] = (),
    ) -> Any:
        missing = [need for need in needs if need not in self.results]
        if missing:
            self._record(DemoStep(name, "skipped", f"needs: {', '.join(missing)}"))
            return None
        started = time.perf_counter()
        try:
            summary, count, value = action()
        except (FluentError, _StepFailed) as error:
            elapsed = time.perf_counter() - started
            self._record(
                DemoStep(name, "failed", f"{type(error).__name__}: {error}", None, elapsed)
            )
            return None
        elapsed = time.perf_counter() - started
        self.results[name] = value
        self._record(DemoStep(name, "ok", summary, count, elapsed))
        return value


# -- sample data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCatalogue:
    """Categories and products in the shape `client.catalogue.sync` takes (and the
    ``catalogue sync`` command reads from JSON): standard products nest their variants."""

    catalogue_ref: str
    categories: list[dict[str, Any]]
    products: list[dict[str, Any]]

    @property
    def sellable_refs(self) -> list[str]:
        """Variants, plus standard products that have none."""
        refs: list[str] = []
        for product in self.products:
            variants = product.get("variants") or []
            refs.extend(v["ref"] for v in variants) if variants else refs.append(product["ref"])
        return refs

    @property
    def counts(self) -> tuple[int, int, int]:
        """(categories, standard products, variant products)."""
        variants = sum(len(p.get("variants") or []) for p in self.products)
        return len(self.categories), len(self.products), variants

    def to_json(self) -> dict[str, Any]:
        return {
            "catalogue_ref": self.catalogue_ref,
            "categories": self.categories,
            "products": self.products,
        }


def sample_catalogue(
    catalogue_ref: str = "PC:MASTER:1",
    *,
    products: int = 25,
    variants_per_product: int = 4,
    prefix: str = "DEMO",
) -> DemoCatalogue:
    """A small apparel catalogue: 3 categories, ``products`` standard products with
    ``variants_per_product`` size variants each."""
    categories: list[dict[str, Any]] = [
        {"ref": f"{prefix}_APPAREL", "name": "Apparel"},
        {"ref": f"{prefix}_SHIRTS", "name": "Shirts", "parent_ref": f"{prefix}_APPAREL"},
        {"ref": f"{prefix}_JACKETS", "name": "Jackets", "parent_ref": f"{prefix}_APPAREL"},
    ]
    sizes = ("XS", "S", "M", "L", "XL", "XXL")[: max(0, variants_per_product)]
    standard: list[dict[str, Any]] = []
    for number in range(1, products + 1):
        category = categories[1 + number % 2]
        label = category["name"][:-1]  # "Shirt", "Jacket"
        ref = f"{prefix}-{label.upper()}-{number:03d}"
        prices = [{"currency": "AUD", "value": 39.0 + number}]
        standard.append(
            {
                "ref": ref,
                "name": f"{label} {number}",
                "gtin": f"93{number:06d}00000",
                "summary": f"Demo {label.lower()} number {number}",
                "category_refs": [category["ref"]],
                "prices": prices,
                "tax": {"country": "AU", "group": "STANDARD", "tariff": "GST"},
                "variants": [
                    {
                        "ref": f"{ref}-{size}",
                        "name": f"{label} {number} {size}",
                        "gtin": f"93{number:06d}{index:05d}",
                        "category_refs": [category["ref"]],
                        "prices": prices,
                        "attributes": {"size": size},
                    }
                    for index, size in enumerate(sizes, start=1)
                ],
            }
        )
    return DemoCatalogue(catalogue_ref, categories, standard)


def sample_inventory(
    skus: Sequence[str], locations: Sequence[str], records: int
) -> list[dict[str, Any]]:
    """``records`` absolute on-hand records spread over every (sku, location) pair, each pair
    at most once (so ``records`` <= skus x locations)."""
    pairs = itertools.islice(itertools.product(locations, skus), records)
    return [
        {"skuRef": sku, "locationRef": location, "qty": (hash_ % 47) + 1}
        for hash_, (location, sku) in enumerate(pairs)
    ]


def _demo_location(ref: str, number: int, retailer_id: str) -> dict[str, Any]:
    hours = {
        f"{day}{edge}": value
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        for edge, value in (("Start", 900), ("End", 1700))
    }
    return {
        "ref": ref,
        "type": "STORE",
        "name": f"Demo Store {number}",
        "supportPhoneNumber": "+61 3 9000 0000",
        "retailer": {"id": retailer_id},
        "primaryAddress": {
            "ref": f"{ref}_ADDR",
            "name": f"Demo Store {number}",
            "street": f"{number} Demo St",
            "city": "Melbourne",
            "state": "VIC",
            "postcode": "3000",
            "country": "Australia",
            "latitude": -37.81 - number / 1000,
            "longitude": 144.96 + number / 1000,
            "timeZone": "Australia/Melbourne",
        },
        "openingSchedule": {"allHours": False, **hours},
    }


# -- steps (each returns summary, count, value) ----------------------------------------------


def _step_login(client: FluentClient) -> tuple[str, int | None, Any]:
    client.login()
    user = client.graphql.me()
    if user is None:
        raise _StepFailed("the account returned no user")
    retailer = client.retailer_id
    return f"{user.username}, retailer {retailer}", None, user


def _step_catalogue(client: FluentClient, catalogue: DemoCatalogue) -> tuple[str, int | None, Any]:
    report = client.catalogue.sync(
        categories=catalogue.categories,
        products=catalogue.products,
        catalogue_ref=catalogue.catalogue_ref,
    )
    counts = report.counts()
    if not report.ok:
        first = (report.failed or report.skipped)[0]
        raise _StepFailed(
            f"{counts['failed']} failed, {counts['skipped']} skipped "
            f"(first: {first.kind} {first.ref}: {first.reason})"
        )
    categories, standard, variants = catalogue.counts
    summary = (
        f"{categories} categories, {standard} standard + {variants} variant products "
        f"({counts['create']} created, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged)"
    )
    return summary, len(report), report


def _step_locations(
    client: FluentClient, needed: int, retailer_id: str
) -> tuple[str, int | None, list[str]]:
    refs = list(_SEEDED_LOCATIONS)
    created = 0
    for number in range(1, max(0, needed - len(refs)) + 1):
        ref = f"DEMO_STORE_{number:02d}"
        client.graphql.create_location(input=_demo_location(ref, number, retailer_id))
        refs.append(ref)
        created += 1
    return f"{len(refs)} locations ({created} demo stores added)", len(refs), refs


def _step_inventory(
    client: FluentClient, records: list[dict[str, Any]]
) -> tuple[str, int | None, Any]:
    report = client.inventory.update(records, progress=False, poll_interval=0.2)
    if not report.ok:
        first = report.rejected[0] if report.rejected else None
        detail = f" (first: row {first.row}: {first.reason})" if first else ""
        raise _StepFailed(
            f"{len(report.rejected)} of {report.read} records not accepted in job "
            f"{report.job_id}{detail}"
        )
    plural = "es" if report.batches != 1 else ""
    summary = f"job {report.job_id}, {report.batches} batch{plural}, {report.accepted} accepted"
    return summary, report.accepted, report


def _new_order(kind: str, ref: str, sku: str, store: str) -> dict[str, Any]:
    """An order in the shape `client.orders.create` takes (a `NewOrder` as a mapping)."""
    fulfilment: dict[str, Any]
    if kind == "HD":
        fulfilment = {
            "kind": "HD",
            "delivery_address": {
                "name": "Jane Citizen",
                "street": "10 Collins St",
                "city": "Melbourne",
                "state": "VIC",
                "postcode": "3000",
                "country": "Australia",
            },
        }
    else:
        fulfilment = {"kind": "CC", "pickup_location_ref": store}
    return {
        "ref": ref,
        "customer": {"email": "jane@example.com", "first_name": "Jane", "last_name": "Citizen"},
        "fulfilment": fulfilment,
        "items": [{"product_ref": sku, "quantity": 2, "price": 44.5}],
        "currency": "AUD",
    }


def _step_order(
    client: FluentClient, order: dict[str, Any], catalogue_ref: str
) -> tuple[str, int | None, Any]:
    created = client.orders.create(order, catalogue_ref=catalogue_ref)
    return f"{created.ref} -> id {created.id}, status {created.status}", 1, created


def _step_read_back(client: FluentClient, refs: Sequence[str]) -> tuple[str, int | None, Any]:
    orders = []
    for ref in refs:
        order = client.orders.get(ref)
        if order is None:
            raise _StepFailed(f"order {ref} not found after creation")
        orders.append(order)
    described = "; ".join(
        f"{type(o).__name__} {o.ref}: {o.type} {o.status}, {len(o.items)} item(s), "
        f"{', '.join(str(c.fulfilment_type or c.delivery_type) for c in o.fulfilment_choices)}"
        for o in orders
    )
    return described, len(orders), orders


def _step_page_orders(client: FluentClient, page_size: int) -> tuple[str, int | None, Any]:
    pages = 0
    count = 0
    for page in client.orders.iter(page_size=page_size).pages():
        pages += 1
        count += len(page)
    return f"{count} orders in {pages} pages of <= {page_size}", count, count


def _count(iterator: Iterable[Any], cap: int) -> tuple[str, int]:
    count = sum(1 for _ in itertools.islice(iterator, cap))
    return (f">= {cap}" if count >= cap else str(count)), count


# -- the two flows ---------------------------------------------------------------------------


@contextmanager
def _served_sandbox() -> Iterator[tuple[str, dict[str, Any]]]:
    from fluent_sdk.sandbox import Sandbox

    sandbox = Sandbox()
    with sandbox.serve(port=0) as base_url:
        yield base_url, dict(sandbox.credentials)


def run_sandbox_demo(
    *, records: int = DEFAULT_RECORDS, on_step: StepListener | None = None
) -> DemoReport:
    """The whole integration against a fresh sandbox served on 127.0.0.1, over HTTP."""
    from fluent_sdk import FluentClient

    report = DemoReport(mode="sandbox", target="")
    runner = _Runner(report, on_step)
    with _served_sandbox() as (base_url, credentials):
        report.target = base_url
        runner.run("start sandbox", lambda: (f"listening on {base_url}", None, base_url))
        with FluentClient(base_url=base_url, **credentials) as client:
            if runner.run("log in", lambda: _step_login(client)) is not None:
                _integration_steps(runner, client, records=records, prefix="DEMO")
    return report


def _existing_locations(client: FluentClient, limit: int) -> tuple[str, int | None, list[str]]:
    refs = [
        str(location.ref)
        for location in client.graphql.iter_locations(page_size=limit, max_items=limit)
        if location.ref
    ]
    if not refs:
        raise _StepFailed("the account has no locations to hold inventory")
    return f"{len(refs)} existing locations", len(refs), refs


def _integration_steps(
    runner: _Runner,
    client: FluentClient,
    *,
    records: int,
    prefix: str,
    create_locations: bool = True,
) -> None:
    """Catalogue, inventory, orders, read-back and paging; the client is signed in."""
    retailer_id = str(client.retailer_id or 1)
    catalogue = sample_catalogue(f"PC:MASTER:{retailer_id}", prefix=prefix)
    runner.run("sync catalogue", lambda: _step_catalogue(client, catalogue))
    skus = catalogue.sellable_refs
    stores_needed = -(-records // len(skus)) if skus else 0
    if create_locations:
        runner.run("set up locations", lambda: _step_locations(client, stores_needed, retailer_id))
    else:
        runner.run("set up locations", lambda: _existing_locations(client, stores_needed))
    locations: list[str] = runner.results.get("set up locations") or list(_SEEDED_LOCATIONS)
    inventory = sample_inventory(skus, locations, records)
    runner.run(
        "update inventory",
        lambda: _step_inventory(client, inventory),
        needs=("sync catalogue", "set up locations"),
    )
    stamp = time.strftime("%Y%m%d%H%M%S")

    def order_step(kind: str) -> tuple[str, int | None, Any]:
        order = _new_order(kind, f"{prefix}-{kind}-{stamp}", skus[0], locations[0])
        return _step_order(client, order, catalogue.catalogue_ref)

    runner.run("create HD order", lambda: order_step("HD"), needs=("sync catalogue",))
    runner.run("create CC order", lambda: order_step("CC"), needs=("sync catalogue",))
    refs = [
        runner.results[name].ref
        for name in ("create HD order", "create CC order")
        if name in runner.results
    ]
    runner.run(
        "read orders back",
        lambda: _step_read_back(client, refs),
        needs=("create HD order", "create CC order"),
    )
    runner.run("page through orders", lambda: _step_page_orders(client, _PAGE_SIZE_FOR_DEMO))


def run_account_checks(
    client: FluentClient,
    *,
    write: bool = False,
    records: int = 300,
    on_step: StepListener | None = None,
) -> DemoReport:
    """Read-only checks against a real account; the integration writes only with ``write``."""
    report = DemoReport(mode="account", target=client.base_url)
    runner = _Runner(report, on_step)
    if runner.run("log in", lambda: _step_login(client)) is None:
        return report

    def counted(label: str, iterator_factory: Callable[[], Iterable[Any]]) -> None:
        def action() -> tuple[str, int | None, Any]:
            text, count = _count(iterator_factory(), _COUNT_CAP)
            return f"{text} {label}", count, count

        runner.run(f"count {label}", action)

    counted("orders", lambda: client.graphql.iter_orders(page_size=100, max_items=_COUNT_CAP))
    counted("locations", lambda: client.graphql.iter_locations(page_size=100, max_items=_COUNT_CAP))
    counted(
        "standard products",
        lambda: client.graphql.iter_standard_products(page_size=100, max_items=_COUNT_CAP),
    )
    if write:
        # Fresh refs so a rerun never collides; stores are the account's own, never created.
        prefix = f"SDKDEMO{int(time.time())}"
        _integration_steps(runner, client, records=records, prefix=prefix, create_locations=False)
    return report
