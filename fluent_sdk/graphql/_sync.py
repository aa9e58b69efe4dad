"""`GraphQL`: the sync ``client.graphql`` namespace (generated client + hand-written helpers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

import pydantic

from fluent_sdk._generated.client import GraphQLClient
from fluent_sdk.graphql._adhoc import dsl
from fluent_sdk.graphql._namespace_common import (
    JSON_HEADERS,
    Plan,
    Send,
    execute_plan,
    paginate_request,
)
from fluent_sdk.graphql._pagination import Paginator
from fluent_sdk.graphql._runtime import GRAPHQL_PATH
from fluent_sdk.rest._common import drive

if TYPE_CHECKING:
    import httpx
    from gql.graphql_request import GraphQLRequest
    from graphql import DocumentNode

__all__ = ["GraphQL"]

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
T = TypeVar("T")


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
        complete: bool = False,
    ) -> dict[str, Any]: ...

    @overload
    def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT],
        complete: bool = False,
    ) -> ModelT: ...

    def execute(
        self,
        document: str | DocumentNode | GraphQLRequest,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        model: type[ModelT] | None = None,
        complete: bool = False,
    ) -> Any:
        """Validate ``document`` and ``variables`` locally, send, and return ``data`` as a dict
        (or validated into ``model``). Errors in the response raise `GraphQLError`."""
        return self._drive(
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
    ) -> Paginator[Any]:
        """Walk a connection: of your own ``document`` (yields its nodes as dicts, or as
        ``model``), or of a root field by name (``paginate("orders", status=["CREATED"])`` is
        ``iter_orders(status=["CREATED"])``).

        A document is paged along the connection whose ``after`` is bound to a variable
        (``path="orders"`` picks one when there are several); its ``first`` is the page size,
        lowered to keep our complexity estimate within Fluent's limit. ``complete=True`` fetches
        every page of the nested connections inside each page's nodes; otherwise
        ``page.truncated`` names those cut short (and a warning is logged once).
        Everything is checked before the first request."""
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
            paginator: Paginator[Any] = request.paginator
            return paginator

        def fetch(first: int, after: str | None) -> Any:
            return self._drive(paging.page_plan(first, after))

        return Paginator(fetch, **request.settings)

    def _drive(self, plan: Plan[T]) -> T:
        """Perform the requests a plan yields (see `_namespace_common`): the one plan loop."""
        return drive(plan, self._send)

    def _send(self, send: Send) -> httpx.Response:
        return self._client.request(
            "POST",
            GRAPHQL_PATH,
            content=send.body,
            headers=JSON_HEADERS,
            idempotent=send.idempotent,
            operation=send.operation,
        )
