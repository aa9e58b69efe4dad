"""The Event API (``/api/v4.1/event``): send events, fetch one, search the event log, and the
orchestration tools built on it.

``client.events`` is an `Events` (sync) or `AsyncEvents` (async). Both share `_EventsBase`,
which validates input and builds `ApiCall`s; the twins only perform them.

- `Events.send` / `Events.send_sync`: one event. A rejected sync event raises
  `EventRejectedError` naming the event, its entity and what did not match.
- `Events.send_many`: many events, checked before any is sent, ``concurrency`` in flight; an
  `EventBatchReport` lists each one's outcome (`fluent_sdk.rest._event_batch`).
- `Events.audit`: an entity's ``ORCHESTRATION_AUDIT`` events as an `AuditTimeline`
  (`fluent_sdk.rest._audit`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, Literal, TypedDict

import httpx
from pydantic import AliasChoices, Field, field_serializer, field_validator, model_validator
from typing_extensions import Unpack

from fluent_sdk._attributes import attributes_from_data
from fluent_sdk._bounded import arun_bounded, run_bounded
from fluent_sdk._types import ApiCall, AsyncRestClient, RestClient
from fluent_sdk._validation import closest_name
from fluent_sdk.errors import EventRejectedError, FluentError, ValidationError
from fluent_sdk.rest._audit import AuditEntry, AuditGroup, AuditNode, AuditTimeline
from fluent_sdk.rest._common import (
    AsyncNamespace,
    CheckedRetailerId,
    IdStr,
    LenientEnum,
    Plan,
    RequestModel,
    ResponseModel,
    RetailerId,
    SyncNamespace,
    check_entity_key,
    check_path_segment,
    json_model_parser,
    perform,
    retailer,
    utc_now,
    validate_request,
)
from fluent_sdk.rest._event_batch import (
    EventBatchOutcome,
    EventBatchReport,
    EventBatchRun,
    EventResult,
    SendMode,
    check_batch_args,
    entity_label,
    read_events,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_SEARCH_WINDOW",
    "MAX_PAGE_SIZE",
    "SUB_ENTITY_TYPES",
    "AsyncEvents",
    "AuditEntry",
    "AuditGroup",
    "AuditNode",
    "AuditTimeline",
    "EntityType",
    "Event",
    "EventBatchOutcome",
    "EventBatchReport",
    "EventCategory",
    "EventContext",
    "EventFilters",
    "EventOutcome",
    "EventRecord",
    "EventResult",
    "EventSearchPage",
    "EventSearchWindowWarning",
    "EventStatus",
    "EventType",
    "Events",
    "RootEntityType",
    "read_events",
]

EVENT_PATH = "/api/v4.1/event"
#: Fluent searches only this far back when ``from`` is omitted; the SDK makes it explicit.
DEFAULT_SEARCH_WINDOW = timedelta(days=30)
DEFAULT_PAGE_SIZE = 100
#: Fluent's advice: larger pages risk timeouts.
MAX_PAGE_SIZE = 5000
#: Events per page when reading an audit (entries are small: few requests, no timeouts).
AUDIT_PAGE_SIZE = 1000
#: Events `Events.send_many` keeps in flight unless told otherwise.
DEFAULT_CONCURRENCY = 8


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

    @field_validator("entity_type", mode="before")
    @classmethod
    def _entity_type_not_misspelt(cls, value: Any) -> Any:
        return _not_misspelt(value, EntityType, "an entity type events can target")

    @field_validator("root_entity_type", mode="before")
    @classmethod
    def _root_type_not_misspelt(cls, value: Any) -> Any:
        return _not_misspelt(value, RootEntityType, "a root entity type")

    @model_validator(mode="after")
    def _names_an_entity(self) -> Event:
        if not self.entity_id and not self.entity_ref:
            raise ValidationError(
                "an event needs entity_id or entity_ref to name its entity", field="entity_ref"
            )
        root = self.root_entity_type
        members = SUB_ENTITY_TYPES.get(root) if root is not None else None
        if members is not None and self.entity_type.is_known and self.entity_type not in members:
            raise ValidationError(
                f"a {self.entity_type} is not under a {root} (a {root}'s events are about "
                f"{', '.join(sorted(members))})",
                field="rootEntityType",
            )
        return self


def _not_misspelt(value: Any, vocabulary: type[LenientEnum], what: str) -> Any:
    """``value``, unless it is a plain string close to a known value but not one (a typo:
    ``FULFILLMENT``). Other unknown values pass, since Fluent adds types over time; an enum
    member passed explicitly (``EntityType("NEW")``) always passes."""
    if isinstance(value, str) and not isinstance(value, vocabulary):
        known = [member.value for member in vocabulary]
        if value not in known:
            suggestion = closest_name(value, known)
            if suggestion is not None:
                raise ValidationError(f"{value!r} is not {what} (did you mean {suggestion!r}?)")
    return value


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
    def attribute_map(self) -> dict[str, Any]:
        """``attributes`` as ``{name: value}``, whichever shape Fluent sent (a list of
        ``{name, value, type}``, an object, or null)."""
        return attributes_from_data(self.attributes)

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

    # ---- plans (performed by the twins) -----------------------------------------------------
    def _ready(self, event: Event | Mapping[str, Any]) -> Plan[Event]:
        """``event`` checked, with the client's retailer when it names none."""
        checked = self._checked_event(event)
        if checked.retailer_id is None:
            checked = self._with_retailer(checked, (yield from retailer()))
        return checked

    def _send_plan(
        self, event: Event | Mapping[str, Any], mode: Literal["async", "sync"]
    ) -> Plan[EventOutcome]:
        ready = yield from self._ready(event)
        if mode == "async":
            return (yield from perform(self._send_call(ready, mode="async")))
        try:
            return (yield from perform(self._send_call(ready, mode="sync")))
        except EventRejectedError as error:
            raise self._rejection(error, ready) from None

    def _send_one_plan(
        self, run: EventBatchRun, index: int, event: Event, mode: SendMode, idempotent: bool
    ) -> Plan[None]:
        """One event of `Events.send_many`, its outcome or error written to ``run``."""
        try:
            outcome = yield from perform(self._send_call(event, mode=mode, idempotent=idempotent))
        except FluentError as error:
            run.failed(index, event, error)
        else:
            run.sent(index, event, outcome)

    def _audit_plan(
        self,
        entity_type: Any,
        id: Any,
        ref: Any,
        since: datetime | None,
        until: datetime | None,
    ) -> Plan[AuditTimeline]:
        request = self._audit_request(entity_type, id, ref, since=since, until=until)
        audit = yield from self._records_plan(request.audit)
        sources = yield from self._records_plan(request.sources)
        return request.timeline(audit, sources)

    def _records_plan(self, query: EventQuery) -> Plan[list[EventRecord]]:
        """Every record ``query`` matches, page after page."""
        records: list[EventRecord] = []
        start: int | None = query.start
        while start is not None:
            page = yield from perform(self._search_call(query, start))
            records.extend(page.results)
            start = self._next_start(page, start)
        return records

    @staticmethod
    def _checked_event(event: Event | Mapping[str, Any]) -> Event:
        return validate_request(Event, event, field="event")

    @staticmethod
    def _with_retailer(event: Event, retailer_id: RetailerId) -> Event:
        return event.model_copy(update={"retailer_id": retailer_id})

    @staticmethod
    def _send_call(
        event: Event, *, mode: Literal["async", "sync"], idempotent: bool = False
    ) -> ApiCall[EventOutcome]:
        operation = f"events.send{'_sync' if mode == 'sync' else ''}"
        if mode == "async":
            # The async answer is UNCONFIRMED (often empty): accept an empty body.
            parse = json_model_parser(EventOutcome, operation, empty={})
        else:
            parse = _sync_outcome_parser(operation)
        # Not idempotent unless the caller says so: a retried event could run its workflow
        # twice, so the transport sends it again only when it provably never arrived.
        return ApiCall(
            "POST",
            f"{EVENT_PATH}/{mode}",
            parse,
            json=event.to_body(),
            operation=operation,
            idempotent=True if idempotent else None,
        )

    @staticmethod
    def _rejection(error: EventRejectedError, event: Event) -> EventRejectedError:
        """``error`` reworded to name the event, its entity, the outcome and, when Fluent
        said, what did not match: ``event 'X' on ORDER ref HD-1 finished NO_MATCH: …``."""
        if error.event_name is not None:
            return error  # already explained
        body = error.body if isinstance(error.body, Mapping) else {}
        reason = body.get("errorMessage")
        reason = str(reason) if reason else None
        status = error.event_status
        unmatched = _unmatched(reason) if status == "NO_MATCH" else None
        # Named as the caller named it; ``entity_id`` stays what Fluent answered.
        entity = entity_label(
            event.entity_type, event.entity_id or error.entity_id, event.entity_ref
        )
        explanation = _explanation(status, reason, unmatched, event)
        message = f"event {event.name!r} on {entity} finished {status}: {explanation}"
        return EventRejectedError(
            message,
            event_id=error.event_id,
            event_status=status,
            entity_id=error.entity_id or event.entity_id,
            event_name=event.name,
            entity_type=str(event.entity_type),
            entity_ref=event.entity_ref,
            reason=reason,
            unmatched=unmatched,
            status=error.status,
            request_id=error.request_id,
            operation=error.operation,
            attempts=error.attempts,
            body=error.body,
        )

    # ---- send_many -------------------------------------------------------------------------
    def _batch_run(
        self,
        events: Iterable[Event | Mapping[str, Any] | ValidationError],
        *,
        mode: Any,
        concurrency: Any,
        progress: Any,
    ) -> EventBatchRun:
        check_batch_args(events, mode, concurrency, progress)
        return EventBatchRun(
            events, mode=mode, progress=progress, check=_batch_event, explain=self._rejection
        )

    # ---- audit -----------------------------------------------------------------------------
    def _audit_request(
        self,
        entity_type: Any,
        id: Any,
        ref: Any,
        *,
        since: datetime | None,
        until: datetime | None,
    ) -> _AuditRequest:
        """The two searches an audit makes (the audit events, and the events they came
        from), every argument checked first."""
        kind = _known_entity_type(entity_type)
        entity_id = check_entity_key(id, field="id")
        entity_ref = check_entity_key(ref, field="ref")
        if entity_id is None and entity_ref is None:
            raise ValidationError("audit needs the entity's id or ref", field="id")
        if RootEntityType(kind).is_known:
            # A root's events include its children's (an order's fulfilments, articles...).
            filters: dict[str, Any] = {"root_entity_type": kind, "root_entity_id": entity_id,
                                       "root_entity_ref": entity_ref}  # fmt: skip
        else:
            filters = {"entity_type": kind, "entity_id": entity_id, "entity_ref": entity_ref}
        filters = {key: value for key, value in filters.items() if value is not None}
        filters["from_"] = since if since is not None else self._clock() - DEFAULT_SEARCH_WINDOW
        if until is not None:
            filters["to"] = until
        try:
            audit = self._search_query(
                {**filters, "event_type": EventType.ORCHESTRATION_AUDIT},
                page_size=AUDIT_PAGE_SIZE,
                start=0,
            )
            sources = self._search_query(
                {**filters, "event_type": EventType.ORCHESTRATION},
                page_size=AUDIT_PAGE_SIZE,
                start=0,
            )
        except ValidationError as error:
            raise _window_error(error) from None
        return _AuditRequest(kind, entity_id, entity_ref, audit, sources, since, until)

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
        self, filters: Mapping[str, Any], *, page_size: int, start: int, stacklevel: int = 3
    ) -> EventQuery:
        """Validated search parameters, with the default window made explicit (a warning
        about it names the line ``stacklevel`` frames up: the public method's caller)."""
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
                stacklevel=stacklevel,
            )
            query = query.model_copy(update={"from_": from_, "to": to})
        return query

    def _search_page_call(
        self, filters: Mapping[str, Any], page_size: int, start: int
    ) -> ApiCall[EventSearchPage]:
        """`Events.search_page`'s call (the window warning names its caller)."""
        query = self._search_query(filters, page_size=page_size, start=start, stacklevel=4)
        return self._search_call(query, query.start)

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


@dataclass(frozen=True)
class _AuditRequest:
    """What `Events.audit` reads: audit events and their source events, then the timeline."""

    entity_type: str
    entity_id: str | None
    entity_ref: str | None
    audit: EventQuery
    sources: EventQuery
    since: datetime | None
    until: datetime | None

    def timeline(
        self, audit: Iterable[EventRecord], sources: Iterable[EventRecord]
    ) -> AuditTimeline:
        return AuditTimeline.build(
            self.entity_type,
            self.entity_id,
            self.entity_ref,
            audit,
            sources,
            since=self.since,
            until=self.until,
        )


def _known_entity_type(value: Any) -> str:
    """An entity type this SDK knows (``ORDER``...), or a `ValidationError` with a suggestion."""
    known = [member.value for member in EntityType]
    if isinstance(value, str) and value in known:
        return value
    suggestion = closest_name(value, known) if isinstance(value, str) else None
    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
    raise ValidationError(
        f"entity_type: {value!r} is not an entity type{hint}; known types: {', '.join(known)}",
        field="entity_type",
    )


def _batch_event(index: int, raw: Any) -> Event:
    """One input of `Events.send_many`, checked: a valid `Event` naming an entity type Fluent
    has, or a `ValidationError` whose field is ``events[index]...``."""
    where = f"events[{index}]"
    if not isinstance(raw, (Event, Mapping)):
        raise ValidationError(
            f"{where}: expected an Event or a mapping of its fields, got {type(raw).__name__}",
            field=where,
        )
    if isinstance(raw, Mapping) and not all(isinstance(key, str) for key in raw):
        raise ValidationError(f"{where}: field names must be strings", field=where)
    event = validate_request(Event, raw, field=where)
    if not event.entity_type.is_known:
        # Stricter than one `send`: bulk input comes from files, where a type Fluent does not
        # have is a mistake rather than a type newer than this SDK.
        known = [member.value for member in EntityType]
        suggestion = closest_name(str(event.entity_type), known)
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        raise ValidationError(
            f"{where}.entityType: {str(event.entity_type)!r} is not an entity type events can "
            f"target{hint}; known types: {', '.join(known)}",
            field=f"{where}.entityType",
        )
    return event


# What a NO_MATCH's message says did not match (the wording is UNCONFIRMED: matched loosely).
_UNMATCHED = (
    ("workflow", re.compile(r"no workflow|workflow\b.*\b(not found|does not exist|missing)")),
    (
        "status",
        re.compile(
            r"(does not|doesn't|not) accept\w* (the )?(current )?status|"
            r"status\b.*\bnot (accepted|allowed|valid)|no trigger"
        ),
    ),
    ("ruleset", re.compile(r"no (matching )?rule ?sets?\b|rule ?set\b.*\bnot found|event name")),
    ("entity", re.compile(r"entity\b.*\b(not found|does not exist)|no (such )?entity|not found")),
)
_UNMATCHED_HINTS = {
    "workflow": "no workflow for the entity's type and subtype",
    "status": "the entity's current status, which the ruleset's triggers do not accept",
    "ruleset": "the event name, which is no ruleset of the entity's workflow",
    "entity": "the entity, which was not found",
}
# Fluent's FAILED answer often says only this.
_GENERIC_FAILURES = frozenset({"event has failed", "event failed"})


def _unmatched(reason: str | None) -> str | None:
    if not reason:
        return None
    text = reason.lower()
    return next((part for part, pattern in _UNMATCHED if pattern.search(text)), None)


def _audit_hint(event: Event) -> str:
    key = f"ref={event.entity_ref!r}" if event.entity_ref else f"id={event.entity_id!r}"
    return f"client.events.audit({str(event.entity_type)!r}, {key}) shows what orchestration did"


def _explanation(status: str, reason: str | None, unmatched: str | None, event: Event) -> str:
    if status == "NO_MATCH":
        if reason and unmatched:
            return f"{reason} (what did not match: {_UNMATCHED_HINTS[unmatched]})"
        if reason:
            return reason
        return (
            "no ruleset matched (Fluent did not say whether the entity, the event name or the "
            f"entity's status did not match; {_audit_hint(event)})"
        )
    if reason and reason.strip().rstrip(".").lower() not in _GENERIC_FAILURES:
        return reason
    return f"{reason or 'a rule failed'} ({_audit_hint(event)})"


def _window_error(error: ValidationError) -> ValidationError:
    """A search-window error named by `Events.audit`'s arguments (``since`` / ``until``)."""
    names = {"from_": "since", "from": "since", "to": "until"}
    if error.field not in names:
        return error
    field = names[error.field]
    detail = error.detail.replace("from_", "since").replace("to:", "until:")
    return ValidationError(f"{field}: {detail}", field=field, errors=error.errors)


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


class Events(_EventsBase, SyncNamespace[RestClient]):
    """``client.events``: the Event API, synchronously."""

    def __init__(self, client: RestClient, *, clock: Callable[[], datetime] = utc_now) -> None:
        SyncNamespace.__init__(self, client)
        _EventsBase.__init__(self, clock=clock)

    def send(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Queue an event (``POST /event/async``). Workflow failures are not reported."""
        return self._drive(self._send_plan(event, "async"))

    def send_sync(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Run an event's workflow now (``POST /event/sync``).

        Raises `EventRejectedError` when the event finished ``FAILED`` or matched nothing
        (``NO_MATCH``): its message names the event, the entity and, when Fluent said, what
        did not match; ``event_id`` / ``event_status`` / ``unmatched`` hold the details.
        """
        return self._drive(self._send_plan(event, "sync"))

    def send_many(
        self,
        events: Iterable[Event | Mapping[str, Any] | ValidationError],
        *,
        mode: SendMode = "sync",
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: bool | None = None,
        idempotent: bool = False,
    ) -> EventBatchReport:
        """Send every event of ``events`` (`Event` models or dicts, read lazily: a generator
        of a million is fine), ``concurrency`` at a time, and report each one's outcome.

        Each event is checked before it is sent: its entity type must be one Fluent has (a
        typo gets a did-you-mean), and it must name its entity. An invalid event is reported
        ``INVALID`` (with the field, ``events[3].entityType``) and never sent; the run goes on.

        ``mode="sync"`` runs each workflow (``COMPLETE`` / ``NO_MATCH`` / ``FAILED``);
        ``mode="async"`` queues them (``QUEUED``: the outcome is known only once Fluent has
        processed them). An event is not sent again once it may have reached Fluent (its reply
        lost: ``UNKNOWN``) unless ``idempotent=True`` says a repeat is harmless, in which case
        the transport retries timeouts and gateway errors too. ``progress``: a bar on a
        terminal or in Jupyter (None: only for long input).

        `read_events` reads them from a ``.csv`` or ``.jsonl`` file (a line it cannot read
        arrives as a `ValidationError`, reported ``INVALID`` in its place). Raises
        `ValidationError` for bad arguments; per-event problems are in the report.
        """
        run = self._batch_run(events, mode=mode, concurrency=concurrency, progress=progress)
        try:
            run_bounded(
                self._batch_jobs(run, mode, idempotent),
                concurrency=concurrency,
                thread_name_prefix="fluent-events",
            )
        finally:
            report = run.close()
        return report

    def _batch_jobs(
        self, run: EventBatchRun, mode: SendMode, idempotent: bool
    ) -> Iterator[Callable[[], None]]:
        known: RetailerId | None = None  # looked up when the first event needs it
        for index, event in run.checked():
            if event.retailer_id is None:
                if known is None:
                    known = self._retailer_id()
                event = self._with_retailer(event, known)
            plan = self._send_one_plan(run, index, event, mode, idempotent)
            yield partial(self._drive, plan)

    def audit(
        self,
        entity_type: EntityType | str,
        id: str | int | None = None,
        ref: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AuditTimeline:
        """What orchestration did to an entity and its children: its ``ORCHESTRATION_AUDIT``
        events between ``since`` (default: 30 days ago, Fluent's horizon) and ``until``, as an
        `AuditTimeline` grouped by source event (ruleset → rules → actions / exceptions).

        A root entity (``ORDER``, ``LOCATION``...) is read with its children (an order's
        fulfilments...); give its ``id`` or ``ref``. Datetimes must be timezone-aware.
        """
        return self._drive(self._audit_plan(entity_type, id, ref, since, until))

    def get(self, event_id: str) -> EventRecord:
        return self._client.call(self._get_call(event_id))

    def search_page(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> EventSearchPage:
        """One page of matching events, starting at offset ``start``."""
        return self._client.call(self._search_page_call(filters, page_size, start))

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


class AsyncEvents(_EventsBase, AsyncNamespace[AsyncRestClient]):
    """``client.events`` on `AsyncFluentClient`: the Event API, awaitable."""

    def __init__(self, client: AsyncRestClient, *, clock: Callable[[], datetime] = utc_now) -> None:
        AsyncNamespace.__init__(self, client)
        _EventsBase.__init__(self, clock=clock)

    async def send(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Queue an event (``POST /event/async``). Workflow failures are not reported."""
        return await self._drive(self._send_plan(event, "async"))

    async def send_sync(self, event: Event | Mapping[str, Any]) -> EventOutcome:
        """Run an event's workflow now; `EventRejectedError` on ``FAILED`` / ``NO_MATCH``
        (see `Events.send_sync`)."""
        return await self._drive(self._send_plan(event, "sync"))

    async def send_many(
        self,
        events: Iterable[Event | Mapping[str, Any] | ValidationError],
        *,
        mode: SendMode = "sync",
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: bool | None = None,
        idempotent: bool = False,
    ) -> EventBatchReport:
        """See `Events.send_many`; events in flight are asyncio tasks, at most
        ``concurrency`` at once, and the input is read on the event loop between sends."""
        run = self._batch_run(events, mode=mode, concurrency=concurrency, progress=progress)
        try:
            await arun_bounded(self._batch_jobs(run, mode, idempotent), concurrency=concurrency)
        finally:
            report = run.close()
        return report

    async def _batch_jobs(
        self, run: EventBatchRun, mode: SendMode, idempotent: bool
    ) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        known: RetailerId | None = None  # looked up when the first event needs it
        for index, event in run.checked():
            if event.retailer_id is None:
                if known is None:
                    known = await self._retailer_id()
                event = self._with_retailer(event, known)
            plan = self._send_one_plan(run, index, event, mode, idempotent)
            yield partial(self._drive, plan)

    async def audit(
        self,
        entity_type: EntityType | str,
        id: str | int | None = None,
        ref: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AuditTimeline:
        """See `Events.audit`."""
        return await self._drive(self._audit_plan(entity_type, id, ref, since, until))

    async def get(self, event_id: str) -> EventRecord:
        return await self._client.call(self._get_call(event_id))

    async def search_page(
        self, *, start: int = 0, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[EventFilters]
    ) -> EventSearchPage:
        return await self._client.call(self._search_page_call(filters, page_size, start))

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
