from __future__ import annotations

import httpx
import pytest

from fluent_sdk.sandbox import Sandbox

from .helpers import data, gql

CREATE_CARRIER = (
    'mutation { createCarrier(input: {ref: "%s", name: "C", type: "T", retailer: {id: 1}}) { id } }'
)


def carrier_count(sandbox: Sandbox) -> int:
    return len(list(sandbox.store.all("Carrier")))


def test_bodies_over_2mb_get_413(http: httpx.Client) -> None:
    response = http.post("/graphql", content=b"x" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    ok = http.post(
        "/api/v4.1/event/async",
        json={"name": "Big", "retailerId": "1", "attributes": {"a": "y" * 1_000_000}},
    )
    assert ok.status_code == 200


def test_rate_limit_with_retry_after(http: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.rate_limit("graphql", retry_after=2, times=2)
    for _ in range(2):
        limited = http.post("/graphql", json={"query": "{ me { id } }"})
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "2"
    assert http.post("/graphql", json={"query": "{ me { id } }"}).status_code == 200


def test_server_errors_by_path_pattern_and_skip(http: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.server_error("POST /api/v4.1/event/*", status=503, skip=1, times=1)
    event = {"name": "X", "retailerId": "1"}
    assert http.post("/api/v4.1/event/async", json=event).status_code == 200
    assert http.post("/api/v4.1/event/async", json=event).status_code == 503
    assert http.post("/api/v4.1/event/async", json=event).status_code == 200
    assert http.get("/api/v4.1/event").status_code == 200  # other method: not matched


def test_dropped_connection_before_handling_changes_nothing(
    http: httpx.Client, sandbox: Sandbox
) -> None:
    before = carrier_count(sandbox)
    sandbox.faults.drop_connection("graphql")
    with pytest.raises(httpx.ConnectError):
        http.post("/graphql", json={"query": CREATE_CARRIER % "DROP1"})
    assert carrier_count(sandbox) == before
    data(http, CREATE_CARRIER % "DROP1")
    assert carrier_count(sandbox) == before + 1


def test_lost_reply_after_commit(http: httpx.Client, sandbox: Sandbox) -> None:
    before = carrier_count(sandbox)
    sandbox.faults.read_timeout("graphql", after_commit=True)
    with pytest.raises(httpx.ReadTimeout):
        http.post("/graphql", json={"query": CREATE_CARRIER % "LOST1"})
    assert carrier_count(sandbox) == before + 1  # it happened, the client just never heard
    sandbox.faults.drop_connection("graphql", after_commit=True)
    with pytest.raises(httpx.ReadError):
        http.post("/graphql", json={"query": CREATE_CARRIER % "LOST2"})
    assert carrier_count(sandbox) == before + 2
    retried = gql(http, CREATE_CARRIER % "LOST2")
    assert retried["errors"][0]["extensions"]["code"] == "C0121E"
    assert [entry.fault for entry in sandbox.requests.filter("graphql")[-3:]] == [
        "timeout",
        "drop",
        None,
    ]


def test_after_commit_fault_waits_for_a_request_that_commits(
    http: httpx.Client, sandbox: Sandbox
) -> None:
    before = carrier_count(sandbox)
    rule = sandbox.faults.read_timeout("graphql", after_commit=True)
    sandbox.faults.expire_tokens_after(0)
    refused = http.post("/graphql", json={"query": CREATE_CARRIER % "NOT1"})
    assert refused.status_code == 401  # nothing committed, so no reply was "lost"
    assert rule.fired == 0
    assert carrier_count(sandbox) == before
    fresh = sandbox.client()
    token = fresh.login().access_token.get_secret_value()
    with pytest.raises(httpx.ReadTimeout):
        http.post(
            "/graphql",
            json={"query": CREATE_CARRIER % "LOST3"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert rule.fired == 1
    assert carrier_count(sandbox) == before + 1


def test_latency(http: httpx.Client, sandbox: Sandbox) -> None:
    import time

    sandbox.faults.latency("*", 0.2, times=1)
    started = time.perf_counter()
    http.get("/api/v4.1/event")
    assert time.perf_counter() - started >= 0.2


def test_token_expiry_after_n_requests(http: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.expire_tokens_after(2)
    query = {"query": "{ me { id } }"}
    assert http.post("/graphql", json=query).status_code == 200
    assert http.post("/graphql", json=query).status_code == 200
    assert http.post("/graphql", json=query).status_code == 401
    assert http.post("/graphql", json=query).status_code == 401  # the token is gone for good


def test_request_log_counts_and_redacts(http: httpx.Client, sandbox: Sandbox) -> None:
    http.post("/graphql", json={"query": "{ me { id } }"})
    http.get("/api/v4.1/event")
    assert sandbox.requests.count("oauth.token") == 1
    assert sandbox.requests.count("graphql") == 1
    assert sandbox.requests.count("GET /api/v4.1/*") == 1
    entry = sandbox.requests.filter("graphql")[0]
    assert entry.status == 200
    assert entry.headers["authorization"] == "<redacted>"
    token_call = sandbox.requests.filter("oauth.token")[0]
    assert "sandbox-password" not in repr(token_call)


def test_unknown_route_and_method(http: httpx.Client) -> None:
    assert http.get("/api/v4.1/nothing").status_code == 404
    assert http.delete("/graphql").status_code == 405
