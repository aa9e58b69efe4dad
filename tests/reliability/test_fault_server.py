"""The fault server itself, driven with plain httpx (no SDK), in-process and over loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from .fault_server import IN_PROCESS_BASE_URL, FaultServer


@contextmanager
def http(server: FaultServer, mode: str) -> Iterator[httpx.Client]:
    if mode == "in-process":
        with httpx.Client(transport=server.transport(), base_url=IN_PROCESS_BASE_URL) as client:
            yield client
    else:
        with server.serve() as base_url, httpx.Client(base_url=base_url, timeout=2) as client:
            yield client


def grant(server: FaultServer, **params: str) -> dict[str, str]:
    return {"client_id": server.client_id, "client_secret": server.client_secret, **params}


def login(client: httpx.Client, server: FaultServer) -> dict[str, Any]:
    reply = client.post(
        "/oauth/token",
        data=grant(
            server, grant_type="password", username=server.username, password=server.password
        ),
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


MODES = ["in-process", "loopback"]


@pytest.mark.parametrize("mode", MODES)
def test_token_endpoint_and_single_use_refresh_tokens(mode: str) -> None:
    server = FaultServer()
    with http(server, mode) as client:
        first = login(client, server)
        assert first["token_type"] == "bearer"
        assert first["Retailer_id"] == 1
        query = grant(server, grant_type="refresh_token", refresh_token=first["refresh_token"])
        refreshed = client.post("/oauth/token", params=query)  # the query-string form
        assert refreshed.status_code == 200
        again = client.post("/oauth/token", params=query)
        assert again.status_code == 400
        assert again.json() == {
            "error": "invalid_grant",
            "error_description": "Invalid refresh token",
        }
        bad = client.post(
            "/oauth/token", data=grant(server, grant_type="password", username="x", password="y")
        )
        assert bad.json()["error_description"] == "Bad credentials"
    assert server.refresh_uses[first["refresh_token"]] == 2
    assert server.grants == {"password": 1, "refresh_token": 1, "invalid_grant": 2}


@pytest.mark.parametrize("mode", MODES)
def test_apis_answer_in_the_reference_shapes(mode: str) -> None:
    server = FaultServer()
    with http(server, mode) as client:
        unauthenticated = client.post("/graphql", json={"query": "{ me { id } }"})
        assert unauthenticated.status_code == 401
        assert unauthenticated.json()["errors"][0]["code"] == "401"
        client.headers["Authorization"] = f"Bearer {login(client, server)['access_token']}"
        me = client.post("/graphql", json={"query": "query { me { id username } }"})
        assert me.json() == {"data": {"me": {"id": "1", "username": server.username}}}
        create = "mutation($i: CreateOrderInput) { createOrder(input: $i) { id ref status } }"
        made = client.post("/graphql", json={"query": create, "variables": {"i": {"ref": "O-1"}}})
        assert made.json()["data"]["createOrder"]["status"] == "CREATED"
        dup = client.post("/graphql", json={"query": create, "variables": {"i": {"ref": "O-1"}}})
        assert dup.json()["errors"][0]["extensions"]["code"] == "C0121E"
        found = client.post("/graphql", json={"query": '{ order(ref: "O-1") { ref } }'})
        assert found.json() == {"data": {"order": {"ref": "O-1"}}}
        event = client.post("/api/v4.1/event/sync", json={"name": "X", "retailerId": 1})
        assert event.json()["eventStatus"] == "COMPLETE"
        assert client.get(f"/api/v4.1/event/{event.json()['eventId']}").json()["name"] == "X"
        missing = client.post("/api/v4.1/event/sync", json={"retailerId": 1})
        assert missing.json() == {"errors": [{"code": "NotNull", "message": "'name' is required"}]}
        job = client.post("/api/v4.1/job", json={"name": "J", "retailerId": "1"}).json()["id"]
        batch = client.post(
            f"/api/v4.1/job/{job}/batch",
            json={"action": "UPSERT", "entityType": "INVENTORY", "entities": [{"skuRef": "S"}]},
        ).json()["id"]
        assert client.get(f"/api/v4.1/job/{job}/batch/{batch}").json()["status"] == "COMPLETE"
        assert client.get(f"/api/v4.1/job/{job}").json()["batch"][0]["batchId"] == batch


@pytest.mark.parametrize("mode", MODES)
def test_faults_by_route_and_nth_request(mode: str) -> None:
    server = FaultServer()
    server.fault("event.sync", "rate_limit", nth=2, times=2, retry_after=7)
    server.fault("event.sync", "server_error", nth=4, status=502)
    server.fault("graphql", "html")
    server.fault("graphql", "malformed_json", nth=2)
    server.fault("graphql", "echo", nth=3, status=401)
    server.fault("job.create", "revoke")
    with http(server, mode) as client:
        token = login(client, server)["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        statuses = [
            client.post("/api/v4.1/event/sync", json={"name": "X", "retailerId": 1})
            for _ in range(5)
        ]
        assert [r.status_code for r in statuses] == [200, 429, 429, 502, 200]
        assert statuses[1].headers["Retry-After"] == "7"
        html = client.post("/graphql", json={"query": "{ me { id } }"})
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        broken = client.post("/graphql", json={"query": "{ me { id } }"})
        with pytest.raises(ValueError):
            broken.json()
        echoed = client.post("/graphql?x=1", json={"query": "{ me { id } }"})
        assert echoed.status_code == 401
        assert echoed.json()["request"]["headers"]["authorization"] == f"Bearer {token}"
        assert echoed.json()["request"]["query"] == {"x": "1"}
        assert client.post("/api/v4.1/job", json={"name": "J"}).status_code == 401
        assert client.post("/graphql", json={"query": "{ me { id } }"}).status_code == 401
    assert [(r.route, r.fault) for r in server.log if r.fault] == [
        ("event.sync", "rate_limit"),
        ("event.sync", "rate_limit"),
        ("event.sync", "server_error"),
        ("graphql", "html"),
        ("graphql", "malformed_json"),
        ("graphql", "echo"),
        ("job.create", "revoke"),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_dropped_connections_before_and_after_commit(mode: str) -> None:
    server = FaultServer()
    server.fault("job.create", "drop_before")
    server.fault("job.create", "drop_after", nth=2)
    with http(server, mode) as client:
        client.headers["Authorization"] = f"Bearer {login(client, server)['access_token']}"
        for _ in range(2):
            with pytest.raises(httpx.TransportError):
                client.post("/api/v4.1/job", json={"name": "J"})
    before, after = server.requests("job.create")
    assert (before.committed, before.status) == (False, None)
    assert (after.committed, after.status) == (True, None)
    assert len(server.jobs) == 1, "the server acted on the request whose reply was lost"


@pytest.mark.parametrize("mode", MODES)
def test_slow_replies_time_out_after_the_server_acted(mode: str) -> None:
    server = FaultServer()
    server.fault("token", "slow", delay=1.0)
    server.fault("token", "slow", nth=2, delay=0.05)
    with http(server, mode) as client:
        form = grant(
            server, grant_type="password", username=server.username, password=server.password
        )
        with pytest.raises(httpx.ReadTimeout):
            client.post("/oauth/token", data=form, timeout=httpx.Timeout(2, read=0.3))
        assert client.post("/oauth/token", data=form).status_code == 200
    assert server.grants["password"] == 2
    assert all(r.committed for r in server.requests("token"))


def test_customers_lagging_reads_and_faults_by_root_field() -> None:
    server = FaultServer()
    server.read_lag = 2
    server.fault("graphql:createCustomer", "drop_after", nth=2)  # the 2nd create only
    create = "mutation($input: CreateCustomerInput) { createCustomer(input: $input) { id ref } }"
    find = (
        "query($username: [String]) { customers(username: $username, first: 5) {"
        " edges { node { id username primaryEmail retailer { id } } } } }"
    )
    customer = {
        "username": "1_ann@example.com",
        "firstName": "Ann",
        "primaryEmail": "ann@example.com",
        "timezone": "UTC",
        "promotionOptIn": False,
        "retailer": {"id": "1"},
    }
    with http(server, "in-process") as client:
        client.headers["Authorization"] = f"Bearer {login(client, server)['access_token']}"

        def post(query: str, **variables: Any) -> dict[str, Any]:
            reply = client.post("/graphql", json={"query": query, "variables": variables})
            body: dict[str, Any] = reply.json()
            return body

        made = post(create, input=customer)["data"]["createCustomer"]
        assert made["ref"] == "1_ann@example.com"
        lookup = "query($ref: String!) { customer(ref: $ref) { id } }"
        assert post(lookup, ref="1_ann@example.com")["data"]["customer"] is None  # lagging
        assert post(find, username=["1_ann@example.com"])["data"]["customers"]["edges"] == []
        [edge] = post(find, username=["1_ann@example.com"])["data"]["customers"]["edges"]
        assert edge["node"] == {
            "id": made["id"],
            "username": "1_ann@example.com",
            "primaryEmail": "ann@example.com",
            "retailer": {"id": "1"},
        }
        assert post(lookup, ref="1_ann@example.com")["data"]["customer"] == {"id": made["id"]}
        with pytest.raises(httpx.TransportError):  # committed, the reply lost
            post(create, input={**customer, "username": "1_bob@example.com"})
        duplicate = post(create, input=customer)["errors"][0]
        assert duplicate["extensions"]["code"] == "C0121E"
        unnamed = {k: v for k, v in customer.items() if k != "firstName"}
        missing = post(create, input={**unnamed, "username": "x"})["errors"][0]
        assert missing["message"] == "C0140E: input.firstName is required"
    assert list(server.customers) == ["1_ann@example.com", "1_bob@example.com"]
    assert [r.fault for r in server.requests("graphql")].count("drop_after") == 1
    with pytest.raises(ValueError, match="graphql:<root field>"):
        server.fault("graphq:createCustomer", "echo")


def test_the_loopback_server_stops_itself() -> None:
    server = FaultServer(max_lifetime=0.2)
    with server.serve() as base_url:
        time.sleep(0.6)
        with pytest.raises(httpx.ConnectError):  # stopped and its socket closed
            httpx.get(f"{base_url}/graphql", timeout=0.5)


def test_unknown_routes_and_faults_are_refused() -> None:
    server = FaultServer()
    with pytest.raises(ValueError, match="unknown route"):
        server.fault("orders", "echo")
    with pytest.raises(ValueError, match="unknown fault"):
        server.fault("token", "explode")


def test_the_sdk_runs_its_order_flow_against_it() -> None:
    from fluent_sdk import FluentClient
    from fluent_sdk.helpers.orders import (
        Address,
        HomeDelivery,
        NewCustomer,
        NewOrder,
        NewOrderItem,
    )

    server = FaultServer()
    order = NewOrder(
        ref="FS-1",
        customer=NewCustomer(email="fs@example.com"),
        fulfilment=HomeDelivery(delivery_address=Address(name="S", city="Melbourne")),
        items=[NewOrderItem(product_ref="P-1", quantity=2, price=5.0)],
    )
    with FluentClient(transport=server.transport(), **server.credentials()) as client:
        assert client.graphql.me().username == server.username
        created = client.orders.create(order)
        found = client.orders.get("FS-1")
        assert client.orders.get("NOPE") is None
    assert created.status == "CREATED"
    assert found is not None
    assert found.id == created.id
    assert [item.quantity for item in found.items] == [2]
