"""Parsing a large result with CPython's cyclic garbage collector paused.

A 1000-node page is tens of thousands of GC-tracked objects (each model instance, its
``__dict__`` and its fields-set). Left alone, the collector runs several passes in the middle
of validation, and one more right after it over the whole fresh page: all pure waste, since
none of these objects can form a cycle (each is reachable only from the result, and is freed
by reference counting when the result is dropped).

`parse_paused` pauses the collector for the parse. CPython counts allocations made while it
is paused and frees made since, and collects on the next allocation once that count passes
its threshold; so dropping a finished result *inside* the pause (see `release_after_parse`)
cancels the new page's count against the old one's, and the pass over the fresh page never
happens. Outside the pause the count cannot go below zero, so the same drop done before the
request or after the parse would not cancel anything.

Only a collector that is enabled is paused (and re-enabled): an application that turned it
off keeps it off.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

__all__ = ["parse_paused", "release_after_parse"]

ResultT = TypeVar("ResultT")

# Set by a paginator around the fetch of its next page; task-local, so concurrent paginators
# (threads or asyncio tasks) never drop each other's pages.
_release: ContextVar[Callable[[], None] | None] = ContextVar(
    "fluent_sdk_release_after_parse", default=None
)


@contextmanager
def release_after_parse(release: Callable[[], None]) -> Iterator[None]:
    """Within this block, the next successful `parse_paused` calls ``release`` (once) after
    parsing and before the collector resumes: use it to drop the previous page."""
    token = _release.set(release)
    try:
        yield
    finally:
        _release.reset(token)


def parse_paused(parse: Callable[[bytes], ResultT], content: bytes) -> ResultT:
    """``parse(content)`` with the collector paused; then the pending release, if any."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        result = parse(content)
        release = _release.get()
        if release is not None:
            _release.set(None)
            release()
        return result
    finally:
        if enabled:
            gc.enable()
