"""What a helper's plan can ask for: the calls it yields, described without I/O.

A plan (`Plan`) is a generator that yields these and receives each answer back; the driver
(`fluent_sdk.helpers._driver`) performs them::

    def _get_plan(self, ref: str) -> Plan[Location | None]:
        node = yield Operation("location", {"ref": ref})
        return None if node is None else Location.from_node(node)

- `Execute`: a GraphQL document (the ``data`` dict, or the ``model`` it is read into);
- `Operation`: a typed method of ``client.graphql`` (its typed result); ``complete=True`` reads
  a helper's own query whole, every page of its nested connections included
  (`fluent_sdk.helpers._whole`);
- `Query`: a query the SDK wrote, sent as it is (the ``data`` dict): what such a read sends;
- `Listing`: a paginated read (every node, as a list; or lazily, ``self._paginate(listing)``);
- `SendEvent`: an event, sent and awaited or queued;
- `ResolveRetailer`: the retailer id (explicit, else the client's, signing in if needed);
- `Pause`: a wait that never blocks an event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE
from fluent_sdk.graphql._runtime import decode_data
from fluent_sdk.rest._common import LookUpRetailer, Sleep

if TYPE_CHECKING:
    import httpx

    from fluent_sdk._client import AsyncFluentClient, FluentClient

    Client = FluentClient | AsyncFluentClient

__all__ = [
    "Call",
    "Execute",
    "Listing",
    "Operation",
    "Pause",
    "Plan",
    "Query",
    "ResolveRetailer",
    "SendEvent",
]

T = TypeVar("T")
NodeT = TypeVar("NodeT")


@dataclass(frozen=True)
class Execute:
    """Run a GraphQL document (validated locally); the answer is the ``data`` dict, or the
    ``model`` it is read into."""

    document: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    model: type[BaseModel] | None = None

    def bind(self, client: Client) -> Callable[[], Any]:
        """The client call this describes, ready to make (awaitable on an async client)."""
        model = {} if self.model is None else {"model": self.model}
        return partial(client.graphql.execute, self.document, dict(self.variables), **model)


@dataclass(frozen=True)
class Operation:
    """Call a typed method of ``client.graphql`` (``create_consignment(input=...)``); the answer
    is its typed result.

    ``complete=True`` (a helper's own query: ``_sdk_order_get``) reads it whole: the answer is
    the same typed result, with every page of the nested connections it selects (an order's
    items past the first page), fetched in batched follow-ups and validated once. The driver
    performs it as a plan of `Query` calls (`fluent_sdk.helpers._whole.read_whole`)."""

    method: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    complete: bool = False

    def bind(self, client: Client) -> Callable[[], Any]:
        """See `Execute.bind`."""
        return partial(getattr(client.graphql, self.method), **self.arguments)


@dataclass(frozen=True)
class Query:
    """Send a query the SDK wrote, as it is, under ``operation``: a helper's own operation
    rewritten to say where more pages are, or a follow-up reading them (``Operation(...,
    complete=True)``). Nothing is validated locally (the text is the SDK's); the answer is the
    response's ``data`` dict.

    The driver performs it in two steps, `send` (I/O) and `read` (none)."""

    text: str
    operation: str
    variables: Mapping[str, Any] = field(default_factory=dict)

    def send(self, client: Client) -> Any:
        """The request: its `httpx.Response` (awaitable on an async client)."""
        return client.graphql._send_operation(
            self.text, self.operation, dict(self.variables), mutation=False
        )

    def read(self, response: httpx.Response) -> dict[str, Any]:
        """The response's ``data``; GraphQL errors raise `GraphQLError`."""
        return decode_data(response, self.operation)


@dataclass(frozen=True)
class SendEvent:
    """Send an event: ``wait=True`` through ``client.events.send_sync`` (the workflow runs now and
    a rejection raises `EventRejectedError`), else ``client.events.send`` (queued)."""

    event: Mapping[str, Any]
    wait: bool = True

    def bind(self, client: Client) -> Callable[[], Any]:
        """See `Execute.bind`."""
        send = client.events.send_sync if self.wait else client.events.send
        return partial(send, dict(self.event))


#: The retailer id: ``explicit`` if given, else the client's (signing in if needed). The same
#: step as the REST namespaces' (one resolver); the helper driver answers it as text.
ResolveRetailer = LookUpRetailer

#: Wait ``seconds`` before the next call (the namespace's sleep: ``time.sleep`` /
#: ``asyncio.sleep``, never blocking an event loop); the answer is None. The REST plans' step.
Pause = Sleep


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

    def paging(self) -> dict[str, Any]:
        """The paginator's settings: page size, cap, where to start, what to call it."""
        return {
            "page_size": self.page_size,
            "max_items": self.max_items,
            "after": self.after,
            "operation": self.operation,
        }

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


Call = Execute | Operation | Query | Listing[Any] | SendEvent | ResolveRetailer | Pause
#: A helper's logic: yields calls, receives their answers, returns the result.
Plan = Generator[Call, Any, T]
