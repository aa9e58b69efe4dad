"""Token stores: the file store's permissions, reuse across clients, corruption tolerance."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import respx
from core_support import (
    ACCESS_1,
    ACCESS_2,
    CREDENTIALS,
    REFRESH_1,
    FakeClock,
    Harness,
    bearer,
    grants,
    token_response,
)
from pydantic import SecretStr

from fluent_sdk import FileTokenStore, FluentClient, MemoryTokenStore, Token

PATH = "/api/v4.1/order"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_file_store_is_private_and_reused_by_a_new_client(
    api: respx.MockRouter, harness: Harness, tmp_path: Path
) -> None:
    path = tmp_path / "cache" / "tokens.json"
    token = api.post("/oauth/token").mock(return_value=token_response(ACCESS_1, Retailer_id=4))
    orders = api.get(PATH).respond(200, json={})

    first = harness.client(token_store=FileTokenStore(path))
    await harness.request(first, "GET", PATH)
    assert mode(path) == 0o600
    assert mode(path.parent) & 0o077 == 0
    assert not path.with_suffix(".tmp").exists()

    second = harness.client(token_store=FileTokenStore(path))
    assert second.retailer_id == 4  # known from the stored token before any request
    await harness.request(second, "GET", PATH)

    assert token.call_count == 1
    assert [bearer(c) for c in orders.calls] == [f"Bearer {ACCESS_1}"] * 2


async def test_file_store_keys_by_user(
    api: respx.MockRouter, harness: Harness, tmp_path: Path
) -> None:
    path = tmp_path / "tokens.json"
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1), token_response(ACCESS_2)]
    )
    api.get(PATH).respond(200, json={})
    await harness.request(harness.client(token_store=FileTokenStore(path)), "GET", PATH)
    other = harness.client(token_store=FileTokenStore(path), username="someone_else")
    await harness.request(other, "GET", PATH)
    assert token.call_count == 2
    assert len(json.loads(path.read_text())) == 2


async def test_stored_refresh_token_is_used_after_restart(
    api: respx.MockRouter, harness: Harness, tmp_path: Path
) -> None:
    path = tmp_path / "tokens.json"
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1, refresh=REFRESH_1), token_response(ACCESS_2)]
    )
    api.get(PATH).respond(200, json={})
    clock = FakeClock()
    await harness.login(harness.client(token_store=FileTokenStore(path), clock=clock))
    clock.advance(4000)
    later = harness.client(token_store=FileTokenStore(path), clock=clock)
    await harness.request(later, "GET", PATH)
    assert grants(token.calls) == ["password", "refresh_token"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json at all",
        "[]",
        b"\xff\xfe not utf-8",
        '{"KEY": "not a dict"}',
        '{"KEY": {"expires_at": 1}}',
        '{"KEY": {"access_token": "x", "expires_at": "soon"}}',
    ],
)
async def test_corrupted_file_is_ignored(
    api: respx.MockRouter, harness: Harness, tmp_path: Path, content: str | bytes
) -> None:
    path = tmp_path / "tokens.json"
    probe = harness.client(token_store=FileTokenStore(path))
    key = probe.auth._key  # type: ignore[union-attr]
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content.replace("KEY", key), encoding="utf-8")
    token = api.post("/oauth/token").mock(return_value=token_response(ACCESS_1))
    orders = api.get(PATH).respond(200, json={})

    await harness.request(harness.client(token_store=FileTokenStore(path)), "GET", PATH)

    assert token.call_count == 1
    assert bearer(orders.calls[0]) == f"Bearer {ACCESS_1}"
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored[key]["access_token"] == ACCESS_1


def test_file_store_round_trip_and_delete(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "t.json")
    assert store.get("k") is None
    token = Token(SecretStr(ACCESS_1), 123.0, SecretStr(REFRESH_1), retailer_id=7)
    store.set("k", token)
    loaded = store.get("k")
    assert loaded is not None
    assert loaded.access_token.get_secret_value() == ACCESS_1
    assert loaded.refresh_token is not None
    assert loaded.refresh_token.get_secret_value() == REFRESH_1
    assert (loaded.expires_at, loaded.retailer_id) == (123.0, 7)
    store.delete("k")
    assert store.get("k") is None
    store.delete("k")  # deleting twice is fine
    assert ACCESS_1 not in repr(store)


def test_memory_store_and_invalidate(api: respx.MockRouter) -> None:
    store = MemoryTokenStore()
    token = api.post("/oauth/token").mock(
        side_effect=[token_response(ACCESS_1), token_response(ACCESS_2)]
    )
    with FluentClient(**CREDENTIALS, token_store=store) as client:
        client.login()
        assert "1 tokens" in repr(store)
        client.auth.invalidate()  # type: ignore[union-attr]
        assert client.auth.token is None
        assert client.login().access_token.get_secret_value() == ACCESS_2
    assert token.call_count == 2
