"""Online-store interface: create orders (never twice), read them, walk them, find customers.

``client.orders`` is an `Orders` (sync) or `AsyncOrders` (async)::

    from fluent_sdk.helpers.orders import Address, HomeDelivery, NewCustomer, NewOrder, NewOrderItem

    order = client.orders.create(
        NewOrder(
            ref="WEB-1001",
            customer=NewCustomer(email="jane@example.com", first_name="Jane"),
            fulfilment=HomeDelivery(delivery_address=Address(name="Jane", street="1 Main St",
                                                            city="Melbourne", country="AU")),
            items=[NewOrderItem(product_ref="SPEAKER001", quantity=2, price=15.0)],
            currency="AUD",
        )
    )
    order.status, order.items[0].total_price       # read back after creation: "CREATED", 30.0

    client.orders.get("WEB-1001")                  # an Order, or None when there is none
    for summary in client.orders.iter(status="CREATED", created_on=(monday, now)):
        ...                                        # async: ``async for``
    client.orders.iter(type="HD").to_pandas()      # a DataFrame (needs pandas)

Creating:

- One fulfilment choice (``fulfilment=HomeDelivery(...)`` needs a delivery address,
  ``ClickAndCollect(pickup_location_ref=...)`` a pickup location) makes an ``HD`` / ``CC`` order;
  several (``fulfilment_choices=[...]``, each with a ``ref``, every item naming its choice in
  ``fulfilment_choice_ref``) make a ``MULTI`` order. ``type=`` overrides the order type.
- ``customer=NewCustomer(...)`` creates the customer with the order (``createOrderAndCustomer``);
  ``customer_id=`` references an existing one (``createOrder``). `get_or_create_customer`
  finds a customer by username or e-mail and creates it when missing.
- Items default ``ref`` to the product ref and ``product_catalogue_ref`` to
  ``PC:MASTER:<retailerId>`` (pass ``catalogue_ref=`` to `Orders.create` for another default).
- Totals are checked before anything is sent: an item's ``total_price`` must be
  ``price * quantity``; the order's ``total_price`` must equal the items' sum, or that sum plus
  the fulfilment prices (within `TOTAL_TOLERANCE`); it defaults to the items' sum. Every
  currency given (order, items, choices) must be the same ISO code.
- Invalid input raises `ValidationError` naming the field (``items[2].quantity``) before any call.

No duplicates: if the create's reply is lost (`TimeoutError` / `TransportError`: Fluent may have
created the order), the order is looked up by ``ref`` before another try; if it exists it is
returned, else the create is sent again (at most ``max_attempts`` times in all). A duplicate-ref
conflict on such a retry also returns the existing order. A conflict on the first try means the
ref was taken already: `GraphQLError` (kind `ConflictError`) unless ``existing_ok=True``.

`get` returns None for a missing order rather than raising, so "does it exist?" needs no try.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from fluent_sdk._display import records_to_pandas
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql.entities import (
    Customer,
    FulfilmentChoice,
    Order,
    OrderAddress,
    OrderItem,
    OrderSummary,
    connection_page,
)
from fluent_sdk.helpers._common import (
    DEFAULT_CREATE_ATTEMPTS,
    Address,
    AsyncHelper,
    InputModel,
    Listing,
    Operation,
    Plan,
    ResolveRetailer,
    SyncHelper,
    attributes_input,
    check_attempts,
    check_ref,
    check_retailer,
    create_and_read,
    create_or_find,
    default_catalogue_ref,
    iso_utc,
    parse_input,
)

if TYPE_CHECKING:
    import pandas

    from fluent_sdk.graphql import AsyncPaginator, Paginator

__all__ = [
    "TOTAL_TOLERANCE",
    "Address",
    "AsyncOrderIterator",
    "AsyncOrders",
    "ClickAndCollect",
    "Customer",
    "FulfilmentChoice",
    "HomeDelivery",
    "NewCustomer",
    "NewFulfilmentChoice",
    "NewOrder",
    "NewOrderItem",
    "Order",
    "OrderAddress",
    "OrderItem",
    "OrderIterator",
    "OrderSummary",
    "Orders",
    "default_catalogue_ref",
]

#: Largest difference (in currency units) allowed between a given total and the computed one.
TOTAL_TOLERANCE = 0.01
#: Items read with an order (`Orders.get`); the rest follow in as few requests as the
#: complexity limit allows.
ITEMS_PAGE_SIZE = 200

Money = Annotated[float, Field(ge=0)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Ref = Annotated[str, Field(min_length=1, max_length=255)]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOTAL_TOLERANCE + 1e-9


# -- input models ----------------------------------------------------------------------------


class _ChoiceBase(InputModel):
    ref: Ref | None = None
    delivery_type: Ref = "STANDARD"
    currency: Currency | None = None
    fulfilment_price: Money | None = None
    fulfilment_tax_price: Money | None = None
    delivery_instruction: str | None = Field(default=None, max_length=250)
    delivery_first_name: str | None = None
    delivery_last_name: str | None = None
    delivery_contact: str | None = None
    delivery_email: str | None = None
    deliver_after: datetime | None = None
    deliver_before: datetime | None = None
    dispatch_on: datetime | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("deliver_after", "deliver_before", "dispatch_on")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("must be timezone-aware")
        return value

    def _common_input(self, order_ref: str, type_code: str) -> dict[str, Any]:
        values: dict[str, Any] = {
            "ref": self.ref,
            "type": type_code,
            "deliveryType": self.delivery_type,
            "currency": self.currency,
            "fulfilmentPrice": self.fulfilment_price,
            "fulfilmentTaxPrice": self.fulfilment_tax_price,
            "deliveryInstruction": self.delivery_instruction,
            "deliveryFirstName": self.delivery_first_name,
            "deliveryLastName": self.delivery_last_name,
            "deliveryContact": self.delivery_contact,
            "deliveryEmail": self.delivery_email,
            "attributes": attributes_input(self.attributes),
        }
        for name, key in (
            ("deliver_after", "deliverAfter"),
            ("deliver_before", "deliverBefore"),
            ("dispatch_on", "dispatchOn"),
        ):
            when = getattr(self, name)
            values[key] = iso_utc(when, field=name) if when is not None else None
        return values


class HomeDelivery(_ChoiceBase):
    """Deliver to an address (order type ``HD``; fulfilment type ``HD_PFS`` by default)."""

    kind: Literal["HD"] = "HD"
    delivery_address: Address
    fulfilment_type: Ref = "HD_PFS"

    def to_input(self, order_ref: str, currency: str | None) -> dict[str, Any]:
        values = self._common_input(order_ref, "HD")
        values["currency"] = self.currency or currency
        values["fulfilmentType"] = self.fulfilment_type
        values["deliveryAddress"] = self.delivery_address.to_input(
            ref=f"{order_ref}:{self.ref or 'DELIVERY'}"
        )
        return {k: v for k, v in values.items() if v is not None}


class ClickAndCollect(_ChoiceBase):
    """Collect at a location (order type ``CC``; fulfilment type ``CC_PFS`` by default)."""

    kind: Literal["CC"] = "CC"
    pickup_location_ref: Ref
    fulfilment_type: Ref = "CC_PFS"

    def to_input(self, order_ref: str, currency: str | None) -> dict[str, Any]:
        values = self._common_input(order_ref, "CC")
        values["currency"] = self.currency or currency
        values["fulfilmentType"] = self.fulfilment_type
        values["pickupLocationRef"] = self.pickup_location_ref
        return {k: v for k, v in values.items() if v is not None}


def _choice_kind(value: Any) -> str:
    # A mapping may leave out "kind": a pickup location means click-and-collect.
    if isinstance(value, Mapping):
        return str(value.get("kind") or ("CC" if "pickup_location_ref" in value else "HD"))
    return str(getattr(value, "kind", "HD"))


NewFulfilmentChoice = Annotated[
    Annotated[HomeDelivery, Tag("HD")] | Annotated[ClickAndCollect, Tag("CC")],
    Discriminator(_choice_kind),
]


class NewOrderItem(InputModel):
    """One order line. ``price`` is the unit price; ``total_price`` defaults to price * quantity."""

    product_ref: Ref
    quantity: int = Field(ge=1, strict=True)
    ref: Ref | None = None
    price: Money | None = None
    paid_price: Money | None = None
    tax_price: Money | None = None
    tax_type: str | None = None
    total_price: Money | None = None
    total_tax_price: Money | None = None
    currency: Currency | None = None
    product_catalogue_ref: Ref | None = None
    fulfilment_choice_ref: Ref | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _total_matches_price(self) -> NewOrderItem:
        if self.price is not None and self.total_price is not None:
            expected = self.price * self.quantity
            if not _close(expected, self.total_price):
                raise ValidationError(
                    f"total_price {self.total_price} is not price * quantity "
                    f"({self.price} * {self.quantity} = {expected:.2f})",
                    field="total_price",
                )
        return self

    @property
    def line_ref(self) -> str:
        return self.ref or self.product_ref

    @property
    def line_total(self) -> float | None:
        if self.total_price is not None:
            return self.total_price
        return self.price * self.quantity if self.price is not None else None

    @property
    def line_tax(self) -> float | None:
        if self.total_tax_price is not None:
            return self.total_tax_price
        return self.tax_price * self.quantity if self.tax_price is not None else None


class NewCustomer(InputModel):
    """A customer to create. ``username`` defaults to ``<retailerId>_<email>`` (Fluent's
    convention), ``timezone`` to UTC."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=255)
    first_name: str | None = None
    last_name: str | None = None
    username: Ref | None = None
    title: str | None = None
    department: str | None = None
    phone: str | None = None
    country: str | None = None
    timezone: str = "UTC"
    promotion_opt_in: bool = False
    attributes: dict[str, Any] = Field(default_factory=dict)

    def username_for(self, retailer_id: str) -> str:
        return self.username or f"{retailer_id}_{self.email}"

    def to_input(self, retailer_id: str) -> dict[str, Any]:
        values = {
            "username": self.username_for(retailer_id),
            "primaryEmail": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "title": self.title,
            "department": self.department,
            "primaryPhone": self.phone,
            "country": self.country,
            "timezone": self.timezone,
            "promotionOptIn": self.promotion_opt_in,
            "retailer": {"id": retailer_id},
            "attributes": attributes_input(self.attributes),
        }
        return {k: v for k, v in values.items() if v is not None}


class NewOrder(InputModel):
    """An order to create; see the module docstring for the rules checked."""

    ref: Ref
    items: list[NewOrderItem] = Field(min_length=1)
    customer: NewCustomer | None = None
    customer_id: Ref | None = None
    fulfilment: NewFulfilmentChoice | None = None
    fulfilment_choices: list[NewFulfilmentChoice] = Field(default_factory=list)
    type: Ref | None = None
    currency: Currency | None = None
    total_price: Money | None = None
    total_tax_price: Money | None = None
    billing_address: Address | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    retailer_id: int | str | None = None

    @field_validator("customer_id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _consistent(self) -> NewOrder:
        check_retailer(self.retailer_id)
        if (self.customer is None) == (self.customer_id is None):
            raise ValidationError(
                "give either customer (a NewCustomer, created with the order) or customer_id "
                "(an existing customer)",
                field="customer",
            )
        if self.customer is not None and self.billing_address is not None:
            # createOrderAndCustomer has no billingAddress.
            raise ValidationError(
                "a billing address needs an existing customer (customer_id); create the "
                "customer first with get_or_create_customer",
                field="billing_address",
            )
        self._check_choices()
        self._check_item_refs()
        self._check_currency()
        self._check_totals()
        return self

    @property
    def choices(self) -> list[HomeDelivery | ClickAndCollect]:
        return [self.fulfilment] if self.fulfilment is not None else list(self.fulfilment_choices)

    @property
    def order_type(self) -> str:
        if self.type:
            return self.type
        return "MULTI" if len(self.fulfilment_choices) > 1 else self.choices[0].kind

    def _check_choices(self) -> None:
        if (self.fulfilment is None) == (not self.fulfilment_choices):
            raise ValidationError(
                "give either fulfilment (one choice) or fulfilment_choices (several)",
                field="fulfilment",
            )
        if self.fulfilment is not None or len(self.fulfilment_choices) == 1:
            only = self.choices[0]
            field = "fulfilment" if self.fulfilment is not None else "fulfilment_choices[0]"
            for index, item in enumerate(self.items):
                if item.fulfilment_choice_ref not in (None, only.ref):
                    raise ValidationError(
                        f"unknown fulfilment choice {item.fulfilment_choice_ref!r} "
                        f"({field} has ref {only.ref!r})",
                        field=f"items[{index}].fulfilment_choice_ref",
                    )
            return
        refs: set[str] = set()
        for index, choice in enumerate(self.fulfilment_choices):
            if choice.ref is None:
                raise ValidationError(
                    "each of several fulfilment choices needs a ref (items link to it)",
                    field=f"fulfilment_choices[{index}].ref",
                )
            if choice.ref in refs:
                raise ValidationError(
                    f"duplicate fulfilment choice ref {choice.ref!r}",
                    field=f"fulfilment_choices[{index}].ref",
                )
            refs.add(choice.ref)
        for index, item in enumerate(self.items):
            if item.fulfilment_choice_ref is None:
                raise ValidationError(
                    "with several fulfilment choices every item must name its choice",
                    field=f"items[{index}].fulfilment_choice_ref",
                )
            if item.fulfilment_choice_ref not in refs:
                raise ValidationError(
                    f"unknown fulfilment choice {item.fulfilment_choice_ref!r} "
                    f"(known: {', '.join(sorted(refs))})",
                    field=f"items[{index}].fulfilment_choice_ref",
                )

    def _check_item_refs(self) -> None:
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.line_ref in seen:
                field = "ref" if item.ref else "product_ref"
                raise ValidationError(
                    f"duplicate item ref {item.line_ref!r} (give each line its own ref)",
                    field=f"items[{index}].{field}",
                )
            seen.add(item.line_ref)

    def _check_currency(self) -> None:
        found: tuple[str, str] | None = (
            (self.currency, "currency") if self.currency is not None else None
        )
        sources = [(f"items[{i}].currency", item.currency) for i, item in enumerate(self.items)]
        if self.fulfilment is not None:
            sources.append(("fulfilment.currency", self.fulfilment.currency))
        sources += [
            (f"fulfilment_choices[{i}].currency", choice.currency)
            for i, choice in enumerate(self.fulfilment_choices)
        ]
        for field, currency in sources:
            if currency is None:
                continue
            if found is None:
                found = (currency, field)
            elif currency != found[0]:
                raise ValidationError(
                    f"currency {currency} differs from {found[0]} ({found[1]})", field=field
                )

    def _check_totals(self) -> None:
        totals = [item.line_total for item in self.items]
        if self.total_price is not None and all(t is not None for t in totals):
            items_sum = sum(t for t in totals if t is not None)
            delivery = sum(c.fulfilment_price or 0.0 for c in self.choices)
            if not (
                _close(self.total_price, items_sum)
                or _close(self.total_price, items_sum + delivery)
            ):
                with_delivery = f" or {items_sum + delivery:.2f} with delivery" if delivery else ""
                raise ValidationError(
                    f"total_price {self.total_price} does not match the items' total "
                    f"{items_sum:.2f}{with_delivery}",
                    field="total_price",
                )
        taxes = [item.line_tax for item in self.items]
        if self.total_tax_price is not None and all(t is not None for t in taxes):
            tax_sum = sum(t for t in taxes if t is not None)
            delivery_tax = sum(c.fulfilment_tax_price or 0.0 for c in self.choices)
            if not (
                _close(self.total_tax_price, tax_sum)
                or _close(self.total_tax_price, tax_sum + delivery_tax)
            ):
                raise ValidationError(
                    f"total_tax_price {self.total_tax_price} does not match the items' tax "
                    f"{tax_sum:.2f}",
                    field="total_tax_price",
                )

    def effective_currency(self) -> str | None:
        if self.currency is not None:
            return self.currency
        candidates = [item.currency for item in self.items] + [c.currency for c in self.choices]
        return next((c for c in candidates if c is not None), None)

    def to_input(self, retailer_id: str, catalogue_ref: str) -> dict[str, Any]:
        """The ``CreateOrderInput`` / ``CreateOrderAndCustomerInput`` variables."""
        currency = self.effective_currency()
        items = []
        for item in self.items:
            line = {
                "ref": item.line_ref,
                "productRef": item.product_ref,
                "productCatalogueRef": item.product_catalogue_ref or catalogue_ref,
                "quantity": item.quantity,
                "price": item.price,
                "paidPrice": item.paid_price,
                "taxPrice": item.tax_price,
                "taxType": item.tax_type,
                "totalPrice": item.line_total,
                "totalTaxPrice": item.line_tax,
                "currency": item.currency or currency,
                "fulfilmentChoiceRef": item.fulfilment_choice_ref,
                "attributes": attributes_input(item.attributes),
            }
            items.append({k: v for k, v in line.items() if v is not None})
        totals = [item.line_total for item in self.items]
        total = self.total_price
        if total is None and all(t is not None for t in totals):
            total = round(sum(t for t in totals if t is not None), 6)
        taxes = [item.line_tax for item in self.items]
        total_tax = self.total_tax_price
        if total_tax is None and all(t is not None for t in taxes):
            total_tax = round(sum(t for t in taxes if t is not None), 6)
        values: dict[str, Any] = {
            "ref": self.ref,
            "type": self.order_type,
            "retailer": {"id": retailer_id},
            "totalPrice": total,
            "totalTaxPrice": total_tax,
            "attributes": attributes_input(self.attributes),
            "items": items,
        }
        choices = [choice.to_input(self.ref, currency) for choice in self.choices]
        if self.fulfilment is not None:
            values["fulfilmentChoice"] = choices[0]
        else:
            values["fulfilmentChoices"] = choices
        if self.customer is not None:
            values["customer"] = self.customer.to_input(retailer_id)
        else:
            values["customer"] = {"id": self.customer_id}
            if self.billing_address is not None:
                billing = self.billing_address.to_input(ref=None)
                billing.pop("ref", None)  # CreateOrderBillingAddressInput has no ref
                values["billingAddress"] = billing
        return {k: v for k, v in values.items() if v is not None}


# -- output models and the operations ---------------------------------------------------------
#
# The models are `fluent_sdk.graphql.entities` (re-exported here): the operations of
# graphql/operations/orders.graphql (private methods of client.graphql: _sdk_order_get, ...)
# parse their results straight into them, once.


def _as_list(value: str | Sequence[str] | None, field: str) -> list[str] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    for index, item in enumerate(values):
        check_ref(item, field=f"{field}[{index}]" if not isinstance(value, str) else field)
    return values


def _date_range(value: Any, field: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValidationError(f"{field} must be a (from, to) pair of datetimes", field=field)
    start, end = value
    if start is None and end is None:
        raise ValidationError(f"{field} needs a from or a to", field=field)
    result = {}
    if start is not None:
        result["from"] = iso_utc(start, field=f"{field}[0]")
    if end is not None:
        result["to"] = iso_utc(end, field=f"{field}[1]")
    if start is not None and end is not None and start > end:
        raise ValidationError(f"{field}: from is after to", field=field)
    return result


# -- the shared logic ------------------------------------------------------------------------


class _OrdersBase:
    """Validation, documents and plans; the twins below only perform the calls."""

    @staticmethod
    def _get_plan(ref: str) -> Plan[Order | None]:
        # Every item: the pages past the first follow in as few requests as the complexity
        # limit allows (SdkOrderItemsPage), then the order is validated once.
        order: Order | None = yield Operation(
            "_sdk_order_get", {"ref": ref, "items_first": ITEMS_PAGE_SIZE}, complete=True
        )
        return order

    def _create(
        self,
        order: NewOrder | Mapping[str, Any],
        *,
        catalogue_ref: str | None,
        max_attempts: int,
        existing_ok: bool,
    ) -> Plan[Order]:
        """`Orders.create`: the order and options checked now, before any request."""
        checked = parse_input(NewOrder, order)
        if catalogue_ref is not None:
            check_ref(catalogue_ref, field="catalogue_ref")
        return self._create_plan(
            checked,
            catalogue_ref=catalogue_ref,
            max_attempts=check_attempts(max_attempts),
            existing_ok=existing_ok,
        )

    def _create_plan(
        self,
        order: NewOrder,
        *,
        catalogue_ref: str | None,
        max_attempts: int,
        existing_ok: bool,
    ) -> Plan[Order]:
        retailer_id = yield ResolveRetailer(order.retailer_id)
        variables = {
            "input": order.to_input(
                retailer_id, catalogue_ref or default_catalogue_ref(retailer_id)
            )
        }
        method = "_sdk_order_and_customer_create" if order.customer else "_sdk_order_create"
        created: Order = yield from create_and_read(
            Operation(method, variables),
            lambda: self._get_plan(order.ref),
            operation="createOrderAndCustomer" if order.customer else "createOrder",
            max_attempts=max_attempts,
            existing_ok=existing_ok,
        )
        return created

    @staticmethod
    def _listing(
        *,
        ref: str | Sequence[str] | None,
        status: str | Sequence[str] | None,
        type: str | Sequence[str] | None,
        created_on: tuple[datetime | None, datetime | None] | None,
        updated_on: tuple[datetime | None, datetime | None] | None,
        retailer_id: int | str | None,
        page_size: int,
        max_items: int | None,
        after: str | None,
    ) -> Listing[OrderSummary]:
        """`Orders.iter`'s pages (filters checked now): SdkOrdersPage, whose nodes are
        `OrderSummary` as read."""
        arguments: dict[str, Any] = {
            "ref": _as_list(ref, "ref"),
            "status": _as_list(status, "status"),
            "type_": _as_list(type, "type"),
            "created_on": _date_range(created_on, "created_on"),
            "updated_on": _date_range(updated_on, "updated_on"),
        }
        checked = check_retailer(retailer_id)
        if checked is not None:
            arguments["retailer_id"] = [int(checked)]
        return Listing(
            Operation("_sdk_orders_page", {k: v for k, v in arguments.items() if v is not None}),
            operation="orders",
            page_size=page_size,
            max_items=max_items,
            after=after,
        )

    def _find_customer(
        self,
        *,
        ref: str | None,
        username: str | None,
        email: str | None,
        retailer_id: int | str | None,
    ) -> Plan[Customer | None]:
        """`Orders.find_customer`, its arguments checked now."""
        if ref is None and username is None and email is None:
            raise ValidationError("give ref, username or email", field="ref")
        return self._find_customer_plan(
            ref=ref, username=username, email=email, retailer_id=check_retailer(retailer_id)
        )

    def _get_or_create_customer(
        self, customer: NewCustomer | Mapping[str, Any], retailer_id: int | str | None
    ) -> Plan[Customer]:
        """`Orders.get_or_create_customer`, its arguments checked now."""
        checked = parse_input(NewCustomer, customer)
        return self._get_or_create_customer_plan(checked, check_retailer(retailer_id))

    @staticmethod
    def _find_customer_plan(
        *, ref: str | None, username: str | None, email: str | None, retailer_id: str | None
    ) -> Plan[Customer | None]:
        def mine(customer: Customer) -> bool:
            owner = customer.retailer_id
            return retailer_id is None or owner is None or str(owner) == retailer_id

        if ref is not None:
            found: Customer | None = yield Operation("_sdk_customer_get", {"ref": ref})
            if found is not None and mine(found):
                return found
        for arguments in (
            {"username": [username]} if username else None,
            {"email": [email]} if email else None,
        ):
            if arguments is None:
                continue
            connection = yield Operation("_sdk_customers_find", arguments)
            matches = [c for c in connection_page(connection)[0] if mine(c)]
            if matches:
                return matches[0]  # type: ignore[no-any-return]
        return None

    def _get_or_create_customer_plan(
        self, customer: NewCustomer, retailer: int | str | None
    ) -> Plan[Customer]:
        retailer_id = yield ResolveRetailer(retailer)
        username = customer.username_for(retailer_id)

        def lookup() -> Plan[Customer | None]:
            return self._find_customer_plan(
                ref=username, username=username, email=customer.email, retailer_id=retailer_id
            )

        existing = yield from lookup()
        if existing is not None:
            return existing.as_found()
        created: Customer = yield from create_or_find(
            Operation("_sdk_customer_create", {"input": customer.to_input(retailer_id)}),
            lookup,
            operation="createCustomer",
            existing_ok=True,  # someone created it since we looked
            lookup_first=False,  # just looked
        )
        return created


# -- iterators -------------------------------------------------------------------------------


class OrderIterator:
    """``for summary in client.orders.iter(...)``; `pages` yields lists, `to_pandas` a table.

    ``cursor`` is where to resume (pass it as ``after=``)."""

    def __init__(self, paginator: Paginator[OrderSummary]) -> None:
        self._paginator = paginator

    def __iter__(self) -> Iterator[OrderSummary]:
        return iter(self._paginator)

    def pages(self) -> Iterator[list[OrderSummary]]:
        for page in self._paginator.pages():
            yield page.nodes

    @property
    def cursor(self) -> str | None:
        return self._paginator.cursor

    def to_pandas(self) -> pandas.DataFrame:
        return records_to_pandas(summary.to_record() for summary in self)


class AsyncOrderIterator:
    """``async for summary in client.orders.iter(...)``; ``await .to_pandas()``."""

    def __init__(self, paginator: AsyncPaginator[OrderSummary]) -> None:
        self._paginator = paginator

    async def __aiter__(self) -> AsyncIterator[OrderSummary]:
        async for summary in self._paginator:
            yield summary

    async def pages(self) -> AsyncIterator[list[OrderSummary]]:
        async for page in self._paginator.pages():
            yield page.nodes

    @property
    def cursor(self) -> str | None:
        return self._paginator.cursor

    async def to_pandas(self) -> pandas.DataFrame:
        return records_to_pandas([summary.to_record() async for summary in self])


# -- I/O twins -------------------------------------------------------------------------------


class Orders(_OrdersBase, SyncHelper):
    """``client.orders``: create, read and list orders; find or create customers."""

    def create(
        self,
        order: NewOrder | Mapping[str, Any],
        *,
        catalogue_ref: str | None = None,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> Order:
        """Create ``order`` exactly once and return it as read back from Fluent.

        After a lost reply the order is looked up by its ref before any retry, and a conflict
        on a retry resolves to the order an earlier try created (looked up again while reads
        lag): either way it is returned with ``found_existing=True``."""
        return self._run(
            self._create(
                order,
                catalogue_ref=catalogue_ref,
                max_attempts=max_attempts,
                existing_ok=existing_ok,
            )
        )

    def get(self, ref: str) -> Order | None:
        """The order with ``ref`` (items and fulfilment choices included), or None."""
        return self._run(self._get_plan(check_ref(ref, field="ref")))

    def iter(
        self,
        *,
        status: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        created_on: tuple[datetime | None, datetime | None] | None = None,
        updated_on: tuple[datetime | None, datetime | None] | None = None,
        ref: str | Sequence[str] | None = None,
        retailer_id: int | str | None = None,
        page_size: int = 500,
        max_items: int | None = None,
        after: str | None = None,
    ) -> OrderIterator:
        """Orders matching every filter given (lists mean "any of"; refs accept ``%``)."""
        return OrderIterator(
            self._paginate(
                self._listing(
                    ref=ref,
                    status=status,
                    type=type,
                    created_on=created_on,
                    updated_on=updated_on,
                    retailer_id=retailer_id,
                    page_size=page_size,
                    max_items=max_items,
                    after=after,
                )
            )
        )

    def find_customer(
        self,
        *,
        ref: str | None = None,
        username: str | None = None,
        email: str | None = None,
        retailer_id: int | str | None = None,
    ) -> Customer | None:
        """The first customer matching ``ref``, else ``username``, else ``email``."""
        return self._run(
            self._find_customer(ref=ref, username=username, email=email, retailer_id=retailer_id)
        )

    def get_or_create_customer(
        self, customer: NewCustomer | Mapping[str, Any], *, retailer_id: int | str | None = None
    ) -> Customer:
        """The customer with this username (default ``<retailerId>_<email>``) or e-mail,
        created when there is none."""
        return self._run(self._get_or_create_customer(customer, retailer_id))


class AsyncOrders(_OrdersBase, AsyncHelper):
    """``client.orders`` on `AsyncFluentClient`: the same methods, awaitable."""

    async def create(
        self,
        order: NewOrder | Mapping[str, Any],
        *,
        catalogue_ref: str | None = None,
        max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        existing_ok: bool = False,
    ) -> Order:
        return await self._run(
            self._create(
                order,
                catalogue_ref=catalogue_ref,
                max_attempts=max_attempts,
                existing_ok=existing_ok,
            )
        )

    async def get(self, ref: str) -> Order | None:
        return await self._run(self._get_plan(check_ref(ref, field="ref")))

    def iter(
        self,
        *,
        status: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        created_on: tuple[datetime | None, datetime | None] | None = None,
        updated_on: tuple[datetime | None, datetime | None] | None = None,
        ref: str | Sequence[str] | None = None,
        retailer_id: int | str | None = None,
        page_size: int = 500,
        max_items: int | None = None,
        after: str | None = None,
    ) -> AsyncOrderIterator:
        return AsyncOrderIterator(
            self._paginate(
                self._listing(
                    ref=ref,
                    status=status,
                    type=type,
                    created_on=created_on,
                    updated_on=updated_on,
                    retailer_id=retailer_id,
                    page_size=page_size,
                    max_items=max_items,
                    after=after,
                )
            )
        )

    async def find_customer(
        self,
        *,
        ref: str | None = None,
        username: str | None = None,
        email: str | None = None,
        retailer_id: int | str | None = None,
    ) -> Customer | None:
        return await self._run(
            self._find_customer(ref=ref, username=username, email=email, retailer_id=retailer_id)
        )

    async def get_or_create_customer(
        self, customer: NewCustomer | Mapping[str, Any], *, retailer_id: int | str | None = None
    ) -> Customer:
        return await self._run(self._get_or_create_customer(customer, retailer_id))
