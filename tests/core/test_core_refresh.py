"""Proactive refresh (fake clock), refresh-token grant and its fallback, 401 replay."""

from __future__ import annotations

import httpx
import pytest
import respx
from core_support import (
    ACCESS_1,
    ACCESS_2,
    ACCESS_3,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_1,
    REFRESH_2,
    FakeClock,
    Harness,
    bearer,
    body_json,
    form,
    grants,
    invalid_grant,
    token_response,
)

from fluent_sdk import AuthenticationError, ServerError

PATH = "/api/v4.1/order"


async def test_token_is_reused_until_expiry_minus_skew(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1, expires_in=3600), token_response(ACCESS_2)]
    )
    orders = api.get(PATH).respond(200, json={})
    clock = FakeClock()
    client = harness.client(clock=clock, refresh_skew=60)

    await harness.request(client, "GET", PATH)
    clock.advance(3539)  # 61 s before expiry: still fresh
    await harness.request(client, "GET", PATH)
    assert token.call_count == 1
    clock.advance(2)  # 59 s before expiry: inside the skew window
    await harness.request(client, "GET", PATH)

    assert token.call_count == 2
    assert [bearer(c) for c in orders.calls] == [
        f"Bearer {ACCESS_1}",
        f"Bearer {ACCESS_1}",
        f"Bearer {ACCESS_2}",
    ]


async def test_refresh_token_grant_is_used_when_one_was_issued(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[
            token_response(ACCESS_1, refresh=REFRESH_1),
            token_response(ACCESS_2, refresh=REFRESH_2),
            token_response(ACCESS_3),
        ]
    )
    orders = api.get(PATH).respond(200, json={})
    clock = FakeClock()
    client = harness.client(clock=clock)

    await harness.request(client, "GET", PATH)
    clock.advance(3600)
    await harness.request(client, "GET", PATH)
    clock.advance(3600)
    await harness.request(client, "GET", PATH)

    assert grants(token.calls) == ["password", "refresh_token", "refresh_token"]
    assert form(token.calls[1].request) == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_1,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "api",
    }
    # refresh tokens are single use: the second refresh presents the newly issued one
    assert form(token.calls[2].request)["refresh_token"] == REFRESH_2
    assert bearer(orders.calls[2]) == f"Bearer {ACCESS_3}"


async def test_used_refresh_token_falls_back_to_password_grant_once(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[
            token_response(ACCESS_1, refresh=REFRESH_1),
            invalid_grant("Invalid refresh token"),
            token_response(ACCESS_2),
        ]
    )
    orders = api.get(PATH).respond(200, json={})
    clock = FakeClock()
    client = harness.client(clock=clock)

    await harness.request(client, "GET", PATH)
    clock.advance(7200)
    await harness.request(client, "GET", PATH)

    assert grants(token.calls) == ["password", "refresh_token", "password"]
    assert bearer(orders.calls[1]) == f"Bearer {ACCESS_2}"


async def test_fallback_happens_only_once(api: respx.MockRouter, harness: Harness) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[
            token_response(ACCESS_1, refresh=REFRESH_1),
            invalid_grant("Invalid refresh token"),
            invalid_grant("Bad credentials"),
            token_response(ACCESS_3),  # must never be requested
        ]
    )
    orders = api.get(PATH).respond(200, json={})
    clock = FakeClock()
    client = harness.client(clock=clock)

    await harness.request(client, "GET", PATH)
    clock.advance(7200)
    with pytest.raises(AuthenticationError, match="Bad credentials"):
        await harness.request(client, "GET", PATH)

    assert grants(token.calls) == ["password", "refresh_token", "password"]
    assert orders.call_count == 1


async def test_refresh_failure_other_than_invalid_grant_is_raised(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[
            token_response(ACCESS_1, refresh=REFRESH_1),
            httpx.Response(500, json={"message": "boom"}),
        ]
    )
    api.get(PATH).respond(200, json={})
    clock = FakeClock()
    client = harness.client(clock=clock)
    await harness.request(client, "GET", PATH)
    clock.advance(7200)
    with pytest.raises(ServerError) as caught:
        await harness.request(client, "GET", PATH)
    assert caught.value.operation == "oauth.token"
    assert grants(token.calls) == ["password", "refresh_token"]


async def test_without_refresh_token_expiry_uses_password_grant(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1), token_response(ACCESS_2)]
    )
    api.get(PATH).respond(200, json={})
    clock = FakeClock()
    client = harness.client(clock=clock)
    await harness.request(client, "GET", PATH)
    clock.advance(3600)
    await harness.request(client, "GET", PATH)
    assert grants(token.calls) == ["password", "password"]


async def test_401_gets_one_new_token_and_replays(api: respx.MockRouter, harness: Harness) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1), token_response(ACCESS_2)]
    )
    events = api.post("/api/v4.1/event/sync").mock(
        side_effect=[
            httpx.Response(401, json={"errors": [{"code": "401", "message": "Invalid user"}]}),
            httpx.Response(200, json={"eventStatus": "COMPLETE"}),
        ]
    )
    client = harness.client()

    response = await harness.request(client, "POST", "/api/v4.1/event/sync", json={"name": "E"})

    assert response.json() == {"eventStatus": "COMPLETE"}
    assert token.call_count == 2
    assert events.call_count == 2
    assert [bearer(c) for c in events.calls] == [f"Bearer {ACCESS_1}", f"Bearer {ACCESS_2}"]
    assert body_json(events.calls[1]) == {"name": "E"}  # the same body is replayed
    assert client.auth.token is not None
    assert client.auth.token.access_token.get_secret_value() == ACCESS_2


async def test_401_replay_uses_the_refresh_token_when_there_is_one(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1, refresh=REFRESH_1), token_response(ACCESS_2)]
    )
    api.get(PATH).mock(side_effect=[httpx.Response(401), httpx.Response(200, json={})])
    await harness.request(harness.client(), "GET", PATH)
    assert grants(token.calls) == ["password", "refresh_token"]


async def test_two_401s_raise_after_exactly_two_api_calls(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1), token_response(ACCESS_2), token_response(ACCESS_3)]
    )
    orders = api.get(PATH).respond(
        401,
        json={"errors": [{"code": "InvalidInput", "message": "Logged in user has no retailer"}]},
    )
    client = harness.client()

    with pytest.raises(AuthenticationError) as caught:
        await harness.request(client, "GET", PATH)

    assert orders.call_count == 2
    assert token.call_count == 2
    assert caught.value.status == 401
    assert caught.value.code == "InvalidInput"
    assert "Logged in user has no retailer" in str(caught.value)
