"""The helper driver: the sync and async twins that perform the calls a plan yields.

A helper's logic lives once, as plans (`fluent_sdk.helpers._calls`) in an I/O-free base; its
public class is that base plus `SyncHelper` or `AsyncHelper`, and each public method is one
line, ``return self._run(self._get_plan(ref))`` / ``return await self._run(...)``. A call that
is a plan itself (``Operation(..., complete=True)``: `fluent_sdk.helpers._whole.read_whole`)
is run the same way, its own calls performed here too. A listing is
built once too (`Lists`): ``self._paginate(listing)`` is a `Paginator` in the sync twin and an
`AsyncPaginator` (the same API, ``async for``) in the async one.

Both twins are namespaces (`fluent_sdk.rest._common.SyncNamespace` / `AsyncNamespace`), so a
`ResolveRetailer` goes through the SDK's one retailer-id resolver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fluent_sdk._client import AsyncFluentClient, FluentClient
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.helpers._calls import Call, Listing, Operation, Pause, Plan, Query, ResolveRetailer
from fluent_sdk.helpers._whole import read_whole
from fluent_sdk.rest._common import AsyncNamespace, SyncNamespace, adrive, drive

__all__ = ["AsyncHelper", "Lists", "SyncHelper"]

T = TypeVar("T")
NodeT = TypeVar("NodeT")
PagesT = TypeVar("PagesT")


class Lists(Generic[PagesT]):
    """Mixed into a helper's I/O-free base so that its ``iter`` is written once, as
    ``return self._paginate(listing)``: ``PagesT`` is what the twin's `_paginate` gives, a
    `Paginator` (`SyncHelper`) or an `AsyncPaginator` (`AsyncHelper`)::

        class _LocationsBase(Lists[PagesT]):
            def iter(self, ...) -> PagesT:
                return self._paginate(Listing(Operation("locations", ...), ...))

        class Locations(SyncHelper, _LocationsBase[Paginator[Location]]): ...
        class AsyncLocations(AsyncHelper, _LocationsBase[AsyncPaginator[Location]]): ...

    The twin comes first among the bases, so that its `_paginate` is the one type checkers
    compare this declaration with.
    """

    if TYPE_CHECKING:  # provided by SyncHelper / AsyncHelper

        def _paginate(self, listing: Listing[Any]) -> PagesT: ...


class SyncHelper(SyncNamespace[FluentClient]):
    """Base of the synchronous helpers: performs the calls a plan yields."""

    def _perform(self, call: Call) -> Any:
        if isinstance(call, Pause):
            return self._sleep(call.seconds)
        if isinstance(call, ResolveRetailer):
            return str(self._retailer_id(call.explicit))
        if isinstance(call, Listing):
            return list(self._paginate(call))
        if isinstance(call, Query):
            return call.read(call.send(self._client))
        if isinstance(call, Operation) and call.complete:
            return self._run(read_whole(call))
        return call.bind(self._client)()

    def _paginate(self, listing: Listing[NodeT]) -> Paginator[NodeT]:
        """``for node in ...``: the listing's nodes, read a page at a time."""
        return Paginator(
            lambda first, after: listing.read(self._perform(listing.page(first, after))),
            **listing.paging(),
        )

    def _run(self, plan: Plan[T]) -> T:
        return drive(plan, self._perform)


class AsyncHelper(AsyncNamespace[AsyncFluentClient]):
    """Base of the asynchronous helpers: the awaitable twin of `SyncHelper`."""

    async def _perform(self, call: Call) -> Any:
        if isinstance(call, Pause):
            return await self._sleep(call.seconds)
        if isinstance(call, ResolveRetailer):
            return str(await self._retailer_id(call.explicit))
        if isinstance(call, Listing):
            return [node async for node in self._paginate(call)]
        if isinstance(call, Query):
            return call.read(await call.send(self._client))
        if isinstance(call, Operation) and call.complete:
            return await self._run(read_whole(call))
        return await call.bind(self._client)()

    def _paginate(self, listing: Listing[NodeT]) -> AsyncPaginator[NodeT]:
        """``async for node in ...``: the listing's nodes, read a page at a time."""

        async def fetch(first: int, after: str | None) -> Any:
            return listing.read(await self._perform(listing.page(first, after)))

        return AsyncPaginator(fetch, **listing.paging())

    async def _run(self, plan: Plan[T]) -> T:
        return await adrive(plan, self._perform)
