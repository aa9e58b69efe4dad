"""client.consignments (sync and async) against the in-process sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from orders_support import add_fulfilment, graphql_operations, home_delivery_order

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import NotFoundError, ValidationError
from fluent_sdk.helpers.consignments import (
    Article,
    AsyncConsignments,
    Consignment,
    Consignments,
    NewArticle,
    NewConsignment,
)
from fluent_sdk.sandbox import Sandbox


@pytest.fixture
def packed(fluent_sandbox: Sandbox) -> dict[str, str]:
    """An order with one fulfilment; the ids a carrier integration starts from."""
    with fluent_sandbox.client() as client:
        order = client.orders.create(home_delivery_order("SHIP-1"))
    fulfilment_id = add_fulfilment(fluent_sandbox, "SHIP-1", "F-1", {"SPEAKER001": 2})
    fluent_sandbox.requests.clear()
    return {"fulfilment_id": fulfilment_id, "order_item_id": order.items[0].id}


def parcel(packed: dict[str, str], ref: str = "PARCEL-1", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "ref": ref,
        "fulfilment_ids": [packed["fulfilment_id"]],
        "height": 10,
        "length": 30,
        "width": 20.5,
        "weight": 1.2,
        "items": {packed["order_item_id"]: 2},
    }
    return {**values, **changes}


def test_article_consignment_tracking_flow(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, packed: dict[str, str]
) -> None:
    assert isinstance(fluent_client.consignments, Consignments)
    article = fluent_client.consignments.create_article(NewArticle(**parcel(packed)))
    assert isinstance(article, Article)
    assert (article.ref, article.width, article.fulfilment_ids) == (
        "PARCEL-1",
        20.5,
        [packed["fulfilment_id"]],
    )

    consignment = fluent_client.consignments.create(
        NewConsignment(ref="CON-1", carrier_ref="AUSPOST", article_ids=[article.id])
    )
    assert isinstance(consignment, Consignment)
    assert (consignment.carrier_ref, consignment.consignment_reference) == ("AUSPOST", "CON-1")
    assert consignment.article_ids == [article.id]

    tracked = fluent_client.consignments.attach_tracking(
        consignment.id, "TRK-1", label_url="https://labels.example/TRK-1.pdf"
    )
    assert (tracked.tracking_label, tracked.label_url) == (
        "TRK-1",
        "https://labels.example/TRK-1.pdf",
    )
    shipped = fluent_client.consignments.update(consignment.id, status="SHIPPED")
    assert shipped.status == "SHIPPED"
    again = fluent_client.consignments.get(consignment.id)
    assert again is not None
    assert again.tracking_label == "TRK-1"

    packed_article = fluent_client.consignments.update_article(article.id, status="PACKED")
    assert packed_article.status == "PACKED"
    read = fluent_client.consignments.get_article(article.id)
    assert read is not None
    assert read.status == "PACKED"
    assert fluent_client.consignments.get("999") is None
    assert fluent_client.consignments.get_article("999") is None


def test_unknown_carrier_is_not_found(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, packed: dict[str, str]
) -> None:
    with pytest.raises(NotFoundError):
        fluent_client.consignments.create({"ref": "C", "carrier_ref": "NOPE", "article_ids": ["1"]})
    assert "SdkConsignmentCreate" not in graphql_operations(fluent_sandbox)


def test_create_article_timeout_after_commit_is_not_duplicated(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, packed: dict[str, str]
) -> None:
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True)

    article = fluent_client.consignments.create_article(parcel(packed))

    assert article.ref == "PARCEL-1"
    assert len(fluent_sandbox.store.by_ref("Article", "PARCEL-1")) == 1
    assert graphql_operations(fluent_sandbox).count("SdkArticleCreate") == 1


def test_create_consignment_timeout_after_commit_is_not_duplicated(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, packed: dict[str, str]
) -> None:
    article = fluent_client.consignments.create_article(parcel(packed))
    # The carrier lookup passes; the create commits but its reply is lost.
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True, skip=1)

    consignment = fluent_client.consignments.create(
        {"ref": "CON-T", "carrier_ref": "AUSPOST", "article_ids": [article.id]}
    )

    assert consignment.ref == "CON-T"
    assert len(fluent_sandbox.store.by_ref("Consignment", "CON-T")) == 1


def test_existing_ok_makes_a_repeated_create_idempotent(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, packed: dict[str, str]
) -> None:
    first = fluent_client.consignments.create_article(parcel(packed))
    same = fluent_client.consignments.create_article(parcel(packed), existing_ok=True)
    assert same.id == first.id
    assert len(fluent_sandbox.store.by_ref("Article", "PARCEL-1")) == 1
    consignment = {"ref": "CON-2", "carrier_ref": "AUSPOST", "article_ids": [first.id]}
    made = fluent_client.consignments.create(consignment, existing_ok=True)
    assert fluent_client.consignments.create(consignment, existing_ok=True).id == made.id
    assert len(fluent_sandbox.store.by_ref("Consignment", "CON-2")) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"height": 0}, "height"),
        ({"weight": -1}, "weight"),
        ({"fulfilment_ids": []}, "fulfilment_ids"),
        ({"items": {"1": 0}}, "items.1"),
        ({"ref": ""}, "ref"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_articles_fail_before_any_request(
    fluent_sandbox: Sandbox, changes: dict[str, Any], field: str
) -> None:
    packed = {"fulfilment_id": "1", "order_item_id": "1"}
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as caught:
        client.consignments.create_article(parcel(packed, **changes))
    assert caught.value.field == field
    assert len(fluent_sandbox.requests) == 0


@pytest.mark.parametrize(
    ("consignment", "field"),
    [
        ({"ref": "C", "article_ids": ["1"]}, "carrier_ref"),
        ({"ref": "C", "carrier_ref": "A", "carrier_id": "1", "article_ids": ["1"]}, "carrier_ref"),
        ({"ref": "C", "carrier_ref": "A", "article_ids": []}, "article_ids"),
        (
            {"ref": "C", "carrier_ref": "A", "article_ids": ["1"], "label_url": "ftp://x"},
            "label_url",
        ),
    ],
)
def test_bad_consignments_fail_before_any_request(
    fluent_sandbox: Sandbox, consignment: dict[str, Any], field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as caught:
        client.consignments.create(consignment)
    assert caught.value.field == field
    assert len(fluent_sandbox.requests) == 0


def test_bad_updates_fail_before_any_request(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        with pytest.raises(ValidationError) as caught:
            client.consignments.attach_tracking("1", "TRK", label_url="not a url")
        assert caught.value.field == "label_url"
        with pytest.raises(ValidationError) as caught:
            client.consignments.update("1")
        assert caught.value.field == "status"
        with pytest.raises(ValidationError) as caught:
            client.consignments.update_article("", status="X")
        assert caught.value.field == "article_id"
    assert len(fluent_sandbox.requests) == 0


async def test_async_flow(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox, packed: dict[str, str]
) -> None:
    consignments = async_fluent_client.consignments
    assert isinstance(consignments, AsyncConsignments)
    fluent_sandbox.faults.read_timeout("graphql", after_commit=True)
    article = await consignments.create_article(parcel(packed))
    assert len(fluent_sandbox.store.by_ref("Article", "PARCEL-1")) == 1

    consignment = await consignments.create(
        NewConsignment(ref="CON-A", carrier_id="1", article_ids=[article.id])
    )
    tracked = await consignments.attach_tracking(consignment.id, "TRK-A")
    assert tracked.tracking_label == "TRK-A"
    updated = await consignments.update_article(article.id, weight=2.5)
    assert updated.weight == 2.5
    assert (await consignments.get(consignment.id)) is not None
    assert (await consignments.get_article("999")) is None


def test_consignments_send_typed_operations_never_ad_hoc_documents(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    packed: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fluent_sdk.graphql import GraphQL

    def ad_hoc(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a helper sent an ad-hoc document")

    monkeypatch.setattr(GraphQL, "execute", ad_hoc)
    article = fluent_client.consignments.create_article(parcel(packed), existing_ok=True)
    consignment = fluent_client.consignments.create(
        {"ref": "CON-T", "carrier_ref": "AUSPOST", "article_ids": [article.id]}
    )
    assert fluent_client.consignments.get(consignment.id) == consignment
    assert fluent_client.consignments.get_article(article.id) == article
    assert (type(article), type(consignment)) == (Article, Consignment)
    assert set(graphql_operations(fluent_sandbox)) == {
        "SdkArticlesFind",  # existing_ok looks the ref up first
        "SdkArticleCreate",
        "SdkCarrierId",
        "SdkConsignmentCreate",
        "SdkConsignmentGet",
        "SdkArticleGet",
    }
