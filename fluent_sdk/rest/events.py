"""The Event API (``/api/v4.1/event``): send events, fetch one, search the event log.

``client.events`` is an `Events` (sync) or `AsyncEvents` (async). Both share `_EventsBase`,
which validates input and builds `ApiCall`s; the twins only perform them.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import httpx
from pydantic import AliasChoices, Field, field_serializer, field_validator, model_validator
from typing_extensions import Unpack

from fluent_sdk._types import ApiCall
from fluent_sdk.errors import EventRejectedError, ValidationError
from fluent_sdk.rest._common import (
    AsyncNamespace,
    CheckedRetailerId,
    IdStr,
    LenientEnum,
    RequestModel,
    ResponseModel,
    RetailerId,
    SyncNamespace,
    check_path_segment,
    json_model_parser,
    utc_now,
    validate_request,
)

if TYPE_CHECKING:
    from fluent_sdk._client import AsyncFluentClient, FluentClient

__all__ = [
    "DEFAULT_SEARCH_WINDOW",
    "MAX_PAGE_SIZE",
    "SUB_ENTITY_TYPES",
    "AsyncEvents",
    "EntityType",
    "Event",
    "EventCategory",
    "EventContext",
    "EventFilters",
    "EventOutcome",
    "EventRecord",
    "EventSearchPage",
    "EventSearchWindowWarning",
    "EventStatus",
    "EventType",
    "Events",
    "RootEntityType",
]

EVENT_PATH = "/api/v4.1/event"
#: Fluent searches only this far back when ``from`` is omitted; the SDK makes it explicit.
DEFAULT_SEARCH_WINDOW = timedelta(days=30)
DEFAULT_PAGE_SIZE = 100
#: Fluent's advice: larger pages risk timeouts.
MAX_PAGE_SIZE = 5000


class EventSearchWindowWarning(UserWarning):
    """An event search without ``from_``: only the last 30 days are searched."""


# -- vocabularies (lenient: unknown strings are accepted) -------------------------------------


class RootEntityType(LenientEnum):
    """Entity types that own a workflow (``rootEntityType``)."""

    ORDER = "ORDER"
    LOCATION = "LOCATION"
    FULFILMENT_OPTIONS = "FULFILMENT_OPTIONS"
    PRODUCT_CATALOGUE = "PRODUCT_CATALOGUE"
    INVENTORY_CATALOGUE = "INVENTORY_CATALOGUE"
    VIRTUAL_CATALOGUE = "VIRTUAL_CATALOGUE"
    CONTROL_GROUP = "CONTROL_GROUP"
    RETURN_ORDER = "RETURN_ORDER"
    BILLING_ACCOUNT = "BILLING_ACCOUNT"
    JOB = "JOB"


class EntityType(LenientEnum):
    """Entity types an event can target (``entityType``)."""

    ORDER = "ORDER"
    FULFILMENT = "FULFILMENT"
    ARTICLE = "ARTICLE"
    CONSIGNMENT = "CONSIGNMENT"
    LOCATION = "LOCATION"
    WAVE = "WAVE"
    FULFILMENT_OPTIONS = "FULFILMENT_OPTIONS"
    FULFILMENT_PLAN = "FULFILMENT_PLAN"
    PRODUCT_CATALOGUE = "PRODUCT_CATALOGUE"
    CATEGORY = "CATEGORY"
    PRODUCT = "PRODUCT"
    INVENTORY_CATALOGUE = "INVENTORY_CATALOGUE"
    INVENTORY_POSITION = "INVENTORY_POSITION"
    INVENTORY_QUANTITY = "INVENTORY_QUANTITY"
    VIRTUAL_CATALOGUE = "VIRTUAL_CATALOGUE"
    VIRTUAL_POSITION = "VIRTUAL_POSITION"
    CONTROL_GROUP = "CONTROL_GROUP"
    CONTROL = "CONTROL"
    RETURN_ORDER = "RETURN_ORDER"
    RETURN_FULFILMENT = "RETURN_FULFILMENT"
    BILLING_ACCOUNT = "BILLING_ACCOUNT"
    CREDIT_MEMO = "CREDIT_MEMO"
    INVOICE = "INVOICE"
    PAYMENT = "PAYMENT"
    PAYMENT_TRANSACTION = "PAYMENT_TRANSACTION"
    BATCH = "BATCH"
    JOB = "JOB"


#: Which entity types live under which root entity (the reference's workflow table).
SUB_ENTITY_TYPES: Mapping[RootEntityType, frozenset[EntityType]] = {
    RootEntityType.LOCATION: frozenset({EntityType.LOCATION, EntityType.WAVE}),
    RootEntityType.ORDER: frozenset(
        {EntityType.ORDER, EntityType.FULFILMENT, EntityType.ARTICLE, EntityType.CONSIGNMENT}
    ),
    RootEntityType.FULFILMENT_OPTIONS: frozenset(
        {EntityType.FULFILMENT_OPTIONS, EntityType.FULFILMENT_PLAN}
    ),
    RootEntityType.PRODUCT_CATALOGUE: frozenset(
        {EntityType.PRODUCT_CATALOGUE, EntityType.PRODUCT, EntityType.CATEGORY}
    ),
    RootEntityType.INVENTORY_CATALOGUE: frozenset(
        {
            EntityType.INVENTORY_CATALOGUE,
            EntityType.INVENTORY_POSITION,
            EntityType.INVENTORY_QUANTITY,
        }
    ),
    RootEntityType.VIRTUAL_CATALOGUE: frozenset(
        {EntityType.VIRTUAL_CATALOGUE, EntityType.VIRTUAL_POSITION}
    ),
    RootEntityType.CONTROL_GROUP: frozenset({EntityType.CONTROL_GROUP, EntityType.CONTROL}),
    RootEntityType.RETURN_ORDER: frozenset({EntityType.RETURN_ORDER, EntityType.RETURN_FULFILMENT}),
    RootEntityType.BILLING_ACCOUNT: frozenset(
        {
            EntityType.BILLING_ACCOUNT,
            EntityType.CREDIT_MEMO,
            EntityType.INVOICE,
            EntityType.PAYMENT,
            EntityType.PAYMENT_TRANSACTION,
        }
    ),
}


class EventType(LenientEnum):
    ORCHESTRATION = "ORCHESTRATION"
    ORCHESTRATION_AUDIT = "ORCHESTRATION_AUDIT"
    API = "API"
    GENERAL = "GENERAL"
    INTEGRATION = "INTEGRATION"
    SECURITY = "SECURITY"


class EventStatus(LenientEnum):
    PENDING = "PENDING"
    SCHEDULED = "SCHEDULED"
    SUCCESS = "SUCCESS"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    NO_MATCH = "NO_MATCH"


class EventCategory(LenientEnum):
    """Event log categories; Fluent spells some in camel or lower case."""

    SNAPSHOT = "snapshot"
    RULESET = "ruleSet"
    RULE = "rule"
    ACTION = "ACTION"
    CUSTOM = "CUSTOM"
    EXCEPTION = "exception"
    ORDER_WORKFLOW = "ORDER_WORKFLOW"
    BATCH = "BATCH"


_REJECTED = frozenset({EventStatus.FAILED, EventStatus.NO_MATCH})


# -- request models ------------------------------------------------------------------------


class Event(RequestModel):
    """An event to send. ``retailer_id`` defaults to the client's retailer.

    ``entity_id`` (legacy entities) and/or ``entity_ref`` (newer entities) name the target.
    """

    name: str = Field(min_length=1, description="Must match a ruleset name in the workflow.")
    entity_type: EntityType = Field(alias="entityType")
    entity_id: IdStr | None = Field(default=None, alias="entityId")
    entity_ref: str | None = Field(default=None, alias="entityRef", min_length=1)
    entity_subtype: str | None = Field(default=None, alias="entitySubtype")
    root_entity_type: RootEntityType | None = Field(default=None, alias="rootEntityType")
    root_entity_id: IdStr | None = Field(default=None, alias="rootEntityId")
    root_entity_ref: str | None = Field(default=None, alias="rootEntityRef")
    retailer_id: CheckedRetailerId | None = Field(default=None, alias="retailerId")
    account_id: str | None = Field(default=None, alias="accountId")
    attributes: dict[str, Any] | None = None
    #: e.g. ``{"workflow": {...}}`` for a sync event with a run-once workflow.
    meta: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _names_an_entity(self) -> Event:
        if not self.entity_id and not self.entity_ref:
            raise ValidationError(
                "an event needs entity_id or entity_ref to name its entity", field="entity_ref"
            )
        return self


class EventFilters(TypedDict, total=False):
    """Event search filters (all optional). ``from_``/``to`` must be timezone-aware."""

    root_entity_type: RootEntityType | str
    root_entity_id: str | int
    root_entity_ref: str
    entity_type: EntityType | str
    entity_id: str | int
    entity_ref: str
    name: str
    category: EventCategory | str
    event_type: EventType | str
    event_status: EventStatus | str
    retailer_id: int | str
    source_events: str
    from_: datetime
    to: datetime


def _format_utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class EventQuery(RequestModel):
    """The query string of ``GET /api/v4.1/event``; field aliases are Fluent's parameter names."""

    root_entity_type: RootEntityType | None = Field(default=None, alias="context.rootEntityType")
    root_entity_id: IdStr | None = Field(default=None, alias="context.rootEntityId")
    root_entity_ref: str | None = Field(default=None, alias="context.rootEntityRef")
    entity_type: EntityType | None = Field(default=None, alias="context.entityType")
    entity_id: IdStr | None = Field(default=None, alias="context.entityId")
    entity_ref: str | None = Field(default=None, alias="context.entityRef")
    source_events: str | None = Field(default=None, alias="context.sourceEvents")
    name: str | None = None
    category: EventCategory | None = None
    event_type: EventType | None = Field(default=None, alias="eventType")
    event_status: EventStatus | None = Field(default=None, alias="eventStatus")
    retailer_id: CheckedRetailerId | None = Field(default=None, alias="retailerId")
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    start: int = Field(default=0, ge=0)
    count: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("from_", "to")
    @classmethod
    def _timezone_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must be timezone-aware (Fluent compares in UTC)")
        return value

    @field_serializer("from_", "to")
    def _utc(self, value: datetime | None) -> str | None:
        return None if value is None else _format_utc(value)

    def params(self, start: int) -> dict[str, Any]:
        body = self.to_body()
        body["start"] = start
        return body


# -- response models -----------------------------------------------------------------------


class EventOutcome(ResponseModel):
    """What ``POST /event/sync`` (and, where it answers at all, ``/event/async``) returns."""

    event_id: IdStr | None = Field(
        default=None, alias="eventId", validation_alias=AliasChoices("eventId", "id")
    )
    entity_id: IdStr | None = Field(default=None, alias="entityId")
    event_status: EventStatus | None = Field(default=None, alias="eventStatus")
    error_message: str | None = Field(default=None, alias="errorMessage")


class EventContext(ResponseModel):
    source_events: list[Any] = Field(default_factory=list, alias="sourceEvents")
    entity_type: EntityType | None = Field(default=None, alias="entityType")
    entity_id: IdStr | None = Field(default=None, alias="entityId")
    entity_ref: str | None = Field(default=None, alias="entityRef")
    root_entity_type: RootEntityType | None = Field(default=None, alias="rootEntityType")
    root_entity_id: IdStr | None = Field(default=None, alias="rootEntityId")
    root_entity_ref: str | None = Field(default=None, alias="rootEntityRef")


class EventRecord(ResponseModel):
    """An event as the event log returns it."""

    id: IdStr
    name: str | None = None
    type: EventType | None = None
    account_id: str | None = Field(default=None, alias="accountId")
    retailer_id: IdStr | None = Field(default=None, alias="retailerId")
    category: EventCategory | None = None
    context: EventContext | None = None
    event_status: EventStatus | None = Field(default=None, alias="eventStatus")
    #: null, a list of ``{name, value, type}``, or an object, depending on the event.
    attributes: Any = None
    source: str | None = None
    generated_by: str | None = Field(default=None, alias="generatedBy")
    #: Kept as sent (ISO-8601 text) so odd formats never break parsing; see `generated_at`.
    generated_on: str | None = Field(default=None, alias="generatedOn")

    @property
    def generated_at(self) -> datetime | None:
        """``generated_on`` as a datetime, when it parses."""
        if not self.generated_on:
            return None
        try:
            return datetime.fromisoformat(self.generated_on.replace("Z", "+00:00"))
        except ValueError:
            return None


class EventSearchPage(ResponseModel):
    start: int = 0
    count: int = 0
    has_more: bool = Field(default=False, alias="hasMore")
    results: list[EventRecord] = Field(default_factory=list)


# -- shared logic (no I/O) -----------------------------------------------------------------


class _EventsBase:
    """Validation and `ApiCall` building for both twins."""

    def __init__(self, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock

    @staticmethod
    def _checked_event(event: Event | Mapping[str, Any]) -> Event:
        return validate_request(Event, event, field="event")

    @staticmethod
    def _with_retailer(event: Event, retailer_id: RetailerId) -> Event:
        return event.model_copy(update={"retailer_id": retailer_id})

    @staticmethod
    def _send_call(event: Event, *, mode: Literal["async", "sync"]) -> ApiCall[EventOutcome]:
        operation = f"events.send{'_sync' if mode == 'sync' else ''}"
        if mode == "async":
            # The async answer is UNCONFIRMED (often empty): accept an empty body.
            parse = json_model_parser(EventOutcome, operation, empty={})
        else:
            parse = _sync_outcome_parser(operation)
        # Not idempotent: a retried event could run its workflow twice.
        return ApiCall(
            "POST", f"{EVENT_PATH}/{mode}", parse, json=event.to_body(), operation=operation
        )

    @staticmethod
    def _get_call(event_id: str) -> ApiCall[EventRecord]:
        event_id = check_path_segment(event_id, field="event_id")
        return ApiCall(
            "GET",
            f"{EVENT_PATH}/{event_id}",
            json_model_parser(EventRecord, "events.get"),
            operation="events.get",
        )

    def _search_query(
        self, filters: Mapping[str, Any], *, page_size: int, start: int
    ) -> EventQuery:
        """Validated search parameters, with the default window made explicit."""
        try:
            query = EventQuery.model_validate({**filters, "start": start, "count": page_size})
        except ValidationError as error:
            raise _search_error(error) from None
        if query.from_ is not None and query.to is not None and query.from_ > query.to:
            raise ValidationError("to: is before from_", field="to")
        if query.from_ is None:
            to = query.to or self._clock()
            from_ = to - DEFAULT_SEARCH_WINDOW
            warnings.warn(
                EventSearchWindowWarning(
                    "event search without from_: Fluent searches only the last 30 days; "
                    f"searching {_format_utc(from_)} to {_format_utc(to)}. "
                    "Pass from_=... to choose the window."
                ),
                stacklevel=3,
            )
            query = query.model_copy(update={"from_": from_, "to": to})
        return query

    @staticmethod
    def _search_call(query: EventQuery, start: int) -> ApiCall[EventSearchPage]:
        return ApiCall(
            "GET",
            EVENT_PATH,
            json_model_parser(EventSearchPage, "events.search"),
            params=query.params(start),
            operation="events.search",
        )

    @staticmethod
    def _next_start(page: EventSearchPage, start: int) -> int | None:
        """The offset of the next page, or None after the last one."""
        if not page.has_more or not page.results:
            return None
        # Advance by what arrived: the server may cap ``count`` below what was asked.
        return start + len(page.results)


_FILTER_NAMES = {
    "from": "from_",
    "context.rootEntityType": "root_entity_type",
    "context.rootEntityId": "root_entity_id",
    "context.rootEntityRef": "root_entity_ref",
    "context.entityType": "entity_type",
    "context.entityId": "entity_id",
    "context.entityRef": "entity_ref",
    "context.sourceEvents": "source_events",
    "eventType": "event_type",
    "eventStatus": "event_status",
    "retailerId": "retailer_id",
    "count": "page_size",
}


def _search_error(error: ValidationError) -> ValidationError:
    # Name the keyword argument the caller used, not Fluent's parameter name.
    if error.field is None or error.field not in _FILTER_NAMES:
        return error
    field = _FILTER_NAMES[error.field]
    return ValidationError(f"{field}: {error.detail}", field=field, errors=error.errors)


def _sync_outcome_parser(operation: str) -> Callable[[httpx.Response], EventOutcome]:
    parse = json_model_parser(EventOutcome, operation)

    def parse_sync(response: httpx.Response) -> EventOutcome:
        outcome = parse(response)
        # Some environments answer a failed sync event with HTTP 200; error statuses are
        # mapped by the client before this runs.
        if outcome.event_status in _REJECTED:
            status = str(outcome.event_status)
            raise EventRejectedError(
                outcome.error_message or f"event finished {status}",
                event_id=outcome.event_id,
                event_status=status,
                entity_id=outcome.entity_id,
                status=response.status_code,
                operation=operation,
                body=outcome.model_dump(by_alias=True, exclude_none=True),
            )
        return outcome

    return parse_sync


# -- I/O twins -----------------------------------------------------------------------------


class Events(_EventsBase, SyncNamespace):
    """``client.events``: the Event API, synchronously."""

    def __init__(self, client: FluentClient, *, clock: Callable[[], datetime] = utc_now) -> None:
        SyncNamespace.__init__(self, client)
        _EventsBase.__init__(self, clock=clock)

    def _ready(self, event: Event | Mapping[str, Any]) -> Event:
        checked = self._checked_event(event)
        if checked.retailer_id is None:
            checked = self._with_retailer(checked, self._retailer_id())
        return checked

    def send(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Queue an event (``POST /event/async``). Workflow failures are not reported."""
        return self._client.call(self._send_call(self._ready(event), mode="async"))

    def send_sync(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Run an event's workflow now (``POST /event/sync``).

        Raises `EventRejectedError` (with ``event_id`` and ``event_status``) when the event
        finished ``FAILED`` or matched nothing (``NO_MATCH``).
        """
        return self._client.call(self._send_call(self._ready(event), mode="sync"))

    def get(self, event_id: str) -> EventRecord:
        return self._client.call(self._get_call(event_id))

    def search_page(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> EventSearchPage:
        """One page of matching events, starting at offset ``start``."""
        query = self._search_query(filters, page_size=page_size, start=start)
        return self._client.call(self._search_call(query, query.start))

    def search_pages(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> Iterator[EventSearchPage]:
        """Every page of matching events, fetched as iteration reaches it."""
        return self._pages(self._search_query(filters, page_size=page_size, start=start))

    def search(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> Iterator[EventRecord]:
        """Every matching event, paging as needed. Without ``from_`` the last 30 days are
        searched and an `EventSearchWindowWarning` is issued."""
        pages = self._pages(self._search_query(filters, page_size=page_size, start=start))
        return (record for page in pages for record in page.results)

    def _pages(self, query: EventQuery) -> Iterator[EventSearchPage]:
        start: int | None = query.start
        while start is not None:
            page = self._client.call(self._search_call(query, start))
            yield page
            start = self._next_start(page, start)


class AsyncEvents(_EventsBase, AsyncNamespace):
    """``client.events`` on `AsyncFluentClient`: the Event API, awaitable."""

    def __init__(
        self, client: AsyncFluentClient, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        AsyncNamespace.__init__(self, client)
        _EventsBase.__init__(self, clock=clock)

    async def _ready(self, event: Event | Mapping[str, Any]) -> Event:
        checked = self._checked_event(event)
        if checked.retailer_id is None:
            checked = self._with_retailer(checked, await self._retailer_id())
        return checked

    async def send(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Queue an event (``POST /event/async``). Workflow failures are not reported."""
        return await self._client.call(self._send_call(await self._ready(event), mode="async"))

    async def send_sync(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Run an event's workflow now; `EventRejectedError` on ``FAILED`` / ``NO_MATCH``."""
        return await self._client.call(self._send_call(await self._ready(event), mode="sync"))

    async def get(self, event_id: str) -> EventRecord:
        return await self._client.call(self._get_call(event_id))

    async def search_page(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> EventSearchPage:
        query = self._search_query(filters, page_size=page_size, start=start)
        return await self._client.call(self._search_call(query, query.start))

    def search_pages(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> AsyncIterator[EventSearchPage]:
        """Every page of matching events (``async for``); validated when called."""
        return self._pages(self._search_query(filters, page_size=page_size, start=start))

    def search(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> AsyncIterator[EventRecord]:
        """Every matching event (``async for``), paging as needed; validated when called."""
        return self._records(self._search_query(filters, page_size=page_size, start=start))

    async def _pages(self, query: EventQuery) -> AsyncIterator[EventSearchPage]:
        start: int | None = query.start
        while start is not None:
            page = await self._client.call(self._search_call(query, start))
            yield page
            start = self._next_start(page, start)

    async def _records(self, query: EventQuery) -> AsyncIterator[EventRecord]:
        async for page in self._pages(query):
            for record in page.results:
                yield record
