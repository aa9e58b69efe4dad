"""Fixtures for CLI tests: a clean environment (no FLUENT_* settings, HOME in tmp) and a
sandbox served on 127.0.0.1 that the CLI reaches through FLUENT_* variables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fluent_sdk._config import ENV_VARS, PROFILE_DIR_ENV
from fluent_sdk.cli import build_app
from fluent_sdk.sandbox import Sandbox


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in (*ENV_VARS.values(), PROFILE_DIR_ENV):
        monkeypatch.delenv(variable, raising=False)
    # No saved tokens or profiles of the developer's leak into a test.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@dataclass
class Cli:
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(build_app(), list(args), input=input)


@pytest.fixture
def cli() -> Cli:
    return Cli(CliRunner())


@dataclass
class Served:
    sandbox: Sandbox
    base_url: str

    @property
    def secrets(self) -> list[str]:
        """Every secret that must never be printed: credentials and issued tokens."""
        store = self.sandbox.store
        with store.lock:
            tokens = [*store.access_tokens, *store.refresh_tokens]
        credentials = self.sandbox.credentials
        return [credentials["client_secret"], credentials["password"], *tokens]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """A sandbox on a loopback port, configured through FLUENT_* like a real account."""
    sandbox = Sandbox()
    with sandbox.serve(port=0) as base_url:
        monkeypatch.setenv("FLUENT_BASE_URL", base_url)
        for name, value in sandbox.credentials.items():
            monkeypatch.setenv(ENV_VARS[name], value)
        yield Served(sandbox, base_url)
    assert not sandbox.app.errors, sandbox.app.errors
