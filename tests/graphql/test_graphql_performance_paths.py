"""The performance paths keep behaviour: the GC pause around parsing, at most two pages alive."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from benchmarks._data import orders_page_bytes
from fluent_sdk import FluentClient
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.graphql._gc_pause import parse_paused, release_after_parse
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


class _PageLog:
    """What a fake fetch saw of the previous page, and when each page was freed."""

    def __init__(self) -> None:
        self.previous: list[weakref.ref[_Connection]] = []
        self.alive_before_parse: list[bool] = []
        self.alive_after_parse: list[bool] = []
        # For each freed page: was the collector paused at that moment?
        self.freed_while_paused: list[bool] = []

    def previous_alive(self) -> bool:
        return bool(self.previous) and self.previous[-1]() is not None


def _fetcher(pages: int, log: _PageLog) -> Any:
    """A fetch that parses its page through `parse_paused`, as the generated methods do."""

    def build(first: int, after: str | None) -> _Connection:
        start = int(after) + 1 if after else 0
        return _Connection(
            [_Edge(str(i), _Node(i)) for i in range(start, start + first)],
            _PageInfo(start + first < pages * first),
        )

    def freed(_: object) -> None:
        log.freed_while_paused.append(not gc.isenabled())

    def fetch(first: int, after: str | None) -> _Connection:
        log.alive_before_parse.append(log.previous_alive())
        connection = parse_paused(lambda _: build(first, after), b"")
        log.alive_after_parse.append(log.previous_alive())
        log.previous.append(weakref.ref(connection, freed))
        return connection

    return fetch


@pytest.mark.usefixtures("gc_enabled")
def test_paginator_drops_the_previous_page_inside_the_parse_pause() -> None:
    log = _PageLog()
    ids = [node.id for node in Paginator(_fetcher(3, log), page_size=2)]
    assert ids == [0, 1, 2, 3, 4, 5]
    # The page being handed out stays until the next one is parsed (two pages at most), and
    # is freed before the collector resumes, so the collector never walks the fresh page.
    assert log.alive_before_parse == [False, True, True]
    assert log.alive_after_parse == [False, False, False]
    assert log.freed_while_paused[:2] == [True, True]
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_enabled")
async def test_async_paginator_drops_the_previous_page_inside_the_parse_pause() -> None:
    log = _PageLog()
    fetch = _fetcher(3, log)

    async def afetch(first: int, after: str | None) -> _Connection:
        connection: _Connection = fetch(first, after)
        return connection

    ids = [node.id async for node in AsyncPaginator(afetch, page_size=2)]
    assert ids == [0, 1, 2, 3, 4, 5]
    assert log.alive_before_parse == [False, True, True]
    assert log.alive_after_parse == [False, False, False]
    assert log.freed_while_paused[:2] == [True, True]


def test_a_fetch_that_does_not_parse_still_gets_the_page_dropped() -> None:
    # A custom fetch without `parse_paused`: the release never runs, and the old page goes
    # when the new one replaces it.
    pages: list[weakref.ref[_Connection]] = []
    alive_after_fetch: list[bool] = []

    def fetch(first: int, after: str | None) -> _Connection:
        start = int(after) + 1 if after else 0
        connection = _Connection(
            [_Edge(str(i), _Node(i)) for i in range(start, start + first)],
            _PageInfo(start + first < 3 * first),
        )
        pages.append(weakref.ref(connection))
        return connection

    paginator: Paginator[_Node] = Paginator(fetch, page_size=2)
    for node in paginator:
        alive_after_fetch.append(sum(ref() is not None for ref in pages) <= 2)
        del node
    assert alive_after_fetch == [True] * 6
    assert [ref() for ref in pages] == [None, None, None]


@pytest.mark.usefixtures("gc_enabled")
def test_release_runs_once_after_a_successful_parse_only() -> None:
    calls: list[bool] = []
    with release_after_parse(lambda: calls.append(gc.isenabled())):
        with pytest.raises(ValueError):
            parse_paused(lambda _: int("x"), b"")
        assert calls == []
        assert parse_paused(lambda content: content.decode(), b"ok") == "ok"
        assert calls == [False]  # ran inside the pause
        parse_paused(lambda content: content, b"again")
        assert calls == [False]
    parse_paused(lambda content: content, b"outside")
    assert calls == [False]
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_enabled")
def test_walking_typed_pages_triggers_no_collection_per_page() -> None:
    # End to end over real generated models: without the release inside the pause, every
    # page (thousands of tracked objects) costs one collection pass over the whole page.
    pages, size = 10, 100
    # Bodies built up front: building them per request would itself trigger collections.
    bodies = {
        start: orders_page_bytes(start, size, has_next=start + size < pages * size)
        for start in range(0, pages * size, size)
    }

    def answer(request: httpx.Request) -> httpx.Response:
        after = json.loads(request.content)["variables"].get("after")  # "cur-<index>"
        return httpx.Response(200, content=bodies[int(after[4:]) + 1 if after else 0])

    client = FluentClient(
        base_url="https://acme.sandbox.api.fluentretail.com",
        token="t",
        transport=httpx.MockTransport(answer),
    )
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    walked = 0
    # The first call imports the operation's module and builds its models: not what is measured.
    for _ in client.graphql.iter_orders(page_size=size, max_items=size):
        pass
    gc.collect()
    gc.callbacks.append(count)
    try:
        for node in client.graphql.iter_orders(page_size=size):
            walked += node.ref is not None
    finally:
        gc.callbacks.remove(count)
        client.close()
    assert walked == pages * size
    # Only the first page, which has no predecessor to cancel its count, may cost a pass.
    assert len(collections) <= 2, collections
