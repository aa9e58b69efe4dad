"""``client.wait_for``: poll an entity's status until it reaches the one awaited.

Usage::

    order = client.wait_for("ORDER", ref="WEB-1001", status="BOOKED", timeout=60)
    order = await client.wait_for("ORDER", ref="WEB-1001", status=["BOOKED", "COMPLETE"])

The entity is read through its GraphQL look-up (``client.graphql.order_by_id(id=...)`` or
``client.graphql.order(ref=...)``, `LOOKUPS`), every ``poll`` seconds at first, then less
often (doubling, up to `MAX_POLL_INTERVAL`), never past the deadline. An entity not found yet
is waited for too (it may be created by an event still queued). Reads that fail for a
passing reason (a timeout, a 5xx the transport's own retries did not get past) are tried
again at the next poll; other errors are raised.

At the deadline `StatusTimeoutError` (a `fluent_sdk.errors.TimeoutError`) is raised: its text
says the last status seen and what the orchestration audit recorded as failed since the wait
began (read with ``client.events.audit``), usually why the entity is stuck.

The logic is one plan (`_WaitBase._wait_plan`, no I/O); `Waiter` / `AsyncWaiter` perform it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from fluent_sdk._validation import closest_name
from fluent_sdk.errors import FluentError, NotFoundError, StatusTimeoutError, ValidationError
from fluent_sdk.helpers._common import AsyncHelper, Operation, Pause, Plan, SyncHelper
from fluent_sdk.helpers._inventory_run import worth_retrying
from fluent_sdk.rest._common import check_entity_key
from fluent_sdk.rest._event_batch import entity_label

if TYPE_CHECKING:
    from fluent_sdk._client import AsyncFluentClient, FluentClient

__all__ = [
    "AUDIT_LOOKBACK",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_TIMEOUT",
    "LOOKUPS",
    "MAX_POLL_INTERVAL",
    "AsyncWaiter",
    "Lookup",
    "Waiter",
]

DEFAULT_TIMEOUT = 60.0
#: Seconds before the second read; each wait after it doubles, up to `MAX_POLL_INTERVAL`.
DEFAULT_POLL_INTERVAL = 1.0
MAX_POLL_INTERVAL = 10.0
#: How far before the wait began the audit is read on a timeout: the event that should have
#: moved the entity was usually sent just before, and Fluent's clock is not this machine's.
AUDIT_LOOKBACK = timedelta(seconds=10)


@dataclass(frozen=True)
class Lookup:
    """How ``client.graphql`` reads one entity type: by id, by ref (with the ``scope`` keys
    that ref lookup also needs, such as the ``catalogue``)."""

    by_id: str | None
    by_ref: str | None
    scope: tuple[str, ...] = ()


#: The GraphQL look-up of each entity type events can target (generated method names).
LOOKUPS: Mapping[str, Lookup] = {
    "ORDER": Lookup("order_by_id", "order"),
    "FULFILMENT": Lookup("fulfilment_by_id", None),
    "ARTICLE": Lookup("article_by_id", None),
    "CONSIGNMENT": Lookup("consignment_by_id", None),
    "LOCATION": Lookup("location_by_id", "location"),
    "WAVE": Lookup("wave_by_id", None),
    "FULFILMENT_OPTIONS": Lookup("fulfilment_option_by_id", None),
    "FULFILMENT_PLAN": Lookup("fulfilment_plan_by_id", None),
    "PRODUCT_CATALOGUE": Lookup(None, "product_catalogue"),
    "CATEGORY": Lookup(None, "category", ("catalogue",)),
    "PRODUCT": Lookup(None, "product", ("catalogue",)),
    "INVENTORY_CATALOGUE": Lookup(None, "inventory_catalogue"),
    "INVENTORY_POSITION": Lookup(None, "inventory_position", ("catalogue",)),
    "INVENTORY_QUANTITY": Lookup(None, "inventory_quantity", ("catalogue",)),
    "VIRTUAL_CATALOGUE": Lookup(None, "virtual_catalogue"),
    "VIRTUAL_POSITION": Lookup(None, "virtual_position", ("catalogue",)),
    "CONTROL_GROUP": Lookup(None, "control_group"),
    "CONTROL": Lookup(None, "control", ("control_group",)),
    "RETURN_ORDER": Lookup(None, "return_order", ("retailer",)),
    "RETURN_FULFILMENT": Lookup(None, "return_fulfilment", ("return_order",)),
    "BILLING_ACCOUNT": Lookup(None, "billing_account"),
    "CREDIT_MEMO": Lookup(None, "credit_memo"),
    "INVOICE": Lookup(None, "invoice"),
    "PAYMENT": Lookup(None, "payment"),
    "PAYMENT_TRANSACTION": Lookup(None, "payment_transaction"),
}


@dataclass
class _Wait:
    """One wait, checked: what to read, what to wait for, and what was seen."""

    entity_type: str
    entity_id: str | None
    entity_ref: str | None
    statuses: tuple[str, ...]
    read: Operation
    timeout: float
    poll: float
    began: datetime
    last_status: str | None = None
    found: bool = False
    entity: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def entity_name(self) -> str:
        return entity_label(self.entity_type, self.entity_id, self.entity_ref)

    def timed_out(self, waited: float, failures: Iterable[str]) -> StatusTimeoutError:
        found = list(failures)
        if self.errors:
            found.append(f"the last read failed: {self.errors[-1]}")
        return StatusTimeoutError(
            entity=self.entity_name,
            statuses=self.statuses,
            last_status=self.last_status,
            found=self.found,
            waited=waited,
            failures=found,
        )


def _statuses(status: Any) -> tuple[str, ...]:
    values = [status] if isinstance(status, str) else status
    if isinstance(values, Iterable) and not isinstance(values, (bytes, Mapping)):
        checked = tuple(values)
        if checked and all(isinstance(value, str) and value.strip() for value in checked):
            return checked
    raise ValidationError(
        f"status must be a status name or a list of them, got {status!r}", field="status"
    )


def _status_text(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))  # an enum member reads as its value


class _WaitBase:
    """The wait as a plan (no I/O): argument checks, polling with backoff, the deadline."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock

    def _prepare(
        self,
        entity_type: Any,
        id: Any,
        ref: Any,
        *,
        status: Any,
        timeout: Any,
        poll: Any,
        lookup: Mapping[str, Any] | None,
    ) -> _Wait:
        kind = str(entity_type) if isinstance(entity_type, str) else entity_type
        if kind not in LOOKUPS:
            suggestion = closest_name(kind, LOOKUPS) if isinstance(kind, str) else None
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            raise ValidationError(
                f"entity_type: cannot wait for {entity_type!r}{hint}; one of {', '.join(LOOKUPS)}",
                field="entity_type",
            )
        entity_id = check_entity_key(id, field="id")
        entity_ref = check_entity_key(ref, field="ref")
        statuses = _statuses(status)
        for name, value in (("timeout", timeout), ("poll", poll)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValidationError(f"{name} must be a positive number of seconds", field=name)
        return _Wait(
            kind,
            entity_id,
            entity_ref,
            statuses,
            self._read(LOOKUPS[kind], kind, entity_id, entity_ref, dict(lookup or {})),
            float(timeout),
            float(poll),
            datetime.now(timezone.utc),
        )

    @staticmethod
    def _read(
        how: Lookup, kind: str, entity_id: str | None, entity_ref: str | None, scope: dict[str, Any]
    ) -> Operation:
        if entity_id is None and entity_ref is None:
            raise ValidationError(f"wait_for needs the {kind}'s id or ref", field="id")
        if entity_id is not None and how.by_id is not None:
            return Operation(how.by_id, {"id": entity_id})
        if entity_ref is None or how.by_ref is None:
            by = "id" if how.by_id is not None else "ref"
            raise ValidationError(f"a {kind} is looked up by {by}: pass {by}=...", field=by)
        missing = [key for key in how.scope if key not in scope]
        unknown = [key for key in scope if key not in how.scope]
        if missing or unknown:
            needed = ", ".join(f"{key!r}" for key in how.scope) or "nothing"
            raise ValidationError(
                f"lookup: a {kind} looked up by ref needs {needed} in lookup= "
                f"(e.g. lookup={{'catalogue': {{'ref': 'DEFAULT:1'}}}})",
                field="lookup",
            )
        return Operation(how.by_ref, {"ref": entity_ref, **scope})

    def _wait_plan(self, wait: _Wait) -> Plan[bool]:
        """Read until a wanted status (True) or the deadline (False)."""
        deadline = self._clock() + wait.timeout
        delay = wait.poll
        ceiling = max(wait.poll, MAX_POLL_INTERVAL)
        while True:
            try:
                entity = yield wait.read
            except NotFoundError:
                entity = None
            except FluentError as error:
                if not worth_retrying(error):
                    raise
                wait.errors.append(f"{type(error).__name__}: {error}")
            else:
                wait.errors.clear()
                wait.entity = entity
                wait.found = entity is not None
                if entity is not None:
                    if not hasattr(entity, "status"):
                        raise ValidationError(
                            f"a {wait.entity_type} has no status to wait for", field="status"
                        )
                    wait.last_status = _status_text(entity.status)
                    if wait.last_status in wait.statuses:
                        return True
            remaining = deadline - self._clock()
            if remaining <= 0:
                return False
            yield Pause(min(delay, remaining))
            delay = min(delay * 2, ceiling)

    @staticmethod
    def _audit_since(wait: _Wait) -> datetime:
        return wait.began - AUDIT_LOOKBACK


class Waiter(_WaitBase, SyncHelper):
    """``client.wait_for(entity_type, id=None, ref=None, *, status, timeout=60, poll=1)``."""

    def __init__(self, client: FluentClient, *, clock: Callable[[], float] = time.monotonic):
        SyncHelper.__init__(self, client)
        _WaitBase.__init__(self, clock=clock)

    def __call__(
        self,
        entity_type: str,
        id: str | int | None = None,
        ref: str | None = None,
        *,
        status: str | Iterable[str],
        timeout: float = DEFAULT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
        lookup: Mapping[str, Any] | None = None,
    ) -> Any:
        """Wait until the entity's status is ``status`` (or one of several) and return the
        entity as its GraphQL look-up reads it.

        ``entity_type`` is an event entity type (``ORDER``, ``FULFILMENT``, ``LOCATION``...);
        give the entity's ``id`` or ``ref`` (`LOOKUPS` says which each type is read by; a
        look-up by ref that needs more, such as an inventory position's ``catalogue``, takes
        it in ``lookup``). Raises `StatusTimeoutError` after ``timeout`` seconds, naming the
        last status seen and the orchestration audit's failures since the wait began.
        """
        wait = self._prepare(
            entity_type, id, ref, status=status, timeout=timeout, poll=poll, lookup=lookup
        )
        started = self._clock()
        if self._run(self._wait_plan(wait)):
            return wait.entity
        waited = self._clock() - started
        raise wait.timed_out(waited, self._audit_failures(wait)) from None

    def _audit_failures(self, wait: _Wait) -> list[str]:
        try:
            timeline = self._client.events.audit(
                wait.entity_type, wait.entity_id, wait.entity_ref, since=self._audit_since(wait)
            )
        except FluentError as error:  # the timeout is the news; the audit only explains it
            return [f"(the orchestration audit could not be read: {type(error).__name__})"]
        return [entry.describe() for entry in timeline.failures()]


class AsyncWaiter(_WaitBase, AsyncHelper):
    """``await client.wait_for(...)`` on `AsyncFluentClient`; see `Waiter`."""

    def __init__(
        self, client: AsyncFluentClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        AsyncHelper.__init__(self, client)
        _WaitBase.__init__(self, clock=clock)

    async def __call__(
        self,
        entity_type: str,
        id: str | int | None = None,
        ref: str | None = None,
        *,
        status: str | Iterable[str],
        timeout: float = DEFAULT_TIMEOUT,
        poll: float = DEFAULT_POLL_INTERVAL,
        lookup: Mapping[str, Any] | None = None,
    ) -> Any:
        """See `Waiter.__call__`."""
        wait = self._prepare(
            entity_type, id, ref, status=status, timeout=timeout, poll=poll, lookup=lookup
        )
        started = self._clock()
        if await self._run(self._wait_plan(wait)):
            return wait.entity
        waited = self._clock() - started
        raise wait.timed_out(waited, await self._audit_failures(wait)) from None

    async def _audit_failures(self, wait: _Wait) -> list[str]:
        try:
            timeline = await self._client.events.audit(
                wait.entity_type, wait.entity_id, wait.entity_ref, since=self._audit_since(wait)
            )
        except FluentError as error:
            return [f"(the orchestration audit could not be read: {type(error).__name__})"]
        return [entry.describe() for entry in timeline.failures()]
