"""The SDK's own clients against the sandbox, through the pytest plugin fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import AuthenticationError, NotFoundError
from fluent_sdk.sandbox import Sandbox


def graphql(client: FluentClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    # Queries are safe to repeat, so let the client retry them like GETs.
    body = {"query": query, "variables": variables or {}}
    response = client.request("POST", "/graphql", json=body, idempotent=True)
    return response.json()


def test_client_signs_in_and_queries(fluent_client: FluentClient, fluent_sandbox: Sandbox) -> None:
    assert graphql(fluent_client, "{ me { username } }") == {
        "data": {"me": {"username": "sandbox_admin"}}
    }
    assert fluent_client.retailer_id == 1
    assert fluent_sandbox.requests.count("oauth.token") == 1


def test_client_refreshes_when_tokens_expire(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    graphql(fluent_client, "{ me { id } }")
    fluent_sandbox.faults.expire_tokens_after(0)
    assert (
        graphql(fluent_client, "{ me { username } }")["data"]["me"]["username"] == "sandbox_admin"
    )
    assert fluent_sandbox.requests.count("oauth.token") == 2
    assert fluent_sandbox.requests.count("graphql") == 3  # one 401, then the retry


def test_client_retries_rate_limits(fluent_client: FluentClient, fluent_sandbox: Sandbox) -> None:
    fluent_sandbox.faults.rate_limit("graphql", retry_after=0, times=1)
    assert "data" in graphql(fluent_client, "{ me { id } }")
    assert fluent_sandbox.requests.count("graphql") == 2


def test_client_surfaces_rest_errors(fluent_client: FluentClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        fluent_client.request("GET", "/api/v4.1/job/424242")
    assert caught.value.status == 404
    assert "424242" in caught.value.message


def test_bad_credentials_raise(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client(password="wrong") as client, pytest.raises(AuthenticationError):
        client.request("GET", "/api/v4.1/event")


def test_client_over_loopback_server(fluent_sandbox: Sandbox) -> None:
    credentials = fluent_sandbox.credentials
    with (
        fluent_sandbox.serve() as base_url,
        FluentClient(
            base_url=base_url,
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            username=credentials["username"],
            password=credentials["password"],
        ) as client,
    ):
        assert graphql(client, "{ me { username } }")["data"]["me"]["username"] == "sandbox_admin"


async def test_async_client(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    response = await async_fluent_client.request(
        "POST", "/graphql", json={"query": "{ me { username } }"}
    )
    assert response.json() == {"data": {"me": {"username": "sandbox_admin"}}}
    assert fluent_sandbox.requests.count("graphql") == 1
