"""What every GraphQL call shares, with no I/O: request encoding, input checking, result parsing.

The generated clients (``fluent_sdk/_generated/client.py`` and ``async_client.py``) subclass
`OperationRunner` / `AsyncOperationRunner`; the two differ only in how they send.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
import textwrap
import warnings
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

import httpx
import pydantic
from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from fluent_sdk._types import JSON_HEADERS
from fluent_sdk._validation import validate_input
from fluent_sdk.errors import (
    GraphQLError,
    UnexpectedResponseError,
    ValidationError,
    error_from_graphql,
    request_id_from,
)
from fluent_sdk.graphql._complexity import safe_page_size
from fluent_sdk.graphql._gc_pause import parse_paused
from fluent_sdk.graphql._pagination import MAX_PAGE_SIZE, AsyncPaginator, Paginator
from fluent_sdk.graphql.scalars import to_json_value

if TYPE_CHECKING:
    from typing_extensions import Self

    from fluent_sdk._client import AsyncFluentClient, FluentClient

__all__ = [
    "GENERATED_INPUTS_MODULE",
    "GRAPHQL_PATH",
    "UNSET",
    "AsyncOperationRunner",
    "GeneratedInput",
    "GeneratedModel",
    "OperationRunner",
    "UnexpectedResponseError",
    "UnsetType",
    "decode_result",
    "deprecated_call",
    "encode_request",
    "prepare_variables",
    "renamed_document",
]

GRAPHQL_PATH = "/graphql"
_JSON_HEADERS = JSON_HEADERS  # one definition, in fluent_sdk._types
GENERATED_INPUTS_MODULE = "fluent_sdk._generated.input_types"

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


class UnsetType:
    """Marker for an argument the caller did not pass (left out of ``variables``)."""

    _instance: UnsetType | None = None

    def __new__(cls) -> UnsetType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET = UnsetType()


class GeneratedModel(pydantic.BaseModel):
    """Base of every generated model. Unknown response fields are ignored (schema drift);
    fields are snake_case in Python and camelCase on the wire; schemas build on first use."""

    model_config = ConfigDict(
        populate_by_name=True,
        validate_assignment=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
        defer_build=True,
        alias_generator=to_camel,
        extra="ignore",
    )

    @classmethod
    def from_graphql_response(cls, response: httpx.Response, operation_name: str | None) -> Self:
        """Parse a whole GraphQL response body into this result model (see `decode_result`)."""
        return decode_result(response, cls, operation_name)


class GeneratedInput(GeneratedModel):
    """Base of every generated input model: strict where results are lenient. An unknown key is
    refused (``extra="forbid"``), so a misspelt field fails before anything is sent instead of
    being dropped from the request."""

    model_config = ConfigDict(extra="forbid")


class _Envelope(pydantic.BaseModel, Generic[ModelT]):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    data: ModelT | None = None
    errors: list[Any] | None = None


@functools.cache
def _envelope_for(model: type[ModelT]) -> type[_Envelope[ModelT]]:
    return _Envelope[model]  # type: ignore[valid-type]


@functools.lru_cache(maxsize=2048)
def _encoded_query(query: str) -> bytes:
    # Documents are constants: dedent and JSON-encode each one once per process.
    return json.dumps(textwrap.dedent(query).strip()).encode()


def encode_request(query: str, operation_name: str | None, variables: Mapping[str, Any]) -> bytes:
    """The POST body for one operation; the query text is encoded once and reused."""
    name = json.dumps(operation_name).encode()
    return b"".join(
        (
            b'{"query":',
            _encoded_query(query),
            b',"operationName":',
            name,
            b',"variables":',
            json.dumps(variables, separators=(",", ":")).encode(),
            b"}",
        )
    )


_SDK_PACKAGE = __name__.partition(".")[0] + "."


def deprecated_call(name: str, replacement: str, reason: str) -> None:
    """Warn (`DeprecationWarning`, pointing at the caller's line) that the generated method
    ``name`` is a deprecated alias of ``replacement``; called first thing by the alias.

    Calls from inside the SDK itself do not warn: its own modules still being moved to the new
    name should not turn every user's run (and ``filterwarnings = error`` test suites) red."""
    caller = sys._getframe(2)  # 0: here, 1: the alias, 2: whoever called (or awaited) it
    if str(caller.f_globals.get("__name__", "")).startswith(_SDK_PACKAGE):
        return
    warnings.warn(
        f"{name}() is deprecated, use {replacement}() ({reason})",
        DeprecationWarning,
        stacklevel=3,
    )


@functools.lru_cache(maxsize=128)
def renamed_document(document: str, name: str, new_name: str) -> str:
    """``document`` with its operation ``name`` renamed ``new_name`` (a deprecated alias sends
    its target's document under its old operation name); computed once per alias."""
    kind, found, rest = document.partition(f" {name}")
    if not found or kind not in ("query", "mutation") or rest[:1] not in ("(", " ", "{"):
        raise ValueError(f"{name!r} is not the operation of this document")
    return f"{kind} {new_name}{rest}"


@functools.cache
def _input_model(module_name: str, type_name: str) -> type[pydantic.BaseModel]:
    module = importlib.import_module(module_name)
    model: type[pydantic.BaseModel] = getattr(module, type_name)
    return model


def _coerce_input(value: Any, model: type[pydantic.BaseModel], path: str) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_coerce_input(item, model, f"{path}[{i}]") for i, item in enumerate(value)]
    if not isinstance(value, (model, Mapping)):
        raise ValidationError(
            f"{path}: expected {model.__name__} or a dict, got {type(value).__name__}",
            field=path,
        )
    instance = validate_input(model, value, field=path)
    return instance.model_dump(mode="json", by_alias=True, exclude_unset=True)


def prepare_variables(
    variables: Mapping[str, Any],
    input_types: Mapping[str, str] | None = None,
    *,
    inputs_module: str = GENERATED_INPUTS_MODULE,
) -> dict[str, Any]:
    """Drop unset arguments, validate input-object arguments (model or dict) into their models,
    and make the rest JSON-ready. Raises `ValidationError` naming the field."""
    prepared: dict[str, Any] = {}
    for name, value in variables.items():
        if value is UNSET:
            continue
        type_name = input_types.get(name) if input_types else None
        if type_name is not None:
            prepared[name] = _coerce_input(value, _input_model(inputs_module, type_name), name)
        elif isinstance(value, pydantic.BaseModel):
            prepared[name] = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
        else:
            prepared[name] = to_json_value(value)
    return prepared


def _graphql_error(raw: Any, response: httpx.Response, operation: str | None) -> GraphQLError:
    return error_from_graphql(
        raw.get("errors") or [],
        data=raw.get("data"),
        status=response.status_code,
        operation=operation,
        request_id=request_id_from(response.headers),
    )


def _raw_body(response: httpx.Response, operation: str | None) -> dict[str, Any]:
    try:
        raw = json.loads(response.content)
    except ValueError:
        raw = None
    if not isinstance(raw, dict) or ("data" not in raw and "errors" not in raw):
        raise UnexpectedResponseError(
            "response is not a GraphQL result (no 'data' or 'errors')",
            status=response.status_code,
            operation=operation,
            request_id=request_id_from(response.headers),
        )
    return raw


def decode_result(response: httpx.Response, model: type[ModelT], operation: str | None) -> ModelT:
    """Parse the body straight from bytes into ``model`` (one pass, no intermediate dict).

    ``errors`` in the body raise `GraphQLError` with the partial ``data`` kept as plain JSON.
    """
    try:
        envelope = parse_paused(_envelope_for(model).model_validate_json, response.content)
    except pydantic.ValidationError as exc:
        raw = _raw_body(response, operation)
        if raw.get("errors"):
            raise _graphql_error(raw, response, operation) from None
        raise UnexpectedResponseError(
            f"response does not match the operation's result type: {exc.errors()[0]['msg']} "
            f"at {'.'.join(map(str, exc.errors()[0]['loc']))}",
            status=response.status_code,
            operation=operation,
            request_id=request_id_from(response.headers),
        ) from None
    if envelope.errors:
        raise _graphql_error(_raw_body(response, operation), response, operation)
    if envelope.data is None:
        raise UnexpectedResponseError(
            "response has neither data nor errors",
            status=response.status_code,
            operation=operation,
            request_id=request_id_from(response.headers),
        )
    return cast(ModelT, envelope.data)


def decode_data(response: httpx.Response, operation: str | None) -> dict[str, Any]:
    """The ``data`` object of a response as plain JSON; ``errors`` raise `GraphQLError`."""
    raw = _raw_body(response, operation)
    if raw.get("errors"):
        raise _graphql_error(raw, response, operation)
    data = raw.get("data")
    if not isinstance(data, dict):
        raise UnexpectedResponseError(
            "response has no data object", status=response.status_code, operation=operation
        )
    return data


def _clamped(page_size: int, largest: int | None) -> int:
    """``page_size`` at most ``largest``; an invalid page size (not an integer from 1 to
    Fluent's cap) is left as it is, for the paginator to report."""
    valid = (
        isinstance(page_size, int)
        and not isinstance(page_size, bool)
        and 1 <= page_size <= MAX_PAGE_SIZE
    )
    if largest is None or not valid:
        return page_size
    return max(1, min(page_size, largest))


class OperationRunner:
    """Sends generated operations through a `FluentClient` (auth, retries, error mapping)."""

    #: Module holding the input models (each generated package points at its own).
    _inputs_module: ClassVar[str] = GENERATED_INPUTS_MODULE

    def __init__(self, client: FluentClient) -> None:
        self._client = client

    @property
    def client(self) -> FluentClient:
        return self._client

    @staticmethod
    def _paginate(
        fetch: Callable[..., Any],
        *,
        page_size: int,
        max_items: int | None,
        after: str | None,
        operation: str | None,
        document: str | None = None,
        max_page_size: int | None = None,
    ) -> Paginator[Any]:
        """The page size is lowered to keep our complexity estimate within Fluent's limit: to
        ``max_page_size`` (computed by the generator, so no schema is loaded), or by the
        estimate of ``document`` (the operation's text, paged by ``$first``)."""
        return Paginator(
            fetch,
            page_size=_clamped(safe_page_size(page_size, document), max_page_size),
            max_items=max_items,
            after=after,
            operation=operation,
        )

    def _send_operation(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any],
        *,
        mutation: bool,
        input_types: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        prepared = prepare_variables(variables, input_types, inputs_module=self._inputs_module)
        body = encode_request(query, operation_name, prepared)
        return self._client.request(
            "POST",
            GRAPHQL_PATH,
            content=body,
            headers=_JSON_HEADERS,
            idempotent=not mutation,
            operation=operation_name,
        )


class AsyncOperationRunner:
    """Sends generated operations through an `AsyncFluentClient`."""

    #: Module holding the input models (each generated package points at its own).
    _inputs_module: ClassVar[str] = GENERATED_INPUTS_MODULE

    def __init__(self, client: AsyncFluentClient) -> None:
        self._client = client

    @property
    def client(self) -> AsyncFluentClient:
        return self._client

    @staticmethod
    def _paginate(
        fetch: Callable[..., Awaitable[Any]],
        *,
        page_size: int,
        max_items: int | None,
        after: str | None,
        operation: str | None,
        document: str | None = None,
        max_page_size: int | None = None,
    ) -> AsyncPaginator[Any]:
        """The page size is lowered to keep our complexity estimate within Fluent's limit: to
        ``max_page_size`` (computed by the generator, so no schema is loaded), or by the
        estimate of ``document`` (the operation's text, paged by ``$first``)."""
        return AsyncPaginator(
            fetch,
            page_size=_clamped(safe_page_size(page_size, document), max_page_size),
            max_items=max_items,
            after=after,
            operation=operation,
        )

    async def _send_operation(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any],
        *,
        mutation: bool,
        input_types: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        prepared = prepare_variables(variables, input_types, inputs_module=self._inputs_module)
        body = encode_request(query, operation_name, prepared)
        return await self._client.request(
            "POST",
            GRAPHQL_PATH,
            content=body,
            headers=_JSON_HEADERS,
            idempotent=not mutation,
            operation=operation_name,
        )
