"""`AsyncGraphQL`: the async ``client.graphql`` namespace (generated client + helpers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

import pydantic

from fluent_sdk._generated.async_client import AsyncGraphQLClient
from fluent_sdk.graphql._adhoc import dsl
from fluent_sdk.graphql._namespace_common import (
    JSON_HEADERS,
    Plan,
    Send,
    execute_plan,
    paginate_request,
)
from fluent_sdk.graphql._pagination import AsyncPaginator
from fluent_sdk.graphql._runtime import GRAPHQL_PATH
from fluent_sdk.rest._common import adrive

if TYPE_CHECKING:
    import httpx
    from gql.graphql_request import GraphQLRequest
    from graphql import DocumentNode

__all__ = ["AsyncGraphQL"]

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
T = TypeVar("T")


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
        complete: bool = False,
    ) -> dict[str, Any]: ...

    @overload
    async def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT],
        complete: bool = False,
    ) -> ModelT: ...

    async def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT] | None = None,
        complete: bool = False,
    ) -> Any:
        """See `GraphQL.execute`."""
        return await self._drive(
            execute_plan(document, variables, operation_name, model, complete=complete)
        )

    def paginate(
        self,
        operation: str | DocumentNode | GraphQLRequest,
        variables: Mapping[str, Any] | None = None,
        /,
        *,
        path: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        after: str | None = None,
        model: type[pydantic.BaseModel] | None = None,
        complete: bool = False,
        operation_name: str | None = None,
        **arguments: Any,
    ) -> AsyncPaginator[Any]:
        """See `GraphQL.paginate`; iterate with ``async for``."""
        request = paginate_request(
            self,
            operation,
            variables,
            arguments,
            path=path,
            page_size=page_size,
            max_items=max_items,
            after=after,
            model=model,
            complete=complete,
            operation_name=operation_name,
        )
        paging = request.paging
        if paging is None:
            paginator: AsyncPaginator[Any] = request.paginator
            return paginator

        async def fetch(first: int, after: str | None) -> Any:
            return await self._drive(paging.page_plan(first, after))

        return AsyncPaginator(fetch, **request.settings)

    async def _drive(self, plan: Plan[T]) -> T:
        """Perform the requests a plan yields (see `_namespace_common`): the one plan loop."""
        return await adrive(plan, self._send)

    async def _send(self, send: Send) -> httpx.Response:
        return await self._client.request(
            "POST",
            GRAPHQL_PATH,
            content=send.body,
            headers=JSON_HEADERS,
            idempotent=send.idempotent,
            operation=send.operation,
        )
