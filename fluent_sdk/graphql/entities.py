"""The helpers' entity models: orders, customers, fulfilments, articles, consignments, payments.

Each is what a helper returns (``client.orders.get`` -> `Order`, ``client.fulfilments.get`` ->
`Fulfilment`, …; the helpers re-export them under these names) and, at the same time, the model
the generated client parses that helper's operation into: the codegen tables
(`fluent_sdk._codegen.tables.RESULT_MODELS`) map e.g. ``SdkOrderGet``'s ``order`` here, so a
result is validated once (a helper that reads every page of the connections inside an entity
validates it once, after the last page: `fluent_sdk.helpers._whole`). They live here, below the
generated package, because it imports them.

Unlike the generated models they read Fluent's shapes into conveniences: a connection inside an
entity becomes a flat list (``order.items``), ``attributes`` a ``{name: value}`` dict, a linked
object its id or ref (``item.product_ref``, ``consignment.carrier_ref``). A flattened connection
remembers where its next page starts (``Order.items_after``; None once every page is read).
Linked objects are read by one rule (``_LINKS``), connections inside by `edge_page`.
They select what the shared fragments of ``graphql/operations/fragments/`` select; unknown fields
are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from fluent_sdk._attributes import attributes_from_data  # one home; re-exported here
from fluent_sdk._display import flatten, html_summary

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "AddressFields",
    "Article",
    "Consignment",
    "Customer",
    "EntityModel",
    "FinancialTransaction",
    "FoundExisting",
    "Fulfilment",
    "FulfilmentChoice",
    "FulfilmentItem",
    "Order",
    "OrderAddress",
    "OrderItem",
    "OrderSummary",
    "WithAttributes",
    "attributes_from_data",
    "connection_page",
    "edge_nodes",
    "edge_page",
]


def edge_page(connection: Any) -> tuple[list[Any], str | None]:
    """A connection's nodes, and the cursor to read the next page after (None when there is
    no next page). Anything but a ``{"edges": [...]}`` mapping is kept as the list it is."""
    if not isinstance(connection, Mapping):
        return (list(connection) if isinstance(connection, list) else []), None
    edges = [e for e in connection.get("edges") or [] if isinstance(e, Mapping)]
    nodes = [edge["node"] for edge in edges if edge.get("node") is not None]
    more = bool((connection.get("pageInfo") or {}).get("hasNextPage"))
    cursor = next((e.get("cursor") for e in reversed(edges) if e.get("cursor")), None)
    return nodes, cursor if more else None


def edge_nodes(connection: Any) -> list[Any]:
    """The nodes of a connection in a ``data`` dict (``{"edges": [{"node": …}]}``); none for
    anything else."""
    return edge_page(connection)[0] if isinstance(connection, Mapping) else []


def connection_page(connection: Any) -> tuple[list[Any], str | None]:
    """A typed connection's nodes (a generated model's ``edges``/``pageInfo``), and the cursor
    to read the next page after (None when there is none)."""
    if connection is None:
        return [], None
    edges = [edge for edge in getattr(connection, "edges", None) or [] if edge is not None]
    nodes = [edge.node for edge in edges if getattr(edge, "node", None) is not None]
    page_info = getattr(connection, "page_info", None)
    more = bool(getattr(page_info, "has_next_page", False))
    cursor = next((c for c in (getattr(e, "cursor", None) for e in reversed(edges)) if c), None)
    return nodes, cursor if more else None


class EntityModel(BaseModel):
    """Something Fluent returned: camelCase names read, unknown fields ignored. The one base of
    the SDK's result models (``fluent_sdk.helpers._models.OutputModel`` is this class)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True
    )


class WithAttributes(EntityModel):
    """An entity with Fluent attributes, read as ``{name: value}`` (`attributes_from_data`).
    The one definition: the helpers re-export it."""

    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> dict[str, Any]:
        return attributes_from_data(value)


class FoundExisting(BaseModel):
    """Mixed into a result model: ``found_existing`` is True when a create found the entity
    already there (an earlier try whose reply was lost made it, or ``existing_ok`` found it)
    instead of making it. Never sent to Fluent, left out of dumps. The one definition
    (`fluent_sdk.helpers._models.FoundExisting` is this class)."""

    found_existing: bool = Field(default=False, exclude=True, repr=False)

    @classmethod
    def from_node(cls, node: Any) -> Self:
        """A fetched node (a generated model or a dict) as this model."""
        if isinstance(node, cls):
            return node
        if isinstance(node, BaseModel):
            return cls.model_validate(node, from_attributes=True)
        return cls.model_validate(node)

    def as_found(self) -> Self:
        """A copy flagged ``found_existing=True``."""
        return self.model_copy(update={"found_existing": True})


class _Flattened(EntityModel):
    """Reads linked objects as their keys: ``_LINKS`` maps a field's camelCase name to where
    its value is in Fluent's shape (``{"productRef": ("product", "ref")}``); a value the data
    gives flat already is kept."""

    _LINKS: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _flatten_links(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or not cls._LINKS:
            return data
        flat = dict(data)
        for name, path in cls._LINKS.items():
            value: Any = data
            for key in path:
                value = value.get(key) if isinstance(value, Mapping) else None
            if isinstance(data.get(path[0]), Mapping):
                flat.setdefault(name, value)
        return flat


class _WithItemsPage(EntityModel):
    """An entity whose ``items`` connection is read as a flat list, remembering where its next
    page starts (`items_after`; None once every page is read)."""

    _items_after: str | None = PrivateAttr(default=None)

    @property
    def items_after(self) -> str | None:
        """The cursor to read more ``items`` after (None when ``items`` is complete)."""
        return self._items_after

    @model_validator(mode="wrap")
    @classmethod
    def _items_page(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        after = None
        if isinstance(data, Mapping) and isinstance(data.get("items"), Mapping):
            items, after = edge_page(data["items"])
            data = {**data, "items": items}
        entity = handler(data)
        entity._items_after = after
        return entity


# -- orders ----------------------------------------------------------------------------------


class Customer(FoundExisting, _Flattened):
    """A customer; ``found_existing`` (from `Orders.get_or_create_customer`) is True when it
    was found rather than created by the call. Never sent to Fluent."""

    id: str
    ref: str | None = None
    username: str | None = None
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    primary_email: str | None = None
    primary_phone: str | None = None
    country: str | None = None
    timezone: str | None = None
    promotion_opt_in: bool | None = None
    status: str | None = None
    retailer_id: str | None = None

    _LINKS = {"retailerId": ("retailer", "id")}


class AddressFields(BaseModel):
    """The fields of a postal address (Fluent's names in camelCase): the one list, shared by
    the address Fluent returns (`OrderAddress`) and the helpers' address input
    (``fluent_sdk.helpers._models.Address``)."""

    ref: str | None = None
    name: str | None = None
    company_name: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str | None = None
    email: str | None = None


class OrderAddress(EntityModel, AddressFields):
    """An address as Fluent returns it (an order's billing address, a choice's delivery one)."""

    id: str | None = None


class FulfilmentChoice(WithAttributes):
    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None
    delivery_type: str | None = None
    fulfilment_type: str | None = None
    pickup_location_ref: str | None = None
    currency: str | None = None
    fulfilment_price: float | None = None
    fulfilment_tax_price: float | None = None
    delivery_instruction: str | None = None
    delivery_address: OrderAddress | None = None


class OrderItem(WithAttributes, _Flattened):
    id: str
    ref: str | None = None
    status: str | None = None
    product_ref: str | None = None
    product_name: str | None = None
    quantity: int
    price: float | None = None
    paid_price: float | None = None
    tax_price: float | None = None
    tax_type: str | None = None
    total_price: float | None = None
    total_tax_price: float | None = None
    currency: str | None = None
    fulfilment_choice_ref: str | None = None

    _LINKS = {
        "productRef": ("product", "ref"),
        "productName": ("product", "name"),
        "fulfilmentChoiceRef": ("fulfilmentChoice", "ref"),
    }


class OrderSummary(WithAttributes, _Flattened):
    """An order as listed by `Orders.iter` (no items or fulfilment choices)."""

    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None
    workflow_ref: str | None = None
    total_price: float | None = None
    total_tax_price: float | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    retailer_id: str | None = None
    customer: Customer | None = None

    _LINKS = {"retailerId": ("retailer", "id")}

    def to_record(self) -> dict[str, Any]:
        """A flat row (``customer.username`` columns); lists stay whole values."""
        return flatten(self.model_dump(mode="json", exclude_none=True))

    def _repr_html_(self) -> str:
        fields = [
            ("ref", self.ref),
            ("type", self.type),
            ("status", self.status),
            ("total", self.total_price),
            ("customer", self.customer.username if self.customer else None),
            ("created", self.created_on),
        ]
        return html_summary(f"Order {self.ref}", fields, raw=self)


class Order(FoundExisting, _WithItemsPage, OrderSummary):
    """An order with its items and fulfilment choices, as `Orders.get` / `create` return it.

    ``found_existing`` (from `Orders.create`): True when the order was not created by this
    call but found by its ref: an earlier try whose reply was lost had created it, or
    ``existing_ok=True`` found it already there. Never sent to Fluent.
    """

    billing_address: OrderAddress | None = None
    items: list[OrderItem] = Field(default_factory=list)
    fulfilment_choices: list[FulfilmentChoice] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _choices(cls, data: Any) -> Any:
        """``fulfilmentChoice`` and the ``fulfilmentChoices`` connection, as one list."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        choices: list[Any] = []
        single = data.pop("fulfilmentChoice", None)
        if isinstance(single, Mapping):
            choices.append(single)
        for node in edge_page(data.get("fulfilmentChoices"))[0]:
            known = [c.get("id") for c in choices if isinstance(c, Mapping)]
            if not isinstance(node, Mapping) or node.get("id") not in known:
                choices.append(node)
        data["fulfilmentChoices"] = choices
        return data


# -- fulfilments ---------------------------------------------------------------------------


class FulfilmentItem(_Flattened):
    id: str
    ref: str | None = None
    status: str | None = None
    requested_quantity: int | None = None
    filled_quantity: int = 0
    rejected_quantity: int = 0
    order_item_ref: str | None = None
    product_ref: str | None = None

    _LINKS = {
        "orderItemRef": ("orderItem", "ref"),
        "productRef": ("orderItem", "product", "ref"),
    }

    def names(self) -> set[str]:
        return {name for name in (self.ref, self.order_item_ref, self.product_ref) if name}


class Fulfilment(_WithItemsPage, WithAttributes, _Flattened):
    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None
    delivery_type: str | None = None
    fulfilment_choice_ref: str | None = None
    eta: str | None = None
    expiry_time: datetime | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    from_location_ref: str | None = None
    order_id: str | None = None
    order_ref: str | None = None
    items: list[FulfilmentItem] = Field(default_factory=list)
    _LINKS = {
        "fromLocationRef": ("fromLocation", "ref"),
        "orderId": ("order", "id"),
        "orderRef": ("order", "ref"),
    }


# -- articles and consignments ---------------------------------------------------------------


class Article(WithAttributes):
    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None
    name: str | None = None
    description: str | None = None
    height: float | None = None
    length: float | None = None
    width: float | None = None
    weight: float | None = None
    quantity: int | None = None
    fulfilment_ids: list[str] = Field(default_factory=list)
    created_on: datetime | None = None
    updated_on: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("fulfilments"), Mapping):
            ids = [str(node["id"]) for node in edge_page(data["fulfilments"])[0]]
            data = {**data, "fulfilmentIds": ids}
        return data


class Consignment(_Flattened):
    id: str
    ref: str | None = None
    status: str | None = None
    consignment_reference: str | None = None
    tracking_label: str | None = None
    label_url: str | None = None
    order_summary_url: str | None = None
    carrier_id: str | None = None
    carrier_ref: str | None = None
    article_ids: list[str] = Field(default_factory=list)
    created_on: datetime | None = None
    updated_on: datetime | None = None

    _LINKS = {"carrierId": ("carrier", "id"), "carrierRef": ("carrier", "ref")}

    @model_validator(mode="before")
    @classmethod
    def _article_ids(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "consignmentArticles" in data:
            nodes = edge_page(data["consignmentArticles"])[0]
            articles = [n["article"] for n in nodes if isinstance(n, Mapping)]
            ids = [str(a["id"]) for a in articles if isinstance(a, Mapping)]
            data = {**data, "articleIds": ids}
        return data


# -- payments --------------------------------------------------------------------------------


class FinancialTransaction(WithAttributes):
    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None
    total: float | None = None
    currency: str | None = None
    payment_method: str | None = None
    card_type: str | None = None
    payment_provider_name: str | None = None
    external_transaction_id: str | None = None
    external_transaction_code: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None

    @property
    def amount(self) -> float | None:
        """The amount recorded (Fluent calls it ``total``)."""
        return self.total
