"""OAuth token endpoint and bearer-token checks, behaving like Fluent's ``/oauth/token``.

Default credentials (the default seed creates them):

=================  ====================
client_id          ``SANDBOX``
client_secret      ``sandbox-secret``
username           ``sandbox_admin``
password           ``sandbox-password``
retailer           ``1``
=================  ====================

More clients and users come from the seed (``clients``, ``users``), from
:meth:`fluent_sdk.sandbox.Sandbox.add_user` / ``add_client``, or from a GraphQL ``createUser``
with a password. Refresh tokens are single-use, as Fluent's are.
"""

from __future__ import annotations

import uuid
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from fluent_sdk.sandbox.messages import SandboxRequest, SandboxResponse, json_response
from fluent_sdk.sandbox.store import AccessToken, Link, Record, RefreshToken, Store

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "UNAUTHORIZED_MESSAGE",
    "TokenService",
    "unauthorized",
]

DEFAULT_CLIENT_ID = "SANDBOX"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
DEFAULT_USERNAME = "sandbox_admin"
DEFAULT_PASSWORD = "sandbox-password"
UNAUTHORIZED_MESSAGE = "Invalid user, Authorization header value does not belong to a valid user"
_BLOCKED_STATUSES = frozenset({"INACTIVE", "LOCKED", "DELETED", "DISABLED"})


def unauthorized() -> SandboxResponse:
    return json_response(401, {"errors": [{"code": "401", "message": UNAUTHORIZED_MESSAGE}]})


def _grant_error(
    description: str, error: str = "invalid_grant", status: int = 400
) -> SandboxResponse:
    return json_response(status, {"error": error, "error_description": description})


@dataclass(eq=False, repr=False)
class TokenService:
    """Issues and checks tokens; all state lives in the :class:`Store`."""

    store: Store
    _: KW_ONLY
    token_lifetime: int = 3600
    refresh_token_lifetime: int = 30 * 86400
    refresh_tokens_enabled: bool = field(default=True, init=False)

    def token_endpoint(self, request: SandboxRequest) -> SandboxResponse:
        # Fluent reads the grant from a form body or, the older way, from the query string.
        params = {**request.query, **request.form()}
        with self.store.lock:
            client_id = params.get("client_id", "")
            secret = self.store.clients.get(client_id)
            if secret is None or secret != params.get("client_secret"):
                return _grant_error("Bad client credentials", "invalid_client", 401)
            grant = params.get("grant_type", "")
            if grant == "password":
                user = self.user_for_password(
                    params.get("username", ""), params.get("password", "")
                )
                if user is None:
                    return _grant_error("Bad credentials")
            elif grant == "refresh_token":
                refresh = self.store.refresh_tokens.pop(params.get("refresh_token", ""), None)
                if (
                    refresh is None
                    or refresh.expires_at <= self.store.now()
                    or refresh.client_id != client_id
                ):
                    return _grant_error("Invalid refresh token")
                user = self.user(refresh.username)
                if user is None:
                    return _grant_error("Invalid refresh token")
            else:
                return _grant_error(
                    f"Unsupported grant type: {grant}", "unsupported_grant_type", 400
                )
            return json_response(200, self._issue(user, client_id))

    def _issue(self, user: Record, client_id: str) -> dict[str, Any]:
        now = self.store.now()
        access = str(uuid.uuid4())
        self.store.access_tokens[access] = AccessToken(
            user["username"], client_id, now + self.token_lifetime
        )
        retailer = user.get("primaryRetailer")
        payload: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.token_lifetime,
            "scope": "api",
            "Retailer_id": int(retailer.id) if isinstance(retailer, Link) else None,
            "FirstName": user.get("firstName"),
            "LastName": user.get("lastName"),
            "Roles": self._role_names(user),
        }
        if self.refresh_tokens_enabled:
            refresh = str(uuid.uuid4())
            self.store.refresh_tokens[refresh] = RefreshToken(
                user["username"], client_id, now + self.refresh_token_lifetime
            )
            payload["refresh_token"] = refresh
        return payload

    def _role_names(self, user: Record) -> list[str]:
        names: list[str] = []
        for user_role in user.get("roles") or []:
            role = user_role.get("role") if isinstance(user_role, dict) else None
            entity = self.store.deref(role) if isinstance(role, Link) else None
            if entity is not None and entity.get("name"):
                names.append(str(entity["name"]))
        return names

    def user(self, username: str) -> Record | None:
        for user in self.store.all("User"):
            if user.get("username") == username:
                return user
        return None

    def user_for_password(self, username: str, password: str) -> Record | None:
        user = self.user(username)
        if user is None or not password or user.get("_password") != password:
            return None
        if str(user.get("status") or "").upper() in _BLOCKED_STATUSES:
            return None
        return user

    def authenticate(self, request: SandboxRequest) -> str | None:
        """The username behind a valid, unexpired bearer token, or ``None``."""
        header = request.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        with self.store.lock:
            issued = self.store.access_tokens.get(token.strip())
            if issued is None:
                return None
            if issued.expires_at <= self.store.now():
                del self.store.access_tokens[token.strip()]
                return None
            return issued.username

    def expire_all(self) -> None:
        """Invalidate every access token (refresh tokens stay usable)."""
        with self.store.lock:
            self.store.access_tokens.clear()
