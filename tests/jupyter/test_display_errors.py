"""Errors in a notebook: `APIError` shows status, code, message, request id, operation and
attempts; `GraphQLError` adds each error with its path and the partial data; no secret shows."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from fluent_sdk import FluentClient
from fluent_sdk._redact import MASK
from fluent_sdk.errors import (
    APIError,
    Attempt,
    ConnectError,
    GraphQLError,
    ServerError,
    error_from_response,
)
from fluent_sdk.sandbox import Sandbox


def _summary(page_html: str) -> dict[str, str]:
    first_table = page_html.split("</table>", 1)[0]
    pairs = re.findall(r"<th[^>]*>(.*?)</th><td[^>]*>(.*?)</td>", first_table)
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


def test_api_error_from_the_sandbox_shows_status_operation_and_attempts(
    fluent_sandbox: Sandbox, fluent_client: FluentClient
) -> None:
    fluent_sandbox.faults.server_error("graphql", status=503, times=None)

    with pytest.raises(ServerError) as caught:
        fluent_client.graphql.locations(first=1)
    error = caught.value
    page = error._repr_html_()

    summary = _summary(page)
    assert page.startswith("<div class='fluent-sdk'><b>ServerError</b>")
    assert summary["status"] == "503"
    assert summary["operation"] == "Locations"
    assert summary["message"] == error.message
    assert summary["attempts"].startswith(f"{len(error.attempts)}: HTTP 503")
    assert len(error.attempts) > 1
    assert "<details><summary>raw JSON</summary>" in page  # the response body


def test_api_error_html_has_every_field_and_no_secret() -> None:
    response = httpx.Response(
        429,
        json={
            "errors": [{"code": "C0011E", "message": "slow down <now> password=hunter22"}],
            "access_token": "leaked-token-value",
        },
        headers={"x-request-id": "req-42", "retry-after": "7"},
    )
    error = error_from_response(
        response,
        operation="Orders",
        attempts=[Attempt(1, "HTTP 429", 7.0), Attempt(2, "HTTP 429")],
    )

    page = error._repr_html_()

    summary = _summary(page)
    assert summary["status"] == "429"
    assert summary["code"] == "C0011E"
    assert summary["request id"] == "req-42"
    assert summary["operation"] == "Orders"
    assert summary["attempts"] == "2: HTTP 429 (retried after 7.0s), HTTP 429"
    assert summary["retry after (s)"] == "7.0"
    assert "hunter22" not in page
    assert "leaked-token-value" not in page
    assert MASK in summary["message"]
    assert "<now>" not in page
    assert "&lt;now&gt;" in page


def test_graphql_error_html_lists_errors_with_paths_and_partial_data(
    fluent_sandbox: Sandbox, fluent_client: FluentClient
) -> None:
    provider = {
        "ref": "PSP-DUP",
        "clientId": "c",
        "clientSecret": "dup-secret-value",
        "serviceAuthToken": "dup-token-value",
        "host": "h",
        "port": 1,
        "retailer": {"id": "1"},
    }
    fluent_client.graphql.create_payment_service_provider(input=provider)

    with pytest.raises(GraphQLError) as caught:
        fluent_client.graphql.create_payment_service_provider(input=provider)
    page = caught.value._repr_html_()

    summary = _summary(page)
    assert summary["kind"] == "ConflictError"
    assert summary["code"] == "C0121E"
    assert summary["error 1"].endswith("(at createPaymentServiceProvider)")
    assert "already exists" in summary["error 1"]
    raw = html.unescape(page.split("<pre>", 1)[1])
    assert '"createPaymentServiceProvider": null' in raw  # the partial data
    assert "dup-secret-value" not in page


def test_transport_error_html_shows_the_request_and_attempts() -> None:
    request = httpx.Request("POST", "https://x.test/graphql?token=abc123secret")
    error = ConnectError(
        "could not connect", request=request, attempts=[Attempt(1, "ConnectError", 0.5)]
    )

    page = error._repr_html_()

    summary = _summary(page)
    assert summary["request"] == "POST /graphql"
    assert summary["attempts"] == "1: ConnectError (retried after 0.5s)"
    assert "abc123secret" not in page


def test_plain_api_error_repr_is_unchanged() -> None:
    error = APIError("boom", status=500, code="S0001E", request_id="r1")

    assert repr(error) == "APIError(status=500, code='S0001E', message='boom', request_id='r1')"
