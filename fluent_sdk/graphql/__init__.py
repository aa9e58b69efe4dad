"""The Domain GraphQL API: typed operations, pagination, ad-hoc documents.

Usage (the client exposes these as ``client.graphql``)::

    gql = GraphQL(client)                      # or AsyncGraphQL(async_client)
    order = gql.order_by_id(id="123")          # typed result, None when not found
    gql.create_order(input={"ref": "O-1", ...})  # dict or CreateOrderInput, checked before sending

    for order in gql.iter_orders(status=["CREATED"], page_size=500, max_items=10_000):
        ...                                     # async: ``async for``
    paginator = gql.iter_orders(status=["CREATED"])
    for page in paginator.pages(): ...          # page.nodes, page.end_cursor, page.connection
    gql.iter_orders(after=paginator.cursor)     # resume where you stopped
    gql.paginate("orders", status=["CREATED"])  # same, by root field name

    data = gql.execute("query($id: ID!) { orderById(id: $id) { ref } }", {"id": "1"})
    data = gql.execute(document, complete=True)  # every page of nested connections, batched
    for node in gql.paginate(document, variables):  # your own document, paged along $after
        ...
    complexity(document, variables)             # our estimate of Fluent's complexity figure

Every query/mutation of the schema is a method named after its root field in snake_case
(``orderById`` -> ``order_by_id``); every result of one entity type derives from one model,
its shared fragment's (``OrderFields``); your own operations in ``graphql/operations/`` are
methods too (``ShippedOrders`` -> ``shipped_orders``). Every query returning a connection has
one paginator, ``iter_<method>(..., page_size=1000, max_items=None, after=None)``: it follows
``after`` = the last edge's cursor while ``pageInfo.hasNextPage``, keeps one page in memory,
takes page sizes from 1 to 5000 (Fluent's cap), and raises `PaginationError` if the cursor
stops advancing.

Results are pydantic models: unknown fields are ignored, nullable fields are ``Optional``,
``DateTime`` is a timezone-aware ``datetime``, ``Json`` is any JSON value. GraphQL ``errors``
raise `fluent_sdk.errors.GraphQLError` with the partial data kept. Queries are retried as
idempotent, mutations are not. `dsl()` gives a gql ``DSLSchema`` for building documents in code.

Nothing generated is imported until one of these names is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluent_sdk._lazy import lazy_exports

if TYPE_CHECKING:
    from fluent_sdk.errors import PaginationError, UnexpectedResponseError
    from fluent_sdk.graphql._adhoc import dsl
    from fluent_sdk.graphql._async import AsyncGraphQL
    from fluent_sdk.graphql._completion import QueryResult
    from fluent_sdk.graphql._complexity import COMPLEXITY_LIMIT, complexity
    from fluent_sdk.graphql._pagination import (
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
        AsyncPaginator,
        Page,
        Paginator,
    )
    from fluent_sdk.graphql._runtime import UNSET
    from fluent_sdk.graphql._sync import GraphQL

__all__ = [
    "COMPLEXITY_LIMIT",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "UNSET",
    "AsyncGraphQL",
    "AsyncPaginator",
    "GraphQL",
    "Page",
    "PaginationError",
    "Paginator",
    "QueryResult",
    "UnexpectedResponseError",
    "complexity",
    "dsl",
]

_LOCATIONS = {
    "GraphQL": "fluent_sdk.graphql._sync",
    "AsyncGraphQL": "fluent_sdk.graphql._async",
    "dsl": "fluent_sdk.graphql._adhoc",
    "DEFAULT_PAGE_SIZE": "fluent_sdk.graphql._pagination",
    "MAX_PAGE_SIZE": "fluent_sdk.graphql._pagination",
    "AsyncPaginator": "fluent_sdk.graphql._pagination",
    "Page": "fluent_sdk.graphql._pagination",
    "PaginationError": "fluent_sdk.errors",
    "Paginator": "fluent_sdk.graphql._pagination",
    "UNSET": "fluent_sdk.graphql._runtime",
    "UnexpectedResponseError": "fluent_sdk.errors",
    "QueryResult": "fluent_sdk.graphql._completion",
    "COMPLEXITY_LIMIT": "fluent_sdk.graphql._complexity",
    "complexity": "fluent_sdk.graphql._complexity",
}


__getattr__, __dir__ = lazy_exports(__name__, __all__, _LOCATIONS)
