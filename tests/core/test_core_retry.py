"""Retries: which failures, how long to wait (Retry-After), caps, and the attempt history."""

from __future__ import annotations

import builtins
import time
from datetime import datetime, timezone
from email.utils import format_datetime

import httpx
import pytest
import respx
from core_support import ACCESS_1, Harness, token_response

from fluent_sdk import (
    ApiCall,
    BadRequestError,
    ConnectError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TimeoutError,
)
from fluent_sdk._retry import AttemptLog
from fluent_sdk.errors import APIError, Attempt

PATH = "/api/v4.1/order"
EVENT = "/api/v4.1/event/sync"


@pytest.fixture
def token(api: respx.MockRouter) -> respx.Route:
    return api.post("/oauth/token").mock(return_value=token_response(ACCESS_1))


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_transient_statuses_are_retried_for_get(
    api: respx.MockRouter, harness: Harness, token: respx.Route, status: int, sleeps: list[float]
) -> None:
    orders = api.get(PATH).mock(
        side_effect=[httpx.Response(status), httpx.Response(status), httpx.Response(200, json={})]
    )
    response = await harness.request(harness.client(), "GET", PATH)
    assert response.status_code == 200
    assert orders.call_count == 3
    assert sleeps == [0, 0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500])
async def test_other_statuses_are_not_retried(
    api: respx.MockRouter, harness: Harness, token: respx.Route, status: int
) -> None:
    orders = api.get(PATH).respond(status, json={"message": "no"})
    with pytest.raises(APIError):
        await harness.request(harness.client(), "GET", PATH)
    # a 401 is replayed once by the auth flow, never by the retry loop
    assert orders.call_count == (2 if status == 401 else 1)


async def test_retry_after_seconds_is_honoured(
    api: respx.MockRouter, harness: Harness, token: respx.Route, sleeps: list[float]
) -> None:
    api.get(PATH).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503, headers={"Retry-After": "2.5"}),
            httpx.Response(200, json={}),
        ]
    )
    await harness.request(harness.client(), "GET", PATH)
    assert sleeps == [7.0, 2.5]


async def test_retry_after_http_date_is_honoured(
    api: respx.MockRouter, harness: Harness, token: respx.Route, sleeps: list[float]
) -> None:
    when = datetime.fromtimestamp(time.time() + 30, tz=timezone.utc)
    api.get(PATH).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": format_datetime(when, usegmt=True)}),
            httpx.Response(200, json={}),
        ]
    )
    await harness.request(harness.client(), "GET", PATH)
    assert len(sleeps) == 1
    assert 28.0 <= sleeps[0] <= 30.0  # the date has one-second resolution


async def test_retry_after_is_capped(
    api: respx.MockRouter, harness: Harness, token: respx.Route, sleeps: list[float]
) -> None:
    api.get(PATH).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200)]
    )
    policy = RetryPolicy(initial_delay=0, max_delay=0, retry_after_cap=5)
    await harness.request(harness.client(retry=policy), "GET", PATH)
    assert sleeps == [5.0]


async def test_total_wait_budget_is_respected(
    api: respx.MockRouter, harness: Harness, token: respx.Route, sleeps: list[float]
) -> None:
    orders = api.get(PATH).respond(503, headers={"Retry-After": "7"})
    policy = RetryPolicy(max_attempts=10, max_total_delay=10)
    with pytest.raises(ServerError) as caught:
        await harness.request(harness.client(retry=policy), "GET", PATH)
    assert sleeps == [7.0, 3.0]
    assert sum(sleeps) <= 10
    assert orders.call_count == 3
    assert [a.waited for a in caught.value.attempts] == [7.0, 3.0, 0.0]


async def test_backoff_waits_stay_within_the_jittered_ceiling(
    api: respx.MockRouter, harness: Harness, token: respx.Route, sleeps: list[float]
) -> None:
    api.get(PATH).respond(503)
    policy = RetryPolicy(max_attempts=5, initial_delay=1, max_delay=3)
    with pytest.raises(ServerError):
        await harness.request(harness.client(retry=policy), "GET", PATH)
    assert len(sleeps) == 4
    for wait, ceiling in zip(sleeps, [1, 2, 3, 3], strict=True):
        assert 0 <= wait <= ceiling


async def test_final_error_carries_the_attempt_history(
    api: respx.MockRouter, harness: Harness, token: respx.Route, sleeps: list[float]
) -> None:
    orders = api.get(PATH).mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.ReadTimeout("slow"),
            httpx.Response(503, json={"message": "down"}, headers={"x-request-id": "req-42"}),
        ]
    )
    with pytest.raises(ServerError) as caught:
        await harness.request(harness.client(), "GET", PATH)
    error = caught.value
    assert orders.call_count == 4
    assert [(a.number, a.outcome) for a in error.attempts] == [
        (1, "ConnectError"),
        (2, "HTTP 429"),
        (3, "timeout"),
        (4, "HTTP 503"),
    ]
    assert error.attempts[1].waited == 1.0
    assert error.request_id == "req-42"
    assert "after 4 attempts" in str(error)
    assert "req-42" in str(error)


async def test_post_is_not_retried_after_a_read_timeout(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    events = api.post(EVENT).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TimeoutError) as caught:
        await harness.request(harness.client(), "POST", EVENT, json={"name": "CREATE"})
    assert events.call_count == 1
    assert isinstance(caught.value, builtins.TimeoutError)
    assert caught.value.method == "POST"
    assert caught.value.path == EVENT
    assert len(caught.value.attempts) == 1


async def test_post_is_not_retried_after_a_transient_status(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    events = api.post(EVENT).respond(503)
    with pytest.raises(ServerError):
        await harness.request(harness.client(), "POST", EVENT, json={})
    assert events.call_count == 1


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
async def test_post_is_retried_when_it_never_reached_the_server(
    api: respx.MockRouter, harness: Harness, token: respx.Route, failure: type[Exception]
) -> None:
    events = api.post(EVENT).mock(side_effect=[failure("no"), httpx.Response(200, json={})])
    response = await harness.request(harness.client(), "POST", EVENT, json={"name": "CREATE"})
    assert response.status_code == 200
    assert events.call_count == 2


async def test_connect_errors_exhaust_into_connect_error(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    events = api.post(EVENT).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ConnectError) as caught:
        await harness.request(harness.client(), "POST", EVENT, json={})
    assert events.call_count == 4
    assert [a.outcome for a in caught.value.attempts] == ["ConnectError"] * 4


async def test_idempotent_post_is_retried_after_a_read_timeout(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    graphql = api.post("/graphql").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(503), httpx.Response(200, json={})]
    )
    response = await harness.request(
        harness.client(), "POST", "/graphql", json={"query": "{a}"}, idempotent=True
    )
    assert response.status_code == 200
    assert graphql.call_count == 3


async def test_get_is_retried_after_a_read_timeout(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    orders = api.get(PATH).mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200)])
    await harness.request(harness.client(), "GET", PATH)
    assert orders.call_count == 2


async def test_idempotent_false_get_is_not_retried(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    orders = api.get(PATH).respond(503)
    with pytest.raises(ServerError):
        await harness.request(harness.client(), "GET", PATH, idempotent=False)
    assert orders.call_count == 1


async def test_token_endpoint_failure_is_retried_even_for_a_post(
    api: respx.MockRouter, harness: Harness, sleeps: list[float]
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "4"}),
            token_response(ACCESS_1),
        ]
    )
    events = api.post(EVENT).respond(200, json={"eventStatus": "COMPLETE"})
    response = await harness.request(harness.client(), "POST", EVENT, json={"name": "CREATE"})
    assert response.status_code == 200
    assert token.call_count == 2
    assert events.call_count == 1  # the API request was sent once, after the token came
    assert sleeps == [4.0]


async def test_retryable_fluent_code_is_retried(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    body = {"errors": [{"message": "virtual view initialising", "extensions": {"code": "C0003E"}}]}
    orders = api.get(PATH).mock(
        side_effect=[httpx.Response(400, json=body), httpx.Response(200, json={})]
    )
    await harness.request(harness.client(), "GET", PATH)
    assert orders.call_count == 2


async def test_no_retry_policy_sends_once(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    orders = api.get(PATH).respond(503)
    with pytest.raises(ServerError):
        await harness.request(harness.client(retry=RetryPolicy.none()), "GET", PATH)
    assert orders.call_count == 1


async def test_api_call_is_performed_and_parsed(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    events = api.post(EVENT).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={"id": "e-1"})]
    )
    call: ApiCall[str] = ApiCall(
        method="POST",
        path=EVENT,
        json={"name": "X"},
        idempotent=True,
        operation="events.send",
        parse=lambda r: str(r.json()["id"]),
    )
    client = harness.client()
    result = await harness.call(client, call)
    assert result == "e-1"
    assert events.call_count == 2


async def test_api_call_operation_is_named_in_errors(
    api: respx.MockRouter, harness: Harness, token: respx.Route
) -> None:
    api.get(PATH).respond(400, json={"errors": [{"code": "NotNull", "message": "bad"}]})
    call: ApiCall[object] = ApiCall(method="GET", path=PATH, operation="orders.get", parse=id)
    client = harness.client()
    with pytest.raises(BadRequestError) as caught:
        await harness.call(client, call)
    assert caught.value.operation == "orders.get"
    assert "in orders.get" in str(caught.value)


# -- the policy on its own --------------------------------------------------------------------


async def test_post_is_retried_after_429_because_fluent_did_not_act_on_it(
    api: respx.MockRouter, harness: Harness, token: respx.Route, sleeps: list[float]
) -> None:
    events = api.post(EVENT).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(200, json={"eventStatus": "COMPLETE"}),
        ]
    )
    response = await harness.request(harness.client(), "POST", EVENT, json={"name": "CREATE"})
    assert response.status_code == 200
    assert events.call_count == 2
    assert sleeps == [3.0]


async def test_token_request_timeout_is_retried_even_for_a_post(
    api: respx.MockRouter, harness: Harness
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[httpx.ReadTimeout("slow"), token_response(ACCESS_1)]
    )
    events = api.post(EVENT).respond(200, json={"eventStatus": "COMPLETE"})
    response = await harness.request(harness.client(), "POST", EVENT, json={"name": "CREATE"})
    assert response.status_code == 200
    assert token.call_count == 2
    assert events.call_count == 1


async def test_token_request_timeout_names_the_token_request(
    api: respx.MockRouter, harness: Harness
) -> None:
    api.post("/oauth/token").mock(side_effect=httpx.ReadTimeout("slow"))
    events = api.post(EVENT).respond(200, json={})
    with pytest.raises(TimeoutError) as caught:
        await harness.request(harness.client(), "POST", EVENT, json={"name": "CREATE"})
    assert caught.value.operation == "oauth.token"
    assert caught.value.path == "/oauth/token"
    assert events.call_count == 0


def _api(status: int, **kwargs: object) -> APIError:
    return APIError("x", status=status, **kwargs)  # type: ignore[arg-type]


def test_should_retry_matrix() -> None:
    policy = RetryPolicy()
    assert policy.should_retry(ConnectError("x"), idempotent=False)
    assert not policy.should_retry(TimeoutError("x"), idempotent=False)
    assert policy.should_retry(TimeoutError("x"), idempotent=True)
    assert not policy.should_retry(_api(503), idempotent=False)
    assert policy.should_retry(_api(429), idempotent=False)
    assert not RetryPolicy(retry_statuses=frozenset({503})).should_retry(
        _api(429), idempotent=False
    )
    assert policy.should_retry(TimeoutError("x", operation="oauth.token"), idempotent=False)
    assert policy.should_retry(_api(503), idempotent=True)
    assert policy.should_retry(_api(503, operation="oauth.token"), idempotent=False)
    assert not policy.should_retry(_api(400, operation="oauth.token"), idempotent=True)
    assert not policy.should_retry(_api(500), idempotent=True)
    assert policy.should_retry(RateLimitedError("x", status=400, code="C0011E"), idempotent=True)
    assert not policy.should_retry(ValueError("x"), idempotent=True)
    custom = RetryPolicy(retry_statuses=frozenset({500}))
    assert custom.should_retry(_api(500), idempotent=True)
    assert not custom.should_retry(_api(503), idempotent=True)


def test_compute_wait() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=4, retry_after_cap=10)
    assert policy.compute_wait(1, _api(429, retry_after=3.0)) == 3.0
    assert policy.compute_wait(1, _api(429, retry_after=99.0)) == 10.0
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        waits = [policy.compute_wait(attempt, None) for _ in range(50)]
        assert all(0 <= w <= ceiling for w in waits)


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"initial_delay": -1}, {"max_delay": -1}, {"retry_after_cap": -0.1}],
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="RetryPolicy"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_attempt_log_describes_outcomes() -> None:
    log = AttemptLog()
    log.record(ConnectError("x"), waited=1.5)
    log.record(_api(429, code="C0011E"), waited=2)
    error = log.finish(TimeoutError("slow"))
    assert error.attempts == (  # type: ignore[attr-defined]
        Attempt(1, "ConnectError", 1.5),
        Attempt(2, "HTTP 429 C0011E", 2),
        Attempt(3, "timeout", 0.0),
    )
    assert log.waited == 3.5
