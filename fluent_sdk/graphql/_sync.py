"""`GraphQL`: the sync ``client.graphql`` namespace (generated client + hand-written helpers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

import pydantic

from fluent_sdk._generated.client import GraphQLClient
from fluent_sdk.graphql._adhoc import dsl
from fluent_sdk.graphql._namespace_common import (
    JSON_HEADERS,
    finish_execute,
    paginator_method,
    prepare_execute,
)
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE, Paginator
from fluent_sdk.graphql._runtime import GRAPHQL_PATH

if TYPE_CHECKING:
    from gql.graphql_request import GraphQLRequest
    from graphql import DocumentNode

__all__ = ["GraphQL"]

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


class GraphQL(GraphQLClient):
    """Typed GraphQL operations over a `FluentClient`: ``client.graphql.order_by_id(id="1")``.

    ``iter_<query>(...)`` walks a connection (``for node in ...``); ``.pages()`` on it yields
    whole pages. `execute` runs any document validated against the schema first.
    """

    dsl = staticmethod(dsl)

    @overload
    def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: None = None,
    ) -> dict[str, Any]: ...

    @overload
    def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT],
    ) -> ModelT: ...

    def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT] | None = None,
    ) -> Any:
        """Validate ``document`` and ``variables`` locally, send, and return ``data`` as a dict
        (or validated into ``model``). Errors in the response raise `GraphQLError`."""
        prepared, body = prepare_execute(document, variables, operation_name)
        response = self._client.request(
            "POST",
            GRAPHQL_PATH,
            content=body,
            headers=JSON_HEADERS,
            idempotent=not prepared.mutation,
            operation=prepared.operation_name,
        )
        return finish_execute(response, prepared, model)

    def paginate(
        self,
        operation: str,
        /,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        after: str | None = None,
        **arguments: Any,
    ) -> Paginator[Any]:
        """``paginate("orders", status=["CREATED"])`` is ``iter_orders(status=["CREATED"])``."""
        method = paginator_method(self, operation)
        paginator: Paginator[Any] = method(
            **arguments, page_size=page_size, max_items=max_items, after=after
        )
        return paginator
