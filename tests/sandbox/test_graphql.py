from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from fluent_sdk.sandbox import Sandbox

from .helpers import data, error_codes, gql
from .schema_walk import minimal_operation

ORDER_MUTATION = """
mutation Create($input: CreateOrderInput) {
  createOrder(input: $input) {
    id ref status type workflowRef workflowVersion createdOn
    retailer { id ref }
    customer { id username }
    fulfilmentChoice { ref deliveryType items { edges { node { ref } } } }
    items(first: 10) { edges { node { ref quantity product { ref name } fulfilmentChoice { ref
      } } } }
  }
}
"""


def order_input(ref: str, **extra: Any) -> dict[str, Any]:
    return {
        "ref": ref,
        "type": "HD",
        "retailer": {"id": "1"},
        "customer": {"id": "1"},
        "fulfilmentChoice": {"ref": f"{ref}-FC", "deliveryType": "STANDARD"},
        "items": [
            {
                "ref": f"{ref}-1",
                "productRef": "HEADPHONE001-BLK",
                "productCatalogueRef": "PC:MASTER:1",
                "quantity": 2,
                "fulfilmentChoiceRef": f"{ref}-FC",
            }
        ],
        **extra,
    }


def create_customers(sandbox: Sandbox, count: int) -> None:
    for index in range(count):
        sandbox.app.engine.new_entity(
            "Customer",
            {"ref": f"CUST-{index:05d}", "username": f"user{index}", "firstName": "Paged"},
        )


def test_create_then_read_by_id_ref_and_search(http: httpx.Client) -> None:
    created = data(http, ORDER_MUTATION, {"input": order_input("HD-1")})["createOrder"]
    assert created["status"] == "CREATED"
    assert created["workflowRef"] == "ORDER::HD"
    assert created["retailer"] == {"id": "1", "ref": "SANDBOX"}
    assert created["customer"]["username"] == "1_jane@example.com"
    item = created["items"]["edges"][0]["node"]
    assert item["product"] == {"ref": "HEADPHONE001-BLK", "name": "Studio Headphones Black"}
    assert item["fulfilmentChoice"] == {"ref": "HD-1-FC"}
    assert created["fulfilmentChoice"]["items"]["edges"] == [{"node": {"ref": "HD-1-1"}}]

    by_id = data(http, "query($id: ID!) { orderById(id: $id) { ref } }", {"id": created["id"]})
    assert by_id["orderById"] == {"ref": "HD-1"}
    by_ref = data(http, '{ order(ref: "HD-1") { id customerLink { ref } } }')["order"]
    assert by_ref == {"id": created["id"], "customerLink": {"ref": "1_jane@example.com"}}
    found = data(http, '{ orders(ref: ["HD-%"], status: ["CREATED"]) { edges { node { ref } } } }')
    assert [e["node"]["ref"] for e in found["orders"]["edges"]] == ["HD-1"]
    assert (
        data(http, '{ orders(ref: ["NOPE-%"]) { edges { node { ref } } } }')["orders"]["edges"]
        == []
    )
    assert data(http, '{ order(ref: "missing") { id } }') == {"order": None}


def test_nested_create_order_and_customer(http: httpx.Client, sandbox: Sandbox) -> None:
    order = order_input("CC-1", type="CC")
    del order["customer"]
    order["customer"] = {
        "username": "1_new@example.com",
        "primaryEmail": "new@example.com",
        "firstName": "New",
        "timezone": "UTC",
        "promotionOptIn": True,
        "retailer": {"id": "1"},
    }
    created = data(
        http,
        """mutation($input: CreateOrderAndCustomerInput) {
             createOrderAndCustomer(input: $input) { ref workflowRef customer { firstName ref }
               } }""",
        {"input": order},
    )["createOrderAndCustomer"]
    assert created == {
        "ref": "CC-1",
        "workflowRef": "ORDER::CC",
        "customer": {"firstName": "New", "ref": "1_new@example.com"},
    }
    customers = data(
        http, '{ customers(primaryEmail: ["new@example.com"]) { edges { node { id } } } }'
    )
    assert len(customers["customers"]["edges"]) == 1


def test_duplicate_ref_is_C0121E_and_leaves_no_partial_state(
    http: httpx.Client, sandbox: Sandbox
) -> None:
    data(http, ORDER_MUTATION, {"input": order_input("DUP-1")})
    items_before = len(list(sandbox.store.all("OrderItem")))
    payload = gql(http, ORDER_MUTATION, {"input": order_input("DUP-1")})
    assert error_codes(payload) == ["C0121E"]
    assert payload["errors"][0]["message"].startswith("C0121E: ")
    assert payload["data"] == {"createOrder": None}
    # The nested items of the rejected order were rolled back with it.
    assert len(list(sandbox.store.all("OrderItem"))) == items_before


def test_unknown_link_is_C0120E(http: httpx.Client, sandbox: Sandbox) -> None:
    bad = order_input("BAD-1")
    bad["items"][0]["productRef"] = "NO-SUCH-SKU"
    payload = gql(http, ORDER_MUTATION, {"input": bad})
    assert error_codes(payload) == ["C0120E"]
    assert "NO-SUCH-SKU" in payload["errors"][0]["message"]
    assert data(http, '{ order(ref: "BAD-1") { id } }') == {"order": None}
    unknown_retailer = order_input("BAD-2", retailer={"id": "999"})
    assert error_codes(gql(http, ORDER_MUTATION, {"input": unknown_retailer})) == ["C0120E"]


def test_composite_keys(http: httpx.Client) -> None:
    result = data(
        http,
        """{
          standardProduct(ref: "HEADPHONE001", catalogue: {ref: "PC:MASTER:1"}) {
            name prices { type value } categories { edges { node { ref parentCategory { ref } } } }
            variants { edges { node { ref } } }
          }
          wrong: standardProduct(ref: "HEADPHONE001", catalogue: {ref: "OTHER"}) { name }
          product(ref: "HEADPHONE001-WHT", catalogue: {ref: "PC:MASTER:1"}) {
            __typename ... on VariantProduct { product { ref } }
          }
          inventoryPosition(ref: "SPEAKER001:LOC_DC", catalogue: {ref: "DEFAULT:1"}) { onHand
            productRef }
          inventoryQuantity(ref: "SPEAKER001:LOC_DC:LAST_ON_HAND", catalogue: {ref: "DEFAULT:1"}) {
            quantity position { ref }
          }
          category(ref: "CAT_AUDIO", catalogue: {ref: "PC:MASTER:1"}) {
            childCategories { edges { node { ref } } }
          }
        }""",
    )
    product = result["standardProduct"]
    assert product["name"] == "Studio Headphones"
    assert {p["type"] for p in product["prices"]} == {"DEFAULT", "SALE"}
    category = product["categories"]["edges"][0]["node"]
    assert category == {"ref": "CAT_HEADPHONES", "parentCategory": {"ref": "CAT_AUDIO"}}
    assert {e["node"]["ref"] for e in product["variants"]["edges"]} == {
        "HEADPHONE001-BLK",
        "HEADPHONE001-WHT",
    }
    assert result["wrong"] is None
    assert result["product"] == {"__typename": "VariantProduct", "product": {"ref": "HEADPHONE001"}}
    assert result["inventoryPosition"] == {"onHand": 18, "productRef": "SPEAKER001"}
    assert result["inventoryQuantity"]["position"] == {"ref": "SPEAKER001:LOC_DC"}
    children = {e["node"]["ref"] for e in result["category"]["childCategories"]["edges"]}
    assert children == {"CAT_HEADPHONES", "CAT_SPEAKERS"}


@pytest.mark.fluent_seed(None)
def test_paging_default_size_and_after_cursor(sandbox: Sandbox, http: httpx.Client) -> None:
    create_customers(sandbox, 25)
    query = """query($after: String, $first: Int) {
      customers(first: $first, after: $after) {
        edges { cursor node { ref } } pageInfo { hasNextPage hasPreviousPage } } }"""
    first_page = data(http, query)["customers"]
    assert len(first_page["edges"]) == 10  # Fluent's default page size
    assert first_page["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    seen: list[str] = []
    after = None
    while True:
        page = data(http, query, {"after": after, "first": 7})["customers"]
        seen += [edge["node"]["ref"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["edges"][-1]["cursor"]
    assert len(seen) == 25
    assert len(set(seen)) == 25
    assert seen == sorted(seen, reverse=True)  # newest first
    last_three = data(
        http, "{ customers(last: 3) { edges { node { ref } } pageInfo { hasPreviousPage } } }"
    )
    assert [e["node"]["ref"] for e in last_three["customers"]["edges"]] == [
        "CUST-00002",
        "CUST-00001",
        "CUST-00000",
    ]


@pytest.mark.fluent_seed(None)
def test_page_size_capped_at_5000(sandbox: Sandbox, http: httpx.Client) -> None:
    create_customers(sandbox, 5003)
    page = data(
        http, "{ customers(first: 100000) { edges { node { id } } pageInfo { hasNextPage } } }"
    )
    assert len(page["customers"]["edges"]) == 5000
    assert page["customers"]["pageInfo"]["hasNextPage"] is True


def test_bad_cursor_is_an_error(http: httpx.Client) -> None:
    payload = gql(http, '{ locations(after: "!!not-a-cursor") { edges { node { id } } } }')
    assert error_codes(payload) == ["C0140E"]


def test_date_range_and_list_filters(http: httpx.Client, sandbox: Sandbox) -> None:
    data(http, ORDER_MUTATION, {"input": order_input("OLD-1")})
    sandbox.advance_time(1800)  # within the token lifetime
    data(http, ORDER_MUTATION, {"input": order_input("NEW-1")})
    created = data(http, '{ order(ref: "NEW-1") { createdOn } }')["order"]["createdOn"]
    recent = data(
        http,
        "query($from: DateTime) { orders(createdOn: {from: $from}) { edges { node { ref } } } }",
        {"from": created},
    )
    assert [e["node"]["ref"] for e in recent["orders"]["edges"]] == ["NEW-1"]
    both = data(
        http, '{ orders(ref: ["OLD-1", "NEW-1"], retailerId: [1]) { edges { node { ref } } } }'
    )
    assert {e["node"]["ref"] for e in both["orders"]["edges"]} == {"OLD-1", "NEW-1"}
    bad_date = gql(http, '{ orders(createdOn: {from: "yesterday"}) { edges { node { ref } } } }')
    assert error_codes(bad_date) == ["C0100E"]


def test_update_upserts_attributes_and_prices(http: httpx.Client) -> None:
    mutation = """mutation($input: UpdateStandardProductInput) {
      updateStandardProduct(input: $input) { name attributes { name value } prices { type value
        } updatedOn } }"""
    updated = data(
        http,
        mutation,
        {
            "input": {
                "ref": "HEADPHONE001",
                "catalogue": {"ref": "PC:MASTER:1"},
                "name": "Studio Headphones II",
                "attributes": [{"name": "warranty", "type": "STRING", "value": "2y"}],
                "prices": [{"type": "SALE", "currency": "AUD", "value": 150.0}],
            }
        },
    )["updateStandardProduct"]
    assert updated["name"] == "Studio Headphones II"
    assert {a["name"]: a["value"] for a in updated["attributes"]} == {
        "brand": "Sandbox Audio",
        "warranty": "2y",
    }
    assert {p["type"]: p["value"] for p in updated["prices"]} == {"DEFAULT": 199.0, "SALE": 150.0}


def test_bulk_status_and_remove_links(http: httpx.Client) -> None:
    count = data(
        http,
        """mutation { updateInventoryPositionsStatusByLocation(
             filter: {catalogue: {ref: "DEFAULT:1"}, locationRef: "LOC_SYD"}, input: {status:
               "INACTIVE"}) { count } }""",
    )
    assert count["updateInventoryPositionsStatusByLocation"]["count"] == 3
    inactive = data(
        http, '{ inventoryPositions(status: ["INACTIVE"]) { edges { node { locationRef } } } }'
    )
    assert {e["node"]["locationRef"] for e in inactive["inventoryPositions"]["edges"]} == {
        "LOC_SYD"
    }

    removed = data(
        http,
        """mutation { removeLocationsFromNetwork(input: {network: {ref: "NET_ALL"}, locations:
          [{ref: "LOC_DC"}]}) { status } }""",
    )
    assert removed["removeLocationsFromNetwork"]["status"] == "SUCCESS"
    network = data(http, '{ network(ref: "NET_ALL") { locations { edges { node { ref } } } } }')
    assert {e["node"]["ref"] for e in network["network"]["locations"]["edges"]} == {
        "LOC_MELB",
        "LOC_SYD",
    }
    location = data(http, '{ location(ref: "LOC_DC") { networks { edges { node { ref } } } } }')
    assert location["location"]["networks"]["edges"] == []


def test_introspection_query_works(http: httpx.Client) -> None:
    schema = data(http, get_introspection_query())["__schema"]
    assert schema["queryType"]["name"] == "Query"
    names = {t["name"] for t in schema["types"]}
    assert {"Order", "InventoryPosition", "PageInfo"} <= names


def test_every_root_field_executes(sandbox: Sandbox) -> None:
    schema = sandbox.app.engine.schema
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    fields = [("query", n, f) for n, f in schema.query_type.fields.items()]
    fields += [("mutation", n, f) for n, f in schema.mutation_type.fields.items()]
    assert len(fields) >= 232
    succeeded = 0
    for kind, name, field in fields:
        document, variables = minimal_operation(kind, name, field)
        result = sandbox.execute(document, variables)
        codes = error_codes(result)
        assert set(codes) <= {"C0120E", "C0121E"}, (name, result.get("errors"))
        succeeded += not codes
    assert not sandbox.app.errors
    # Most minimal inputs link to seeded entities ("1"), so most mutations really store data.
    assert succeeded >= 200
