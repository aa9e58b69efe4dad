"""The pieces every interface helper shares, one home each; a behaviour fix lands once.

Each helper writes its logic once, as a *plan*: a generator that yields descriptions of the
calls it needs (`fluent_sdk.helpers._calls`: `Execute`, `Operation`, `Query`, `Listing`,
`SendEvent`, `ResolveRetailer`, `Pause`) and receives each answer back (or has the call's error
thrown into it). The sync and async twins only perform those calls
(`fluent_sdk.helpers._driver`: `SyncHelper._run` / `AsyncHelper._run`)::

    def _get_plan(self, ref: str) -> Plan[Order | None]:
        order = yield Operation("_sdk_order_get", {"ref": ref, "items_first": 200}, complete=True)
        return order

    class Orders(_OrdersBase, SyncHelper):
        def get(self, ref: str) -> Order | None:
            return self._run(self._get_plan(ref))

Here: the rules for creating an entity with a natural key exactly once (`create_once`,
`lookup_until_found`, `create_and_read`), the retailer-id check for helpers (`check_retailer`,
built on `fluent_sdk.rest._common.check_retailer_id`), `default_catalogue_ref`, and small
checks and readers. Every name of `_calls`, `_driver`, the model bases
(`fluent_sdk.helpers._models`) and the attributes toolkit (`fluent_sdk.helpers._attributes`)
is importable from here too, and `edge_nodes` (`fluent_sdk.graphql.entities`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from fluent_sdk.errors import (
    ConflictError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from fluent_sdk.graphql.entities import edge_nodes
from fluent_sdk.helpers._attributes import (
    AttributeSpec,
    WithAttributes,
    attribute_type_for,
    attributes_from_data,
    attributes_input,
    normalize_attributes,
)
from fluent_sdk.helpers._calls import (
    Call,
    Execute,
    Listing,
    Operation,
    Pause,
    Plan,
    Query,
    ResolveRetailer,
    SendEvent,
)
from fluent_sdk.helpers._driver import AsyncHelper, Lists, SyncHelper
from fluent_sdk.helpers._models import (
    Address,
    FoundExisting,
    InputModel,
    OutputModel,
    SpecModel,
    parse_input,
)
from fluent_sdk.rest._common import check_retailer_id

__all__ = [
    "DEFAULT_CREATE_ATTEMPTS",
    "Address",
    "AsyncHelper",
    "AttributeSpec",
    "Call",
    "Execute",
    "FoundExisting",
    "InputModel",
    "Listing",
    "Lists",
    "Operation",
    "OutputModel",
    "Pause",
    "Plan",
    "Query",
    "ResolveRetailer",
    "SendEvent",
    "SpecModel",
    "SyncHelper",
    "WithAttributes",
    "attribute_type_for",
    "attributes_from_data",
    "attributes_input",
    "check_attempts",
    "check_ref",
    "check_retailer",
    "create_and_read",
    "create_once",
    "create_or_find",
    "default_catalogue_ref",
    "edge_nodes",
    "iso_utc",
    "lookup_until_found",
    "missing_result",
    "normalize_attributes",
    "parse_input",
    "required",
]

T = TypeVar("T")


#: A result a create may have found instead of made.
FoundT = TypeVar("FoundT", bound=FoundExisting)

#: How many times a create is sent at most when replies are lost (the first try included).
DEFAULT_CREATE_ATTEMPTS = 3


def check_retailer(value: Any) -> str | None:
    """An explicit retailer id checked up front, as text (None stays None: the client's is
    used). The check is `fluent_sdk.rest._common.check_retailer_id`."""
    return None if value is None else str(check_retailer_id(value))


def default_catalogue_ref(retailer_id: int | str) -> str:
    """The product catalogue most integrations use: ``PC:MASTER:<retailerId>``."""
    return f"PC:MASTER:{retailer_id}"


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
    lookup_first: bool | None = None,
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
    unique; ``lookup_first=False`` skips that when the caller has just looked).

    Every helper's create of an entity with a natural key goes through here: orders, customers,
    consignments, payments, locations, users, networks, settings, catalogue items.
    """
    check_attempts(max_attempts)
    if existing_ok if lookup_first is None else lookup_first:
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


def missing_result(operation: str) -> UnexpectedResponseError:
    """The error for a create that answered, but whose entity cannot be read back."""
    return UnexpectedResponseError(
        f"{operation} returned no data: what it created cannot be read back", operation=operation
    )


def check_attempts(max_attempts: Any) -> int:
    """A create's ``max_attempts``, checked before anything is sent: a positive integer."""
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValidationError("max_attempts must be a positive integer", field="max_attempts")
    return max_attempts


def _returned_nothing(operation: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(f"{operation} returned nothing", operation=operation)


def required(call: Call, *, operation: str) -> Plan[Any]:
    """``call``'s answer (an update's, typically); `UnexpectedResponseError` when Fluent
    answered ``operation`` with nothing."""
    answer = yield call
    if answer is None:
        raise _returned_nothing(operation)
    return answer


def create_or_find(
    create: Call,
    lookup: Callable[[], Plan[T | None]],
    *,
    operation: str,
    max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
    existing_ok: bool = False,
    lookup_first: bool | None = None,
) -> Plan[Any]:
    """`create_once`, answering what the create returned or, when an earlier try (or someone
    else) made it, what ``lookup`` found (as found: a model without ``found_existing`` is not
    flagged); `UnexpectedResponseError` when ``operation`` returned nothing."""
    created, existing = yield from create_once(
        create,
        lookup,
        max_attempts=max_attempts,
        existing_ok=existing_ok,
        lookup_first=lookup_first,
    )
    if existing is not None:
        return existing.as_found() if isinstance(existing, FoundExisting) else existing
    if created is None:
        raise _returned_nothing(operation)
    return created


def create_and_read(
    create: Call,
    lookup: Callable[[], Plan[FoundT | None]],
    *,
    operation: str,
    max_attempts: int = DEFAULT_CREATE_ATTEMPTS,
    existing_ok: bool = False,
) -> Plan[FoundT]:
    """`create_once`, then the entity as stored, read by ``lookup`` (its natural key) while
    reads lag behind the write: flagged ``found_existing`` when an earlier try (whose reply
    was lost) made it, or when ``existing_ok`` found it there already. ``operation`` names the
    create in the error when it cannot be read."""
    _, existing = yield from create_once(
        create, lookup, max_attempts=max_attempts, existing_ok=existing_ok
    )
    if existing is not None:
        return existing.as_found()
    stored = yield from lookup_until_found(lookup)
    if stored is None:
        raise missing_result(operation)
    return stored


# -- small shared checks and readers ---------------------------------------------------------


#: Deprecated name of `attribute_type_for` (the one type-inference rule).
_attribute_type = attribute_type_for


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
