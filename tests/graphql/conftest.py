"""Fixtures for the GraphQL client tests: respx-mocked Fluent account, sync and async clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx
from graphql_test_data import BASE_URL, CREDENTIALS

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.graphql import AsyncGraphQL, GraphQL


@pytest.fixture
def fluent_mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/oauth/token").respond(
            json={"access_token": "tok-1", "expires_in": 3600, "Retailer_id": 1}
        )
        yield router


@pytest.fixture
def graphql_route(fluent_mock: respx.MockRouter) -> respx.Route:
    return fluent_mock.post("/graphql")


@pytest.fixture
def client(fluent_mock: respx.MockRouter) -> Iterator[FluentClient]:
    with FluentClient(**CREDENTIALS) as fluent_client:
        yield fluent_client


@pytest.fixture
async def async_client(fluent_mock: respx.MockRouter) -> AsyncIterator[AsyncFluentClient]:
    async with AsyncFluentClient(**CREDENTIALS) as fluent_client:
        yield fluent_client


@pytest.fixture
def gql(client: FluentClient) -> GraphQL:
    return GraphQL(client)


@pytest.fixture
def agql(async_client: AsyncFluentClient) -> AsyncGraphQL:
    return AsyncGraphQL(async_client)
