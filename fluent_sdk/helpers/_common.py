"""Pieces shared by the interface helpers (orders, fulfilments, consignments, payments).

Each helper writes its logic once, as a *plan*: a generator that yields descriptions of the
calls it needs (`Execute` a GraphQL document, call a typed GraphQL `Operation`, `SendEvent`,
`ResolveRetailer`) and receives each answer back (or has the call's error thrown into it). The
sync and async twins only perform those calls (`SyncHelper._run` / `AsyncHelper._run`), so
retry-and-look-up rules such as "never create an order twice" exist in one place::

    def _get_plan(self, ref: str) -> Plan[Order | None]:
        data = yield Execute(ORDER_QUERY, {"ref": ref})
        return Order.from_data(data["order"])

    class Orders(_OrdersBase, SyncHelper):
        def get(self, ref: str) -> Order | None:
            return self._run(self._get_plan(ref))

Input models (`InputModel`) refuse unknown fields and raise the SDK's `ValidationError` with a
path such as ``items[2].quantity``; output models (`OutputModel`) read Fluent's camelCase and
ignore fields they do not know.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from fluent_sdk._validation import StrictModel, validate_input
from fluent_sdk._validation import field_path as _field_path
from fluent_sdk.errors import (
    ConflictError,
    FluentError,
    TransportError,
    ValidationError,
)

if TYPE_CHECKING:
    from fluent_sdk._client import AsyncFluentClient, FluentClient

__all__ = [
    "DEFAULT_CREATE_ATTEMPTS",
    "AsyncHelper",
    "Call",
    "Execute",
    "InputModel",
    "Operation",
    "OutputModel",
    "Pause",
    "Plan",
    "ResolveRetailer",
    "SendEvent",
    "SyncHelper",
    "WithAttributes",
    "attributes_from_data",
    "attributes_input",
    "check_ref",
    "check_retailer",
    "create_once",
    "edge_nodes",
    "field_path",
    "iso_utc",
    "lookup_until_found",
    "parse_input",
]

T = TypeVar("T")
InputT = TypeVar("InputT", bound="InputModel")

#: How many times a create is sent at most when replies are lost (the first try included).
DEFAULT_CREATE_ATTEMPTS = 3


# -- calls a plan can ask for ----------------------------------------------------------------


@dataclass(frozen=True)
class Execute:
    """Run a GraphQL document (validated locally); the answer is the ``data`` dict."""

    document: str
    variables: Mapping[str, Any] = field(default_factory=dict)


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
    """The retailer id: ``explicit`` if given, else the client's (signing in if needed)."""

    explicit: int | str | None = None


@dataclass(frozen=True)
class Pause:
    """Wait ``seconds`` before the next call (``time.sleep`` / ``asyncio.sleep``: never
    blocking an event loop); the answer is None."""

    seconds: float


Call = Execute | Operation | SendEvent | ResolveRetailer | Pause
#: A helper's logic: yields calls, receives their answers, returns the result.
Plan = Generator[Call, Any, T]


def _checked_retailer(value: Any) -> str:
    if value is None:
        raise ValidationError(
            "retailer_id is not known: pass retailer_id=..., configure the client with one, "
            "or sign in as a user whose token carries a retailer",
            field="retailer_id",
        )
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValidationError(
            f"retailer_id must be a positive number, got {value!r}", field="retailer_id"
        )
    if int(value) <= 0:
        raise ValidationError(f"retailer_id must be positive, got {value!r}", field="retailer_id")
    return str(value)


def check_retailer(value: Any) -> str | None:
    """An explicit retailer id checked up front (None stays None: the client's is used)."""
    return None if value is None else _checked_retailer(value)


class SyncHelper:
    """Base of the synchronous helpers: performs the calls a plan yields."""

    def __init__(self, client: FluentClient) -> None:
        self._client = client

    def _perform(self, call: Call) -> Any:
        if isinstance(call, Pause):
            time.sleep(call.seconds)
            return None
        if isinstance(call, Execute):
            return self._client.graphql.execute(call.document, dict(call.variables))
        if isinstance(call, Operation):
            return getattr(self._client.graphql, call.method)(**call.arguments)
        if isinstance(call, SendEvent):
            events = self._client.events
            return (events.send_sync if call.wait else events.send)(dict(call.event))
        if call.explicit is not None:
            return _checked_retailer(call.explicit)
        known = self._client.retailer_id
        if known is None:
            known = self._client.login().retailer_id
        return _checked_retailer(known)

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


class AsyncHelper:
    """Base of the asynchronous helpers: the awaitable twin of `SyncHelper`."""

    def __init__(self, client: AsyncFluentClient) -> None:
        self._client = client

    async def _perform(self, call: Call) -> Any:
        if isinstance(call, Pause):
            import asyncio  # only async users pay for importing asyncio

            await asyncio.sleep(call.seconds)
            return None
        if isinstance(call, Execute):
            return await self._client.graphql.execute(call.document, dict(call.variables))
        if isinstance(call, Operation):
            return await getattr(self._client.graphql, call.method)(**call.arguments)
        if isinstance(call, SendEvent):
            events = self._client.events
            send = events.send_sync if call.wait else events.send
            return await send(dict(call.event))
        if call.explicit is not None:
            return _checked_retailer(call.explicit)
        known = self._client.retailer_id
        if known is None:
            known = (await self._client.login()).retailer_id
        return _checked_retailer(known)

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
    unique).
    """
    if max_attempts < 1:
        raise ValidationError("max_attempts must be at least 1", field="max_attempts")
    if existing_ok:
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


# -- input and output models -----------------------------------------------------------------


def field_path(loc: Sequence[int | str]) -> str:
    """Deprecated: use `fluent_sdk._validation.field_path` (the same function)."""
    return _field_path(loc)


class InputModel(StrictModel):
    """Something the caller gives a helper: unknown fields are refused, and every problem is a
    `ValidationError` naming the field (``items[2].quantity``)."""

    model_config = ConfigDict(str_strip_whitespace=True)


def parse_input(model: type[InputT], value: Any, *, field: str = "") -> InputT:
    """``value`` (a ``model`` or a mapping) as ``model``, or a `ValidationError`."""
    return validate_input(model, value, field=field)


class OutputModel(BaseModel):
    """Something Fluent returned: camelCase names read, unknown fields ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class WithAttributes(OutputModel):
    """An output model with Fluent attributes, read as ``{name: value}``."""

    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> dict[str, Any]:
        return attributes_from_data(value)


def edge_nodes(connection: Any) -> list[Any]:
    """The nodes of a connection in a ``data`` dict (``{"edges": [{"node": …}]}``)."""
    if not isinstance(connection, Mapping):
        return []
    return [
        edge["node"]
        for edge in connection.get("edges") or []
        if isinstance(edge, Mapping) and edge.get("node") is not None
    ]


def attributes_from_data(value: Any) -> dict[str, Any]:
    """Fluent's ``[{name, type, value}]`` as ``{name: value}``."""
    if isinstance(value, Mapping):
        return dict(value)
    result: dict[str, Any] = {}
    for item in value or []:
        if isinstance(item, Mapping) and "name" in item:
            result[str(item["name"])] = item.get("value")
    return result


def _attribute_type(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "FLOAT"
    if isinstance(value, str):
        return "STRING"
    return "JSON"


def attributes_input(attributes: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """``{name: value}`` as Fluent's ``[AttributeInput]``; the type follows the value."""
    if not attributes:
        return None
    result = []
    for name, value in attributes.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(
                f"attribute {name!r} is not a finite number", field=f"attributes.{name}"
            )
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise ValidationError(
                f"attribute {name!r} is not JSON-serialisable", field=f"attributes.{name}"
            ) from None
        result.append({"name": name, "type": _attribute_type(value), "value": value})
    return result


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
