"""The helper driver, and the pieces every interface helper shares.

Each helper writes its logic once, as a *plan*: a generator that yields descriptions of the
calls it needs (`Execute` a GraphQL document, call a typed GraphQL `Operation`, read every node
of a `Listing`, `SendEvent`, `ResolveRetailer`, `Pause`) and receives each answer back (or has
the call's error thrown into it). The sync and async twins only perform those calls
(`SyncHelper._run` / `AsyncHelper._run`), so a rule such as "never create twice"
(`create_once`) exists in one place and a fix lands once::

    def _get_plan(self, ref: str) -> Plan[Order | None]:
        data = yield Execute(ORDER_QUERY, {"ref": ref})
        return Order.from_data(data["order"])

    class Orders(_OrdersBase, SyncHelper):
        def get(self, ref: str) -> Order | None:
            return self._run(self._get_plan(ref))

A listing is built once too: the base describes it (`Listing`), and ``self._paginate(listing)``
is a `Paginator` in the sync twin and an `AsyncPaginator` (same API, ``async for``) in the async
one.

Shared here (one home each): the input and output model bases (`fluent_sdk.helpers._models`),
the attributes toolkit (`fluent_sdk.helpers._attributes`), the retailer-id check and resolver
(`check_retailer`, `ResolveRetailer`, both on `fluent_sdk.rest._common`'s), and
`default_catalogue_ref`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from fluent_sdk._validation import field_path as _field_path
from fluent_sdk.errors import (
    ConflictError,
    FluentError,
    TransportError,
    ValidationError,
)
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE
from fluent_sdk.helpers._attributes import (
    AttributeSpec,
    WithAttributes,
    attribute_type_for,
    attributes_from_data,
    attributes_input,
    normalize_attributes,
)
from fluent_sdk.helpers._models import (
    FoundExisting,
    InputModel,
    OutputModel,
    SpecModel,
    parse_input,
)
from fluent_sdk.rest._common import AsyncNamespace, SyncNamespace, check_retailer_id

if TYPE_CHECKING:
    from fluent_sdk._client import AsyncFluentClient, FluentClient

__all__ = [
    "DEFAULT_CREATE_ATTEMPTS",
    "AsyncHelper",
    "AttributeSpec",
    "Call",
    "Execute",
    "FoundExisting",
    "InputModel",
    "Listing",
    "Operation",
    "OutputModel",
    "Pause",
    "Plan",
    "ResolveRetailer",
    "SendEvent",
    "SpecModel",
    "SyncHelper",
    "WithAttributes",
    "attribute_type_for",
    "attributes_from_data",
    "attributes_input",
    "check_ref",
    "check_retailer",
    "create_once",
    "default_catalogue_ref",
    "edge_nodes",
    "field_path",
    "iso_utc",
    "lookup_until_found",
    "normalize_attributes",
    "parse_input",
]

T = TypeVar("T")
NodeT = TypeVar("NodeT")

#: How many times a create is sent at most when replies are lost (the first try included).
DEFAULT_CREATE_ATTEMPTS = 3


# -- calls a plan can ask for ----------------------------------------------------------------


@dataclass(frozen=True)
class Execute:
    """Run a GraphQL document (validated locally); the answer is the ``data`` dict, or the
    ``model`` it is read into."""

    document: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    model: type[BaseModel] | None = None


@dataclass(frozen=True)
class Operation:
    """Call a typed method of ``client.graphql`` (``create_consignment(input=...)``); the answer
    is its typed result."""

    method: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendEvent:
    """Send an event: ``wait=True`` through ``client.events.send_sync`` (the workflow runs now and
    a rejection raises `EventRejectedError`), else ``client.events.send`` (queued)."""

    event: Mapping[str, Any]
    wait: bool = True


@dataclass(frozen=True)
class ResolveRetailer:
    """The retailer id, as text: ``explicit`` if given, else the client's (signing in if
    needed). Checked by `fluent_sdk.rest._common.check_retailer_id`."""

    explicit: int | str | None = None


@dataclass(frozen=True)
class Pause:
    """Wait ``seconds`` before the next call (``time.sleep`` / ``asyncio.sleep``: never
    blocking an event loop); the answer is None."""

    seconds: float


@dataclass(frozen=True)
class Listing(Generic[NodeT]):
    """A paginated read, described without I/O. Each page is ``call`` (an `Operation` or an
    `Execute`) with ``first`` / ``after`` added; ``connection`` names the attribute of its
    answer that holds the Relay connection (None: the answer is the connection), and ``node``
    maps each node (None: kept as read).

    ``self._paginate(listing)`` walks it lazily (a `Paginator` / `AsyncPaginator`); a plan that
    yields it gets every node at once, as a list."""

    call: Operation | Execute
    operation: str
    node: Callable[[Any], NodeT] | None = None
    connection: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    max_items: int | None = None
    after: str | None = None

    def page(self, first: int, after: str | None) -> Operation | Execute:
        """The call that reads one page."""
        cursor = {"first": first, "after": after}
        if isinstance(self.call, Operation):
            return replace(self.call, arguments={**self.call.arguments, **cursor})
        return replace(self.call, variables={**self.call.variables, **cursor})

    def read(self, answer: Any) -> Any:
        """A page's answer as the connection the paginator walks, its nodes mapped."""
        connection = answer if self.connection is None else getattr(answer, self.connection)
        if self.node is None or connection is None:
            return connection
        return _MappedConnection(connection, self.node)


@dataclass(frozen=True, slots=True)
class _Edge:
    cursor: str | None
    node: Any


class _MappedConnection:
    """A connection whose nodes went through ``node``; ``page_info`` is the original's."""

    __slots__ = ("edges", "page_info")

    def __init__(self, connection: Any, node: Callable[[Any], Any]) -> None:
        self.page_info = getattr(connection, "page_info", None)
        self.edges = [
            _Edge(getattr(edge, "cursor", None), node(edge.node))
            for edge in getattr(connection, "edges", None) or []
            if edge is not None and getattr(edge, "node", None) is not None
        ]


Call = Execute | Operation | Listing[Any] | SendEvent | ResolveRetailer | Pause
#: A helper's logic: yields calls, receives their answers, returns the result.
Plan = Generator[Call, Any, T]


def check_retailer(value: Any) -> str | None:
    """An explicit retailer id checked up front, as text (None stays None: the client's is
    used). The check is `fluent_sdk.rest._common.check_retailer_id`."""
    return None if value is None else str(check_retailer_id(value))


def default_catalogue_ref(retailer_id: int | str) -> str:
    """The product catalogue most integrations use: ``PC:MASTER:<retailerId>``."""
    return f"PC:MASTER:{retailer_id}"


class _Driver:
    """What both twins share: which client method a call goes to (no I/O here)."""

    _client: FluentClient | AsyncFluentClient

    def _bound(self, call: Execute | Operation | SendEvent) -> Callable[[], Any]:
        """The client method ``call`` invokes, with its arguments bound."""
        if isinstance(call, Execute):
            model = {} if call.model is None else {"model": call.model}
            return partial(
                self._client.graphql.execute, call.document, dict(call.variables), **model
            )
        if isinstance(call, Operation):
            return partial(getattr(self._client.graphql, call.method), **call.arguments)
        events = self._client.events
        return partial(events.send_sync if call.wait else events.send, dict(call.event))


class SyncHelper(_Driver, SyncNamespace):
    """Base of the synchronous helpers: performs the calls a plan yields."""

    _client: FluentClient

    def __init__(self, client: FluentClient) -> None:
        SyncNamespace.__init__(self, client)

    def _perform(self, call: Call) -> Any:
        if isinstance(call, Pause):
            time.sleep(call.seconds)
            return None
        if isinstance(call, ResolveRetailer):
            return str(self._retailer_id(call.explicit))
        if isinstance(call, Listing):
            return list(self._paginate(call))
        return self._bound(call)()

    def _paginate(self, listing: Listing[NodeT]) -> Paginator[NodeT]:
        """``for node in ...``: the listing's nodes, read a page at a time."""
        return Paginator(
            lambda first, after: listing.read(self._perform(listing.page(first, after))),
            page_size=listing.page_size,
            max_items=listing.max_items,
            after=listing.after,
            operation=listing.operation,
        )

    def _run(self, plan: Plan[T]) -> T:
        try:
            call = next(plan)
            while True:
                try:
                    answer = self._perform(call)
                except FluentError as exc:
                    call = plan.throw(exc)
                else:
                    call = plan.send(answer)
        except StopIteration as stop:
            result: T = stop.value
            return result


class AsyncHelper(_Driver, AsyncNamespace):
    """Base of the asynchronous helpers: the awaitable twin of `SyncHelper`."""

    _client: AsyncFluentClient

    def __init__(self, client: AsyncFluentClient) -> None:
        AsyncNamespace.__init__(self, client)

    async def _perform(self, call: Call) -> Any:
        if isinstance(call, Pause):
            import asyncio  # only async users pay for importing asyncio

            await asyncio.sleep(call.seconds)
            return None
        if isinstance(call, ResolveRetailer):
            return str(await self._retailer_id(call.explicit))
        if isinstance(call, Listing):
            return [node async for node in self._paginate(call)]
        return await self._bound(call)()

    def _paginate(self, listing: Listing[NodeT]) -> AsyncPaginator[NodeT]:
        """``async for node in ...``: the listing's nodes, read a page at a time."""

        async def fetch(first: int, after: str | None) -> Any:
            return listing.read(await self._perform(listing.page(first, after)))

        return AsyncPaginator(
            fetch,
            page_size=listing.page_size,
            max_items=listing.max_items,
            after=listing.after,
            operation=listing.operation,
        )

    async def _run(self, plan: Plan[T]) -> T:
        try:
            call = next(plan)
            while True:
                try:
                    answer = await self._perform(call)
                except FluentError as exc:
                    call = plan.throw(exc)
                else:
                    call = plan.send(answer)
        except StopIteration as stop:
            result: T = stop.value
            return result


# -- creating exactly once ------------------------------------------------------------------

#: Look-ups after a conflict that followed a lost reply, waiting `LAGGING_LOOKUP_DELAY` seconds
#: (doubling) between them: the entity exists, but reads may lag behind the write.
LAGGING_LOOKUPS = 5
LAGGING_LOOKUP_DELAY = 0.2


def lookup_until_found(lookup: Callable[[], Plan[T | None]]) -> Plan[T | None]:
    """``lookup()``, repeated `LAGGING_LOOKUPS` times more while it finds nothing, waiting
    `LAGGING_LOOKUP_DELAY` seconds (doubling) in between: for an entity known to exist whose
    reads may lag behind its write. None if it never appears."""
    delay = LAGGING_LOOKUP_DELAY
    for tries in range(LAGGING_LOOKUPS + 1):
        found = yield from lookup()
        if found is not None:
            return found
        if tries < LAGGING_LOOKUPS:
            yield Pause(delay)
            delay *= 2
    return None


def create_once(
    create: Call,
    lookup: Callable[[], Plan[T | None]],
    *,
    max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
    existing_ok: bool = False,
    lookup_first: bool | None = None,
) -> Plan[tuple[Any, T | None]]:
    """Send ``create`` without ever creating twice; returns ``(created, None)`` or
    ``(None, existing)``.

    A create whose reply is lost (`TransportError`, which includes `TimeoutError`) may have
    been carried out, so before trying again the entity is looked up by its ref (``lookup``):
    if it exists it is the result. A unique-ref conflict on a retry means an earlier try
    succeeded, so it resolves to the existing entity too; since reads may lag behind the write,
    the look-up is then repeated (`lookup_until_found`) before giving up. A conflict on the
    first try means the ref was already taken: it is raised unless ``existing_ok``, which also
    looks the ref up before the first try (for entities whose refs the server does not keep
    unique; ``lookup_first=False`` skips that when the caller has just looked).

    Every helper's create of an entity with a natural key goes through here: orders, customers,
    consignments, payments, locations, users, networks, settings, catalogue items.
    """
    if max_attempts < 1:
        raise ValidationError("max_attempts must be at least 1", field="max_attempts")
    if existing_ok if lookup_first is None else lookup_first:
        # Not every entity's ref is unique on the server, so a conflict cannot be relied on.
        existing = yield from lookup()
        if existing is not None:
            return None, existing
    lost: TransportError | None = None
    for _ in range(max_attempts):
        try:
            created = yield create
        except TransportError as exc:
            lost = exc
            existing = yield from lookup()
            if existing is not None:
                return None, existing
            continue
        except ConflictError as exc:
            if lost is None and not existing_ok:
                raise  # the ref was taken before this call
            existing = yield from lookup_until_found(lookup)
            if existing is not None:
                return None, existing
            if lost is not None and hasattr(exc, "add_note"):
                exc.add_note(
                    f"An earlier try's reply was lost ({type(lost).__name__}), so that try "
                    "probably created it, but looking it up by its ref still found nothing: "
                    "look it up again later before creating it anew."
                )
            raise
        return created, None
    assert lost is not None  # the loop only ends here after lost replies
    raise lost


# -- small shared checks and readers ---------------------------------------------------------


def field_path(loc: Sequence[int | str]) -> str:
    """Deprecated: use `fluent_sdk._validation.field_path` (the same function)."""
    return _field_path(loc)


#: Deprecated name of `attribute_type_for` (the one type-inference rule).
_attribute_type = attribute_type_for


def edge_nodes(connection: Any) -> list[Any]:
    """The nodes of a connection in a ``data`` dict (``{"edges": [{"node": …}]}``)."""
    if not isinstance(connection, Mapping):
        return []
    return [
        edge["node"]
        for edge in connection.get("edges") or []
        if isinstance(edge, Mapping) and edge.get("node") is not None
    ]


def check_ref(value: Any, *, field: str, max_length: int = 255) -> str:
    """A non-empty ref (or id) string within Fluent's default length limit."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    if len(value) > max_length:
        raise ValidationError(f"{field} is longer than {max_length} characters", field=field)
    return value.strip()


def iso_utc(value: datetime, *, field: str) -> str:
    """A timezone-aware datetime as Fluent's UTC ISO text."""
    if not isinstance(value, datetime):
        raise ValidationError(f"{field} must be a datetime", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"{field} must be timezone-aware", field=field)
    text = value.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
