"""Shared pieces of the Platform (REST) namespaces: model bases, lenient enums, input checks,
response parsing, and the namespace bases that perform a namespace's plans (the only I/O, in
thin sync/async twins).

A namespace's logic is written once, as plans (generators that yield an `ApiCall`, a
`LookUpRetailer` or a `Sleep` and receive the answer) in its I/O-free base;
`SyncNamespace._drive` / `AsyncNamespace._drive` perform them, through the one plan loop
(`drive` / `adrive`). The namespaces know the client only as a `fluent_sdk._types.RestClient` /
`AsyncRestClient`.

The retailer id has one checker (`check_retailer_id`) and one resolver: `resolve_retailer_id`
decides without I/O (an explicit id, else the client's), and `SyncNamespace._retailer_id` /
`AsyncNamespace._retailer_id` only sign in when neither is known. Every REST namespace and every
interface helper (`fluent_sdk.helpers._common.ResolveRetailer`) goes through them.

Everything here is I/O-free except the namespace bases' methods (and the loops that run them).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any, Generic

import httpx
import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict
from typing_extensions import TypeVar

from fluent_sdk import _types
from fluent_sdk._types import ApiCall, AsyncRestClient, RestClient
from fluent_sdk._validation import StrictModel, validate_input, validation_error
from fluent_sdk.errors import APIError, FluentError, ValidationError

__all__ = [
    "AsyncNamespace",
    "CheckedRetailerId",
    "IdStr",
    "LenientEnum",
    "LookUpRetailer",
    "Plan",
    "RequestModel",
    "ResponseModel",
    "RetailerId",
    "RetailerIdText",
    "Sleep",
    "Step",
    "SyncNamespace",
    "adrive",
    "check_entity_key",
    "check_path_segment",
    "check_retailer_id",
    "drive",
    "json_model_parser",
    "perform",
    "require_retailer_id",
    "resolve_retailer_id",
    "response_json",
    "retailer",
    "to_validation_error",
    "unexpected_response",
    "utc_now",
    "validate_request",
]

RetailerId = _types.RetailerId  # one definition, in fluent_sdk._types
ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")
StepT = TypeVar("StepT")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class LenientEnum(str, Enum):
    """A string enum that accepts values it does not know.

    Fluent enforces few vocabularies (entity types, statuses) and adds values over time, so an
    unknown string becomes a pseudo-member instead of an error. Known values compare equal to
    their plain strings either way.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)

    @property
    def is_known(self) -> bool:
        """Whether the value is one this SDK version declares."""
        return self.value in type(self)._value2member_map_


def to_validation_error(
    exc: pydantic.ValidationError,
    *,
    prefix: str | None = None,
    model: type[BaseModel] | None = None,
) -> ValidationError:
    """A pydantic error as the SDK's `ValidationError` (see `fluent_sdk._validation`)."""
    return validation_error(exc, prefix=prefix or "", model=model)


def validate_request(model: type[ModelT], value: Any, *, field: str) -> ModelT:
    """``value`` (a model instance or a mapping) as ``model``, or a `ValidationError`."""
    return validate_input(model, value, field=field)


class RequestModel(StrictModel):
    """A body the SDK sends: unknown fields are refused, so typos fail before any request.

    Construction errors surface as the SDK's `ValidationError` rather than pydantic's.
    """

    model_config = ConfigDict(populate_by_name=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body: Fluent's field names, unset optional fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ResponseModel(BaseModel):
    """A body Fluent sends: unknown fields are kept (``model_extra``), never an error."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


_RETAILER_ID = re.compile(r"[0-9]+")  # ASCII digits only: int() must read it as written
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9_.:\-]+$")


def check_retailer_id(value: Any, *, field: str = "retailer_id") -> RetailerId:
    """A retailer id as given (a positive int, or a string of ASCII digits), or a
    `ValidationError` naming ``field``: the one check every namespace, helper and model uses."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(
            f"{field} must be a positive number, got {type(value).__name__}", field=field
        )
    if isinstance(value, str) and not _RETAILER_ID.fullmatch(value):
        raise ValidationError(f"{field} must be a positive number, got {value!r}", field=field)
    if int(value) <= 0:
        raise ValidationError(f"{field} must be positive, got {value!r}", field=field)
    return value


def _retailer_id_value(value: Any) -> RetailerId:
    # Inside a model the location names the field, so raise a plain ValueError.
    try:
        return check_retailer_id(value)
    except ValidationError as exc:
        raise ValueError(str(exc).removeprefix("retailer_id ")) from None


def resolve_retailer_id(explicit: Any, configured: Any) -> RetailerId | None:
    """The retailer id a call uses, decided without I/O: ``explicit`` when given, else the
    client's ``configured`` one (each checked); None means "sign in and use the token's"
    (then `require_retailer_id`)."""
    if explicit is not None:
        return check_retailer_id(explicit)
    return None if configured is None else check_retailer_id(configured)


def require_retailer_id(value: Any) -> RetailerId:
    """``value`` checked; None (no retailer anywhere) is a `ValidationError` saying what to do."""
    if value is None:
        raise ValidationError(
            "retailer_id is not known: pass retailer_id=..., configure the client with one, "
            "or sign in as a user whose token carries a retailer",
            field="retailer_id",
        )
    return check_retailer_id(value)


def check_entity_key(value: Any, *, field: str) -> str | None:
    """An entity's id or ref as given (an int id as text), None when not given, or a
    `ValidationError` naming ``field`` for anything but a non-empty string."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    return value


def check_path_segment(value: Any, *, field: str) -> str:
    """An id or name that goes into a URL path: a non-empty string of safe characters.

    Refusing ``/``, ``?``, spaces and the like keeps a caller's value from changing which
    endpoint is called.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    if not _PATH_SEGMENT.match(value) or value.strip(".") == "":  # "." / ".." move up the path
        raise ValidationError(
            f"{field} may contain only letters, digits and _ . : -, got {value!r}", field=field
        )
    return value


def _id_to_str(value: Any) -> Any:
    # Fluent ids are strings in most JSON but numbers in some; callers may pass either.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


#: An id field that accepts a number and keeps it as a string.
IdStr = Annotated[str, BeforeValidator(_id_to_str)]
#: A retailer id field: an int or a digit string, kept as given.
CheckedRetailerId = Annotated[RetailerId, BeforeValidator(_retailer_id_value)]
#: A retailer id field kept as text (``5`` -> ``"5"``), checked the same way.
RetailerIdText = Annotated[str, BeforeValidator(lambda value: str(_retailer_id_value(value)))]


def unexpected_response(response: httpx.Response, operation: str, problem: str) -> APIError:
    """An answer the SDK cannot read (the caller's input was fine): an `APIError`."""
    return APIError(
        f"unexpected response to {operation}: {problem}",
        status=response.status_code,
        operation=operation,
    )


def response_json(response: httpx.Response, operation: str) -> Any:
    """The decoded JSON body (None when empty), or an `APIError` for a non-JSON body."""
    if not response.content.strip():
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        raise unexpected_response(response, operation, "body is not JSON") from None


def json_model_parser(
    model: type[ModelT], operation: str, *, empty: Mapping[str, Any] | None = None
) -> Callable[[httpx.Response], ModelT]:
    """A parse function for `ApiCall`: the JSON body as ``model``.

    ``empty`` is used for an empty body (for endpoints whose answer is UNCONFIRMED); without
    it an empty body is an error. A body that does not fit the model is an `APIError`, not a
    pydantic error, since the caller's input was fine.
    """

    def parse(response: httpx.Response) -> ModelT:
        if response.content.strip():
            # Straight from bytes: one pass, no intermediate dicts (batch results are large).
            try:
                return model.model_validate_json(response.content)
            except pydantic.ValidationError as exc:
                if exc.errors()[0]["type"] != "json_invalid":
                    problem = str(to_validation_error(exc))
                    raise unexpected_response(response, operation, problem) from None
        body = response_json(response, operation)
        if body is None:
            if empty is None:
                raise unexpected_response(response, operation, "empty body")
            body = dict(empty)
        try:
            return model.model_validate(body)
        except pydantic.ValidationError as exc:
            raise unexpected_response(response, operation, str(to_validation_error(exc))) from None

    return parse


#: The client a namespace performs its calls with: the REST namespaces name `RestClient` /
#: `AsyncRestClient`, all they need of it; the interface helpers, which call more of the client
#: (``client.graphql``), name `FluentClient` / `AsyncFluentClient`.
ClientT = TypeVar("ClientT", bound=RestClient)
AsyncClientT = TypeVar("AsyncClientT", bound=AsyncRestClient)


@dataclass(frozen=True)
class LookUpRetailer:
    """A plan's step: the retailer id, ``explicit`` if given, else the client's, signing in
    first if that is needed (`SyncNamespace._retailer_id`)."""

    explicit: Any = None


@dataclass(frozen=True)
class Sleep:
    """A plan's step: wait ``seconds`` (the namespace's ``sleep``: never blocking an event
    loop)."""

    seconds: float


#: What a namespace's plan yields: a call to perform, or one of the steps above. The answer is
#: sent back into the plan (an error is thrown into it); the plan returns the result.
Step = ApiCall[Any] | LookUpRetailer | Sleep
Plan = Generator[Step, Any, T]


def drive(plan: Generator[StepT, Any, T], perform: Callable[[StepT], Any]) -> T:
    """Run ``plan`` to its end: each step it yields is performed by ``perform`` and the answer
    sent back, or the `FluentError` it raised thrown in; the plan's return value is the result.
    The one loop of every plan driver (`adrive` is its twin)."""
    try:
        step = next(plan)
        while True:
            try:
                answer = perform(step)
            except FluentError as error:
                step = plan.throw(error)
            else:
                step = plan.send(answer)
    except StopIteration as stop:
        result: T = stop.value
        return result


async def adrive(plan: Generator[StepT, Any, T], perform: Callable[[StepT], Awaitable[Any]]) -> T:
    """`drive` with an awaitable ``perform``."""
    try:
        step = next(plan)
        while True:
            try:
                answer = await perform(step)
            except FluentError as error:
                step = plan.throw(error)
            else:
                step = plan.send(answer)
    except StopIteration as stop:
        result: T = stop.value
        return result


def perform(call: ApiCall[T]) -> Plan[T]:
    """In a plan, ``answer = yield from perform(call)``: ``call``'s answer, typed."""
    answer: T = yield call
    return answer


def retailer(explicit: Any = None) -> Plan[RetailerId]:
    """In a plan, ``retailer_id = yield from retailer(explicit)`` (`LookUpRetailer`)."""
    answer: RetailerId = yield LookUpRetailer(explicit)
    return answer


async def _async_sleep(seconds: float) -> None:
    import asyncio  # only async users pay for importing asyncio

    await asyncio.sleep(seconds)


class SyncNamespace(Generic[ClientT]):
    """Base of the synchronous namespaces: holds the client, looks up the retailer id, and
    drives plans (`_drive`), performing each step they yield.

    A namespace's logic lives once, as plans in its I/O-free base; each public method of the
    twins is one line, ``return self._drive(self._get_plan(...))`` (``await`` in the async one).
    """

    def __init__(self, client: ClientT, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._sleep = sleep

    def _retailer_id(self, explicit: Any = None) -> RetailerId:
        """``explicit``, else the client's retailer, signing in first if that is needed."""
        known = resolve_retailer_id(explicit, self._client.retailer_id)
        if known is None:
            known = require_retailer_id(self._client.login().retailer_id)
        return known

    def _perform_step(self, step: Step) -> Any:
        if isinstance(step, LookUpRetailer):
            return self._retailer_id(step.explicit)
        if isinstance(step, Sleep):
            return self._sleep(step.seconds)
        return self._client.call(step)

    def _drive(self, plan: Plan[T]) -> T:
        """Run ``plan`` to its end, performing each step (`drive`)."""
        return drive(plan, self._perform_step)


class AsyncNamespace(Generic[AsyncClientT]):
    """Base of the asynchronous namespaces: the twin of `SyncNamespace`."""

    def __init__(
        self, client: AsyncClientT, *, sleep: Callable[[float], Awaitable[None]] = _async_sleep
    ) -> None:
        self._client = client
        self._sleep = sleep

    async def _retailer_id(self, explicit: Any = None) -> RetailerId:
        """See `SyncNamespace._retailer_id`."""
        known = resolve_retailer_id(explicit, self._client.retailer_id)
        if known is None:
            known = require_retailer_id((await self._client.login()).retailer_id)
        return known

    async def _perform_step(self, step: Step) -> Any:
        if isinstance(step, LookUpRetailer):
            return await self._retailer_id(step.explicit)
        if isinstance(step, Sleep):
            return await self._sleep(step.seconds)
        return await self._client.call(step)

    async def _drive(self, plan: Plan[T]) -> T:
        """See `SyncNamespace._drive` (`adrive`)."""
        return await adrive(plan, self._perform_step)
