"""No-I/O helpers shared by `GraphQL` (``_sync``) and `AsyncGraphQL` (``_async``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic

from fluent_sdk._types import JSON_HEADERS  # one definition; re-exported here
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._adhoc import (
    PreparedDocument,
    document_text,
    prepare_document,
    validate_variables,
)
from fluent_sdk.graphql._runtime import decode_data, decode_result, encode_request

if TYPE_CHECKING:
    import httpx
    from gql.graphql_request import GraphQLRequest
    from graphql import DocumentNode

__all__ = ["JSON_HEADERS", "finish_execute", "paginator_method", "prepare_execute"]

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def prepare_execute(
    document: str | DocumentNode | GraphQLRequest,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> tuple[PreparedDocument, bytes]:
    prepared = prepare_document(document_text(document), operation_name)
    body = encode_request(
        prepared.text, prepared.operation_name, validate_variables(prepared, variables)
    )
    return prepared, body


def finish_execute(
    response: httpx.Response, prepared: PreparedDocument, model: type[ModelT] | None
) -> Any:
    if model is None:
        return decode_data(response, prepared.operation_name)
    return decode_result(response, model, prepared.operation_name)


def _iter_method_name(operation: str) -> str:
    return "iter_" + _CAMEL_BOUNDARY.sub("_", operation).lower()


def paginator_method(namespace: object, operation: str) -> Any:
    method = getattr(namespace, _iter_method_name(operation), None)
    if method is None:
        raise ValidationError(
            f"{operation!r} is not a paginated query (no {_iter_method_name(operation)}())",
            field="operation",
        )
    return method
