"""Every Fluent error shape maps to its class; codes, paths, request ids, Retry-After."""

from __future__ import annotations

import builtins
from typing import Any

import httpx
import pytest
import respx
from core_support import BASE, Harness, token_response

from fluent_sdk import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ConnectError,
    EventRejectedError,
    FluentError,
    GraphQLError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TimeoutError,
    TransportError,
    ValidationError,
)
from fluent_sdk.errors import ErrorCode, error_from_graphql, error_from_response, parse_retry_after


def respond(status: int, body: Any = None, **kwargs: Any) -> httpx.Response:
    request = httpx.Request("POST", f"{BASE}/api/v4.1/event/sync")
    if body is None or isinstance(body, (str, bytes)):
        return httpx.Response(status, content=body, request=request, **kwargs)
    return httpx.Response(status, json=body, request=request, **kwargs)


def test_oauth_invalid_grant_is_authentication_error() -> None:
    error = error_from_response(
        respond(400, {"error": "invalid_grant", "error_description": "Bad credentials"}),
        operation="oauth.token",
    )
    assert type(error) is AuthenticationError
    assert error.status == 400
    assert error.code == "invalid_grant"
    assert error.message == "Bad credentials"
    assert str(error) == "HTTP 400 invalid_grant in oauth.token: Bad credentials"


def test_v41_not_null_is_bad_request() -> None:
    error = error_from_response(
        respond(400, {"errors": [{"code": "NotNull", "message": "'retailerId' is required"}]})
    )
    assert type(error) is BadRequestError
    assert error.code == "NotNull"
    assert error.message == "'retailerId' is required"
    assert error.body == {"errors": [{"code": "NotNull", "message": "'retailerId' is required"}]}


def test_v41_invalid_input_401_is_authentication_error() -> None:
    error = error_from_response(
        respond(
            401, {"errors": [{"code": "InvalidInput", "message": "Logged in user has no retailer"}]}
        )
    )
    assert type(error) is AuthenticationError
    assert error.code == "InvalidInput"
    assert "Logged in user has no retailer" in str(error)


def test_several_v41_errors_are_all_in_the_message() -> None:
    error = error_from_response(
        respond(400, {"errors": [{"code": "NotNull", "message": "a"}, {"message": "b"}]})
    )
    assert error.message == "a; b"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, BadRequestError),
        (422, BadRequestError),
        (418, BadRequestError),
        (429, RateLimitedError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[APIError]) -> None:
    error = error_from_response(respond(status, {"message": "nope"}))
    assert type(error) is cls
    assert error.status == status


def test_plugin_shape() -> None:
    error = error_from_response(respond(400, {"message": "Rule not found: X", "status": 400}))
    assert type(error) is BadRequestError
    assert error.message == "Rule not found: X"


@pytest.mark.parametrize("status", ["FAILED", "NO_MATCH"])
def test_event_sync_rejection(status: str) -> None:
    body = {"eventId": "ev-123", "entityId": 77, "eventStatus": status, "errorMessage": "why"}
    error = error_from_response(
        respond(400, body, headers={"x-request-id": "rq-1"}), operation="events.send"
    )
    assert type(error) is EventRejectedError
    assert isinstance(error, BadRequestError)
    assert error.event_id == "ev-123"
    assert error.event_status == status
    assert error.entity_id == "77"
    assert error.code == status
    assert error.request_id == "rq-1"
    assert error.message == "why"


def test_event_rejection_without_message() -> None:
    error = error_from_response(respond(400, {"eventId": "e", "eventStatus": "NO_MATCH"}))
    assert isinstance(error, EventRejectedError)
    assert "NO_MATCH" in error.message


@pytest.mark.parametrize(
    ("retry_after", "expected"), [("12", 12.0), ("0.5", 0.5), (None, None), ("soon", None)]
)
def test_rate_limited_carries_retry_after(retry_after: str | None, expected: float | None) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    error = error_from_response(respond(429, {"message": "slow down"}, headers=headers))
    assert type(error) is RateLimitedError
    assert error.retry_after == expected


def test_parse_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:40 GMT", now=now) == 20.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now=now) == 0.0  # past
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after("") is None


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("C0020E", PermissionDeniedError),
        ("C0120E", NotFoundError),
        ("C0121E", ConflictError),
        ("C0128E", ConflictError),
        ("C0011E", RateLimitedError),
        ("S0002E", ServerError),
        ("C0140E", BadRequestError),
    ],
)
@pytest.mark.parametrize("where", ["extensions", "prefix"])
def test_fluent_codes_map_to_classes(code: str, cls: type[APIError], where: str) -> None:
    item: dict[str, Any] = (
        {"message": "something happened", "extensions": {"code": code}}
        if where == "extensions"
        else {"message": f"{code}: something happened"}
    )
    error = error_from_response(respond(400, {"errors": [item]}))
    assert type(error) is cls
    assert error.code == code
    assert error.error_code == ErrorCode.parse(code)

    graphql = error_from_graphql([item], data={"x": None})
    assert graphql.kind is cls
    assert graphql.code == code


def test_error_code_parse() -> None:
    parsed = ErrorCode.parse("C0140E: missing required variables")
    assert parsed == ErrorCode("C", 140, "E")
    assert str(parsed) == "C0140E"
    assert ErrorCode.parse("S0002W") == ErrorCode("S", 2, "W")
    assert ErrorCode.parse("failed with T1234E upstream") == ErrorCode("T", 1234, "E")
    for text in (None, "", "NotNull", "C140E", "X0140E", "C01400E", "AC0140E"):
        assert ErrorCode.parse(text) is None, text


def test_error_from_graphql_keeps_paths_data_and_extensions() -> None:
    data = {"orders": {"edges": [{"node": {"id": "1"}}, None]}}
    errors = [
        {
            "message": "Entity not found",
            "path": ["orders", "edges", 1, "node"],
            "extensions": {"code": "C0120E", "classification": "DataFetchingException"},
        },
        {"message": "C0020E: missing ORDER_VIEW", "path": ["orders"]},
        "a bare string",
    ]
    error = error_from_graphql(errors, data=data, operation="Orders", request_id="rid-9")
    assert isinstance(error, GraphQLError)
    assert error.data == data
    assert error.paths == [("orders", "edges", 1, "node"), ("orders",), ()]
    assert error.kind is NotFoundError
    assert error.code == "C0120E"
    assert error.request_id == "rid-9"
    assert error.errors[0].extensions == errors[0]["extensions"]  # type: ignore[index]
    assert error.errors[1].error_code == ErrorCode("C", 20, "E")
    assert error.errors[2].message == "a bare string"
    assert "Entity not found (at orders.edges.1.node)" in str(error)
    assert "rid-9" in str(error)


def test_error_from_graphql_summarises_many_errors() -> None:
    error = error_from_graphql([{"message": f"e{i}"} for i in range(8)])
    assert len(error.errors) == 8
    assert "… 3 more" in error.message
    assert "e5" not in error.message


def test_error_from_graphql_http_status_wins_without_code() -> None:
    error = error_from_graphql([{"message": "Invalid user", "code": "401"}], status=401)
    assert error.kind is AuthenticationError


def test_non_json_body_is_kept_short() -> None:
    error = error_from_response(respond(502, "<html>" + "x" * 2000 + "</html>"))
    assert type(error) is ServerError
    assert len(error.message) <= 500
    empty = error_from_response(respond(503))
    assert empty.message == "Service Unavailable"


@pytest.mark.parametrize(
    "header", ["x-request-id", "X-Amzn-RequestId", "x-amz-cf-id", "fluent-request-id"]
)
def test_request_id_header_is_captured(header: str) -> None:
    error = error_from_response(respond(404, {"message": "gone"}, headers={header: "abc-123"}))
    assert error.request_id == "abc-123"
    assert "[request id abc-123]" in str(error)
    assert "abc-123" in repr(error)


def test_empty_request_id_header_is_no_request_id() -> None:
    error = error_from_response(respond(404, {"message": "gone"}, headers={"x-request-id": ""}))
    assert error.request_id is None


async def test_errors_through_the_client(api: respx.MockRouter, harness: Harness) -> None:
    api.post("/oauth/token").mock(return_value=token_response())
    api.get("/api/v4.1/job/1").respond(
        404,
        json={"errors": [{"code": "404", "message": "Job not found"}]},
        headers={"X-Request-Id": "req-777"},
    )
    api.post("/api/v4.1/event/sync").respond(
        400, json={"eventId": "ev-9", "eventStatus": "NO_MATCH"}
    )
    client = harness.client()
    with pytest.raises(NotFoundError) as missing:
        await harness.request(client, "GET", "/api/v4.1/job/1", operation="jobs.get")
    assert missing.value.request_id == "req-777"
    assert missing.value.operation == "jobs.get"
    with pytest.raises(EventRejectedError) as rejected:
        await harness.request(client, "POST", "/api/v4.1/event/sync", json={})
    assert rejected.value.event_id == "ev-9"
    assert rejected.value.event_status == "NO_MATCH"


def test_hierarchy() -> None:
    for cls in (ConfigurationError, ValidationError, TransportError, APIError):
        assert issubclass(cls, FluentError)
    assert issubclass(ConnectError, TransportError)
    assert issubclass(TimeoutError, TransportError)
    assert issubclass(TimeoutError, builtins.TimeoutError)
    assert issubclass(ValidationError, ValueError)
    assert issubclass(EventRejectedError, BadRequestError)
    for api_cls in (
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        BadRequestError,
        ConflictError,
        RateLimitedError,
        ServerError,
        GraphQLError,
    ):
        assert issubclass(api_cls, APIError)


def test_configuration_error_names_setting_and_places() -> None:
    error = ConfigurationError("missing", setting="password", looked_in=["arguments", "$X"])
    assert error.setting == "password"
    assert error.looked_in == ("arguments", "$X")
    assert str(error) == "missing (looked in: arguments, $X)"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("C0120E", NotFoundError),
        ("C0121E", ConflictError),
        ("C0128E", ConflictError),
        ("C0020E", PermissionDeniedError),
        ("C0011E", RateLimitedError),
    ],
)
def test_a_graphql_error_with_a_mapped_code_is_also_that_class(
    code: str, kind: type[APIError]
) -> None:
    error = error_from_graphql([{"message": f"{code}: boom", "extensions": {"code": code}}])
    assert isinstance(error, GraphQLError)
    assert isinstance(error, kind)
    assert error.kind is kind
    # One except clause catches the REST and the GraphQL answer alike.
    with pytest.raises(kind):
        raise error


def test_an_unmapped_graphql_error_is_only_a_graphql_error() -> None:
    error = error_from_graphql([{"message": "something odd"}])
    assert type(error) is GraphQLError
    assert not isinstance(error, (NotFoundError, ConflictError, BadRequestError))


def test_sandbox_not_found_is_caught_by_except_not_found(fluent_client: Any) -> None:
    """``except NotFoundError`` around a GraphQL lookup of a missing entity."""
    with pytest.raises(NotFoundError) as caught:
        fluent_client.graphql.execute(
            "mutation U($input: UpdateLocationInput) { updateLocation(input: $input) { id } }",
            {"input": {"id": "999999", "status": "INACTIVE"}},
        )
    assert isinstance(caught.value, GraphQLError)


def test_every_attribute_set_on_fluent_error_is_declared() -> None:
    assert FluentError.attempts == ()
    assert "attempts" in FluentError.__annotations__
