"""In-memory state of the sandbox: entity tables, indexes, events, jobs, workflows, plugins, tokens.

Everything the in-process transports and the loopback server see lives in one :class:`Store`,
guarded by one re-entrant lock, so tests can hit the sandbox from many threads at once.
Ids are deterministic (a counter per entity type) so seeded data always has the same ids.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "AccessToken",
    "Link",
    "Record",
    "RefreshToken",
    "Store",
    "Transition",
    "iso_now",
]

Record = dict[str, Any]

# Fixed namespace so event ids are UUID-shaped yet reproducible run to run.
_EVENT_NAMESPACE = uuid.UUID("6f1c2b4e-9a57-4c1e-8d0b-5a1f0e6c7d21")
_EVENT_NAMESPACE_SHA1 = hashlib.sha1(_EVENT_NAMESPACE.bytes, usedforsecurity=False)


def uuid5_text(name: str) -> str:
    """``str(uuid.uuid5(_EVENT_NAMESPACE, name))`` without building ``UUID`` objects."""
    digest = _EVENT_NAMESPACE_SHA1.copy()
    digest.update(name.encode())
    h = digest.hexdigest()
    # Version 5 in the 13th hex digit; the variant bits 10xx in the 17th.
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


@dataclass(frozen=True, slots=True)
class Link:
    """A stored reference from one entity to another (type name + id)."""

    type: str
    id: str


@dataclass(slots=True)
class AccessToken:
    username: str
    client_id: str
    expires_at: float


@dataclass(slots=True)
class RefreshToken:
    username: str
    client_id: str
    expires_at: float


@dataclass(slots=True)
class Transition:
    """A status transition of the tiny event engine (one ruleset of a pretend workflow).

    ``fail_message``: the ruleset's rule fails with this message (the event ``FAILED``).
    ``rule``: the rule's name in the orchestration audit (a ``SANDBOX.base`` one by default).
    """

    to_status: str | None
    from_statuses: frozenset[str] | None = None
    fail_message: str | None = None
    rule: str | None = None


def iso_now(clock: Callable[[], float]) -> str:
    moment = datetime.fromtimestamp(clock(), tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _IsoClock:
    """``iso_now`` for many calls: the date/time part is formatted once per second.

    Splits the timestamp exactly as ``datetime.fromtimestamp`` does (round half even to the
    microsecond), so the text is identical; the last text is reused while the clock stands still.
    """

    __slots__ = ("_last_text", "_last_value", "_prefix", "_second")

    def __init__(self) -> None:
        self._last_value = math.nan
        self._last_text = ""
        self._second: int | None = None
        self._prefix = ""

    def text(self, value: float) -> str:
        if value == self._last_value:
            return self._last_text
        if not (0 <= value < 1e11):
            text = iso_now(lambda: value)
        else:
            fraction, whole = math.modf(value)
            micros = round(fraction * 1e6)
            second = int(whole)
            if micros >= 1_000_000:
                second += 1
                micros -= 1_000_000
            if second != self._second:
                moment = datetime.fromtimestamp(second, tz=timezone.utc)
                self._prefix = moment.isoformat(timespec="seconds").replace("+00:00", "")
                self._second = second
            text = f"{self._prefix}.{micros // 1000:03d}Z"
        self._last_value, self._last_text = value, text
        return text


def _links_in(record: Record) -> Iterator[tuple[str, Link]]:
    for key, value in record.items():
        if isinstance(value, Link):
            yield key, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Link):
                    yield key, item


@dataclass
class _Journal:
    inserted: list[tuple[str, str]] = field(default_factory=list)
    replaced: list[tuple[str, str, Record]] = field(default_factory=list)
    events: list[Record] = field(default_factory=list)


class Store:
    """All sandbox state. Mutate entity tables only through :meth:`put` so indexes stay right."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.lock = threading.RLock()
        self._base_clock = clock or time.time
        self.clock_offset = 0.0
        self._iso = _IsoClock()
        self._reset_state()

    def _reset_state(self) -> None:
        self.account_id = "SANDBOX"
        self.tables: dict[str, dict[str, Record]] = {}
        self._counters: dict[str, int] = {}
        self._ref_index: dict[str, dict[str, list[str]]] = {}
        self._backrefs: dict[Link, set[tuple[str, str, str]]] = {}
        self._journal: _Journal | None = None
        # REST-side state.
        self.events: list[Record] = []
        self.events_by_id: dict[str, Record] = {}
        self.jobs: dict[str, Record] = {}
        self.batches: dict[str, Record] = {}
        self.workflows: dict[tuple[str, str], list[Record]] = {}
        self.transitions: dict[tuple[str, str], Transition] = {}
        self.plugin_rules: dict[str, Record] = {}
        self.plugin_bundles: dict[str, Record] = {}
        # OAuth state.
        self.clients: dict[str, str] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}

    # ---- time ---------------------------------------------------------------------------
    def now(self) -> float:
        return self._base_clock() + self.clock_offset

    def now_iso(self) -> str:
        return self._iso.text(self._base_clock() + self.clock_offset)

    # ---- ids ----------------------------------------------------------------------------
    def next_id(self, sequence: str) -> str:
        value = self._counters.get(sequence, 0) + 1
        self._counters[sequence] = value
        return str(value)

    def next_event_id(self) -> str:
        return uuid5_text(self.next_id("__event__"))

    # ---- entity tables ------------------------------------------------------------------
    def get(self, type_name: str, entity_id: str) -> Record | None:
        return self.tables.get(type_name, {}).get(str(entity_id))

    def deref(self, link: Link) -> Record | None:
        return self.get(link.type, link.id)

    def all(self, type_name: str) -> Iterable[Record]:
        return self.tables.get(type_name, {}).values()

    def by_ref(self, type_name: str, ref: str) -> list[Record]:
        refs = self._ref_index.get(type_name)
        ids = refs.get(ref) if refs is not None else None
        if not ids:
            return []
        table = self.tables.get(type_name, {})
        return [table[i] for i in ids if i in table]

    def first_by_ref(
        self, type_name: str, ref: str, field: str, value: Any
    ) -> tuple[Record | None, bool]:
        """The first entity of ``ref`` whose ``field`` equals ``value`` (``by_ref`` order), and
        whether another such entity exists (a uniqueness conflict)."""
        refs = self._ref_index.get(type_name)
        ids = refs.get(ref) if refs is not None else None
        if not ids:
            return None, False
        table = self.tables[type_name]
        found = None
        for entity_id in ids:
            candidate = table.get(entity_id)
            if candidate is not None and candidate.get(field) == value:
                if found is not None:
                    return found, True
                found = candidate
        return found, False

    def put(self, record: Record) -> Record:
        """Insert or replace ``record`` (needs ``__typename`` and ``id``), keeping indexes."""
        type_name = record["__typename"]
        entity_id = str(record["id"])
        table = self.tables.setdefault(type_name, {})
        old = table.get(entity_id)
        if old is not None:
            self._unindex(old)
        if self._journal is not None:
            if old is None:
                self._journal.inserted.append((type_name, entity_id))
            else:
                self._journal.replaced.append((type_name, entity_id, old))
        table[entity_id] = record
        self._index(record)
        return record

    def replace(self, old: Record, record: Record) -> Record:
        """Store ``record`` in place of the stored ``old`` when only plain fields changed.

        The fast path of :meth:`put` for updates: the caller guarantees ``record`` has the
        same type, id and ``ref`` and the same links as ``old``, so no index needs touching.
        """
        type_name = record["__typename"]
        entity_id = str(record["id"])
        if self._journal is not None:
            self._journal.replaced.append((type_name, entity_id, old))
        self.tables[type_name][entity_id] = record
        return record

    def backrefs(self, target: Link) -> set[tuple[str, str, str]]:
        """(type, id, field) of every entity whose ``field`` links to ``target``."""
        return self._backrefs.get(target, set())

    def _index(self, record: Record) -> None:
        type_name, entity_id = record["__typename"], str(record["id"])
        ref = record.get("ref")
        if isinstance(ref, str):
            self._ref_index.setdefault(type_name, {}).setdefault(ref, []).append(entity_id)
        for key, link in _links_in(record):
            self._backrefs.setdefault(link, set()).add((type_name, entity_id, key))

    def _unindex(self, record: Record) -> None:
        type_name, entity_id = record["__typename"], str(record["id"])
        ref = record.get("ref")
        if isinstance(ref, str):
            ids = self._ref_index.get(type_name, {}).get(ref)
            if ids and entity_id in ids:
                ids.remove(entity_id)
        for key, link in _links_in(record):
            self._backrefs.get(link, set()).discard((type_name, entity_id, key))

    # ---- events -------------------------------------------------------------------------
    def add_event(self, event: Record) -> Record:
        if self._journal is not None:
            # Events of a mutation that fails must not appear, so hold them until commit.
            self._journal.events.append(event)
        else:
            self.events.append(event)
            self.events_by_id[event["id"]] = event
        return event

    # ---- all-or-nothing mutations -------------------------------------------------------
    def begin(self) -> None:
        self._journal = _Journal()

    def commit(self) -> None:
        journal, self._journal = self._journal, None
        if journal is not None:
            for event in journal.events:
                self.add_event(event)

    def rollback(self) -> None:
        journal, self._journal = self._journal, None
        if journal is None:
            return
        for type_name, entity_id, old in reversed(journal.replaced):
            current = self.tables[type_name][entity_id]
            self._unindex(current)
            self.tables[type_name][entity_id] = old
            self._index(old)
        for type_name, entity_id in reversed(journal.inserted):
            removed = self.tables[type_name].pop(entity_id, None)
            if removed is not None:
                self._unindex(removed)

    def clear(self) -> None:
        """Forget everything except the clock offset."""
        with self.lock:
            self._reset_state()
