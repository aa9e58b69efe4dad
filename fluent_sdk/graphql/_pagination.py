"""Cursor pagination over Relay connections, with memory bounded by the page size.

A paginator holds the page being handed out until the next one is parsed, and drops it then,
inside the parse's garbage-collector pause (`fluent_sdk.graphql._gc_pause`): so at most two
pages are alive at once, and the collector never walks a fresh page.

Fluent connections have no ``endCursor``: the next page starts ``after`` the last edge's
``cursor`` while ``pageInfo.hasNextPage`` is true. `_PageWalker` holds that logic with no I/O;
`Paginator` (``for``) and `AsyncPaginator` (``async for``) only fetch.

Fluent refuses a query above its complexity limit (``C0001E``). A paginator that gets that
answer halves its page size and asks for the same page again (logged once per walk), down to
one node per page; `_PageWalker.smaller_after` holds that decision.

A paginator over a user's document (``client.graphql.paginate(document, ...)``) fetches
`PageSource` objects: its nodes and cursors already read, the connection as plain JSON, and the
paths of nested connections cut short (`Page.truncated`).

In a notebook a `Page` shows its nodes as a table and a paginator describes itself (no request
is made to display it); ``to_records()`` / ``to_pandas()`` turn nodes into flat rows with dotted
column names (`fluent_sdk._display`, imported only when one of these is called).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fluent_sdk.errors import APIError, PaginationError, ValidationError
from fluent_sdk.graphql._gc_pause import release_after_parse

if TYPE_CHECKING:
    import pandas

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "AsyncPaginator",
    "Page",
    "PageSource",
    "PaginationError",
    "Paginator",
]

logger = logging.getLogger("fluent_sdk.graphql")

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 5000
#: Fluent's error code for a query above its complexity limit.
COMPLEXITY_ERROR_CODE = "C0001E"

NodeT = TypeVar("NodeT")


@dataclass(frozen=True, slots=True, repr=False)
class Page(Generic[NodeT]):
    """One fetched page: its nodes with their cursors, and the typed connection it came from.

    In a notebook it shows as a table of its first nodes (flattened) with ``hasNextPage`` and
    the end cursor; `to_records` / `to_pandas` give every node as a flat row."""

    nodes: list[NodeT]
    cursors: list[str | None]
    has_next_page: bool
    connection: Any
    #: Paths of nested connections with more pages that were not completed (documents only).
    truncated: tuple[str, ...] = ()

    @property
    def end_cursor(self) -> str | None:
        """Cursor of the last edge: pass it as ``after`` to resume after this page."""
        return self.cursors[-1] if self.cursors else None

    def __repr__(self) -> str:
        return (
            f"<Page nodes={len(self.nodes)} has_next_page={self.has_next_page} "
            f"end_cursor={self.end_cursor!r}>"
        )

    def _repr_html_(self) -> str:
        from fluent_sdk._display import nodes_html

        return nodes_html(
            f"Page: {len(self.nodes)} nodes",
            self.nodes,
            [("hasNextPage", self.has_next_page), ("endCursor", self.end_cursor)],
        )

    def to_records(self, explode: str | None = None) -> list[dict[str, Any]]:
        """One flat row per node; nested fields become dotted columns (``retailer.ref``),
        nested connections their nodes. ``explode="items"``: one row per nested item, with
        its node's columns (see `fluent_sdk.to_records`)."""
        from fluent_sdk._tables import to_records

        return to_records(self, explode)

    def to_pandas(self, explode: str | None = None) -> pandas.DataFrame:
        """`to_records` as a DataFrame (needs pandas); date-times as datetime columns."""
        from fluent_sdk._tables import to_pandas

        return to_pandas(self, explode)


@dataclass(frozen=True, slots=True)
class PageSource:
    """One page of a document, read already: what a document paginator's fetch returns."""

    nodes: list[Any]
    cursors: list[str | None]
    has_next_page: bool
    connection: Any = None
    truncated: tuple[str, ...] = field(default=())


def _check_page_size(page_size: int) -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise ValidationError("page_size must be an integer", field="page_size")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"page_size must be between 1 and {MAX_PAGE_SIZE} (Fluent's cap), got {page_size}",
            field="page_size",
        )
    return page_size


def _check_max_items(max_items: int | None) -> int | None:
    if max_items is None:
        return None
    if isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0:
        raise ValidationError("max_items must be a non-negative integer", field="max_items")
    return max_items


class _PageWalker(Generic[NodeT]):
    """The pagination state machine: what to ask for next, and reading each answer."""

    def __init__(
        self, *, page_size: int, max_items: int | None, after: str | None, operation: str | None
    ) -> None:
        self.page_size = _check_page_size(page_size)
        self.remaining = _check_max_items(max_items)
        self.cursor = after
        self.operation = operation
        self.done = self.remaining == 0
        self.shrunk = False

    def next_arguments(self) -> dict[str, Any] | None:
        if self.done:
            return None
        first = self.page_size
        if self.remaining is not None:
            first = min(first, self.remaining)
        return {"first": first, "after": self.cursor}

    def smaller_after(self, error: Exception) -> bool:
        """After ``error`` on the request for the next page: True when it is Fluent's
        ``C0001E`` (too complex) and the page can shrink; the page size is halved then."""
        if not isinstance(error, APIError) or self.page_size <= 1:
            return False
        codes = {
            error.code,
            *(getattr(item, "code", None) for item in getattr(error, "errors", ())),
        }
        if COMPLEXITY_ERROR_CODE not in codes:
            return False
        asked = (self.next_arguments() or {}).get("first", self.page_size)
        smaller = max(1, min(self.page_size, asked) // 2)
        if not self.shrunk:
            logger.warning(
                "%s: Fluent refused a page of %d as too complex (%s); asking again with "
                "pages of %d",
                self.operation or "pagination",
                asked,
                COMPLEXITY_ERROR_CODE,
                smaller,
            )
        self.shrunk = True
        self.page_size = smaller
        return True

    def accept(self, connection: Any) -> Page[NodeT]:
        truncated: tuple[str, ...] = ()
        if isinstance(connection, PageSource):
            nodes: list[NodeT] = connection.nodes
            cursors: list[str | None] = connection.cursors
            has_next = connection.has_next_page
            truncated = connection.truncated
            connection = connection.connection
        else:
            nodes, cursors, has_next = self._read(connection)
        last_cursor = next((c for c in reversed(cursors) if c is not None), None)
        if has_next and (last_cursor is None or last_cursor == self.cursor):
            raise PaginationError(
                f"{self.operation or 'pagination'}: hasNextPage is true but the cursor did not "
                f"advance (after={self.cursor!r}); stopping instead of looping",
                operation=self.operation,
                cursor=self.cursor,
            )
        if self.remaining is not None and len(nodes) >= self.remaining:
            if len(nodes) > self.remaining:
                has_next = True
            del nodes[self.remaining :]
            del cursors[self.remaining :]
            self.done = True
        if self.remaining is not None:
            self.remaining -= len(nodes)
        if not has_next:
            self.done = True
        if cursors and cursors[-1] is not None:
            self.cursor = cursors[-1]
        return Page(
            nodes=nodes,
            cursors=cursors,
            has_next_page=has_next,
            connection=connection,
            truncated=truncated,
        )

    @staticmethod
    def _read(connection: Any) -> tuple[list[Any], list[str | None], bool]:
        """Nodes, cursors and hasNextPage of a typed connection."""
        edges: Sequence[Any] = (getattr(connection, "edges", None) or []) if connection else []
        page_info = getattr(connection, "page_info", None) if connection else None
        has_next = bool(getattr(page_info, "has_next_page", False))
        nodes: list[Any] = []
        cursors: list[str | None] = []
        for edge in edges:
            if edge is None:
                continue
            node = getattr(edge, "node", None)
            if node is None:
                continue
            nodes.append(node)
            cursors.append(getattr(edge, "cursor", None))
        return nodes, cursors, has_next


class _PaginatorBase(Generic[NodeT]):
    def __init__(
        self,
        fetch: Callable[..., Any],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        after: str | None = None,
        operation: str | None = None,
    ) -> None:
        self._fetch = fetch
        self._settings = dict(page_size=page_size, max_items=max_items, after=after)
        self._operation = operation
        # Validate now, before any request is made.
        self._walker(page_size=page_size, max_items=max_items, after=after)
        self._cursor = after

    def _walker(self, **settings: Any) -> _PageWalker[NodeT]:
        return _PageWalker(operation=self._operation, **settings)

    @property
    def cursor(self) -> str | None:
        """Cursor of the last node handed out (or of the last page read with `pages`):
        pass it as ``after=`` to resume from there."""
        return self._cursor

    # ---- display: state only, never a request ---------------------------------------------
    def _describe(self) -> list[tuple[str, Any]]:
        return [
            ("operation", self._operation),
            ("page_size", self._settings["page_size"]),
            ("max_items", self._settings["max_items"]),
            ("after", self._settings["after"]),
            ("cursor", self._cursor),
        ]

    def __repr__(self) -> str:
        described = " ".join(f"{name}={value!r}" for name, value in self._describe())
        return f"<{type(self).__name__} {described}>"

    def _repr_html_(self) -> str:
        from fluent_sdk._display import html_summary

        how = "async for node in …" if isinstance(self, AsyncPaginator) else "for node in …"
        fields = [
            *self._describe(),
            ("fetch with", f"{how} / .pages() / .to_pandas() (not fetched yet by display)"),
        ]
        return html_summary(
            f"{type(self).__name__} over {self._operation or 'a connection'}", fields
        )

    def _capped(self, max_items: int | None) -> dict[str, Any]:
        """The settings for a walk of at most ``max_items`` more nodes."""
        cap = _check_max_items(max_items)
        settings = dict(self._settings)
        if cap is not None:
            current = settings["max_items"]
            settings["max_items"] = cap if current is None else min(current, cap)
        return settings


class Paginator(_PaginatorBase[NodeT]):
    """``for node in paginator`` walks every node; ``paginator.pages()`` yields whole pages."""

    def pages(self) -> Iterator[Page[NodeT]]:
        return self._pages(self._settings)

    def _pages(self, settings: dict[str, Any]) -> Iterator[Page[NodeT]]:
        walker = self._walker(**settings)
        held: list[Page[NodeT]] = []
        while (arguments := walker.next_arguments()) is not None:
            try:
                with release_after_parse(held.clear):
                    connection = self._fetch(**arguments)
            except APIError as error:
                if walker.smaller_after(error):
                    continue
                raise
            held[:] = [walker.accept(connection)]
            del connection
            self._cursor = walker.cursor
            yield held[0]

    def __iter__(self) -> Iterator[NodeT]:
        return self._nodes(self._settings)

    def _nodes(self, settings: dict[str, Any]) -> Iterator[NodeT]:
        pages = self._pages(settings)
        while (page := next(pages, None)) is not None:
            nodes, cursors = page.nodes, page.cursors
            del page
            for node, cursor in zip(nodes, cursors, strict=True):
                if cursor is not None:
                    self._cursor = cursor
                yield node
            del nodes, cursors  # `pages` drops the page itself once the next one is parsed

    def to_records(
        self, max_items: int | None = None, *, explode: str | None = None
    ) -> list[dict[str, Any]]:
        """Walk the nodes (at most ``max_items`` of them; pages are requested no bigger than
        that) into flat rows with dotted column names (``explode=``: see
        `fluent_sdk.to_records`)."""
        from fluent_sdk._tables import node_rows, plain

        return node_rows(map(plain, self._nodes(self._capped(max_items))), explode)

    def to_pandas(
        self, max_items: int | None = None, *, explode: str | None = None
    ) -> pandas.DataFrame:
        """`to_records` as a DataFrame (needs pandas, checked before any request)."""
        from fluent_sdk._display import records_to_pandas, require_pandas

        require_pandas()
        return records_to_pandas(self.to_records(max_items, explode=explode))


class AsyncPaginator(_PaginatorBase[NodeT]):
    """``async for node in paginator`` walks every node; ``paginator.pages()`` yields pages."""

    def __init__(
        self,
        fetch: Callable[..., Awaitable[Any]],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        after: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(
            fetch, page_size=page_size, max_items=max_items, after=after, operation=operation
        )

    def pages(self) -> AsyncGenerator[Page[NodeT], None]:
        return self._pages(self._settings)

    async def _pages(self, settings: dict[str, Any]) -> AsyncGenerator[Page[NodeT], None]:
        walker = self._walker(**settings)
        held: list[Page[NodeT]] = []
        while (arguments := walker.next_arguments()) is not None:
            try:
                with release_after_parse(held.clear):
                    connection = await self._fetch(**arguments)
            except APIError as error:
                if walker.smaller_after(error):
                    continue
                raise
            held[:] = [walker.accept(connection)]
            del connection
            self._cursor = walker.cursor
            yield held[0]

    def __aiter__(self) -> AsyncIterator[NodeT]:
        return self._nodes(self._settings)

    async def _nodes(self, settings: dict[str, Any]) -> AsyncGenerator[NodeT, None]:
        pages = self._pages(settings)
        try:
            while (page := await anext(pages, None)) is not None:
                nodes, cursors = page.nodes, page.cursors
                del page
                for node, cursor in zip(nodes, cursors, strict=True):
                    if cursor is not None:
                        self._cursor = cursor
                    yield node
                del nodes, cursors  # `pages` drops the page itself once the next one is parsed
        finally:
            await pages.aclose()

    async def to_records(
        self, max_items: int | None = None, *, explode: str | None = None
    ) -> list[dict[str, Any]]:
        """``await paginator.to_records()``: see `Paginator.to_records`."""
        from fluent_sdk._tables import node_rows, plain

        nodes = self._nodes(self._capped(max_items))
        try:
            return node_rows([plain(node) async for node in nodes], explode)
        finally:
            await nodes.aclose()

    async def to_pandas(
        self, max_items: int | None = None, *, explode: str | None = None
    ) -> pandas.DataFrame:
        """``await paginator.to_pandas()``: see `Paginator.to_pandas`."""
        from fluent_sdk._display import records_to_pandas, require_pandas

        require_pandas()
        return records_to_pandas(await self.to_records(max_items, explode=explode))
