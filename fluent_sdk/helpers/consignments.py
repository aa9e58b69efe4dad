"""Carrier interface: articles (parcels), consignments, tracking and labels.

``client.consignments`` is a `Consignments` (sync) or `AsyncConsignments` (async)::

    from fluent_sdk.helpers.consignments import NewArticle, NewConsignment

    article = client.consignments.create_article(
        NewArticle(ref="PARCEL-1", fulfilment_ids=[fulfilment.id], height=10, length=30,
                   width=20, weight=1.2, items={order_item_id: 2}))
    consignment = client.consignments.create(
        NewConsignment(ref="CON-1", carrier_ref="AUSPOST", article_ids=[article.id]))
    client.consignments.attach_tracking(consignment.id, "TRK123",
                                        label_url="https://carrier.example/labels/TRK123.pdf")
    client.consignments.update(consignment.id, status="SHIPPED")
    client.consignments.get(consignment.id)          # None when missing

These map onto the schema's ``createArticle`` / ``updateArticle`` (an article belongs to one or
more fulfilments; dimensions and weight are required) and ``createConsignment`` /
``updateConsignment`` (a consignment groups articles for one carrier; ``trackingLabel``,
``labelUrl`` and ``orderSummaryUrl`` carry the carrier's answer). ``carrier_ref`` is resolved to
the carrier's id. Creates are never duplicated: a lost reply is followed by a lookup by ``ref``
before another try (see `fluent_sdk.helpers.orders`). Invalid input raises `ValidationError`
before any request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, field_validator, model_validator

from fluent_sdk.errors import NotFoundError, ValidationError
from fluent_sdk.graphql.entities import Article, Consignment, connection_page
from fluent_sdk.helpers._common import (
    DEFAULT_CREATE_ATTEMPTS,
    AsyncHelper,
    InputModel,
    Operation,
    Plan,
    ResolveRetailer,
    SyncHelper,
    attributes_input,
    check_attempts,
    check_ref,
    check_retailer,
    create_or_find,
    parse_input,
    required,
)

if TYPE_CHECKING:
    pass

__all__ = [
    "Article",
    "AsyncConsignments",
    "Consignment",
    "Consignments",
    "NewArticle",
    "NewConsignment",
]

Ref = Annotated[str, Field(min_length=1, max_length=255)]
Dimension = Annotated[float, Field(gt=0)]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2048)]


def _id_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class NewArticle(InputModel):
    """A parcel packed for one or more fulfilments. ``items`` maps order-item id to units."""

    ref: Ref
    fulfilment_ids: list[Ref] = Field(min_length=1)
    height: Dimension
    length: Dimension
    width: Dimension
    weight: Dimension
    type: Ref = "DEFAULT"
    name: str | None = None
    description: str | None = None
    barcode: str | None = None
    quantity: int | None = Field(default=None, ge=1, strict=True)
    items: dict[str, Annotated[int, Field(ge=1, strict=True)]] = Field(default_factory=dict)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("fulfilment_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return [_id_text(v) for v in value] if isinstance(value, list | tuple) else value

    def to_input(self) -> dict[str, Any]:
        return self.fluent_input(
            exclude={"barcode", "fulfilment_ids", "items", "attributes"},
            barcodeArticleNumber=self.barcode,
            fulfilments=[{"id": fulfilment_id} for fulfilment_id in self.fulfilment_ids],
            items=[
                {"quantity": units, "orderItem": {"id": item_id}}
                for item_id, units in self.items.items()
            ]
            or None,
            attributes=attributes_input(self.attributes),
        )


class NewConsignment(InputModel):
    """A carrier booking for articles. ``consignment_reference`` (the carrier's booking
    reference) defaults to ``ref``; give ``carrier_ref`` or ``carrier_id``."""

    ref: Ref
    article_ids: list[Ref] = Field(min_length=1)
    carrier_ref: Ref | None = None
    carrier_id: Ref | None = None
    consignment_reference: Ref | None = None
    tracking_label: Ref | None = None
    label_url: Url | None = None
    order_summary_url: Url | None = None
    retailer_id: int | str | None = None

    @field_validator("article_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return [_id_text(v) for v in value] if isinstance(value, list | tuple) else value

    @field_validator("carrier_id", mode="before")
    @classmethod
    def _carrier_id(cls, value: Any) -> Any:
        return _id_text(value)

    @model_validator(mode="after")
    def _one_carrier(self) -> NewConsignment:
        check_retailer(self.retailer_id)
        if (self.carrier_ref is None) == (self.carrier_id is None):
            raise ValidationError("give either carrier_ref or carrier_id", field="carrier_ref")
        return self

    def to_input(self, carrier_id: str, retailer_id: str) -> dict[str, Any]:
        return self.fluent_input(
            exclude={"article_ids", "carrier_ref", "carrier_id", "retailer_id"},
            consignmentReference=self.consignment_reference or self.ref,
            carrier={"id": carrier_id},
            retailer={"id": retailer_id},
            consignmentArticles=[{"article": {"id": a}} for a in self.article_ids],
        )


class _ConsignmentChanges(InputModel):
    status: Ref | None = None
    consignment_reference: Ref | None = None
    tracking_label: Ref | None = None
    label_url: Url | None = None
    order_summary_url: Url | None = None

    def to_input(self, consignment_id: str) -> dict[str, Any]:
        return {"id": consignment_id, **self.fluent_input()}


class _ArticleChanges(InputModel):
    status: Ref | None = None
    type: Ref | None = None
    name: str | None = None
    description: str | None = None
    barcode: str | None = None
    height: Dimension | None = None
    length: Dimension | None = None
    width: Dimension | None = None
    weight: Dimension | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    def to_input(self, article_id: str) -> dict[str, Any]:
        return {
            "id": article_id,
            **self.fluent_input(
                exclude={"barcode", "attributes"},
                barcodeArticleNumber=self.barcode,
                attributes=attributes_input(self.attributes),
            ),
        }


class _ConsignmentsBase:
    """Checks and plans; the twins below only perform the calls."""

    @staticmethod
    def _get_plan(method: str, entity_id: Any, field: str) -> Plan[Any]:
        """The entity with this id (an `Article` / `Consignment`, read once, every page of its
        fulfilments / consignment articles included), or None."""
        arguments = {"id": check_ref(entity_id, field=field)}

        def plan() -> Plan[Any]:
            found = yield Operation(method, arguments, complete=True)
            return found

        return plan()

    def _get_article_plan(self, article_id: Any) -> Plan[Article | None]:
        return self._get_plan("_sdk_article_get", article_id, "article_id")

    def _get_consignment_plan(self, consignment_id: Any) -> Plan[Consignment | None]:
        return self._get_plan("_sdk_consignment_get", consignment_id, "consignment_id")

    @staticmethod
    def _find_plan(find: str, get: str, ref: str) -> Plan[Any]:
        """The entity whose ref is exactly ``ref``: its id found by ref, then it by id."""
        connection = yield Operation(find, {"ref": [ref]})
        matches = [node.id for node in connection_page(connection)[0] if node.ref == ref]
        if not matches:
            return None
        found = yield Operation(get, {"id": matches[0]}, complete=True)
        return found

    def _create_article_plan(
        self, article: Any, *, max_attempts: int, existing_ok: bool
    ) -> Plan[Article]:
        checked = parse_input(NewArticle, article)
        return create_or_find(
            Operation("_sdk_article_create", {"input": checked.to_input()}),
            lambda: self._find_plan("_sdk_articles_find", "_sdk_article_get", checked.ref),
            operation="createArticle",
            max_attempts=check_attempts(max_attempts),
            existing_ok=existing_ok,
        )

    def _create_consignment_plan(
        self, consignment: Any, *, max_attempts: int, existing_ok: bool
    ) -> Plan[Consignment]:
        checked = parse_input(NewConsignment, consignment)
        attempts = check_attempts(max_attempts)

        def plan() -> Plan[Consignment]:
            retailer_id = yield ResolveRetailer(checked.retailer_id)
            carrier_id = checked.carrier_id
            if carrier_id is None:
                carrier = yield Operation("_sdk_carrier_id", {"ref": checked.carrier_ref})
                if carrier is None:
                    raise NotFoundError(
                        f"carrier {checked.carrier_ref!r} not found", operation="consignments"
                    )
                carrier_id = str(carrier.id)
            created: Consignment = yield from create_or_find(
                Operation(
                    "_sdk_consignment_create",
                    {"input": checked.to_input(carrier_id, retailer_id)},
                ),
                lambda: self._find_plan(
                    "_sdk_consignments_find", "_sdk_consignment_get", checked.ref
                ),
                operation="createConsignment",
                max_attempts=attempts,
                existing_ok=existing_ok,
            )
            return created

        return plan()

    @staticmethod
    def _update_consignment_plan(consignment_id: Any, **changes: Any) -> Plan[Consignment]:
        checked_id = check_ref(consignment_id, field="consignment_id")
        update = parse_input(
            _ConsignmentChanges, {k: v for k, v in changes.items() if v is not None}
        )
        variables = {"input": update.to_input(checked_id)}
        if len(variables["input"]) == 1:
            raise ValidationError("nothing to update", field="status")
        update_call = Operation("_sdk_consignment_update", variables)
        return required(update_call, operation="updateConsignment")

    @staticmethod
    def _update_article_plan(article_id: Any, **changes: Any) -> Plan[Article]:
        checked_id = check_ref(article_id, field="article_id")
        update = parse_input(_ArticleChanges, {k: v for k, v in changes.items() if v is not None})
        variables = {"input": update.to_input(checked_id)}
        if len(variables["input"]) == 1:
            raise ValidationError("nothing to update", field="status")
        return required(Operation("_sdk_article_update", variables), operation="updateArticle")


class Consignments(_ConsignmentsBase, SyncHelper):
    """``client.consignments``: articles, consignments, tracking and labels."""

    def create_article(
        self,
        article: NewArticle | Mapping[str, Any],
        *,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> Article:
        """Create a parcel for fulfilments, exactly once."""
        return self._run(
            self._create_article_plan(article, max_attempts=max_attempts, existing_ok=existing_ok)
        )

    def update_article(
        self,
        article_id: str,
        *,
        status: str | None = None,
        barcode: str | None = None,
        weight: float | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> Article:
        return self._run(
            self._update_article_plan(
                article_id, status=status, barcode=barcode, weight=weight, attributes=attributes
            )
        )

    def get_article(self, article_id: str) -> Article | None:
        return self._run(self._get_article_plan(article_id))

    def create(
        self,
        consignment: NewConsignment | Mapping[str, Any],
        *,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> Consignment:
        """Book articles with a carrier, exactly once."""
        return self._run(
            self._create_consignment_plan(
                consignment, max_attempts=max_attempts, existing_ok=existing_ok
            )
        )

    def update(
        self,
        consignment_id: str,
        *,
        status: str | None = None,
        consignment_reference: str | None = None,
        tracking_label: str | None = None,
        label_url: str | None = None,
        order_summary_url: str | None = None,
    ) -> Consignment:
        return self._run(
            self._update_consignment_plan(
                consignment_id,
                status=status,
                consignment_reference=consignment_reference,
                tracking_label=tracking_label,
                label_url=label_url,
                order_summary_url=order_summary_url,
            )
        )

    def attach_tracking(
        self, consignment_id: str, tracking_label: str, *, label_url: str | None = None
    ) -> Consignment:
        """Record the carrier's tracking number (and label) on the consignment."""
        return self.update(consignment_id, tracking_label=tracking_label, label_url=label_url)

    def get(self, consignment_id: str) -> Consignment | None:
        return self._run(self._get_consignment_plan(consignment_id))


class AsyncConsignments(_ConsignmentsBase, AsyncHelper):
    """``client.consignments`` on `AsyncFluentClient`: the same methods, awaitable."""

    async def create_article(
        self,
        article: NewArticle | Mapping[str, Any],
        *,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> Article:
        return await self._run(
            self._create_article_plan(article, max_attempts=max_attempts, existing_ok=existing_ok)
        )

    async def update_article(
        self,
        article_id: str,
        *,
        status: str | None = None,
        barcode: str | None = None,
        weight: float | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> Article:
        return await self._run(
            self._update_article_plan(
                article_id, status=status, barcode=barcode, weight=weight, attributes=attributes
            )
        )

    async def get_article(self, article_id: str) -> Article | None:
        return await self._run(self._get_article_plan(article_id))

    async def create(
        self,
        consignment: NewConsignment | Mapping[str, Any],
        *,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> Consignment:
        return await self._run(
            self._create_consignment_plan(
                consignment, max_attempts=max_attempts, existing_ok=existing_ok
            )
        )

    async def update(
        self,
        consignment_id: str,
        *,
        status: str | None = None,
        consignment_reference: str | None = None,
        tracking_label: str | None = None,
        label_url: str | None = None,
        order_summary_url: str | None = None,
    ) -> Consignment:
        return await self._run(
            self._update_consignment_plan(
                consignment_id,
                status=status,
                consignment_reference=consignment_reference,
                tracking_label=tracking_label,
                label_url=label_url,
                order_summary_url=order_summary_url,
            )
        )

    async def attach_tracking(
        self, consignment_id: str, tracking_label: str, *, label_url: str | None = None
    ) -> Consignment:
        return await self.update(consignment_id, tracking_label=tracking_label, label_url=label_url)

    async def get(self, consignment_id: str) -> Consignment | None:
        return await self._run(self._get_consignment_plan(consignment_id))
