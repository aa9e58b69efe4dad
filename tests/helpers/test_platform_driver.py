"""The platform helpers on the one helper driver, and the pieces every helper shares.

- settings, users, locations and networks list through one `Listing`: ``iter`` is a
  `Paginator` (async client: an `AsyncPaginator`) with the whole paginator API;
- one input-model base, one attributes toolkit, one retailer-id checker and resolver, one
  default catalogue ref and one JSON-headers constant (the old names are the same objects).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient, _types
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql import AsyncPaginator, Page, Paginator
from fluent_sdk.helpers import _common, _platform_common
from fluent_sdk.helpers._attributes import AttributeSpec, attribute_type_for, attributes_input
from fluent_sdk.helpers._calls import Listing, Operation, ResolveRetailer
from fluent_sdk.helpers._common import edge_nodes
from fluent_sdk.helpers._models import InputModel, SpecModel, parse_input
from fluent_sdk.helpers.locations import Location
from fluent_sdk.helpers.networks import Network
from fluent_sdk.helpers.orders import NewOrderItem
from fluent_sdk.helpers.settings import Setting, _SettingsBase
from fluent_sdk.helpers.users import NewUser, User
from fluent_sdk.rest._common import check_retailer_id, resolve_retailer_id
from fluent_sdk.sandbox import Sandbox

# -- iterators: one listing, a paginator in each twin ------------------------------------------


def test_iter_is_a_paginator_of_the_helpers_model(fluent_client: FluentClient) -> None:
    settings = fluent_client.settings.iter(context="ACCOUNT", page_size=1)
    assert isinstance(settings, Paginator)
    pages = list(settings.pages())
    assert len(pages) >= 2
    assert all(len(page.nodes) == 1 for page in pages)
    assert all(isinstance(page, Page) for page in pages)
    assert all(isinstance(node, Setting) for page in pages for node in page.nodes)
    assert settings.cursor == pages[-1].end_cursor  # where to resume

    locations = fluent_client.locations.iter(type="STORE")
    assert isinstance(locations, Paginator)
    assert all(type(location) is Location for location in locations)
    assert sorted(record["ref"] for record in locations.to_records()) == ["LOC_MELB", "LOC_SYD"]

    users = fluent_client.users.iter(max_items=1)
    assert [type(user) for user in users] == [User]
    networks = fluent_client.networks.iter(type="CC")
    assert [(type(n), n.ref) for n in networks] == [(Network, "NET_STORES")]


def test_iter_walks_from_the_start_each_time_and_tracks_its_cursor(
    fluent_client: FluentClient,
) -> None:
    paginator = fluent_client.settings.iter(context="ACCOUNT", page_size=1)
    assert paginator.cursor is None
    first = next(iter(paginator))
    assert paginator.cursor is not None
    every = [s.name for s in paginator]
    assert every[0] == first.name
    assert every == [s.name for s in fluent_client.settings.iter(context="ACCOUNT")]


async def test_async_iter_is_an_async_paginator_of_the_helpers_model(
    async_fluent_client: AsyncFluentClient,
) -> None:
    settings = async_fluent_client.settings.iter(context="ACCOUNT", page_size=1)
    assert isinstance(settings, AsyncPaginator)
    pages = [page async for page in settings.pages()]
    assert len(pages) >= 2
    assert all(isinstance(node, Setting) for page in pages for node in page.nodes)

    locations = async_fluent_client.locations.iter(type="STORE")
    assert isinstance(locations, AsyncPaginator)
    assert [type(location) async for location in locations] == [Location, Location]
    records = await async_fluent_client.users.iter().to_records()
    assert {record["username"] for record in records} == {"sandbox_admin"}
    assert [n.ref async for n in async_fluent_client.networks.iter(type="HD")] == ["NET_ALL"]


def test_iter_checks_its_arguments_when_called(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        with pytest.raises(ValidationError) as bad_page:
            client.locations.iter(page_size=0)
        with pytest.raises(ValidationError) as bad_filter:
            client.networks.iter(type=[5])  # type: ignore[list-item]
    assert (bad_page.value.field, bad_filter.value.field) == ("page_size", "type")
    assert len(fluent_sandbox.requests) == 0


def test_a_listing_describes_its_pages_without_io() -> None:
    listing: Listing[Any] = Listing(Operation("settings", {"name": ["a"]}), "settings", page_size=5)
    assert listing.page(5, "c1") == Operation(
        "settings", {"name": ["a"], "first": 5, "after": "c1"}
    )
    assert listing.paging() == {
        "page_size": 5,
        "max_items": None,
        "after": None,
        "operation": "settings",
    }


# -- the plans run without a client ------------------------------------------------------------


def test_the_settings_logic_is_a_plan_without_io() -> None:
    plan = _SettingsBase()._set_plan("acme.x", True, "RETAILER", None, None)
    assert next(plan) == ResolveRetailer()
    lookup = plan.send("7")
    assert isinstance(lookup, Listing)
    assert lookup.call == Operation(
        "settings", {"name": ["acme.x"], "context": ["RETAILER"], "context_id": [7]}
    )
    create = plan.send([])  # nothing stored yet
    assert create == Operation(
        "create_setting",
        {
            "input": {
                "name": "acme.x",
                "valueType": "BOOLEAN",
                "context": "RETAILER",
                "contextId": 7,
                "value": "true",
            }
        },
    )
    node = {"id": "3", "name": "acme.x", "context": "RETAILER", "contextId": 7}
    with pytest.raises(StopIteration) as done:
        plan.send({**node, "valueType": "BOOLEAN", "value": "true"})
    assert done.value.value.value is True


# -- one input-model base ----------------------------------------------------------------------


class _Thing(InputModel):
    product_ref: str
    pickup: bool = False


def test_one_input_model_base() -> None:
    assert issubclass(SpecModel, InputModel)  # the deprecated name
    assert _platform_common.SpecModel is SpecModel
    assert _common.InputModel is InputModel
    assert issubclass(NewUser, InputModel)
    assert issubclass(NewOrderItem, InputModel)

    # camelCase or snake_case keys, whitespace stripped, a missing field named in snake_case
    item = NewOrderItem.model_validate({"productRef": " P-1 ", "quantity": 1, "price": 2.0})
    assert item.product_ref == "P-1"
    with pytest.raises(ValidationError) as missing:
        NewOrderItem.model_validate({"quantity": 1, "price": 2.0})
    assert missing.value.field == "product_ref"
    with pytest.raises(ValidationError) as typo:
        parse_input(_Thing, {"productRef": "P", "pickUp": True}, field="thing")
    assert str(typo.value) == "thing.pickUp: unknown field (did you mean 'pickup'?)"
    assert parse_input(_Thing, {"product_ref": "P "}).model_dump(by_alias=True) == {
        "productRef": "P",
        "pickup": False,
    }


def test_passwords_are_kept_exactly_as_given() -> None:
    user = NewUser(username="u", password="  spaced  ", primary_email="u@example.com", type="API")
    assert user.password.get_secret_value() == "  spaced  "


# -- one attributes toolkit ----------------------------------------------------------------------


def test_one_attributes_toolkit_under_every_old_name() -> None:
    assert _common.attributes_input is attributes_input
    assert _platform_common.attributes_input is attributes_input
    assert _common._attribute_type is attribute_type_for
    assert _platform_common.attribute_type_for is attribute_type_for
    assert _platform_common.AttributeSpec is AttributeSpec


def test_one_home_for_the_attribute_rules_below_every_layer() -> None:
    """The rules live in fluent_sdk._attributes; every other name is the same object."""
    from fluent_sdk import _attributes, webhooks
    from fluent_sdk.graphql import entities
    from fluent_sdk.helpers import _attributes as toolkit
    from fluent_sdk.rest import events

    assert attribute_type_for is _attributes.attribute_type_for
    for reader in (
        toolkit.attributes_from_data,
        _common.attributes_from_data,
        entities.attributes_from_data,
        events.attributes_from_data,
        webhooks.attributes_from_data,
    ):
        assert reader is _attributes.attributes_from_data
    assert toolkit.WithAttributes is _common.WithAttributes is entities.WithAttributes
    assert _common.edge_nodes is entities.edge_nodes
    imported = [
        line
        for line in Path(_attributes.__file__).read_text().splitlines()
        if line.startswith(("import ", "from ")) and "fluent_sdk" in line
    ]
    assert imported == []  # nothing of the SDK: any layer may use it


@pytest.mark.parametrize(
    "value",
    [
        [{"name": "size", "type": "STRING", "value": "M"}, {"type": "x"}, "junk"],
        {"size": "M"},
    ],
)
def test_every_reader_reads_attributes_alike(value: Any) -> None:
    from fluent_sdk.graphql.entities import WithAttributes
    from fluent_sdk.rest.events import EventRecord
    from fluent_sdk.webhooks import WebhookEvent

    assert EventRecord.model_validate({"id": "1", "attributes": value}).attribute_map == {
        "size": "M"
    }
    assert WithAttributes.model_validate({"attributes": value}).attributes == {"size": "M"}
    assert WebhookEvent.model_validate({"attributes": value}).attributes == {"size": "M"}
    assert EventRecord.model_validate({"id": "1", "attributes": None}).attribute_map == {}
    assert edge_nodes({"edges": [{"node": {"id": "1"}}, {"node": None}, "x"]}) == [{"id": "1"}]
    assert edge_nodes([{"id": "1"}]) == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [(True, "BOOLEAN"), (3, "INTEGER"), (1.5, "FLOAT"), ("x", "STRING"), ([1], "JSON")],
)
def test_one_type_rule_for_mappings_and_specs(value: Any, kind: str) -> None:
    assert attributes_input({"a": value}) == [{"name": "a", "type": kind, "value": value}]
    assert attributes_input([{"name": "a", "value": value}]) == [
        {"name": "a", "type": kind, "value": value}
    ]
    assert AttributeSpec(name="a", value=value).resolved_type == kind


def test_one_value_check_for_every_attribute_form() -> None:
    assert attributes_input({}) is None
    assert attributes_input(None) is None
    assert attributes_input([AttributeSpec(name="w", value=1, type="FLOAT")]) == [
        {"name": "w", "type": "FLOAT", "value": 1}
    ]
    # a mapping's keys are all names, even "name" and "value"
    assert [a["name"] for a in attributes_input({"name": 1, "value": 2}) or []] == [
        "name",
        "value",
    ]
    with pytest.raises(ValidationError) as nan:
        attributes_input({"weight": math.nan})
    assert nan.value.field == "attributes.weight"
    with pytest.raises(ValidationError) as nested:
        attributes_input([{"name": "weights", "value": [1.0, math.inf]}])
    assert nested.value.field == "attributes[0].value"
    with pytest.raises(ValidationError) as unserialisable:
        NewUser.model_validate(
            {
                "username": "u",
                "password": "p",
                "primaryEmail": "u@example.com",
                "type": "API",
                "attributes": {"when": object()},
            }
        )
    assert unserialisable.value.field == "attributes.when"


# -- one retailer-id checker and resolver ----------------------------------------------------------


@pytest.mark.parametrize("good", [1, "1", "12", 10**12])
def test_retailer_ids_that_pass(good: Any) -> None:
    assert check_retailer_id(good) == good
    assert _common.check_retailer(good) == str(good)


@pytest.mark.parametrize("bad", [0, -1, "0", "", "1a", " 1", "12\n", "\u0663", True, 1.0, None])
def test_retailer_ids_that_fail_the_one_check(bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        check_retailer_id(bad)
    assert caught.value.field == "retailer_id"
    if bad is not None:
        with pytest.raises(ValidationError):
            _common.check_retailer(bad)


def test_the_resolver_prefers_explicit_then_configured_then_signs_in() -> None:
    assert resolve_retailer_id("5", 1) == "5"
    assert resolve_retailer_id(None, 1) == 1
    assert resolve_retailer_id(None, None) is None  # sign in, then require_retailer_id
    with pytest.raises(ValidationError):
        resolve_retailer_id("x", 1)


def test_helpers_check_retailer_ids_with_the_one_check(fluent_sandbox: Sandbox) -> None:
    location = {
        "ref": "L",
        "name": "L",
        "type": "STORE",
        "address": {"latitude": 0, "longitude": 0},
        "retailer_id": "1x",
    }
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as caught:
        client.locations.create(location)
    assert caught.value.field == "location.retailer_id"
    assert len(fluent_sandbox.requests) == 0


def test_helpers_and_rest_namespaces_resolve_the_same_retailer(fluent_client: FluentClient) -> None:
    assert fluent_client.settings._retailer_id() == fluent_client.jobs._retailer_id() == 1
    assert fluent_client.settings._run(_resolve()) == "1"


def _resolve() -> Any:
    retailer = yield ResolveRetailer()
    return retailer


# -- one default catalogue ref, one JSON-headers constant ----------------------------------------


def test_one_default_catalogue_ref(fluent_client: FluentClient) -> None:
    assert _common.default_catalogue_ref(1) == "PC:MASTER:1"
    report = fluent_client.catalogue.sync([{"ref": "CAT_AUDIO"}], dry_run=True)
    assert report.catalogue_ref == _common.default_catalogue_ref(1)


def test_orders_use_the_one_default_catalogue_ref() -> None:
    from fluent_sdk.helpers import catalogue, orders

    assert orders.default_catalogue_ref is _common.default_catalogue_ref
    assert catalogue.default_catalogue_ref is _common.default_catalogue_ref
    assert "default_catalogue_ref" in orders.__all__


def test_one_json_headers_constant() -> None:
    from fluent_sdk.graphql import _namespace_common, _runtime
    from fluent_sdk.rest import jobs

    assert _namespace_common.JSON_HEADERS is _types.JSON_HEADERS
    assert _runtime._JSON_HEADERS is _types.JSON_HEADERS
    assert jobs._JSON_CONTENT is _types.JSON_HEADERS
