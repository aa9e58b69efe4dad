"""The performance paths keep behaviour: the GC pause around parsing, one page in memory."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.graphql._runtime import GeneratedModel, UnexpectedResponseError, decode_result


class _Result(GeneratedModel):
    value: int


@pytest.fixture
def gc_enabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("gc_enabled")
def test_decode_result_leaves_the_collector_enabled() -> None:
    result = decode_result(httpx.Response(200, content=b'{"data":{"value":1}}'), _Result, "Op")
    assert result.value == 1
    assert gc.isenabled()
    with pytest.raises(UnexpectedResponseError):
        decode_result(httpx.Response(200, content=b'{"data":{"value":"x"}}'), _Result, "Op")
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_enabled")
def test_decode_result_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    decode_result(httpx.Response(200, content=b'{"data":{"value":1}}'), _Result, "Op")
    assert not gc.isenabled()


@dataclass
class _Node:
    id: int


@dataclass
class _Edge:
    cursor: str
    node: _Node


@dataclass
class _PageInfo:
    has_next_page: bool


@dataclass
class _Connection:
    edges: list[_Edge]
    page_info: _PageInfo
    extra: list[Any] = field(default_factory=list)


def _fetcher(pages: int, alive: list[bool]) -> Any:
    previous: list[weakref.ref[_Connection]] = []

    def fetch(first: int, after: str | None) -> _Connection:
        # While the next page is fetched, the previous one must already be gone.
        alive.append(bool(previous) and previous[-1]() is not None)
        start = int(after) + 1 if after else 0
        connection = _Connection(
            [_Edge(str(i), _Node(i)) for i in range(start, start + first)],
            _PageInfo(start + first < pages * first),
        )
        previous.append(weakref.ref(connection))
        return connection

    return fetch


def test_paginator_holds_one_page_while_fetching_the_next() -> None:
    alive: list[bool] = []
    ids = [node.id for node in Paginator(_fetcher(3, alive), page_size=2)]
    assert ids == [0, 1, 2, 3, 4, 5]
    assert alive == [False, False, False]


async def test_async_paginator_holds_one_page_while_fetching_the_next() -> None:
    alive: list[bool] = []
    fetch = _fetcher(3, alive)

    async def afetch(first: int, after: str | None) -> _Connection:
        connection: _Connection = fetch(first, after)
        return connection

    ids = [node.id async for node in AsyncPaginator(afetch, page_size=2)]
    assert ids == [0, 1, 2, 3, 4, 5]
    assert alive == [False, False, False]
