"""`AsyncGraphQL`: the async ``client.graphql`` namespace (generated client + helpers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

import pydantic

from fluent_sdk._generated.async_client import AsyncGraphQLClient
from fluent_sdk.graphql._adhoc import dsl
from fluent_sdk.graphql._namespace_common import (
    JSON_HEADERS,
    finish_execute,
    paginator_method,
    prepare_execute,
)
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE, AsyncPaginator
from fluent_sdk.graphql._runtime import GRAPHQL_PATH

if TYPE_CHECKING:
    from gql.graphql_request import GraphQLRequest
    from graphql import DocumentNode

__all__ = ["AsyncGraphQL"]

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


class AsyncGraphQL(AsyncGraphQLClient):
    """The async twin of `GraphQL` over an `AsyncFluentClient`; same methods, awaited."""

    dsl = staticmethod(dsl)

    @overload
    async def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: None = None,
    ) -> dict[str, Any]: ...

    @overload
    async def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT],
    ) -> ModelT: ...

    async def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT] | None = None,
    ) -> Any:
        """See `GraphQL.execute`."""
        prepared, body = prepare_execute(document, variables, operation_name)
        response = await self._client.request(
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
    ) -> AsyncPaginator[Any]:
        """See `GraphQL.paginate`; iterate with ``async for``."""
        method = paginator_method(self, operation)
        paginator: AsyncPaginator[Any] = method(
            **arguments, page_size=page_size, max_items=max_items, after=after
        )
        return paginator
