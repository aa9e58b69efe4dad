"""Cursor pagination over Relay connections, one page in memory at a time.

Fluent connections have no ``endCursor``: the next page starts ``after`` the last edge's
``cursor`` while ``pageInfo.hasNextPage`` is true. `_PageWalker` holds that logic with no I/O;
`Paginator` (``for``) and `AsyncPaginator` (``async for``) only fetch.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fluent_sdk.errors import FluentError, ValidationError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "AsyncPaginator",
    "Page",
    "PaginationError",
    "Paginator",
]

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 5000

NodeT = TypeVar("NodeT")


class PaginationError(FluentError):
    """The server said there are more pages but the cursor did not move forward."""

    def __init__(self, message: str, *, operation: str | None, cursor: str | None) -> None:
        self.operation = operation
        self.cursor = cursor
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Page(Generic[NodeT]):
    """One fetched page: its nodes with their cursors, and the typed connection it came from."""

    nodes: list[NodeT]
    cursors: list[str | None]
    has_next_page: bool
    connection: Any

    @property
    def end_cursor(self) -> str | None:
        """Cursor of the last edge: pass it as ``after`` to resume after this page."""
        return self.cursors[-1] if self.cursors else None


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

    def next_arguments(self) -> dict[str, Any] | None:
        if self.done:
            return None
        first = self.page_size
        if self.remaining is not None:
            first = min(first, self.remaining)
        return {"first": first, "after": self.cursor}

    def accept(self, connection: Any) -> Page[NodeT]:
        edges: Sequence[Any] = (getattr(connection, "edges", None) or []) if connection else []
        page_info = getattr(connection, "page_info", None) if connection else None
        has_next = bool(getattr(page_info, "has_next_page", False))
        nodes: list[NodeT] = []
        cursors: list[str | None] = []
        for edge in edges:
            if edge is None:
                continue
            node = getattr(edge, "node", None)
            if node is None:
                continue
            nodes.append(node)
            cursors.append(getattr(edge, "cursor", None))
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
        return Page(nodes=nodes, cursors=cursors, has_next_page=has_next, connection=connection)


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


class Paginator(_PaginatorBase[NodeT]):
    """``for node in paginator`` walks every node; ``paginator.pages()`` yields whole pages."""

    def pages(self) -> Iterator[Page[NodeT]]:
        walker = self._walker(**self._settings)
        while (arguments := walker.next_arguments()) is not None:
            page = walker.accept(self._fetch(**arguments))
            self._cursor = walker.cursor
            yield page
            del page  # not held while the next page is fetched: one page in memory, not two

    def __iter__(self) -> Iterator[NodeT]:
        pages = self.pages()
        while (page := next(pages, None)) is not None:
            nodes, cursors = page.nodes, page.cursors
            del page
            for node, cursor in zip(nodes, cursors, strict=True):
                if cursor is not None:
                    self._cursor = cursor
                yield node
            # Drop this page before the next one is fetched (see `pages`).
            del nodes, cursors


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

    async def pages(self) -> AsyncGenerator[Page[NodeT], None]:
        walker = self._walker(**self._settings)
        while (arguments := walker.next_arguments()) is not None:
            page = walker.accept(await self._fetch(**arguments))
            self._cursor = walker.cursor
            yield page
            del page  # not held while the next page is fetched: one page in memory, not two

    async def __aiter__(self) -> AsyncIterator[NodeT]:
        pages = self.pages()
        try:
            while (page := await anext(pages, None)) is not None:
                nodes, cursors = page.nodes, page.cursors
                del page
                for node, cursor in zip(nodes, cursors, strict=True):
                    if cursor is not None:
                        self._cursor = cursor
                    yield node
                # Drop this page before the next one is fetched (see `pages`).
                del nodes, cursors
        finally:
            await pages.aclose()
