"""The REST namespaces know a client only as `RestClient` / `AsyncRestClient` (mypy checks, in
``fluent_sdk._client``, that both clients satisfy them), and ``client.ops`` with nothing
attached is an `AttributeError` too, so ``hasattr`` answers instead of raising."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import fluent_sdk
from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk._types import AsyncRestClient, RestClient
from fluent_sdk.errors import ConfigurationError, OperationsNotAttachedError

REST = Path(fluent_sdk.__file__).parent / "rest"


def _members(protocol: type) -> set[str]:
    return {name for name in vars(protocol) if not name.startswith("_")}


@pytest.mark.parametrize(
    ("client_class", "protocol"),
    [(FluentClient, RestClient), (AsyncFluentClient, AsyncRestClient)],
)
def test_clients_have_what_the_rest_layer_needs(client_class: type, protocol: type) -> None:
    assert _members(protocol) == {"call", "login", "retailer_id"}
    for name in _members(protocol):
        assert hasattr(client_class, name)
        wanted = inspect.iscoroutinefunction(getattr(protocol, name))
        assert inspect.iscoroutinefunction(getattr(client_class, name)) == wanted


def test_rest_modules_do_not_import_the_client() -> None:
    """Not even for type checking: the client imports the namespaces for its typed attributes,
    never the other way round (the REST layer knows the client only as a Protocol)."""
    importers: list[str] = []
    for path in sorted(REST.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "fluent_sdk._client":
                importers.append(path.name)
    assert importers == []


def test_ops_without_operations_is_an_attribute_error() -> None:
    client = FluentClient(base_url="https://acme.sandbox.api.fluentretail.com", token="t")
    with client:
        assert not hasattr(client, "ops")
        assert getattr(client, "ops", None) is None
        with pytest.raises(OperationsNotAttachedError, match=r"client\.use\('NAME'\)") as caught:
            _ = client.ops
    assert isinstance(caught.value, ConfigurationError)
    assert isinstance(caught.value, AttributeError)
    assert caught.value.setting == "operations"
    assert fluent_sdk.OperationsNotAttachedError is OperationsNotAttachedError


async def test_async_ops_without_operations_is_an_attribute_error() -> None:
    async with AsyncFluentClient(
        base_url="https://acme.sandbox.api.fluentretail.com", token="t"
    ) as client:
        assert not hasattr(client, "ops")
