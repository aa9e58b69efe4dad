"""PIM: upsert categories and products into a product catalogue (``client.catalogue``).

Usage::

    report = client.catalogue.sync(
        categories=[
            {"ref": "CAT_AUDIO", "name": "Audio"},
            CategorySpec(ref="CAT_EARBUDS", name="Earbuds", parent_ref="CAT_AUDIO"),
        ],
        products=[
            ProductSpec(
                ref="BUDS-1", name="Earbuds", gtin="9300000000101",
                category_refs=["CAT_EARBUDS"],
                prices=[PriceSpec(currency="AUD", value=99.0)],
                attributes={"brand": "Acme"},
                variants=[{"ref": "BUDS-1-BLK", "name": "Earbuds Black", "gtin": "9300000000102"}],
            ),
        ],
        dry_run=True,          # plan only: nothing is written
    )
    report                     # <CatalogueSyncReport PC:MASTER:1 dry run: create=4 ...>
    report.failed              # entries with a reason
    report.to_pandas()

``sync`` reads what already exists (by ref, paged), creates what is missing, updates only the
fields the caller gave that differ, and leaves everything else alone. Writes go parents first:
categories in tree order (a parent-ref cycle is a `ValidationError`), then standard products,
then variants. A failing item is reported and the others go on; items whose parent in the same
sync could not be created are reported as skipped.

Fluent merges ``attributes`` by name and ``prices`` by type+currency on update, and product
categories are only ever added, so a given list is compared as "each given item is present
with this value", never as "exactly these".

Creates never happen twice: when a create's reply is lost the item is looked up by ref (in the
catalogue) before any retry, and a ref conflict on a retry resolves to the item an earlier try
made (`fluent_sdk.helpers._common.create_once`). Such an item is reported as ``create`` with
``SyncEntry.found_existing=True`` (`CatalogueSyncReport.found_existing` lists them).

`_CataloguePlanner` and `_SyncRun` decide without I/O and `_CatalogueBase._sync_plan` runs
them as a plan; `Catalogue` and `AsyncCatalogue` only perform its reads and writes
(`fluent_sdk.helpers._common`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import AliasChoices, BaseModel, Field

from fluent_sdk._attributes import attribute_items
from fluent_sdk._display import flatten, html_summary, records_to_pandas
from fluent_sdk.errors import APIError, AuthenticationError, TransportError, ValidationError
from fluent_sdk.helpers._attributes import Attributes, AttributeSpec, attributes_input
from fluent_sdk.helpers._calls import Listing, Operation, Plan, ResolveRetailer
from fluent_sdk.helpers._common import create_once, default_catalogue_ref
from fluent_sdk.helpers._driver import AsyncHelper, SyncHelper
from fluent_sdk.helpers._models import InputModel, parse_input
from fluent_sdk.helpers._platform_common import chunked, dump_node, same_json

if TYPE_CHECKING:
    import pandas

__all__ = [
    "AsyncCatalogue",
    "Catalogue",
    "CatalogueSyncReport",
    "CategorySpec",
    "EntityKind",
    "PriceSpec",
    "ProductSpec",
    "SyncAction",
    "SyncEntry",
    "TaxSpec",
    "VariantProductSpec",
]

EntityKind = Literal["category", "standard_product", "variant_product"]
SyncAction = Literal["create", "update", "unchanged", "failed", "skipped"]

#: Refs per lookup query: keeps variables and responses small.
FETCH_CHUNK = 200
# Errors that fail one item; anything else (auth, configuration, bugs) stops the sync.
_ITEM_ERRORS = (APIError, TransportError, ValidationError)

_MUTATIONS: dict[EntityKind, tuple[str, str]] = {
    "category": ("create_category", "update_category"),
    "standard_product": ("create_standard_product", "update_standard_product"),
    "variant_product": ("create_variant_product", "update_variant_product"),
}
#: The typed search operation (a Relay connection) that reads each kind by ref.
_LOOKUPS: dict[EntityKind, tuple[str, str]] = {
    "category": ("categories", "categories"),
    "standard_product": ("standard_products", "standardProducts"),
    "variant_product": ("variant_products", "variantProducts"),
}
_KIND_LABEL: dict[EntityKind, str] = {
    "category": "category",
    "standard_product": "standard product",
    "variant_product": "variant product",
}


# ---- input models ---------------------------------------------------------------------------
class PriceSpec(InputModel):
    """A price: ``value`` in ``currency`` (ISO 4217), of ``type`` (DEFAULT, SALE, ...)."""

    currency: str = Field(min_length=1)
    value: float
    type: str = Field(default="DEFAULT", min_length=1)


class TaxSpec(InputModel):
    """A product's tax classification (``taxType`` in Fluent)."""

    country: str
    group: str
    tariff: str


class CategorySpec(InputModel):
    """A category to upsert. Fields left as None are not compared and not sent;
    ``name`` is needed to create it, ``type`` defaults to STANDARD on create."""

    ref: str = Field(min_length=1, max_length=100)
    name: str | None = None
    type: str | None = Field(default=None, max_length=50)
    summary: str | None = Field(default=None, max_length=255)
    status: str | None = None
    parent_ref: str | None = Field(
        default=None, validation_alias=AliasChoices("parent_ref", "parentRef", "parent")
    )
    attributes: Attributes = None


class _ProductFields(InputModel):
    ref: str = Field(min_length=1, max_length=100)
    name: str | None = None
    gtin: str | None = Field(default=None, max_length=20)
    type: str | None = Field(default=None, max_length=50)
    summary: str | None = Field(default=None, max_length=255)
    status: str | None = None
    attributes: Attributes = None
    prices: list[PriceSpec] | None = None
    tax: TaxSpec | None = Field(default=None, validation_alias=AliasChoices("tax", "taxType"))
    category_refs: list[str] | None = Field(
        default=None, validation_alias=AliasChoices("category_refs", "categoryRefs", "categories")
    )


class VariantProductSpec(_ProductFields):
    """A variant product to upsert; ``product_ref`` names its standard product (filled in
    when the variant is nested in `ProductSpec.variants`). ``name`` and ``gtin`` are needed to
    create it; ``type`` defaults to VARIANT on create."""

    product_ref: str | None = Field(
        default=None,
        validation_alias=AliasChoices("product_ref", "productRef", "standardProductRef"),
    )


class ProductSpec(_ProductFields):
    """A standard product to upsert, optionally with its variants. ``name`` and ``gtin`` are
    needed to create it; ``type`` defaults to STANDARD on create."""

    variants: list[VariantProductSpec] | None = None


# ---- report ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SyncEntry:
    """What happened (or, in a dry run, would happen) to one item.

    ``changes`` maps each differing field to ``(current, wanted)`` (``current`` is None for a
    create); ``reason`` explains ``failed`` and ``skipped``. ``found_existing`` marks a
    ``create`` whose reply was lost: the item was found by its ref (an earlier try made it)
    rather than made again.
    """

    kind: EntityKind
    ref: str
    action: SyncAction
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    reason: str | None = None
    id: str | None = None
    found_existing: bool = False

    def to_record(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "action": self.action,
            "changed_fields": ", ".join(self.changes),
            "reason": self.reason,
            "id": self.id,
        }


class _Entries:
    """A report attribute (``report.created``, ``.failed``, ...): the entries with one action."""

    def __init__(self, action: SyncAction) -> None:
        self.action = action

    @overload
    def __get__(self, report: None, owner: type[Any]) -> _Entries: ...

    @overload
    def __get__(self, report: CatalogueSyncReport, owner: type[Any]) -> list[SyncEntry]: ...

    def __get__(
        self, report: CatalogueSyncReport | None, owner: type[Any]
    ) -> _Entries | list[SyncEntry]:
        return self if report is None else report._with(self.action)


class CatalogueSyncReport:
    """The result of `Catalogue.sync`: one `SyncEntry` per item, in write order; ``created``,
    ``updated``, ``unchanged``, ``failed`` and ``skipped`` list the entries with that action."""

    def __init__(self, catalogue_ref: str, entries: Sequence[SyncEntry], *, dry_run: bool) -> None:
        self.catalogue_ref = catalogue_ref
        self.entries = list(entries)
        self.dry_run = dry_run

    def _with(self, action: SyncAction) -> list[SyncEntry]:
        return [entry for entry in self.entries if entry.action == action]

    created = _Entries("create")
    updated = _Entries("update")
    unchanged = _Entries("unchanged")
    failed = _Entries("failed")
    skipped = _Entries("skipped")

    @property
    def found_existing(self) -> list[SyncEntry]:
        """Creates whose reply was lost, found by ref instead of made twice."""
        return [entry for entry in self.entries if entry.found_existing]

    @property
    def ok(self) -> bool:
        """True when nothing failed or was skipped."""
        return not self.failed and not self.skipped

    def counts(self) -> dict[str, int]:
        actions: tuple[SyncAction, ...] = ("create", "update", "unchanged", "failed", "skipped")
        return {action: len(self._with(action)) for action in actions}

    def entry(self, kind: EntityKind, ref: str) -> SyncEntry:
        """The entry for one item (KeyError when it was not part of the sync)."""
        for item in self.entries:
            if item.kind == kind and item.ref == ref:
                return item
        raise KeyError((kind, ref))

    def __iter__(self) -> Iterator[SyncEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        counts = " ".join(f"{name}={count}" for name, count in self.counts().items())
        mode = " dry run:" if self.dry_run else ""
        return f"<CatalogueSyncReport {self.catalogue_ref}{mode} {counts}>"

    def to_records(self) -> list[dict[str, Any]]:
        return [flatten(entry.to_record()) for entry in self.entries]

    def to_pandas(self) -> pandas.DataFrame:
        return records_to_pandas(self.to_records())

    def _repr_html_(self) -> str:
        title = f"Catalogue sync {self.catalogue_ref}" + (" (dry run)" if self.dry_run else "")
        problems = [(f"{e.action} {e.kind} {e.ref}", e.reason) for e in self.entries if e.reason]
        return html_summary(title, [*self.counts().items(), *problems[:20]], raw=self.to_records())


# ---- planning (no I/O) ----------------------------------------------------------------------
ItemKey = tuple[EntityKind, str]


@dataclass
class _Step:
    kind: EntityKind
    ref: str
    action: SyncAction
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    input: dict[str, Any] | None = None
    status_input: dict[str, Any] | None = None  # a create cannot set status: a 2nd write does
    requires: tuple[ItemKey, ...] = ()
    reason: str | None = None
    id: str | None = None
    found_existing: bool = False

    @property
    def key(self) -> ItemKey:
        return (self.kind, self.ref)

    @property
    def mutation(self) -> str:
        create, update = _MUTATIONS[self.kind]
        return create if self.action == "create" else update

    def entry(self) -> SyncEntry:
        return SyncEntry(
            self.kind,
            self.ref,
            self.action,
            self.changes,
            self.reason,
            self.id,
            self.found_existing,
        )


def _category_order(specs: Sequence[CategorySpec]) -> list[CategorySpec]:
    """Parents before children (among the given categories), otherwise in input order."""
    by_ref = {spec.ref: spec for spec in specs}
    ordered: list[CategorySpec] = []
    state: dict[str, str] = {}  # ref -> "visiting" | "done"

    def visit(spec: CategorySpec, trail: list[str]) -> None:
        if state.get(spec.ref) == "done":
            return
        if state.get(spec.ref) == "visiting":
            cycle = [*trail[trail.index(spec.ref) :], spec.ref]
            raise ValidationError(
                f"category parents form a cycle: {' -> '.join(cycle)}", field="categories"
            )
        state[spec.ref] = "visiting"
        parent = by_ref.get(spec.parent_ref) if spec.parent_ref is not None else None
        if parent is not None:
            visit(parent, [*trail, spec.ref])
        state[spec.ref] = "done"
        ordered.append(spec)

    for spec in specs:
        visit(spec, [])
    return ordered


def _check_unique(refs: Sequence[str], field_name: str) -> None:
    seen: set[str] = set()
    for index, ref in enumerate(refs):
        if ref in seen:
            raise ValidationError(
                f"{field_name}[{index}]: ref {ref!r} is given more than once",
                field=f"{field_name}[{index}].ref",
            )
        seen.add(ref)


def _as_product(value: Any, index: int) -> ProductSpec | VariantProductSpec:
    if isinstance(value, ProductSpec | VariantProductSpec):
        return value
    where = f"products[{index}]"
    if isinstance(value, Mapping) and (
        {"product_ref", "productRef", "standardProductRef"} & set(value)
        or str(value.get("type", "")).upper() == "VARIANT"
    ):
        return parse_input(VariantProductSpec, value, field=where)
    return parse_input(ProductSpec, value, field=where)


def _current_attributes(node: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        item["name"]: {"type": item.get("type"), "value": item.get("value")}
        for item in attribute_items(node.get("attributes"))
    }


def _current(kind: EntityKind, node: Mapping[str, Any]) -> dict[str, Any]:
    """A fetched node reduced to the fields `sync` compares, named like the specs."""
    current: dict[str, Any] = {
        key: node.get(key) for key in ("id", "name", "type", "summary", "status", "gtin")
    }
    current["attributes"] = _current_attributes(node)
    if kind == "category":
        current["parent_ref"] = (node.get("parentCategory") or {}).get("ref")
        return current
    current["prices"] = {
        (p.get("type"), p.get("currency")): p.get("value")
        for p in node.get("prices") or []
        if isinstance(p, Mapping)
    }
    current["tax"] = node.get("tax")
    edges = (node.get("categories") or {}).get("edges") or []
    current["category_refs"] = [
        edge["node"]["ref"] for edge in edges if edge and edge.get("node") is not None
    ]
    current["product_ref"] = (node.get("product") or {}).get("ref")
    return current


class _CataloguePlanner:
    """Validates and orders the specs, then turns them plus what exists into write steps."""

    def __init__(self, categories: Iterable[Any] | None, products: Iterable[Any] | None) -> None:
        # A lone spec or dict would iterate as its keys: ask for a list instead.
        for name, given in (("categories", categories), ("products", products)):
            if isinstance(given, str | bytes | Mapping | BaseModel):
                raise ValidationError(f"{name} must be a list of specs or dicts", field=name)
        category_specs = [
            parse_input(CategorySpec, item, field=f"categories[{i}]")
            for i, item in enumerate(categories or [])
        ]
        _check_unique([spec.ref for spec in category_specs], "categories")
        self.categories = _category_order(category_specs)
        self.standard: list[ProductSpec] = []
        self.variants: list[VariantProductSpec] = []
        for index, item in enumerate(products or []):
            spec = _as_product(item, index)
            if isinstance(spec, VariantProductSpec):
                if spec.product_ref is None:
                    raise ValidationError(
                        f"products[{index}]: a variant needs product_ref (its standard product)",
                        field=f"products[{index}].product_ref",
                    )
                self.variants.append(spec)
                continue
            self.standard.append(spec)
            for variant in spec.variants or []:
                if variant.product_ref not in (None, spec.ref):
                    raise ValidationError(
                        f"products[{index}]: nested variant {variant.ref!r} names another "
                        f"product_ref ({variant.product_ref!r})",
                        field=f"products[{index}].variants",
                    )
                self.variants.append(variant.model_copy(update={"product_ref": spec.ref}))
        _check_unique([s.ref for s in [*self.standard, *self.variants]], "products")
        self.existing: dict[EntityKind, dict[str, dict[str, Any]]] = {
            "category": {},
            "standard_product": {},
            "variant_product": {},
        }

    # What to read before planning: every given ref, and every ref the specs point at.
    def lookups(self) -> list[tuple[EntityKind, list[str]]]:
        category_refs = [spec.ref for spec in self.categories]
        category_refs += [s.parent_ref for s in self.categories if s.parent_ref is not None]
        for product in [*self.standard, *self.variants]:
            category_refs += product.category_refs or []
        product_refs = [spec.ref for spec in [*self.standard, *self.variants]]
        product_refs += [v.product_ref for v in self.variants if v.product_ref is not None]
        product_refs = list(dict.fromkeys(product_refs))
        wanted: list[tuple[EntityKind, list[str]]] = [
            ("category", list(dict.fromkeys(category_refs))),
            # Both product kinds for every product ref: a ref taken by the other kind is an error.
            ("standard_product", product_refs),
            ("variant_product", product_refs),
        ]
        return [(kind, chunk) for kind, refs in wanted for chunk in chunked(refs, FETCH_CHUNK)]

    def add_existing(self, kind: EntityKind, node: Any) -> None:
        data = dump_node(node)
        ref = data.get("ref")
        if isinstance(ref, str):
            self.existing[kind][ref] = _current(kind, data)

    def _exists_or_planned(self, kind: EntityKind, ref: str, planned: set[ItemKey]) -> bool:
        return ref in self.existing[kind] or (kind, ref) in planned

    def plan(self, catalogue_ref: str) -> list[_Step]:
        catalogue = {"ref": catalogue_ref}
        planned: set[ItemKey] = {("category", s.ref) for s in self.categories}
        planned |= {("standard_product", s.ref) for s in self.standard}
        planned |= {("variant_product", s.ref) for s in self.variants}
        steps = [self._category_step(spec, catalogue, planned) for spec in self.categories]
        steps += [
            self._product_step("standard_product", spec, catalogue, planned)
            for spec in self.standard
        ]
        steps += [
            self._product_step("variant_product", spec, catalogue, planned)
            for spec in self.variants
        ]
        return steps

    def _category_step(
        self, spec: CategorySpec, catalogue: dict[str, str], planned: set[ItemKey]
    ) -> _Step:
        requires: list[ItemKey] = []
        if spec.parent_ref is not None:
            if not self._exists_or_planned("category", spec.parent_ref, planned):
                return _Step(
                    "category",
                    spec.ref,
                    "failed",
                    reason=f"parent category {spec.parent_ref!r} does not exist",
                )
            if ("category", spec.parent_ref) in planned:
                requires.append(("category", spec.parent_ref))
        scalars = {
            "name": spec.name,
            "type": spec.type,
            "summary": spec.summary,
            "status": spec.status,
            "parent_ref": spec.parent_ref,
        }
        step = self._diff_step("category", spec.ref, scalars, spec.attributes, None, None, None)
        return self._with_input(step, requires, spec, catalogue)

    def _product_step(
        self,
        kind: EntityKind,
        spec: ProductSpec | VariantProductSpec,
        catalogue: dict[str, str],
        planned: set[ItemKey],
    ) -> _Step:
        other: EntityKind = "variant_product" if kind == "standard_product" else "standard_product"
        if spec.ref in self.existing[other]:
            return _Step(kind, spec.ref, "failed", reason=f"ref is taken by a {_KIND_LABEL[other]}")
        requires: list[ItemKey] = []
        for ref in spec.category_refs or []:
            if not self._exists_or_planned("category", ref, planned):
                return _Step(kind, spec.ref, "failed", reason=f"category {ref!r} does not exist")
            if ("category", ref) in planned:
                requires.append(("category", ref))
        scalars: dict[str, Any] = {
            "name": spec.name,
            "gtin": spec.gtin,
            "type": spec.type,
            "summary": spec.summary,
            "status": spec.status,
        }
        if isinstance(spec, VariantProductSpec) and spec.product_ref is not None:
            if not self._exists_or_planned("standard_product", spec.product_ref, planned):
                return _Step(
                    kind,
                    spec.ref,
                    "failed",
                    reason=f"standard product {spec.product_ref!r} does not exist",
                )
            if ("standard_product", spec.product_ref) in planned:
                requires.append(("standard_product", spec.product_ref))
            scalars["product_ref"] = spec.product_ref
        step = self._diff_step(
            kind, spec.ref, scalars, spec.attributes, spec.prices, spec.tax, spec.category_refs
        )
        return self._with_input(step, requires, spec, catalogue)

    def _with_input(
        self,
        step: _Step,
        requires: list[ItemKey],
        spec: CategorySpec | ProductSpec | VariantProductSpec,
        catalogue: dict[str, str],
    ) -> _Step:
        """``step`` with the parents it waits for and the input it sends."""
        step.requires = tuple(requires)
        self._build_input(step, spec, catalogue)
        return step

    def _diff_step(
        self,
        kind: EntityKind,
        ref: str,
        scalars: Mapping[str, Any],
        attributes: Sequence[AttributeSpec] | None,
        prices: Sequence[PriceSpec] | None,
        tax: TaxSpec | None,
        category_refs: Sequence[str] | None,
    ) -> _Step:
        current = self.existing[kind].get(ref)
        if current is None:
            wanted = {name: (None, value) for name, value in scalars.items() if value is not None}
            for spec in attributes or []:
                wanted[f"attributes.{spec.name}"] = (None, spec.value)
            for price in prices or []:
                wanted[f"prices.{price.type}/{price.currency}"] = (None, price.value)
            if tax is not None:
                wanted["tax"] = (None, tax.model_dump())
            if category_refs:
                wanted["category_refs"] = (None, list(category_refs))
            return _Step(kind, ref, "create", wanted)
        changes: dict[str, tuple[Any, Any]] = {}
        for name, value in scalars.items():
            if value is not None and value != current.get(name):
                changes[name] = (current.get(name), value)
        existing_attributes = current["attributes"]
        for spec in attributes or []:
            have = existing_attributes.get(spec.name)
            if (
                have is None
                or not same_json(have["value"], spec.value)
                or (spec.type is not None and spec.type != have["type"])
            ):
                changes[f"attributes.{spec.name}"] = (have and have["value"], spec.value)
        existing_prices = current.get("prices") or {}
        for price in prices or []:
            have_price = existing_prices.get((price.type, price.currency))
            if have_price is None or not same_json(float(have_price), price.value):
                changes[f"prices.{price.type}/{price.currency}"] = (have_price, price.value)
        if tax is not None:
            have_tax = current.get("tax") or None
            wanted_tax = tax.model_dump()
            if have_tax is None or any(have_tax.get(k) != v for k, v in wanted_tax.items()):
                changes["tax"] = (have_tax, wanted_tax)
        if category_refs:
            have_refs = list(current.get("category_refs") or [])
            missing = [r for r in category_refs if r not in have_refs]
            if missing:
                changes["category_refs"] = (have_refs, [*have_refs, *missing])
        action: SyncAction = "update" if changes else "unchanged"
        return _Step(kind, ref, action, changes, id=current.get("id"))

    def _build_input(
        self,
        step: _Step,
        spec: CategorySpec | ProductSpec | VariantProductSpec,
        catalogue: dict[str, str],
    ) -> None:
        if step.action not in ("create", "update"):
            return
        creating = step.action == "create"
        if creating:
            required = ["name"] if step.kind == "category" else ["name", "gtin"]
            missing = [name for name in required if getattr(spec, name) is None]
            if missing:
                step.action = "failed"
                step.reason = (
                    f"{' and '.join(missing)} needed to create the {_KIND_LABEL[step.kind]}"
                )
                return
        data: dict[str, Any] = {"ref": spec.ref, "catalogue": catalogue}
        changed = step.changes

        def wanted(name: str) -> bool:
            return creating or name in changed

        for name in ("name", "gtin", "summary", "type"):
            value = getattr(spec, name, None)
            if value is not None and wanted(name):
                data[name] = value
        if creating and "type" not in data:
            data["type"] = {"category": "STANDARD", "standard_product": "STANDARD"}.get(
                step.kind, "VARIANT"
            )
        if spec.status is not None and "status" in changed:
            if creating:
                step.status_input = {"ref": spec.ref, "catalogue": catalogue, "status": spec.status}
            else:
                data["status"] = spec.status
        if spec.attributes:
            chosen = [a for a in spec.attributes if wanted(f"attributes.{a.name}")]
            if chosen:
                data["attributes"] = attributes_input(chosen)
        if isinstance(spec, CategorySpec):
            if spec.parent_ref is not None and wanted("parent_ref"):
                data["parentCategory"] = {"ref": spec.parent_ref, "catalogue": catalogue}
        else:
            chosen_prices = [
                p for p in spec.prices or [] if wanted(f"prices.{p.type}/{p.currency}")
            ]
            if chosen_prices:
                data["prices"] = [
                    {"type": p.type, "currency": p.currency, "value": p.value}
                    for p in chosen_prices
                ]
            if spec.tax is not None and wanted("tax"):
                data["taxType"] = spec.tax.model_dump()
            if spec.category_refs and wanted("category_refs"):
                # Send the union: harmless if Fluent adds, keeps the rest if it replaces.
                refs = changed["category_refs"][1] if not creating else spec.category_refs
                data["categories"] = [{"ref": r, "catalogue": catalogue} for r in refs]
            if isinstance(spec, VariantProductSpec) and spec.product_ref and wanted("product_ref"):
                data["product"] = {"ref": spec.product_ref, "catalogue": catalogue}
        step.input = data


class _SyncRun:
    """Walks the planned steps in order, skipping those whose parent could not be created."""

    def __init__(self, catalogue_ref: str, steps: list[_Step], *, dry_run: bool) -> None:
        self.catalogue_ref = catalogue_ref
        self.steps = steps
        self.dry_run = dry_run
        self._by_key = {step.key: step for step in steps}

    def _blocked_by(self, step: _Step) -> _Step | None:
        for key in step.requires:
            parent = self._by_key.get(key)
            # An existing parent whose update failed still exists: only a missing one blocks.
            if parent is not None and parent.action in ("failed", "skipped") and parent.id is None:
                return parent
        return None

    def writes(self) -> Iterator[_Step]:
        """The steps to write now, in order; blocked ones become ``skipped`` on the way."""
        for step in self.steps:
            if step.action not in ("create", "update"):
                continue
            parent = self._blocked_by(step)
            if parent is not None:
                step.action = "skipped"
                step.reason = (
                    f"{_KIND_LABEL[parent.kind]} {parent.ref!r} was not created ({parent.action})"
                )
                continue
            if not self.dry_run:
                yield step

    def succeeded(self, step: _Step, result: Any) -> None:
        step.id = str(getattr(result, "id", None) or step.id or "") or None

    def failed(self, step: _Step, error: Exception) -> None:
        step.action = "failed"
        step.reason = f"{type(error).__name__}: {error}"

    def report(self) -> CatalogueSyncReport:
        return CatalogueSyncReport(
            self.catalogue_ref, [step.entry() for step in self.steps], dry_run=self.dry_run
        )


def _check_catalogue_ref(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("catalogue_ref must be a non-empty string", field="catalogue_ref")
    return value


def _lookup(kind: EntityKind, catalogue_ref: str, refs: list[str]) -> Listing[Any]:
    """Every ``kind`` item with one of ``refs`` in the catalogue, read in one page."""
    method, operation = _LOOKUPS[kind]
    arguments = {"catalogue": {"ref": catalogue_ref}, "ref": refs}
    return Listing(Operation(method, arguments), operation, page_size=len(refs))


class _CatalogueBase:
    """The sync as a plan: read what exists, plan, write parents first (no I/O here)."""

    def _sync_plan(
        self,
        categories: Iterable[Any] | None,
        products: Iterable[Any] | None,
        catalogue_ref: str | None,
        dry_run: bool,
    ) -> Plan[CatalogueSyncReport]:
        planner = _CataloguePlanner(categories, products)
        if catalogue_ref is not None:
            catalogue_ref = _check_catalogue_ref(catalogue_ref)
        else:
            catalogue_ref = default_catalogue_ref((yield ResolveRetailer()))
        for kind, refs in planner.lookups():
            for node in (yield _lookup(kind, catalogue_ref, refs)):
                planner.add_existing(kind, node)
        run = _SyncRun(catalogue_ref, planner.plan(catalogue_ref), dry_run=dry_run)
        for step in run.writes():
            try:
                result = yield from self._write_plan(step, catalogue_ref)
            except AuthenticationError:
                raise
            except _ITEM_ERRORS as error:
                run.failed(step, error)
                continue
            run.succeeded(step, result)
        return run.report()

    @staticmethod
    def _write_plan(step: _Step, catalogue_ref: str) -> Plan[Any]:
        """One item's writes: its create or update, then its status when a create cannot set
        it. A create is sent once (`create_once`): after a lost reply the item is looked up by
        ref and, when found, is the result (``step.found_existing``)."""
        write = Operation(step.mutation, {"input": step.input})
        if step.action == "create":

            def find() -> Plan[Any]:
                found = yield _lookup(step.kind, catalogue_ref, [step.ref])
                return found[0] if found else None

            result, existing = yield from create_once(write, find)
            if existing is not None:
                step.found_existing = True
                result = existing
        else:
            result = yield write
        if step.status_input is not None:
            result = yield Operation(_MUTATIONS[step.kind][1], {"input": step.status_input})
        return result


# ---- sync and async twins -------------------------------------------------------------------
class Catalogue(SyncHelper, _CatalogueBase):
    """``client.catalogue``: upsert categories and products (see the module docstring)."""

    def sync(
        self,
        categories: Iterable[CategorySpec | Mapping[str, Any]] | None = None,
        products: Iterable[ProductSpec | VariantProductSpec | Mapping[str, Any]] | None = None,
        *,
        catalogue_ref: str | None = None,
        dry_run: bool = False,
    ) -> CatalogueSyncReport:
        """Create what is missing, update what differs, report everything.

        ``catalogue_ref`` defaults to ``PC:MASTER:<retailer id>``. With ``dry_run=True`` only
        reads are made and the report is the plan.
        """
        return self._run(self._sync_plan(categories, products, catalogue_ref, dry_run))


class AsyncCatalogue(AsyncHelper, _CatalogueBase):
    """The async twin of `Catalogue`: ``await client.catalogue.sync(...)``."""

    async def sync(
        self,
        categories: Iterable[CategorySpec | Mapping[str, Any]] | None = None,
        products: Iterable[ProductSpec | VariantProductSpec | Mapping[str, Any]] | None = None,
        *,
        catalogue_ref: str | None = None,
        dry_run: bool = False,
    ) -> CatalogueSyncReport:
        """See `Catalogue.sync`."""
        return await self._run(self._sync_plan(categories, products, catalogue_ref, dry_run))
