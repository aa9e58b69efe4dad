from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from fluent_sdk.sandbox import Sandbox

from .helpers import sign_in


def test_loopback_server_shares_state_with_in_process_transport(sandbox: Sandbox) -> None:
    with sandbox.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=base_url) as remote:
            token = sign_in(remote, sandbox)["access_token"]
            remote.headers["Authorization"] = f"Bearer {token}"
            created = remote.post(
                "/graphql",
                json={
                    "query": 'mutation { createCarrier(input: {ref: "OVER_TCP", name: "T", '
                    'type: "T", retailer: {id: 1}}) { id } }'
                },
            )
            assert created.status_code == 200
            assert "errors" not in created.json()
            workflow = remote.get("/api/v4.1/workflow/1/ORDER::HD")
            assert workflow.json()["name"] == "ORDER::HD"
            assert remote.post("/graphql", content=b"x" * (2 * 1024 * 1024 + 10)).status_code == 413
        # The token issued over TCP works in-process too: one state model.
        local = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())
        local.headers["Authorization"] = f"Bearer {token}"
        found = local.post("/graphql", json={"query": '{ carrier(ref: "OVER_TCP") { ref } }'})
        assert found.json() == {"data": {"carrier": {"ref": "OVER_TCP"}}}


def test_server_faults_close_or_stall_the_socket(sandbox: Sandbox) -> None:
    with sandbox.serve() as base_url, httpx.Client(base_url=base_url, timeout=0.5) as remote:
        sandbox.faults.drop_connection("oauth.token")
        with pytest.raises(httpx.TransportError):
            sign_in(remote, sandbox)
        sandbox.faults.read_timeout("oauth.token", hang=5)
        with pytest.raises(httpx.ReadTimeout):
            sign_in(remote, sandbox)
        sandbox.faults.rate_limit("oauth.token", retry_after=1)
        assert remote.post("/oauth/token").status_code == 429
        assert sign_in(remote, sandbox)["token_type"] == "bearer"


def test_twenty_threads_over_the_server(sandbox: Sandbox) -> None:
    with sandbox.serve() as base_url:

        def work(worker: int) -> int:
            with httpx.Client(base_url=base_url) as remote:
                token = sign_in(remote, sandbox)["access_token"]
                remote.headers["Authorization"] = f"Bearer {token}"
                for index in range(5):
                    reply = remote.post(
                        "/graphql",
                        json={
                            "query": f"mutation {{ createCarrier(input: {{ref: "
                            f'"T{worker}-{index}", name: "N", type: "T", '
                            "retailer: {id: 1}}) { id } }"
                        },
                    )
                    assert "errors" not in reply.json(), reply.json()
                return 5

        with ThreadPoolExecutor(max_workers=20) as pool:
            assert sum(pool.map(work, range(20))) == 100
    ids = [
        int(c["id"]) for c in sandbox.store.all("Carrier") if str(c.get("ref", "")).startswith("T")
    ]
    assert len(ids) == len(set(ids)) == 100
    assert sandbox.requests.count("graphql") == 100


async def test_async_transport(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(
        base_url=sandbox.base_url, transport=sandbox.async_transport()
    ) as client:
        form = {"grant_type": "password", **sandbox.credentials}
        token = (await client.post("/oauth/token", data=form)).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        reply = await client.post("/graphql", json={"query": "{ me { username } }"})
        assert reply.json() == {"data": {"me": {"username": "sandbox_admin"}}}
        sandbox.faults.drop_connection("graphql")
        with pytest.raises(httpx.ConnectError):
            await client.post("/graphql", json={"query": "{ me { username } }"})


def test_reset_restores_the_seed(http: httpx.Client, sandbox: Sandbox) -> None:
    http.post(
        "/graphql",
        json={
            "query": 'mutation { createCarrier(input: {ref: "TEMP", name: "T", type: "T", '
            "retailer: {id: 1}}) { id } }"
        },
    )
    sandbox.faults.server_error("*", times=None)
    sandbox.reset()
    assert sandbox.requests.count() == 0
    assert sandbox.faults.rules == []
    fresh = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    token = sign_in(fresh, sandbox)["access_token"]
    assert (
        http.post("/graphql", json={"query": "{ me { id } }"}).status_code == 401
    )  # old token gone
    fresh.headers["Authorization"] = f"Bearer {token}"
    reply = fresh.post(
        "/graphql",
        json={"query": '{ carrier(ref: "TEMP") { id } location(ref: "LOC_MELB") { id } }'},
    )
    assert reply.json() == {"data": {"carrier": None, "location": {"id": "1"}}}


def test_ids_are_deterministic_across_sandboxes() -> None:
    first, second = Sandbox(), Sandbox()
    query = (
        '{ location(ref: "LOC_DC") { id } standardProduct(ref: "SPEAKER001", catalogue: '
        '{ref: "PC:MASTER:1"}) { id } }'
    )
    assert first.execute(query) == second.execute(query)
    assert first.events[0]["id"] == second.events[0]["id"]


def test_seed_from_json_file(tmp_path: object) -> None:
    import json
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    seed = {
        "account": "ACME",
        "clients": {"ACME": "acme-secret"},
        "entities": [
            {"mutation": "createRetailer", "input": {"name": "ACME"}, "set": {"status": "ACTIVE"}},
            {"mutation": "createUser", "input": {"ref": "u", "username": "u", "password": "p",
             "primaryEmail": "u@x", "type": "ADMIN", "timezone": "UTC",
             "primaryRetailer": {"id": "1"}}},
        ],
    }  # fmt: skip
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    sandbox = Sandbox(seed=str(path))
    client = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    form = {
        "grant_type": "password",
        "client_id": "ACME",
        "client_secret": "acme-secret",
        "username": "u",
        "password": "p",
    }
    assert client.post("/oauth/token", data=form).json()["Retailer_id"] == 1
    assert sandbox.execute("{ retailers { edges { node { ref status } } } }")["data"]["retailers"][
        "edges"
    ] == [{"node": {"ref": "ACME", "status": "ACTIVE"}}]
