"""Settings: explicit arguments > environment > Fluent CLI profile; URL rules; errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import respx
from core_support import BASE, CLIENT_SECRET, PASSWORD, token_response

from fluent_sdk import AsyncFluentClient, ConfigurationError, FluentClient
from fluent_sdk._config import account_base_url, load_profile, resolve_config

FULL: dict[str, Any] = dict(
    client_id="ACME", client_secret=CLIENT_SECRET, username="u1", password=PASSWORD
)


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Fluent CLI profile root with profile ``dev`` (user ``admin``, retailer ``R2``)."""
    root = tmp_path / "profiles"
    write(
        root / "dev" / "profile.json",
        {
            "baseUrl": "https://profacct.sandbox.api.fluentretail.com/",
            "id": "PROFACCT",
            "clientSecret": "profile-client-secret",
            "user": "admin",
        },
    )
    write(root / "dev" / "user.admin.json", {"username": "admin", "password": "admin-pass"})
    write(root / "dev" / "user.store.json", {"username": "store_user", "password": "store-pass"})
    write(root / "dev" / "retailer.R2.json", {"id": 2, "user": "store"})
    write(root / "dev" / "retailer.R3.json", {"id": "3"})
    monkeypatch.setenv("FLUENT_PROFILE_DIR", str(root))
    return root


def test_profile_is_loaded(profiles: Path) -> None:
    with FluentClient.from_profile("dev") as client:
        config = client.config
    assert config.base_url == "https://profacct.sandbox.api.fluentretail.com"
    assert config.account == "PROFACCT"
    assert config.client_id == "PROFACCT"
    assert config.client_secret is not None
    assert config.client_secret.get_secret_value() == "profile-client-secret"
    assert config.username == "admin"
    assert config.password is not None
    assert config.password.get_secret_value() == "admin-pass"
    assert config.retailer_id is None
    assert config.sources["password"] == str(profiles / "dev" / "user.admin.json")


def test_profile_retailer_file_gives_id_and_its_user(profiles: Path) -> None:
    config = resolve_config({}, profile="dev", profile_retailer="R2")
    assert config.retailer_id == 2
    assert config.username == "store_user"
    assert config.password is not None
    assert config.password.get_secret_value() == "store-pass"
    # an explicit user wins over the retailer's
    config = resolve_config({}, profile="dev", profile_retailer="R2", profile_user="admin")
    assert config.username == "admin"
    # a retailer without a user keeps the profile's default user; string ids are coerced
    config = resolve_config({}, profile="dev", profile_retailer="R3")
    assert (config.retailer_id, config.username) == (3, "admin")


def test_load_profile_with_explicit_root(tmp_path: Path) -> None:
    write(tmp_path / "p" / "profile.json", {"baseUrl": BASE, "id": "ACME", "clientSecret": "s1"})
    settings = load_profile("p", root=tmp_path)
    assert settings["base_url"] == BASE
    assert "username" not in settings


async def test_precedence_arguments_over_env_over_profile(
    profiles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUENT_USERNAME", "env_user")
    monkeypatch.setenv("FLUENT_PASSWORD", "env-pass")
    monkeypatch.setenv("FLUENT_RETAILER_ID", "9")
    async with AsyncFluentClient.from_profile("dev", password="arg-pass") as client:
        config = client.config
    assert config.username == "env_user"  # env over profile
    assert config.password is not None
    assert config.password.get_secret_value() == "arg-pass"  # argument over env
    assert config.client_secret is not None
    assert config.client_secret.get_secret_value() == "profile-client-secret"  # profile only
    assert config.retailer_id == 9
    assert config.sources["username"] == "$FLUENT_USERNAME"
    assert config.sources["password"] == "arguments"


def test_env_account_replaces_profile_url(profiles: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUENT_ACCOUNT", "envacct")
    monkeypatch.setenv("FLUENT_ENVIRONMENT", "test")
    config = resolve_config({}, profile="dev")
    assert config.base_url == "https://envacct.test.api.fluentretail.com"
    assert config.account == "ENVACCT"


def test_argument_account_replaces_env_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUENT_BASE_URL", "https://other.api.fluentretail.com")
    config = resolve_config({"account": "acme", "environment": "sandbox", **FULL})
    assert config.base_url == BASE


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in {
        "FLUENT_ACCOUNT": "acme",
        "FLUENT_ENVIRONMENT": "sandbox",
        "FLUENT_CLIENT_ID": "ACME",
        "FLUENT_CLIENT_SECRET": CLIENT_SECRET,
        "FLUENT_USERNAME": "env_user",
        "FLUENT_PASSWORD": PASSWORD,
    }.items():
        monkeypatch.setenv(var, value)
    with FluentClient.from_env(username="arg_user") as client:
        assert client.base_url == BASE
        assert client.config.account == "ACME"
        assert client.config.username == "arg_user"


def test_env_static_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUENT_BASE_URL", BASE)
    monkeypatch.setenv("FLUENT_ACCESS_TOKEN", "st-env-static-token")
    with FluentClient.from_env() as client:
        assert client.config.uses_static_token
        assert client.config.username is None


def test_from_env_passes_client_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUENT_BASE_URL", "http://fluent.internal:8080")
    with pytest.raises(ConfigurationError):
        FluentClient.from_env(token="t" * 10)
    with FluentClient.from_env(token="t" * 10, allow_insecure=True) as client:
        assert client.base_url == "http://fluent.internal:8080"


@pytest.mark.parametrize(
    ("account", "environment", "url"),
    [
        ("acme", "sandbox", "https://acme.sandbox.api.fluentretail.com"),
        ("ACME", "SANDBOX", "https://acme.sandbox.api.fluentretail.com"),
        ("acme", "test", "https://acme.test.api.fluentretail.com"),
        ("acme", "staging", "https://acme.staging.api.fluentretail.com"),
        ("acme", "production", "https://acme.api.fluentretail.com"),
        ("acme", "PROD", "https://acme.api.fluentretail.com"),
        ("acme", None, "https://acme.api.fluentretail.com"),
        ("my-acct_1", "uat", "https://my-acct_1.uat.api.fluentretail.com"),
    ],
)
def test_account_url(account: str, environment: str | None, url: str) -> None:
    assert account_base_url(account, environment) == url
    config = resolve_config({"account": account, "environment": environment, **FULL})
    assert config.base_url == url
    assert config.account == account.upper()


@pytest.mark.parametrize(
    ("account", "environment", "setting"),
    [
        ("acme.evil.com/", "sandbox", "account"),
        ("", "sandbox", "account"),
        ("acme", "sand box", "environment"),
        ("acme", "x.evil", "environment"),
    ],
)
def test_bad_account_or_environment(account: str, environment: str, setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        account_base_url(account, environment)
    assert caught.value.setting == setting


def test_account_is_derived_from_the_host() -> None:
    assert resolve_config({"base_url": BASE, **FULL}).account == "ACME"
    assert resolve_config({"base_url": "https://localhost:9", **FULL}).account is None


@pytest.mark.parametrize("missing", ["client_id", "client_secret", "username", "password"])
def test_missing_credential_names_setting_and_places(
    missing: str, profiles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(profiles / "bare" / "profile.json", {"baseUrl": BASE})
    given = {k: v for k, v in FULL.items() if k != missing}
    with pytest.raises(ConfigurationError) as caught:
        resolve_config(given, profile="bare")
    error = caught.value
    assert error.setting == missing
    assert "arguments" in error.looked_in
    env_var = {
        "client_id": "$FLUENT_CLIENT_ID",
        "client_secret": "$FLUENT_CLIENT_SECRET",
        "username": "$FLUENT_USERNAME",
        "password": "$FLUENT_PASSWORD",
    }[missing]
    assert env_var in error.looked_in
    assert any(str(profiles / "bare") in place for place in error.looked_in)
    assert missing in str(error)


def test_missing_url() -> None:
    with pytest.raises(ConfigurationError) as caught:
        FluentClient(**FULL)
    assert caught.value.setting == "base_url"
    assert "account" in str(caught.value)


def test_constructor_requires_credentials_without_token() -> None:
    with pytest.raises(ConfigurationError) as caught:
        FluentClient(base_url=BASE, client_id="ACME")
    assert caught.value.setting == "client_secret"
    with FluentClient(base_url=BASE, token="st-static-token") as client:
        assert client.config.uses_static_token


def test_missing_profile(profiles: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        FluentClient.from_profile("nope")
    assert caught.value.setting == "profile"
    assert caught.value.looked_in == (str(profiles / "nope"),)


@pytest.mark.parametrize(
    ("content", "fragment"), [("{not json", "not readable JSON"), ("[1, 2]", "JSON object")]
)
def test_malformed_profile_file(profiles: Path, content: str, fragment: str) -> None:
    write(profiles / "broken" / "profile.json", content)
    with pytest.raises(ConfigurationError, match=fragment) as caught:
        resolve_config({}, profile="broken")
    assert caught.value.setting == "profile"
    assert caught.value.looked_in == (str(profiles / "broken" / "profile.json"),)


def test_missing_user_and_retailer_files(profiles: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config({}, profile="dev", profile_user="ghost")
    assert caught.value.setting == "username"
    assert caught.value.looked_in == (str(profiles / "dev" / "user.ghost.json"),)
    with pytest.raises(ConfigurationError) as caught:
        resolve_config({}, profile="dev", profile_retailer="R404")
    assert caught.value.setting == "retailer"


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5", True])
def test_bad_retailer_id(value: object, monkeypatch: pytest.MonkeyPatch) -> None:
    if isinstance(value, str):
        monkeypatch.setenv("FLUENT_RETAILER_ID", value)
        kwargs: dict[str, Any] = {}
        place = "$FLUENT_RETAILER_ID"
    else:
        kwargs = {"retailer_id": value}
        place = "arguments"
    with pytest.raises(ConfigurationError) as caught:
        resolve_config({"base_url": BASE, **FULL, **kwargs})
    assert caught.value.setting == "retailer_id"
    assert caught.value.looked_in == (place,)


def test_non_string_secret_is_rejected() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_config({"base_url": BASE, **FULL, "password": 12345678})
    assert caught.value.setting == "password"


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.sandbox.api.fluentretail.com",
        "http://10.0.0.5:8080",
        "http://localhost.evil.com",
    ],
)
def test_plain_http_to_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="http://") as caught:
        resolve_config({"base_url": url, **FULL})
    assert caught.value.setting == "base_url"
    assert resolve_config({"base_url": url, **FULL}, allow_insecure=True).base_url == url
    with FluentClient(base_url=url, allow_insecure=True, **FULL) as client:
        assert client.base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080",
        "http://127.0.0.1:9000",
        "http://127.1.2.3",
        "http://[::1]:8080",
        "http://sandbox.localhost",
    ],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert resolve_config({"base_url": url, **FULL}).base_url == url


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://acme.api.fluentretail.com", "http(s)"),
        ("acme.api.fluentretail.com", "http(s)"),
        ("https://user:pw@acme.api.fluentretail.com", "credentials"),
        ("https://acme.api.fluentretail.com/?x=1", "query"),
    ],
)
def test_malformed_base_url(url: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        resolve_config({"base_url": url, **FULL})


def test_base_url_trailing_slash_is_dropped() -> None:
    config = resolve_config({"base_url": f"{BASE}/", **FULL})
    assert config.base_url == BASE


async def test_profile_client_reaches_the_profile_url(profiles: Path) -> None:
    base = "https://profacct.sandbox.api.fluentretail.com"
    with respx.mock(base_url=base) as router:
        token = router.post("/oauth/token").mock(return_value=token_response())
        orders = router.get("/api/v4.1/order").respond(200, json={})
        with FluentClient.from_profile("dev", retailer="R2") as client:
            client.request("GET", "/api/v4.1/order")
            assert client.retailer_id == 2
    sent = token.calls[0].request.content.decode()
    assert "username=store_user" in sent
    assert "client_id=PROFACCT" in sent
    assert orders.calls[0].request.headers["fluent.account"] == "PROFACCT"
