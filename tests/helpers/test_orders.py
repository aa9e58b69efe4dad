"""client.orders (sync) against the in-process sandbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from orders_support import (
    SEEDED_CUSTOMER_EMAIL,
    click_and_collect_order,
    graphql_operations,
    home_delivery_order,
    multi_choice_order,
)

from fluent_sdk import FluentClient
from fluent_sdk._generated import documents
from fluent_sdk.errors import ConflictError, GraphQLError, TimeoutError, ValidationError
from fluent_sdk.helpers._common import LAGGING_LOOKUPS, Operation, Pause, ResolveRetailer
from fluent_sdk.helpers.orders import NewCustomer, Order, OrderSummary, _OrdersBase
from fluent_sdk.sandbox import Sandbox

CREATES = {"SdkOrderCreate", "SdkOrderAndCustomerCreate"}


def creates_sent(sandbox: Sandbox) -> int:
    return sum(1 for name in graphql_operations(sandbox) if name in CREATES)


def test_home_delivery_order_with_new_customer_is_created_and_read_back(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    order = fluent_client.orders.create(home_delivery_order("WEB-1"))

    assert isinstance(order, Order)
    assert (order.ref, order.type, order.status) == ("WEB-1", "HD", "CREATED")
    assert order.total_price == pytest.approx(129.5)  # 2 x 15 + 99.5, delivery not added
    assert [(i.ref, i.product_ref, i.quantity, i.total_price) for i in order.items] == [
        ("SPEAKER001", "SPEAKER001", 2, 30.0),
        ("HEADPHONE001-BLK", "HEADPHONE001-BLK", 1, 99.5),
    ]
    assert {item.currency for item in order.items} == {"AUD"}
    assert order.customer is not None
    assert order.customer.username == "1_web-1@example.com"
    [choice] = order.fulfilment_choices
    assert choice.fulfilment_type == "HD_PFS"
    assert choice.delivery_address is not None
    assert choice.delivery_address.city == "Melbourne"
    assert "SdkOrderAndCustomerCreate" in graphql_operations(fluent_sandbox)
    # Catalogue ref defaults to the retailer's master catalogue.
    [create] = [r for r in fluent_sandbox.requests if b"SdkOrderAndCustomerCreate" in r.body]
    items = json.loads(create.body)["variables"]["input"]["items"]
    assert {item["productCatalogueRef"] for item in items} == {"PC:MASTER:1"}


def test_click_and_collect_order_for_existing_customer_uses_create_order(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    jane = fluent_client.orders.find_customer(email=SEEDED_CUSTOMER_EMAIL)
    assert jane is not None

    order = fluent_client.orders.create(click_and_collect_order("CC-1", jane.id))

    assert order.type == "CC"
    assert order.customer is not None
    assert order.customer.id == jane.id
    assert order.fulfilment_choices[0].pickup_location_ref == "LOC_MELB"
    assert order.billing_address is not None
    assert order.billing_address.city == "Melbourne"
    assert "SdkOrderCreate" in graphql_operations(fluent_sandbox)
    assert len(list(fluent_sandbox.store.all("Customer"))) == 1  # no customer created


def test_multi_choice_order_links_items_to_their_choice(fluent_client: FluentClient) -> None:
    order = fluent_client.orders.create(multi_choice_order())

    assert order.type == "MULTI"
    assert {c.ref: c.type for c in order.fulfilment_choices} == {"HOME": "HD", "STORE": "CC"}
    assert {i.product_ref: i.fulfilment_choice_ref for i in order.items} == {
        "SPEAKER001": "HOME",
        "HEADPHONE001-WHT": "STORE",
    }


def test_explicit_catalogue_and_type_are_sent(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    order = fluent_client.orders.create(
        home_delivery_order("WEB-T", type="EXPRESS"), catalogue_ref="PC:MASTER:1"
    )
    assert order.type == "EXPRESS"


BASE: dict[str, Any] = {
    "ref": "BAD-1",
    "customer_id": "1",
    "fulfilment": {"pickup_location_ref": "LOC_MELB"},
    "items": [{"product_ref": "SPEAKER001", "quantity": 1, "price": 10.0}],
}


def variant(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def items(*lines: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"product_ref": f"P{i}", "quantity": 1, **line} for i, line in enumerate(lines)]


@pytest.mark.parametrize(
    ("order", "field"),
    [
        (variant(items=items({}, {}, {"quantity": 0})), "items[2].quantity"),
        (variant(items=items({}, {"quantity": "2"})), "items[1].quantity"),
        (variant(items=items({"price": 2.0, "total_price": 5.0})), "items[0].total_price"),
        (variant(items=items({"price": -1.0})), "items[0].price"),
        (variant(items=[]), "items"),
        (variant(items=items({"product_ref": "A"}, {"product_ref": "A"})), "items[1].product_ref"),
        (variant(total_price=99.0), "total_price"),
        (variant(currency="AUD", items=items({}, {"currency": "USD"})), "items[1].currency"),
        (variant(currency="aud"), "currency"),
        (variant(fulfilment={"delivery_type": "STANDARD"}), "fulfilment.delivery_address"),
        (variant(fulfilment={"kind": "CC"}), "fulfilment.pickup_location_ref"),
        (variant(fulfilment=None), "fulfilment"),
        (variant(customer_id=None), "customer"),
        (variant(customer={"email": "not-an-email"}, customer_id=None), "customer.email"),
        (
            variant(
                fulfilment=None,
                fulfilment_choices=[
                    {"ref": "A", "pickup_location_ref": "L1"},
                    {"pickup_location_ref": "L2"},
                ],
            ),
            "fulfilment_choices[1].ref",
        ),
        (
            variant(
                fulfilment=None,
                fulfilment_choices=[
                    {"ref": "A", "pickup_location_ref": "L1"},
                    {"ref": "B", "pickup_location_ref": "L2"},
                ],
                items=items({"fulfilment_choice_ref": "A"}, {"fulfilment_choice_ref": "C"}),
            ),
            "items[1].fulfilment_choice_ref",
        ),
        (variant(unknown_field=1), "unknown_field"),
        (variant(retailer_id="abc"), "retailer_id"),
    ],
)
def test_invalid_orders_fail_before_any_request(
    fluent_sandbox: Sandbox, order: dict[str, Any], field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as caught:
        client.orders.create(order)
    assert caught.value.field == field
    assert len(fluent_sandbox.requests) == 0


def test_order_total_may_include_delivery_within_tolerance(fluent_client: FluentClient) -> None:
    order = fluent_client.orders.create(home_delivery_order("WEB-TOT", total_price=134.505))
    assert order.total_price == pytest.approx(134.505)


def test_timeout_after_commit_returns_the_one_created_order(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True)

    order = fluent_client.orders.create(home_delivery_order("WEB-DUP"))

    assert order.ref == "WEB-DUP"
    assert len(fluent_sandbox.store.by_ref("Order", "WEB-DUP")) == 1
    assert creates_sent(fluent_sandbox) == 1  # found by the lookup, not sent again


def test_dropped_connection_after_commit_returns_the_created_order(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_sandbox.faults.drop_connection("graphql", after_commit=True)

    order = fluent_client.orders.create(home_delivery_order("WEB-DROP"))

    assert order.ref == "WEB-DROP"
    assert len(fluent_sandbox.store.by_ref("Order", "WEB-DROP")) == 1


def test_timeout_before_commit_retries_the_create_once(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_sandbox.faults.read_timeout("graphql", after_commit=False)

    order = fluent_client.orders.create(home_delivery_order("WEB-RETRY"))

    assert order.ref == "WEB-RETRY"
    assert len(fluent_sandbox.store.by_ref("Order", "WEB-RETRY")) == 1
    assert creates_sent(fluent_sandbox) == 2


def test_lost_replies_are_retried_a_bounded_number_of_times(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    # GraphQL requests: create (lost), lookup, create (lost), lookup. A rule only counts the
    # requests no earlier rule failed, hence skip=1 for the second create.
    fluent_sandbox.faults.read_timeout("graphql", times=1)
    fluent_sandbox.faults.read_timeout("graphql", times=1, skip=1)

    with pytest.raises(TimeoutError):
        fluent_client.orders.create(home_delivery_order("WEB-LOST"), max_attempts=2)

    assert creates_sent(fluent_sandbox) == 2
    assert fluent_sandbox.store.by_ref("Order", "WEB-LOST") == []


def test_conflict_on_retry_resolves_to_the_existing_order() -> None:
    # Driven by hand: the create's reply is lost, the lookup does not see the order yet (an
    # index lagging behind), the retry is refused as a duplicate, the next lookup finds it.
    plan = _OrdersBase()._create_plan(
        home_delivery_order("WEB-LAG"), catalogue_ref=None, max_attempts=3, existing_ok=False
    )
    assert isinstance(next(plan), ResolveRetailer)
    create = plan.send("1")
    # The plan calls typed operations (graphql/operations/orders.graphql); answers are their
    # typed results (None: no such order).
    assert isinstance(create, Operation)
    assert "createOrderAndCustomer" in documents.BY_OPERATION["SdkOrderAndCustomerCreate"]
    assert create.method == "_sdk_order_and_customer_create"
    lookup = plan.throw(TimeoutError("POST /graphql timed out"))
    assert isinstance(lookup, Operation)
    assert lookup.arguments["ref"] == "WEB-LAG"
    assert plan.send(None) == create  # not found: the create is sent again
    duplicate = GraphQLError("C0121E: Order exists", errors=[], kind=ConflictError)
    lookup = plan.throw(duplicate)
    assert isinstance(lookup, Operation)
    existing: dict[str, Any] = {
        "id": "7",
        "ref": "WEB-LAG",
        "items": {"edges": []},
        "fulfilmentChoice": None,
    }
    with pytest.raises(StopIteration) as finished:
        plan.send(Order.model_validate(existing))
    assert isinstance(finished.value.value, Order)
    assert finished.value.value.id == "7"
    assert finished.value.value.found_existing


def test_conflict_on_retry_without_the_order_is_raised() -> None:
    plan = _OrdersBase()._create_plan(
        home_delivery_order("WEB-LAG"), catalogue_ref=None, max_attempts=3, existing_ok=False
    )
    next(plan)
    plan.send("1")
    plan.throw(TimeoutError("lost"))
    plan.send(None)
    step = plan.throw(GraphQLError("C0121E: exists", errors=[], kind=ConflictError))
    lookups = 0

    def answer_until_raised() -> None:  # reads may lag: looked up again, then raised
        nonlocal step, lookups
        while True:
            if isinstance(step, Operation):
                lookups += 1
                step = plan.send(None)
            else:
                assert isinstance(step, Pause)
                step = plan.send(None)

    with pytest.raises(GraphQLError) as caught:
        answer_until_raised()
    assert isinstance(caught.value, ConflictError)
    assert lookups == LAGGING_LOOKUPS + 1


def test_duplicate_ref_on_first_try_raises_unless_existing_ok(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    jane = fluent_client.orders.find_customer(email=SEEDED_CUSTOMER_EMAIL)
    assert jane is not None
    first = fluent_client.orders.create(click_and_collect_order("CC-DUP", jane.id))

    with pytest.raises(GraphQLError) as caught:
        fluent_client.orders.create(click_and_collect_order("CC-DUP", jane.id))
    assert caught.value.kind is ConflictError

    again = fluent_client.orders.create(
        click_and_collect_order("CC-DUP", jane.id), existing_ok=True
    )
    assert again.id == first.id
    assert len(fluent_sandbox.store.by_ref("Order", "CC-DUP")) == 1


def test_get_returns_none_for_a_missing_order(fluent_client: FluentClient) -> None:
    assert fluent_client.orders.get("NO-SUCH-ORDER") is None
    with pytest.raises(ValidationError) as caught:
        fluent_client.orders.get("")
    assert caught.value.field == "ref"


def test_get_reads_every_item_page(
    fluent_client: FluentClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fluent_sdk.helpers.orders as orders_module

    monkeypatch.setattr(orders_module, "ITEMS_PAGE_SIZE", 2)
    lines = [{"product_ref": "SPEAKER001", "ref": f"L{i}", "quantity": i + 1} for i in range(5)]
    fluent_client.orders.create(home_delivery_order("WEB-MANY", items=lines))

    order = fluent_client.orders.get("WEB-MANY")

    assert order is not None
    assert [item.ref for item in order.items] == ["L0", "L1", "L2", "L3", "L4"]


def test_get_reads_the_items_past_the_first_page_in_one_more_request(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """25 items read with a first page of 10: the other 15 come in one follow-up (as large a
    page as the complexity limit allows), not a request per page of 10; validated once."""
    import fluent_sdk.helpers.orders as orders_module

    monkeypatch.setattr(orders_module, "ITEMS_PAGE_SIZE", 10)
    lines = [{"product_ref": "SPEAKER001", "ref": f"L{i:02d}", "quantity": 1} for i in range(25)]
    fluent_client.orders.create(home_delivery_order("WEB-25", items=lines))
    fluent_sandbox.requests.clear()
    import fluent_sdk.graphql.entities as entities

    read_attributes: list[Any] = []
    real = entities.attributes_from_data

    def counted(value: Any) -> dict[str, Any]:
        read_attributes.append(value)
        return real(value)

    monkeypatch.setattr(entities, "attributes_from_data", counted)

    order = fluent_client.orders.get("WEB-25")

    assert order is not None
    assert [item.ref for item in order.items] == [f"L{i:02d}" for i in range(25)]
    assert order.items_after is None
    # 1 + the extra pages: the order, then the rest of its items (named for what it reads).
    assert graphql_operations(fluent_sandbox) == ["SdkOrderGet", "SdkOrderItemsPage"]
    # Validated once, after its items were all read: each entity's attributes read once.
    assert len(read_attributes) == 1 + len(order.items) + len(order.fulfilment_choices)


def test_iter_filters_pages_and_converts_to_pandas(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    jane = fluent_client.orders.find_customer(email=SEEDED_CUSTOMER_EMAIL)
    assert jane is not None
    for index in range(3):
        fluent_client.orders.create(home_delivery_order(f"HD-{index}"))
    fluent_client.orders.create(click_and_collect_order("CC-9", jane.id))
    now = datetime.now(timezone.utc) + timedelta(days=400)  # the sandbox clock runs ahead

    hd = list(fluent_client.orders.iter(type="HD", page_size=2))
    assert all(isinstance(o, OrderSummary) for o in hd)
    assert sorted(o.ref or "" for o in hd) == ["HD-0", "HD-1", "HD-2"]
    assert fluent_sandbox.requests.count("graphql") > 0

    in_range = fluent_client.orders.iter(
        status=["CREATED"], created_on=(datetime(2000, 1, 1, tzinfo=timezone.utc), now)
    )
    assert len(list(in_range)) == 4
    assert (
        list(
            fluent_client.orders.iter(created_on=(None, datetime(2000, 1, 1, tzinfo=timezone.utc)))
        )
        == []
    )

    frame = fluent_client.orders.iter(type="CC").to_pandas()
    assert list(frame["ref"]) == ["CC-9"]
    assert frame.loc[0, "customer.id"] == jane.id

    pages = list(fluent_client.orders.iter(type="HD", page_size=2).pages())
    assert [len(page) for page in pages] == [2, 1]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"created_on": (datetime(2024, 1, 1), None)}, "created_on[0]"),
        ({"created_on": "yesterday"}, "created_on"),
        ({"status": ""}, "status"),
        ({"page_size": 0}, "page_size"),
        ({"retailer_id": -1}, "retailer_id"),
    ],
)
def test_iter_rejects_bad_filters_before_any_request(
    fluent_sandbox: Sandbox, arguments: dict[str, Any], field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as caught:
        list(client.orders.iter(**arguments))
    assert caught.value.field == field
    assert len(fluent_sandbox.requests) == 0


def test_get_or_create_customer_finds_then_creates_once(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    jane = fluent_client.orders.get_or_create_customer({"email": SEEDED_CUSTOMER_EMAIL})
    assert jane.username == "1_jane@example.com"
    assert len(list(fluent_sandbox.store.all("Customer"))) == 1

    new = fluent_client.orders.get_or_create_customer(
        NewCustomer(email="new@example.com", first_name="New", phone="+61 400 111 222")
    )
    again = fluent_client.orders.get_or_create_customer(NewCustomer(email="new@example.com"))
    assert new.id == again.id
    assert (new.username, new.primary_phone) == ("1_new@example.com", "+61 400 111 222")
    assert len(list(fluent_sandbox.store.all("Customer"))) == 2

    assert fluent_client.orders.find_customer(username="nobody") is None
    with pytest.raises(ValidationError):
        fluent_client.orders.find_customer()


def test_get_or_create_customer_survives_a_lost_reply(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    # Two lookups (username, e-mail) succeed, then the create commits but its reply is lost.
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True, skip=2)
    customer = fluent_client.orders.get_or_create_customer({"email": "lost@example.com"})
    assert customer.primary_email == "lost@example.com"
    assert len(list(fluent_sandbox.store.all("Customer"))) == 2


def test_iter_validates_each_order_once(
    fluent_client: FluentClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fluent_sdk.graphql.entities as entities

    for index in range(3):
        fluent_client.orders.create(home_delivery_order(f"ONCE-{index}"))
    read_attributes: list[Any] = []
    real = entities.attributes_from_data

    def counted(value: Any) -> dict[str, Any]:
        read_attributes.append(value)
        return real(value)

    def revalidated(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a listed order was validated again")

    monkeypatch.setattr(entities, "attributes_from_data", counted)
    monkeypatch.setattr(OrderSummary, "model_validate", revalidated)
    monkeypatch.setattr(Order, "model_validate", revalidated)

    orders = list(fluent_client.orders.iter(ref="ONCE-%", page_size=2))

    assert sorted(o.ref or "" for o in orders) == ["ONCE-0", "ONCE-1", "ONCE-2"]
    assert all(type(o) is OrderSummary for o in orders)  # the helper's model, as read
    # One validation per order: its attributes were read once each, straight from the response.
    assert len(read_attributes) == 3


def test_helpers_send_typed_operations_never_ad_hoc_documents(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fluent_sdk.graphql import GraphQL

    def ad_hoc(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a helper sent an ad-hoc document")

    monkeypatch.setattr(GraphQL, "execute", ad_hoc)
    order = fluent_client.orders.create(home_delivery_order("TYPED-1"))
    assert fluent_client.orders.get("TYPED-1") == order
    assert [o.ref for o in fluent_client.orders.iter(ref="TYPED-1")] == ["TYPED-1"]
    assert fluent_client.orders.find_customer(email=SEEDED_CUSTOMER_EMAIL) is not None
    names = set(graphql_operations(fluent_sandbox))
    assert names == {"SdkOrderAndCustomerCreate", "SdkOrderGet", "SdkOrdersPage",
                     "SdkCustomersFind"}  # fmt: skip
