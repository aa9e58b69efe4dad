"""Transport-neutral request/response values shared by the in-process transports and the server."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

__all__ = [
    "SandboxRequest",
    "SandboxResponse",
    "json_response",
    "plugin_error",
    "v41_error",
    "v41_json_object",
]


@dataclass(slots=True)
class SandboxRequest:
    method: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # keys lower-cased
    body: bytes = b""

    @property
    def query(self) -> dict[str, str]:
        """Query parameters; the last value wins when a name repeats."""
        return dict(parse_qsl(self.query_string, keep_blank_values=True))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The parsed JSON body; raises ``ValueError`` when it is not JSON."""
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        content_type = self.header("content-type") or ""
        if "application/x-www-form-urlencoded" not in content_type:
            return {}
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


@dataclass(slots=True)
class SandboxResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def json_response(
    status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> SandboxResponse:
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    merged = {"content-type": "application/json", **(headers or {})}
    return SandboxResponse(status, body, merged)


def v41_error(status: int, message: str, code: str | None = None) -> SandboxResponse:
    """The ``{"errors":[{"code","message"}]}`` shape of the v4.1 REST APIs."""
    return json_response(status, {"errors": [{"code": code or str(status), "message": message}]})


def v41_json_object(request: SandboxRequest) -> dict[str, Any] | SandboxResponse:
    """The request's body, a JSON object, or the v4.1 APIs' 400 answer when it is not one."""
    try:
        body = request.json()
    except ValueError:
        return v41_error(400, "Request body is not valid JSON")
    if not isinstance(body, dict):
        return v41_error(400, "Request body must be a JSON object")
    return body


def plugin_error(status: int, message: str) -> SandboxResponse:
    """The ``{"message","status"}`` shape of the plugin service."""
    return json_response(status, {"message": message, "status": status})
