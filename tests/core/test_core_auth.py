"""Token grant, token parsing, static tokens, headers on token and API requests."""

from __future__ import annotations

import platform
import re

import httpx
import pytest
import respx
from core_support import (
    ACCESS_1,
    ACCESS_2,
    BASE,
    CLIENT_ID,
    CLIENT_SECRET,
    CREDENTIALS,
    PASSWORD,
    STATIC,
    USERNAME,
    FakeClock,
    Harness,
    bearer,
    form,
    query,
    token_json,
    token_response,
)

from fluent_sdk import AuthenticationError, __version__
from fluent_sdk._auth import FluentAuth, TokenResponse
from fluent_sdk._config import resolve_config

PASSWORD_GRANT = {
    "grant_type": "password",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "username": USERNAME,
    "password": PASSWORD,
    "scope": "api",
}


async def test_password_grant_sends_form_body(api: respx.MockRouter, harness: Harness) -> None:
    token = api.post("/oauth/token").mock(return_value=token_response())
    orders = api.get("/api/v4.1/order").respond(200, json={"ok": True})
    client = harness.client()

    response = await harness.request(client, "GET", "/api/v4.1/order")

    assert response.json() == {"ok": True}
    assert token.call_count == 1
    sent = token.calls[0].request
    assert sent.url.path == "/oauth/token"
    assert sent.method == "POST"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form(sent) == PASSWORD_GRANT
    assert query(sent) == {}
    assert bearer(orders.calls[0]) == f"Bearer {ACCESS_1}"


async def test_token_in_query_puts_the_grant_in_the_query_string(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(return_value=token_response())
    api.get("/api/v4.1/order").respond(200, json={})
    client = harness.client(token_in_query=True)

    await harness.request(client, "GET", "/api/v4.1/order")

    sent = token.calls[0].request
    assert query(sent) == PASSWORD_GRANT
    assert sent.content == b""


async def test_token_response_is_parsed_into_typed_fields(
    api: respx.MockRouter, harness: Harness
) -> None:
    api.post("/oauth/token").mock(
        return_value=httpx.Response(
            200,
            json=token_json(
                expires_in=86386,
                Retailer_id=5,
                FirstName="Ada",
                LastName="Lovelace",
                Roles=[{"role": {"name": "ADMIN"}}],
                SomethingNew={"nested": True},
                jti="whatever",
            ),
        )
    )
    clock = FakeClock()
    client = harness.client(clock=clock)
    assert client.retailer_id is None  # before login

    token = await harness.login(client)

    assert token.access_token.get_secret_value() == ACCESS_1
    assert token.expires_at == clock.now + 86386
    assert token.refresh_token is None
    assert token.retailer_id == 5
    assert token.info is not None
    assert token.info.first_name == "Ada"
    assert token.info.last_name == "Lovelace"
    assert token.info.roles == [{"role": {"name": "ADMIN"}}]
    assert token.info.scope == "api"
    # retailer_id defaults to the logged-in user's retailer
    assert client.retailer_id == 5


async def test_configured_retailer_wins_over_the_token(
    api: respx.MockRouter, harness: Harness
) -> None:
    api.post("/oauth/token").mock(return_value=token_response(Retailer_id=5))
    client = harness.client(retailer_id="42")
    await harness.login(client)
    assert client.retailer_id == 42


def test_token_response_accepts_string_ids_and_snake_case() -> None:
    info = TokenResponse.model_validate({"access_token": "x" * 8, "retailer_id": "7"})
    assert info.retailer_id == 7
    assert info.roles == []
    assert info.expires_in is None


async def test_missing_expires_in_assumes_an_hour(api: respx.MockRouter, harness: Harness) -> None:
    api.post("/oauth/token").mock(return_value=token_response(expires_in=None))
    clock = FakeClock()
    token = await harness.login(harness.client(clock=clock))
    assert token.expires_at == clock.now + 3600


@pytest.mark.parametrize(
    "body", [{"token_type": "bearer"}, {"access_token": None}, "not json", ["list"]]
)
async def test_token_200_without_access_token_is_an_authentication_error(
    api: respx.MockRouter, harness: Harness, body: object
) -> None:
    content = body.encode() if isinstance(body, str) else None
    response = httpx.Response(200, content=content) if content else httpx.Response(200, json=body)
    api.post("/oauth/token").mock(return_value=response)
    with pytest.raises(AuthenticationError) as caught:
        await harness.login(harness.client())
    assert caught.value.operation == "oauth.token"


async def test_bad_credentials_raise_authentication_error(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").respond(
        400, json={"error": "invalid_grant", "error_description": "Bad credentials"}
    )
    orders = api.get("/api/v4.1/order").respond(200, json={})
    client = harness.client()
    with pytest.raises(AuthenticationError) as caught:
        await harness.request(client, "GET", "/api/v4.1/order")
    assert caught.value.code == "invalid_grant"
    assert "Bad credentials" in str(caught.value)
    assert token.call_count == 1  # a 400 from the token endpoint is not retried
    assert orders.call_count == 0


async def test_login_reuses_a_fresh_token_and_force_gets_a_new_one(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(side_effect=[token_response(), token_response(ACCESS_2)])
    client = harness.client()
    first = await harness.login(client)
    again = await harness.login(client)
    assert token.call_count == 1
    assert again.access_token.get_secret_value() == first.access_token.get_secret_value()
    forced = await harness.login(client, force=True)
    assert token.call_count == 2
    assert forced.access_token.get_secret_value() == ACCESS_2


async def test_static_token_sends_bearer_and_never_calls_the_token_endpoint(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(return_value=token_response())
    orders = api.get("/api/v4.1/order").respond(200, json={})
    client = harness.client(
        client_id=None, client_secret=None, username=None, password=None, token=STATIC
    )

    await harness.request(client, "GET", "/api/v4.1/order")
    logged_in = await harness.login(client)

    assert bearer(orders.calls[0]) == f"Bearer {STATIC}"
    assert logged_in.access_token.get_secret_value() == STATIC
    assert token.call_count == 0


async def test_static_token_401_raises_without_retrying(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(return_value=token_response())
    orders = api.get("/api/v4.1/order").respond(
        401, json={"errors": [{"code": "401", "message": "Invalid user"}]}
    )
    client = harness.client(token=STATIC, retailer_id=3)
    assert client.retailer_id == 3
    with pytest.raises(AuthenticationError):
        await harness.request(client, "GET", "/api/v4.1/order")
    assert orders.call_count == 1
    assert token.call_count == 0


USER_AGENT = re.compile(r"^fluent-sdk/(\S+) python/(\S+) httpx/(\S+)$")


async def test_user_agent_and_account_headers(api: respx.MockRouter, harness: Harness) -> None:
    token = api.post("/oauth/token").mock(return_value=token_response())
    orders = api.post("/api/v4.1/event/sync").respond(200, json={})
    client = harness.client(headers={"X-Extra": "yes"})

    await harness.request(client, "POST", "/api/v4.1/event/sync", json={"name": "x"})

    for call in (orders.calls[0], token.calls[0]):
        match = USER_AGENT.match(call.request.headers["User-Agent"])
        assert match is not None, call.request.headers["User-Agent"]
        assert match.groups() == (__version__, platform.python_version(), httpx.__version__)
        assert call.request.headers["fluent.account"] == "ACME"
        assert call.request.headers["X-Extra"] == "yes"
    assert orders.calls[0].request.headers["Accept"] == "application/json"


async def test_account_header_from_account_setting(api: respx.MockRouter, harness: Harness) -> None:
    api.post("/oauth/token").mock(return_value=token_response())
    orders = api.get("/api/v4.1/order").respond(200, json={})
    client = harness.client(base_url=None, account="acme", environment="sandbox")
    assert client.base_url == BASE
    await harness.request(client, "GET", "/api/v4.1/order")
    assert orders.calls[0].request.headers["fluent.account"] == "ACME"


async def test_token_requests_carry_the_client_timeout(
    api: respx.MockRouter, harness: Harness
) -> None:
    """A token request without a timeout extension would wait forever on a hung server."""
    token = api.post("/oauth/token").mock(return_value=token_response())
    api.get("/api/v4.1/order").respond(200, json={})
    client = harness.client(timeout=httpx.Timeout(12.0, connect=3.0))
    await harness.request(client, "GET", "/api/v4.1/order")
    timeout = token.calls[0].request.extensions["timeout"]
    assert timeout == {"connect": 3.0, "read": 12.0, "write": 12.0, "pool": 12.0}


async def test_path_must_be_absolute(api: respx.MockRouter, harness: Harness) -> None:
    with pytest.raises(ValueError, match="must start with"):
        await harness.request(harness.client(), "GET", "api/v4.1/order")


def test_auth_alone_puts_a_timeout_on_token_requests() -> None:
    auth = FluentAuth(resolve_config(CREDENTIALS, use_env=False))
    flow = auth.login_steps()
    assert next(flow).__class__.__name__ == "_Acquire"
    request = flow.send(None)  # type: ignore[arg-type]
    assert isinstance(request, httpx.Request)
    assert request.extensions["timeout"] == {
        "connect": 5.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 5.0,
    }
    flow.close()
