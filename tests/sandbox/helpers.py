"""Small helpers shared by the sandbox tests."""

from __future__ import annotations

from typing import Any

import httpx

from fluent_sdk.sandbox import Sandbox

__all__ = ["data", "error_codes", "gql", "sign_in"]


def sign_in(http: httpx.Client, sandbox: Sandbox) -> dict[str, Any]:
    response = http.post(
        "/oauth/token", data={"grant_type": "password", "scope": "api", **sandbox.credentials}
    )
    assert response.status_code == 200, response.text
    token: dict[str, Any] = response.json()
    return token


def gql(http: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def data(http: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    payload = gql(http, query, variables)
    assert "errors" not in payload, payload["errors"]
    result: dict[str, Any] = payload["data"]
    return result


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [str((e.get("extensions") or {}).get("code")) for e in payload.get("errors") or []]
