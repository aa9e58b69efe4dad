"""Where the client's settings come from: explicit arguments, the environment, Fluent CLI profiles.

Precedence is explicit arguments > environment > profile. Every problem raises
`ConfigurationError` naming the setting and where it was looked for.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from fluent_sdk._redact import register_secret
from fluent_sdk.errors import ConfigurationError

__all__ = [
    "ENV_VARS",
    "ClientConfig",
    "account_base_url",
    "load_profile",
    "resolve_config",
]

# Environment variable for each setting.
ENV_VARS: dict[str, str] = {
    "base_url": "FLUENT_BASE_URL",
    "account": "FLUENT_ACCOUNT",
    "environment": "FLUENT_ENVIRONMENT",
    "client_id": "FLUENT_CLIENT_ID",
    "client_secret": "FLUENT_CLIENT_SECRET",
    "username": "FLUENT_USERNAME",
    "password": "FLUENT_PASSWORD",
    "retailer_id": "FLUENT_RETAILER_ID",
    "token": "FLUENT_ACCESS_TOKEN",
}
PROFILE_DIR_ENV = "FLUENT_PROFILE_DIR"
_ENVIRONMENTS = ("sandbox", "test", "staging", "production", "prod", "uat", "dev")
_SECRET_FIELDS = ("client_secret", "password", "token")


@dataclass(frozen=True)
class ClientConfig:
    """Resolved, validated settings of one client. Secrets are `SecretStr` (masked in repr)."""

    base_url: str
    account: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    retailer_id: int | None = None
    token: SecretStr | None = field(default=None)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # A config built directly (not by `resolve_config`) registers its secrets too.
        for secret in (self.client_secret, self.password, self.token):
            if secret is not None:
                register_secret(secret.get_secret_value())

    @property
    def uses_static_token(self) -> bool:
        return self.token is not None

    def __repr__(self) -> str:
        def mask(value: SecretStr | None) -> str:
            return "None" if value is None else "SecretStr('**********')"

        return (
            f"ClientConfig(base_url={self.base_url!r}, account={self.account!r}, "
            f"client_id={self.client_id!r}, client_secret={mask(self.client_secret)}, "
            f"username={self.username!r}, password={mask(self.password)}, "
            f"retailer_id={self.retailer_id!r}, token={mask(self.token)})"
        )


def account_base_url(account: str, environment: str | None) -> str:
    """``https://{account}.{env}.api.fluentretail.com``; production has no environment segment."""
    account = account.strip().lower()
    if not account or not all(c.isalnum() or c in "-_" for c in account):
        raise ConfigurationError(
            f"account {account!r} is not a valid Fluent account id", setting="account"
        )
    env = (environment or "").strip().lower()
    if env in ("", "production", "prod"):
        return f"https://{account}.api.fluentretail.com"
    if not env.isalnum():
        raise ConfigurationError(
            f"environment {environment!r} is not valid (e.g. sandbox, test)", setting="environment"
        )
    return f"https://{account}.{env}.api.fluentretail.com"


def _account_from_host(base_url: str) -> str | None:
    host = urlsplit(base_url).hostname or ""
    if host.endswith(".api.fluentretail.com"):
        return host.split(".", 1)[0].upper()
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str, *, source: str, allow_insecure: bool) -> str:
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"base_url {base_url!r} is not an http(s) URL with a host",
            setting="base_url",
            looked_in=[source],
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            "base_url must not contain credentials", setting="base_url", looked_in=[source]
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            "base_url must not have a query string or fragment",
            setting="base_url",
            looked_in=[source],
        )
    if parts.scheme == "http" and not allow_insecure and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"base_url: refusing plain http:// to {parts.hostname}: credentials would travel "
            "unencrypted; use https:// or pass allow_insecure=True",
            setting="base_url",
            looked_in=[source],
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _profile_root() -> Path:
    override = os.environ.get(PROFILE_DIR_ENV)
    return Path(override).expanduser() if override else Path.home() / ".fluentcommerce"


def _read_json(path: Path, setting: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"profile file {path} does not exist", setting=setting, looked_in=[str(path)]
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"profile file {path} is not readable JSON: {exc}",
            setting=setting,
            looked_in=[str(path)],
        ) from None
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"profile file {path} must hold a JSON object", setting=setting, looked_in=[str(path)]
        )
    return data


def load_profile(
    name: str, *, user: str | None = None, retailer: str | None = None, root: Path | None = None
) -> dict[str, Any]:
    """Read a Fluent CLI profile folder into settings.

    ``<root>/<name>/profile.json`` gives ``baseUrl``, ``id`` (account / client id),
    ``clientSecret`` and the default ``user``; ``user.<user>.json`` gives ``username`` and
    ``password``; ``retailer.<ref>.json`` (optional) gives the retailer ``id`` and may name its
    own ``user``.
    """
    folder = (root or _profile_root()) / name
    if not folder.is_dir():
        raise ConfigurationError(
            f"profile {name!r} not found", setting="profile", looked_in=[str(folder)]
        )
    profile_file = folder / "profile.json"
    profile = _read_json(profile_file, "profile")
    settings: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def put(key: str, value: Any, source: Path) -> None:
        if value is not None and value != "":
            settings[key] = value
            sources[key] = str(source)

    put("base_url", profile.get("baseUrl"), profile_file)
    put("client_id", profile.get("id"), profile_file)
    put("account", profile.get("id"), profile_file)
    put("client_secret", profile.get("clientSecret"), profile_file)
    put("retailer_id", profile.get("retailerId"), profile_file)
    user_name = user
    if retailer is not None:
        retailer_file = folder / f"retailer.{retailer}.json"
        retailer_data = _read_json(retailer_file, "retailer")
        put("retailer_id", retailer_data.get("id"), retailer_file)
        user_name = user_name or retailer_data.get("user")
    user_name = user_name or profile.get("user")
    if user_name:
        user_file = folder / f"user.{user_name}.json"
        user_data = _read_json(user_file, "username")
        put("username", user_data.get("username") or user_name, user_file)
        put("password", user_data.get("password"), user_file)
    settings["_sources"] = sources
    return settings


def _coerce_retailer_id(value: Any, source: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ConfigurationError(
            "retailer_id must be a whole number", setting="retailer_id", looked_in=[source]
        )
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigurationError(
            f"retailer_id {value!r} is not a whole number",
            setting="retailer_id",
            looked_in=[source],
        ) from None
    if number <= 0:
        raise ConfigurationError(
            "retailer_id must be positive", setting="retailer_id", looked_in=[source]
        )
    return number


def resolve_config(
    explicit: Mapping[str, Any],
    *,
    use_env: bool = True,
    profile: str | None = None,
    profile_user: str | None = None,
    profile_retailer: str | None = None,
    allow_insecure: bool = False,
) -> ClientConfig:
    """Merge explicit arguments > environment > profile into a validated `ClientConfig`."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def looked_in(*keys: str) -> list[str]:
        places = ["arguments"]
        if use_env:
            places += [f"${ENV_VARS[key]}" for key in keys]
        if profile is not None:
            places.append(f"profile {profile!r} at {_profile_root() / profile}")
        return places

    if profile is not None:
        loaded = load_profile(profile, user=profile_user, retailer=profile_retailer)
        profile_sources: dict[str, str] = loaded.pop("_sources")
        values.update(loaded)
        sources.update(profile_sources)
    if use_env:
        env_values = {key: os.environ[var] for key, var in ENV_VARS.items() if os.environ.get(var)}
        # An account in the environment replaces a profile's base URL, and vice versa.
        if "account" in env_values and "base_url" not in env_values:
            values.pop("base_url", None)
        if "base_url" in env_values:
            values.pop("account", None)
        values.update(env_values)
        sources.update({key: f"${ENV_VARS[key]}" for key in env_values})
    given = {key: value for key, value in explicit.items() if value is not None}
    if "account" in given and "base_url" not in given:
        values.pop("base_url", None)
    values.update(given)
    sources.update({key: "arguments" for key in given})

    for key in _SECRET_FIELDS:
        raw = values.get(key)
        if isinstance(raw, SecretStr):
            raw = raw.get_secret_value()
        if raw is not None and not isinstance(raw, str):
            raise ConfigurationError(
                f"{key} must be a string", setting=key, looked_in=[sources.get(key, "arguments")]
            )
        register_secret(raw)
        values[key] = SecretStr(raw) if raw else None

    base_url = values.get("base_url")
    account = values.get("account")
    if base_url is None and account:
        base_url = account_base_url(str(account), values.get("environment"))
        sources["base_url"] = sources.get("account", "arguments")
    if not base_url:
        raise ConfigurationError(
            "no Fluent URL configured: set base_url, or account (+ environment)",
            setting="base_url",
            looked_in=looked_in("base_url", "account"),
        )
    base_url = _check_base_url(
        str(base_url), source=sources.get("base_url", "arguments"), allow_insecure=allow_insecure
    )
    account = str(account).upper() if account else _account_from_host(base_url)

    token = values.get("token")
    if token is None:
        for key in ("client_id", "client_secret", "username", "password"):
            if not values.get(key):
                raise ConfigurationError(
                    f"{key} is required for the password grant (or pass token= to use a bearer "
                    "token you already hold)",
                    setting=key,
                    looked_in=looked_in(key),
                )
    for key in ("client_id", "username"):
        if values.get(key) is not None and not isinstance(values[key], str):
            raise ConfigurationError(
                f"{key} must be a string", setting=key, looked_in=[sources.get(key, "arguments")]
            )
    return ClientConfig(
        base_url=base_url,
        account=account,
        client_id=values.get("client_id"),
        client_secret=values.get("client_secret"),
        username=values.get("username"),
        password=values.get("password"),
        retailer_id=_coerce_retailer_id(
            values.get("retailer_id"), sources.get("retailer_id", "arguments")
        ),
        token=token,
        sources=sources,
    )
