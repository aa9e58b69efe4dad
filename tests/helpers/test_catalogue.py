"""`client.catalogue.sync` against the sandbox: upserts, ordering, dry runs, failures, report."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fluent_sdk import FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers._platform_common import same_json
from fluent_sdk.helpers.catalogue import (
    CatalogueSyncReport,
    CategorySpec,
    PriceSpec,
    ProductSpec,
    TaxSpec,
    VariantProductSpec,
    _category_order,
)
from fluent_sdk.sandbox import Sandbox

CATALOGUE = "PC:MASTER:1"

CATEGORIES: list[Any] = [
    # The child comes first on purpose: sync must create the parent first.
    CategorySpec(ref="CAT_EARBUDS", name="Earbuds", parent_ref="CAT_WEARABLE_AUDIO"),
    {"ref": "CAT_WEARABLE_AUDIO", "name": "Wearable audio", "parentRef": "CAT_AUDIO"},
    {"ref": "CAT_AUDIO", "name": "Audio"},  # exists, same name
]
PRODUCTS: list[Any] = [
    ProductSpec(
        ref="BUDS-1",
        name="Earbuds",
        gtin="9300000000101",
        category_refs=["CAT_EARBUDS"],
        prices=[PriceSpec(currency="AUD", value=99.0)],
        tax=TaxSpec(country="AU", group="STANDARD", tariff="GST"),
        attributes={"brand": "Acme", "specs": {"anc": True}},
        variants=[
            {"ref": "BUDS-1-BLK", "name": "Earbuds Black", "gtin": "9300000000102"},
        ],
    ),
    {"ref": "BUDS-1-WHT", "productRef": "BUDS-1", "name": "Earbuds White", "gtin": "93001"},
]


def mutations(sandbox: Sandbox) -> list[str]:
    """Operation names of the GraphQL mutations the sandbox received, in order."""
    names = []
    for entry in sandbox.requests.filter("graphql"):
        body = entry.json()
        if body["query"].lstrip().startswith("mutation"):
            names.append(body.get("operationName"))
    return names


def mutation_inputs(sandbox: Sandbox, operation: str) -> list[dict[str, Any]]:
    return [
        entry.json()["variables"]["input"]
        for entry in sandbox.requests.filter("graphql")
        if entry.json().get("operationName") == operation
    ]


def entities(sandbox: Sandbox, type_name: str) -> dict[str, dict[str, Any]]:
    return {record["ref"]: record for record in sandbox.store.all(type_name)}


def test_sync_creates_parents_first_then_reports_everything_unchanged(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    report = fluent_client.catalogue.sync(CATEGORIES, PRODUCTS)

    assert report.ok
    assert report.counts() == {
        "create": 5, "update": 0, "unchanged": 1, "failed": 0, "skipped": 0
    }  # fmt: skip
    assert [(e.kind, e.ref) for e in report.created] == [
        ("category", "CAT_WEARABLE_AUDIO"),
        ("category", "CAT_EARBUDS"),
        ("standard_product", "BUDS-1"),
        ("variant_product", "BUDS-1-BLK"),
        ("variant_product", "BUDS-1-WHT"),
    ]
    assert all(entry.id for entry in report.entries)
    assert mutations(fluent_sandbox) == [
        "CreateCategory",
        "CreateCategory",
        "CreateStandardProduct",
        "CreateVariantProduct",
        "CreateVariantProduct",
    ]
    earbuds = fluent_client.graphql.category(ref="CAT_EARBUDS", catalogue={"ref": CATALOGUE})
    assert earbuds is not None
    assert earbuds.parent_category is not None
    assert earbuds.parent_category.ref == "CAT_WEARABLE_AUDIO"
    product = fluent_client.graphql.standard_product(ref="BUDS-1", catalogue={"ref": CATALOGUE})
    assert product is not None
    assert product.type_ == "STANDARD"
    assert {a.name: a.value for a in product.attributes or [] if a} == {
        "brand": "Acme",
        "specs": {"anc": True},
    }
    assert [v.node.ref for v in product.variants.edges if v and v.node] == [  # type: ignore[union-attr]
        "BUDS-1-BLK",
        "BUDS-1-WHT",
    ]

    fluent_sandbox.requests.clear()
    again = fluent_client.catalogue.sync(CATEGORIES, PRODUCTS)

    assert again.counts()["unchanged"] == len(again) == 6
    assert mutations(fluent_sandbox) == []


def test_dry_run_reads_but_writes_nothing(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    before = {name: entities(fluent_sandbox, name) for name in ("Category", "StandardProduct")}
    changed_price = {"ref": "HEADPHONE001", "prices": [{"currency": "AUD", "value": 149.0}]}

    report = fluent_client.catalogue.sync(CATEGORIES, [*PRODUCTS, changed_price], dry_run=True)

    assert report.dry_run
    assert report.counts() == {
        "create": 5, "update": 1, "unchanged": 1, "failed": 0, "skipped": 0
    }  # fmt: skip
    assert report.entry("standard_product", "HEADPHONE001").changes == {
        "prices.DEFAULT/AUD": (199.0, 149.0)
    }
    assert fluent_sandbox.requests.count("graphql") > 0  # it did read
    assert mutations(fluent_sandbox) == []
    after = {name: entities(fluent_sandbox, name) for name in ("Category", "StandardProduct")}
    assert after == before
    assert "dry run" in repr(report)


def test_update_sends_only_the_fields_that_differ(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    spec = ProductSpec(
        ref="HEADPHONE001",
        name="Studio Headphones",  # unchanged
        prices=[
            PriceSpec(currency="AUD", value=199.0),  # unchanged
            PriceSpec(type="SALE", currency="AUD", value=159.0),  # changed
        ],
        attributes={"brand": "Sandbox Audio", "colourway": "Mono"},  # one new
        category_refs=["CAT_HEADPHONES", "CAT_SPEAKERS"],  # one added
    )

    report = fluent_client.catalogue.sync(products=[spec])

    entry = report.entry("standard_product", "HEADPHONE001")
    assert entry.action == "update"
    assert set(entry.changes) == {"prices.SALE/AUD", "attributes.colourway", "category_refs"}
    [sent] = mutation_inputs(fluent_sandbox, "UpdateStandardProduct")
    assert sent == {
        "ref": "HEADPHONE001",
        "catalogue": {"ref": CATALOGUE},
        "attributes": [{"name": "colourway", "type": "STRING", "value": "Mono"}],
        "prices": [{"type": "SALE", "currency": "AUD", "value": 159.0}],
        "categories": [
            {"ref": "CAT_HEADPHONES", "catalogue": {"ref": CATALOGUE}},
            {"ref": "CAT_SPEAKERS", "catalogue": {"ref": CATALOGUE}},
        ],
    }
    stored = entities(fluent_sandbox, "StandardProduct")["HEADPHONE001"]
    assert {(p["type"], p["value"]) for p in stored["prices"]} == {
        ("DEFAULT", 199.0),
        ("SALE", 159.0),
    }
    assert fluent_client.catalogue.sync(products=[spec]).counts()["unchanged"] == 1


def test_fields_not_given_are_not_compared(fluent_client: FluentClient) -> None:
    # The seeded product has a summary, attributes, tax and a variant: none of it is given.
    report = fluent_client.catalogue.sync(
        categories=[{"ref": "CAT_HEADPHONES"}],
        products=[{"ref": "HEADPHONE001", "gtin": "9300000000011"}],
    )
    assert [e.action for e in report] == ["unchanged", "unchanged"]


def test_status_is_set_after_create_and_compared_later(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    spec = CategorySpec(ref="CAT_NEW", name="New", status="ACTIVE", type="PROMO")
    report = fluent_client.catalogue.sync([spec])

    assert report.entry("category", "CAT_NEW").action == "create"
    assert mutations(fluent_sandbox) == ["CreateCategory", "UpdateCategory"]
    stored = entities(fluent_sandbox, "Category")["CAT_NEW"]
    assert (stored["status"], stored["type"]) == ("ACTIVE", "PROMO")
    assert fluent_client.catalogue.sync([spec]).entries[0].action == "unchanged"
    changed = fluent_client.catalogue.sync([spec.model_copy(update={"status": "INACTIVE"})])
    assert changed.entries[0].changes == {"status": ("ACTIVE", "INACTIVE")}


def test_a_failed_write_is_reported_children_skipped_others_go_on(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    # Three lookups (categories, standard, variant products), then the first write fails.
    fluent_sandbox.faults.server_error("graphql", status=500, skip=3, times=1)
    unrelated = {"ref": "CABLE-1", "name": "Cable", "gtin": "93002"}

    report = fluent_client.catalogue.sync(CATEGORIES, [*PRODUCTS, unrelated])

    failed = report.entry("category", "CAT_WEARABLE_AUDIO")
    assert failed.action == "failed"
    assert "ServerError" in (failed.reason or "")
    assert [(e.ref, e.action) for e in report.skipped] == [
        ("CAT_EARBUDS", "skipped"),
        ("BUDS-1", "skipped"),
        ("BUDS-1-BLK", "skipped"),
        ("BUDS-1-WHT", "skipped"),
    ]
    assert "CAT_WEARABLE_AUDIO" in (report.entry("category", "CAT_EARBUDS").reason or "")
    assert "BUDS-1" in (report.entry("variant_product", "BUDS-1-BLK").reason or "")
    assert report.entry("standard_product", "CABLE-1").action == "create"
    assert "CABLE-1" in entities(fluent_sandbox, "StandardProduct")
    assert not report.ok

    # A rerun picks up where it failed.
    rerun = fluent_client.catalogue.sync(CATEGORIES, [*PRODUCTS, unrelated])
    assert rerun.ok
    assert rerun.counts()["create"] == 5


def test_missing_references_fail_in_the_plan(fluent_client: FluentClient) -> None:
    report = fluent_client.catalogue.sync(
        categories=[
            {"ref": "CAT_ORPHAN", "name": "Orphan", "parent_ref": "CAT_NOWHERE"},
            {"ref": "CAT_ORPHAN_CHILD", "name": "Orphan child", "parent_ref": "CAT_ORPHAN"},
        ],
        products=[
            {"ref": "P-1", "name": "P", "gtin": "1", "category_refs": ["CAT_NOWHERE"]},
            {"ref": "V-1", "name": "V", "gtin": "2", "product_ref": "P-NOWHERE"},
            {"ref": "P-2", "gtin": "3"},  # no name: cannot be created
            {"ref": "HEADPHONE001-BLK", "name": "Clash", "gtin": "4"},  # ref of a variant
        ],
        dry_run=True,
    )
    reasons = {entry.ref: (entry.action, entry.reason) for entry in report}
    assert reasons == {
        "CAT_ORPHAN": ("failed", "parent category 'CAT_NOWHERE' does not exist"),
        "CAT_ORPHAN_CHILD": ("skipped", "category 'CAT_ORPHAN' was not created (failed)"),
        "P-1": ("failed", "category 'CAT_NOWHERE' does not exist"),
        "V-1": ("failed", "standard product 'P-NOWHERE' does not exist"),
        "P-2": ("failed", "name needed to create the standard product"),
        "HEADPHONE001-BLK": ("failed", "ref is taken by a variant product"),
    }


def test_unknown_catalogue_fails_each_item_with_the_server_reason(
    fluent_client: FluentClient,
) -> None:
    report = fluent_client.catalogue.sync(
        [{"ref": "CAT_X", "name": "X"}], catalogue_ref="PC:NOPE:1"
    )
    [entry] = report.failed
    assert "C0120E" in (entry.reason or "")


def test_cycle_and_bad_input_raise_before_any_request(fluent_sandbox: Sandbox) -> None:
    client = fluent_sandbox.client()
    with pytest.raises(ValidationError) as cycle:
        client.catalogue.sync(
            [
                {"ref": "A", "name": "A", "parent_ref": "C"},
                {"ref": "B", "name": "B", "parent_ref": "A"},
                {"ref": "C", "name": "C", "parent_ref": "B"},
            ]
        )
    assert cycle.value.field == "categories"
    assert "A -> C -> B -> A" in str(cycle.value)

    bad_inputs: list[tuple[dict[str, Any], str]] = [
        ({"products": [{"ref": "P", "prices": [{"currency": "AUD", "value": "x"}]}]},
         "products[0].prices[0].value"),
        ({"products": [{"ref": "P", "colour": "red"}]}, "products[0].colour"),
        ({"categories": [{"ref": ""}]}, "categories[0].ref"),
        ({"categories": [{"ref": "A"}, {"ref": "A"}]}, "categories[1].ref"),
        ({"products": [{"ref": "P"}, {"ref": "P", "productRef": "Q"}]}, "products[1].ref"),
        ({"products": [{"ref": "V", "type": "VARIANT"}]}, "products[0].product_ref"),
        ({"categories": [{"ref": "A", "attributes": [{"name": "a"}]}]},
         "categories[0].attributes[0].value"),
        ({"categories": [{"ref": "A"}], "catalogue_ref": ""}, "catalogue_ref"),
        ({"categories": CategorySpec(ref="A")}, "categories"),
        ({"products": {"ref": "P"}}, "products"),
    ]  # fmt: skip
    for kwargs, field in bad_inputs:
        with pytest.raises(ValidationError) as error:
            client.catalogue.sync(**kwargs)
        assert error.value.field == field, kwargs
    assert len(fluent_sandbox.requests) == 0
    client.close()


def test_report_renders_as_text_html_records_and_frame(fluent_client: FluentClient) -> None:
    report = fluent_client.catalogue.sync(
        [{"ref": "CAT_ORPHAN", "name": "O", "parent": "CAT_NOWHERE"}, {"ref": "CAT_AUDIO"}],
        dry_run=True,
    )
    assert isinstance(report, CatalogueSyncReport)
    assert repr(report) == (
        "<CatalogueSyncReport PC:MASTER:1 dry run: "
        "create=0 update=0 unchanged=1 failed=1 skipped=0>"
    )
    html = report._repr_html_()
    assert "Catalogue sync PC:MASTER:1 (dry run)" in html
    assert "CAT_NOWHERE" in html
    records = report.to_records()
    assert records[0] == {
        "kind": "category",
        "ref": "CAT_ORPHAN",
        "action": "failed",
        "changed_fields": "",
        "reason": "parent category 'CAT_NOWHERE' does not exist",
        "id": None,
    }
    frame = report.to_pandas()
    assert list(frame["action"]) == ["failed", "unchanged"]


def test_variant_specs_accept_nesting_or_product_ref() -> None:
    nested = ProductSpec.model_validate(
        {"ref": "P", "variants": [{"ref": "V", "name": "v", "gtin": "1"}]}
    )
    assert nested.variants is not None
    assert nested.variants[0].product_ref is None  # filled in by sync
    flat = VariantProductSpec(
        ref="V", product_ref="P", taxType={"country": "AU", "group": "G", "tariff": "T"}
    )  # type: ignore[call-arg]
    assert flat.tax == TaxSpec(country="AU", group="G", tariff="T")


def test_category_order_is_parents_first_and_stable() -> None:
    specs = [
        CategorySpec(ref="C", parent_ref="B"),
        CategorySpec(ref="X"),
        CategorySpec(ref="B", parent_ref="A"),
        CategorySpec(ref="A", parent_ref="OUTSIDE"),
    ]
    assert [s.ref for s in _category_order(specs)] == ["A", "B", "C", "X"]


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        (1, 1.0, True),
        (True, 1, False),
        ({"a": [1, "x"]}, {"a": [1.0, "x"]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ("1", 1, False),
        (None, None, True),
    ],
)
def test_same_json(left: Any, right: Any, same: bool) -> None:
    assert same_json(left, right) is same
    assert json.dumps(left) is not None
