"""No password, client secret, access or refresh token in any log record, repr or error text."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from core_support import (
    ACCESS_1,
    ACCESS_2,
    ACCESS_3,
    PASSWORD,
    REFRESH_1,
    REFRESH_2,
    SECRETS,
    STATIC,
    FakeClock,
    Harness,
    token_response,
)

from fluent_sdk import (
    AuthenticationError,
    ConnectError,
    PermissionDeniedError,
    ServerError,
    TimeoutError,
)
from fluent_sdk._redact import MASK, RedactingFilter, redact, register_secret
from fluent_sdk.errors import error_from_response

PATH = "/api/v4.1/order"
EVENT = "/api/v4.1/event/sync"
LOGGERS = ("", "fluent_sdk", "httpx", "httpcore", "respx")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def assert_clean(
    caplog: pytest.LogCaptureFixture, objects: list[Any], errors: list[BaseException]
) -> None:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    assert caplog.records, "the flows should have logged something at DEBUG"
    for record in caplog.records:
        text = formatter.format(record)
        assert not leaks(text), (record.name, text)
    for obj in objects:
        assert not leaks(repr(obj)), repr(obj)
        assert not leaks(str(obj)), str(obj)
    assert errors
    for error in errors:
        # Only the exception's own message and repr: the traceback may hold chained httpx
        # errors, but with ``from None`` those are never printed.
        assert not leaks(str(error)), str(error)
        assert not leaks(repr(error)), repr(error)
        assert not leaks("".join(traceback.format_exception(error)))
        for attempt in getattr(error, "attempts", ()):
            assert not leaks(repr(attempt))


async def test_full_flows_leak_nothing(
    api: respx.MockRouter, harness: Harness, debug_logs: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []
    objects: list[Any] = []
    token = api.post("/oauth/token").mock(
        side_effect=[
            token_response(ACCESS_1, refresh=REFRESH_1, FirstName="Ada"),  # login
            token_response(ACCESS_2, refresh=REFRESH_2),  # proactive refresh
            token_response(ACCESS_3),  # after the 401
            httpx.Response(
                400,
                json={
                    "error": "invalid_grant",
                    "error_description": f"Bad credentials for password {PASSWORD}",
                },
            ),
        ]
    )
    api.get(PATH).mock(
        side_effect=[
            httpx.Response(200, json={}),
            httpx.Response(200, json={}),
            httpx.Response(401, json={"errors": [{"code": "401", "message": "expired"}]}),
            httpx.Response(200, json={}),
            httpx.Response(503, headers={"Retry-After": "0"}),
            httpx.Response(200, json={"echo": f"Bearer {ACCESS_3}"}),
            # the server echoes the token in an error message
            httpx.Response(403, json={"message": f"C0020E: token {ACCESS_3} lacks ORDER_VIEW"}),
        ]
    )
    api.post(EVENT).mock(side_effect=httpx.ReadTimeout(f"read timed out for {ACCESS_3}"))
    clock = FakeClock()
    client = harness.client(clock=clock, log_bodies=True)

    logged_in = await harness.login(client)
    await harness.request(client, "GET", PATH)
    clock.advance(3600)
    await harness.request(client, "GET", PATH)  # refresh_token grant
    await harness.request(client, "GET", PATH)  # 401, then replay with a new token
    await harness.request(client, "GET", PATH)  # 503, retried
    with pytest.raises(PermissionDeniedError) as denied:
        await harness.request(client, "GET", PATH)
    with pytest.raises(TimeoutError) as timed_out:
        await harness.request(
            client, "POST", EVENT, json={"name": "X", "password": PASSWORD, "token": ACCESS_3}
        )
    clock.advance(3600)
    with pytest.raises(AuthenticationError) as refused:
        await harness.login(client, force=True)
    errors += [denied.value, timed_out.value, refused.value]
    assert token.call_count == 4
    assert client.auth.token is not None
    objects += [client, client.config, client.auth, client.auth.token, logged_in, logged_in.info]
    assert_clean(debug_logs, objects, errors)
    assert MASK in str(denied.value)
    assert MASK in str(refused.value)


async def test_token_in_query_leaks_nothing(
    api: respx.MockRouter, harness: Harness, debug_logs: pytest.LogCaptureFixture
) -> None:
    token = api.post("/oauth/token").mock(
        side_effect=[
            httpx.ConnectError("connection refused"),
            httpx.Response(503),
            token_response(ACCESS_1, refresh=REFRESH_1),
        ]
    )
    api.get(PATH).respond(200, json={})
    client = harness.client(token_in_query=True)
    await harness.request(client, "GET", PATH)
    assert token.call_count == 3
    # httpx logged the token URL at INFO; it must have been masked, not dropped
    urls = [r.getMessage() for r in debug_logs.records if "/oauth/token" in r.getMessage()]
    assert urls
    assert all("client_secret=***" in u for u in urls)

    failing = harness.client(token_in_query=True)
    api.post("/oauth/token").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ConnectError) as caught:
        await harness.login(failing)
    assert_clean(debug_logs, [client, failing, client.auth.token], [caught.value])


async def test_static_token_leaks_nothing(
    api: respx.MockRouter, harness: Harness, debug_logs: pytest.LogCaptureFixture
) -> None:
    api.get(PATH).mock(
        side_effect=[httpx.Response(502), httpx.Response(500, text=f"bad token {STATIC}")]
    )
    client = harness.client(token=STATIC)
    with pytest.raises(ServerError) as caught:
        await harness.request(client, "GET", PATH)
    assert_clean(
        debug_logs, [client, client.config, client.auth, client.auth.token], [caught.value]
    )


def test_redact_patterns() -> None:
    register_secret("s3cr3t-registered-value")
    cases = {
        "password=hunter22&user=x": "password=***&user=x",
        '{"access_token": "abc.def", "x": 1}': '{"access_token": "***", "x": 1}',
        "{'client_secret': 'zzz'}": "{'client_secret': '***'}",
        "Authorization: Bearer abc-123.def": "Authorization: Bearer ***",
        "got s3cr3t-registered-value back": f"got {MASK} back",
        "refresh_token=r1 scope=api": "refresh_token=*** scope=api",
    }
    for raw, expected in cases.items():
        assert redact(raw) == expected
    register_secret("ab")  # too short to mask everywhere
    assert redact("ab cab") == "ab cab"


def test_filter_rewrites_args() -> None:
    record = logging.LogRecord("fluent_sdk", logging.INFO, __file__, 1, "%s %d", ("pw=1", 5), None)
    assert RedactingFilter().filter(record)
    register_secret(PASSWORD)
    record = logging.LogRecord(
        "fluent_sdk", logging.INFO, __file__, 1, "sent %s", (PASSWORD,), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == f"sent {MASK}"


def test_errors_redact_their_messages() -> None:
    register_secret(ACCESS_1)
    assert ACCESS_1 not in str(ConnectError(f"failed with {ACCESS_1}"))
    api_error = PermissionDeniedError(f"token {ACCESS_1} refused", status=403)
    assert ACCESS_1 not in str(api_error)
    assert ACCESS_1 not in repr(api_error)
    assert ACCESS_1 not in api_error.message


def test_known_secrets_are_masked_in_their_encoded_forms() -> None:
    from urllib.parse import quote, quote_plus

    secret = 'enc/"sec+ret&=\\ü-value'
    register_secret(secret)
    json_once = json.dumps(secret)[1:-1]
    for form in (secret, quote(secret, safe=""), quote_plus(secret), quote(secret), json_once):
        assert redact(f"before {form} after") == f"before {MASK} after", form
    # A JSON body echoed inside a JSON message: escaped twice.
    assert secret not in redact(json.dumps(json.dumps({"p": secret})))
    assert json.dumps(json.dumps(secret))[1:-1] not in redact(json.dumps(json.dumps(secret)))


def test_error_bodies_are_scrubbed() -> None:
    register_secret("body-secret-value-1")
    response = httpx.Response(
        400, json={"error": "x", "echo": {"headers": ["body-secret-value-1"], "n": 3}}
    )
    error = error_from_response(response)
    assert error.body == {"error": "x", "echo": {"headers": [MASK], "n": 3}}


def test_logged_tracebacks_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    from fluent_sdk._redact import install_log_redaction

    install_log_redaction()
    register_secret("traceback-secret-value")
    caplog.set_level(logging.DEBUG, logger="fluent_sdk")
    try:
        raise RuntimeError("failed with traceback-secret-value")
    except RuntimeError:
        logging.getLogger("fluent_sdk.test").exception("it failed")
    text = caplog.text
    assert "it failed" in text
    assert "RuntimeError: failed with ***" in text
    assert "traceback-secret-value" not in text
