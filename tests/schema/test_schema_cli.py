"""The ``fluent-sdk schema`` commands, driven through typer's CliRunner."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from graphql import build_schema, introspection_from_schema
from schema_test_paths import DATA_DIR, EXPECTED_OPERATIONS_DIR, TINY_SCHEMA
from typer.testing import CliRunner

from fluent_sdk._schema import sdl as sdl_module
from fluent_sdk._schema.source import SDL_HEADER
from fluent_sdk.cli.schema import app

BASE = "https://acme.sandbox.api.fluentretail.com"
TOKEN = {"access_token": "tok-1", "token_type": "bearer", "expires_in": 3600, "Retailer_id": 1}
DESCRIBED = '''
"""DESC-TYPE an order"""
type Order {
  """DESC-FIELD the ref"""
  ref: String
}
type Query {
  order(
    """DESC-ARG the ref"""
    ref: String!
  ): Order
}
'''

runner = CliRunner()


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Redirect the package-data SDL copy so tests never touch the real one."""
    target = tmp_path / "package" / "schema.graphql"
    monkeypatch.setattr(sdl_module, "package_sdl_path", lambda: target)
    return target


@pytest.fixture
def fluent_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("FLUENT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FLUENT_PROFILE_DIR", str(tmp_path / "no-profiles"))
    monkeypatch.setenv("FLUENT_BASE_URL", BASE)
    monkeypatch.setenv("FLUENT_CLIENT_ID", "ACME")
    monkeypatch.setenv("FLUENT_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("FLUENT_USERNAME", "api_user")
    monkeypatch.setenv("FLUENT_PASSWORD", "p4ssword-value")


@pytest.fixture
def account() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth/token", name="token").respond(json=TOKEN)
        yield router


def test_import_writes_sdl_and_package_copy(tmp_path: Path, package_copy: Path) -> None:
    source = tmp_path / "introspection.json"
    source.write_text(json.dumps({"data": introspection_from_schema(build_schema(DESCRIBED))}))
    out = tmp_path / "graphql" / "schema.graphql"

    result = runner.invoke(app, ["import", str(source), "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    text = out.read_text()
    assert text.startswith(SDL_HEADER + "\n")
    assert "DESC" not in text
    assert "order(ref: String!): Order" in text
    assert package_copy.read_text() == text


def test_import_without_package_copy(tmp_path: Path, package_copy: Path) -> None:
    out = tmp_path / "schema.graphql"
    result = runner.invoke(app, ["import", str(TINY_SCHEMA), "-o", str(out), "--no-package-copy"])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert not package_copy.exists()


def test_import_reports_bad_input(tmp_path: Path, package_copy: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_text('{"data": {"__schema": ')
    result = runner.invoke(app, ["import", str(source), "--out", str(tmp_path / "x.graphql")])
    assert result.exit_code == 2
    assert "broken.json: invalid JSON at line 1" in result.output
    assert not (tmp_path / "x.graphql").exists()


def test_diff_exits_1_on_breaking_changes() -> None:
    result = runner.invoke(
        app, ["diff", str(DATA_DIR / "diff_old.graphql"), str(DATA_DIR / "diff_new.graphql")]
    )
    assert result.exit_code == 1
    assert "BREAKING  FIELD_REMOVED" in result.output
    assert "7 breaking, 5 dangerous, 9 safe" in result.output


def test_diff_exits_0_without_breaking_changes(tmp_path: Path) -> None:
    old = tmp_path / "old.graphql"
    new = tmp_path / "new.json"
    old.write_text("type Query { a: String }")
    new.write_text(
        json.dumps(introspection_from_schema(build_schema("type Query { a: String, b: Int }")))
    )
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "SAFE      FIELD_ADDED" in result.output
    assert "Field Query.b was added." in result.output
    same = runner.invoke(app, ["diff", str(old), str(old)])
    assert same.exit_code == 0
    assert "No changes" in same.output


def test_operations_command_generates_validated_documents(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["operations", "--schema", str(TINY_SCHEMA), "--out-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    produced = {p.name: p.read_text() for p in tmp_path.glob("*.graphql")}
    expected = {p.name: p.read_text() for p in EXPECTED_OPERATIONS_DIR.glob("*.graphql")}
    assert produced == expected


def test_validate_command_reports_locations(tmp_path: Path) -> None:
    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "widget.graphql").write_text("fragment W on Widget { id name }")
    (tmp_path / "ok.graphql").write_text('query Ok { widget(ref: "a") { ...W } }')
    args = ["validate", "--operations-dir", str(tmp_path), "--schema", str(TINY_SCHEMA)]

    good = runner.invoke(app, args)
    assert good.exit_code == 0, good.output
    assert "1 operation and 1 fragment files checked, 0 problem(s)." in good.output

    (tmp_path / "bad.graphql").write_text("query Bad {\n  widget {\n    id\n  }\n}")
    bad = runner.invoke(app, args)
    assert bad.exit_code == 1
    assert f"{tmp_path / 'bad.graphql'}:2:3: Field 'widget' argument 'ref'" in bad.output


def test_pull_introspects_through_the_client(
    tmp_path: Path, package_copy: Path, fluent_env: None, account: respx.MockRouter
) -> None:
    introspection = introspection_from_schema(build_schema(DESCRIBED))
    graphql_route = account.post("/graphql").respond(json={"data": introspection})
    out = tmp_path / "schema.graphql"
    raw = tmp_path / "raw" / "introspection.json"

    result = runner.invoke(
        app, ["pull", "--out", str(out), "--save-introspection", str(raw), "--no-package-copy"]
    )

    assert result.exit_code == 0, result.output
    assert graphql_route.call_count == 1
    request = graphql_route.calls[0].request
    assert request.headers["Authorization"] == "Bearer tok-1"
    body: dict[str, Any] = json.loads(request.content)
    assert body["operationName"] == "IntrospectionQuery"
    assert "__schema" in body["query"]
    assert "description" not in body["query"]
    text = out.read_text()
    assert text.startswith(SDL_HEADER)
    assert "type Order {\n  ref: String\n}" in text
    assert "DESC" not in text
    assert json.loads(raw.read_text()) == {"data": introspection}
    assert not package_copy.exists()


def test_pull_reports_http_errors(
    tmp_path: Path, package_copy: Path, fluent_env: None, account: respx.MockRouter
) -> None:
    account.post("/graphql").respond(403, json={"errors": [{"message": "no"}]})
    out = tmp_path / "schema.graphql"
    result = runner.invoke(app, ["pull", "--out", str(out)])
    assert result.exit_code == 2
    assert "schema pull failed" in result.output
    assert not out.exists()


def test_pull_reports_graphql_errors(
    tmp_path: Path, package_copy: Path, fluent_env: None, account: respx.MockRouter
) -> None:
    account.post("/graphql").respond(json={"data": None, "errors": [{"message": "denied"}]})
    result = runner.invoke(app, ["pull", "--out", str(tmp_path / "schema.graphql")])
    assert result.exit_code == 2
    assert "introspection response has errors" in result.output
    assert "denied" in result.output


def test_pull_sends_nothing_to_other_hosts(
    tmp_path: Path, package_copy: Path, fluent_env: None, account: respx.MockRouter
) -> None:
    account.post("/graphql").respond(
        json={"data": introspection_from_schema(build_schema(DESCRIBED))}
    )
    result = runner.invoke(app, ["pull", "--out", str(tmp_path / "s.graphql")])
    assert result.exit_code == 0, result.output
    hosts = {httpx.URL(str(call.request.url)).host for call in account.calls}
    assert hosts == {"acme.sandbox.api.fluentretail.com"}
