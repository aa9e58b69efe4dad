"""Root options, exit codes, error lines, --debug and secrets, on login/whoami/query."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from .conftest import Cli, Served


def test_help_lists_every_command(cli: Cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for name in (
        "demo",
        "login",
        "whoami",
        "query",
        "events",
        "jobs",
        "inventory",
        "catalogue",
        "settings",
        "workflows",
        "schema",
        "sandbox",
    ):
        assert name in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["login"],
        ["whoami"],
        ["query"],
        ["events", "send"],
        ["events", "get"],
        ["events", "search"],
        ["jobs", "create"],
        ["jobs", "status"],
        ["inventory", "update"],
        ["catalogue", "sync"],
        ["settings", "get"],
        ["settings", "set"],
        ["workflows", "get"],
        ["workflows", "put"],
        ["demo"],
    ],
)
def test_every_command_has_help(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout
    assert "--sandbox" in result.stdout


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("fluent-sdk ")


def test_whoami_on_the_sandbox(cli: Cli) -> None:
    result = cli("whoami", "--sandbox")
    assert result.exit_code == 0, result.output
    assert "sandbox_admin" in result.stdout
    assert "Sandbox Retail" in result.stdout


def test_whoami_json_through_env_variables(cli: Cli, served: Served) -> None:
    result = cli("whoami", "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["username"] == "sandbox_admin"
    assert data["base_url"] == served.base_url
    assert data["retailer_id"] == 1


def test_base_url_option_wins_over_the_environment(
    cli: Cli, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUENT_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    result = cli("whoami", "--base-url", served.base_url)
    assert result.exit_code == 0, result.output


def test_profile_option_reads_a_fluent_cli_profile(
    cli: Cli, served: Served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for variable in (
        "FLUENT_BASE_URL",
        "FLUENT_CLIENT_ID",
        "FLUENT_CLIENT_SECRET",
        "FLUENT_USERNAME",
        "FLUENT_PASSWORD",
    ):
        monkeypatch.delenv(variable)
    folder = tmp_path / "profiles" / "dev"
    folder.mkdir(parents=True)
    credentials = served.sandbox.credentials
    (folder / "profile.json").write_text(
        json.dumps(
            {
                "baseUrl": served.base_url,
                "id": credentials["client_id"],
                "clientSecret": credentials["client_secret"],
                "user": "admin",
            }
        )
    )
    (folder / "user.admin.json").write_text(
        json.dumps(
            {
                "username": credentials["username"],
                "password": credentials["password"],
            }
        )
    )
    monkeypatch.setenv("FLUENT_PROFILE_DIR", str(tmp_path / "profiles"))
    result = cli("whoami", "--profile", "dev")
    assert result.exit_code == 0, result.output
    assert "sandbox_admin" in result.stdout
    assert "profile 'dev'" in result.stdout


def test_login_verifies_and_saves_nothing_by_default(cli: Cli, served: Served) -> None:
    result = cli("login")
    assert result.exit_code == 0, result.output
    assert "sandbox_admin" in result.stdout
    assert not (Path.home() / ".cache" / "fluent-sdk" / "tokens.json").exists()


def test_login_save_token_writes_a_private_file_reused_later(
    cli: Cli, served: Served, tmp_path: Path
) -> None:
    token_file = tmp_path / "tokens.json"
    result = cli("login", "--save-token", "--token-file", str(token_file))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    saved = json.loads(token_file.read_text())
    assert len(saved) == 1
    token = next(iter(saved.values()))["access_token"]
    assert token not in result.output
    assert served.sandbox.credentials["password"] not in token_file.read_text()
    assert cli("logout", "--token-file", str(token_file)).exit_code == 0
    assert not token_file.exists()


def test_saved_token_is_reused_by_later_commands(cli: Cli, served: Served) -> None:
    assert cli("login", "--save-token").exit_code == 0
    token_requests = served.sandbox.requests.count("POST /oauth/token")
    assert token_requests >= 1
    result = cli("whoami")
    assert result.exit_code == 0, result.output
    assert served.sandbox.requests.count("POST /oauth/token") == token_requests


def test_missing_configuration_is_a_usage_error(cli: Cli) -> None:
    result = cli("whoami")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ConfigurationError")


def test_unknown_option_is_a_usage_error(cli: Cli) -> None:
    result = cli("whoami", "--no-such-option")
    assert result.exit_code == 2


def test_wrong_password_is_an_api_error_on_one_line(
    cli: Cli, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUENT_PASSWORD", "not-the-password-123")
    result = cli("login")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: AuthenticationError")
    assert "not-the-password-123" not in result.output


def test_debug_adds_traceback_details_and_request_log(cli: Cli, served: Served) -> None:
    plain = cli("jobs", "status", "424242")
    assert plain.exit_code == 1
    assert len(plain.stderr.strip().splitlines()) == 1
    assert "Traceback" not in plain.stderr

    debug = cli("--debug", "jobs", "status", "424242")
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "status: 404" in debug.stderr
    assert "debug: fluent_sdk GET /api/v4.1/job/424242 -> 404" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("Error: NotFoundError")


def test_no_secret_in_any_output(cli: Cli, served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = [
        cli("--debug", "login"),
        cli("--debug", "whoami", "-o", "json"),
        cli("--debug", "query", "{ me { username } }"),
        cli("--debug", "jobs", "status", "1"),
        cli("--debug", "settings", "get", "fc.graphql.comment.access", "--context", "ACCOUNT"),
    ]
    monkeypatch.setenv("FLUENT_PASSWORD", "wrong-password-456")
    outputs.append(cli("--debug", "login"))
    secrets = [*served.secrets, "wrong-password-456"]
    assert len(secrets) > 3  # credentials and at least one issued token
    for result in outputs:
        for secret in secrets:
            assert secret not in result.output
