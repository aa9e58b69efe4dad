"""The generator on a tiny schema: golden output, reproducibility, and the generated client
working end to end (loaded under another package name)."""

from __future__ import annotations

import importlib.util
import inspect
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import respx
from graphql_test_data import graphql_body

from fluent_sdk import FluentClient
from fluent_sdk._codegen import GENERATED_HEADER, generate, make_sync_twin
from fluent_sdk.errors import ValidationError

HERE = Path(__file__).parent
TINY = HERE / "codegen_tiny"
GOLDEN = TINY / "golden"
REPO = HERE.parent.parent
GOLDEN_FILES = (
    "client.py",
    "documents.py",
    "widgets.py",
    "widget_by_id.py",
    "input_types.py",
    "_sdk_widget_get.py",
)


def _tiny_repo(root: Path) -> Path:
    config = (REPO / "codegen.toml").read_text(encoding="utf-8")
    config = config.replace(
        'base_client_file_path = "fluent_sdk/',
        f'base_client_file_path = "{REPO.as_posix()}/fluent_sdk/',
    )
    tables = 'tables = "fluent_sdk._codegen.tables"'
    assert tables in config
    config = config.replace(tables, 'tables = "codegen_tiny_tables"')
    (root / "codegen.toml").write_text(config, encoding="utf-8")
    (root / "graphql").mkdir()
    shutil.copyfile(TINY / "schema.graphql", root / "graphql" / "schema.graphql")
    shutil.copytree(TINY / "operations", root / "graphql" / "operations")
    (root / "fluent_sdk" / "_generated").mkdir(parents=True)
    return root / "fluent_sdk" / "_generated"


@pytest.fixture(scope="module")
def tiny_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    output = _tiny_repo(root)
    written = generate(root)
    assert "client.py" in written
    assert "async_client.py" in written
    assert generate(root, check=True) == []  # running again changes nothing
    return output


@pytest.fixture(scope="module")
def tiny_package(tiny_output: Path) -> Iterator[ModuleType]:
    name = "fluent_tiny_generated"
    spec = importlib.util.spec_from_file_location(
        name, tiny_output / "__init__.py", submodule_search_locations=[str(tiny_output)]
    )
    assert spec is not None
    assert spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    yield package
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_output_matches_golden_files(tiny_output: Path) -> None:
    if os.environ.get("FLUENT_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for name in GOLDEN_FILES:
            shutil.copyfile(tiny_output / name, GOLDEN / f"{name}.golden")
    for name in GOLDEN_FILES:
        expected = (GOLDEN / f"{name}.golden").read_text(encoding="utf-8")
        assert (tiny_output / name).read_text(encoding="utf-8") == expected, name
    for path in tiny_output.glob("*.py"):
        assert path.read_text(encoding="utf-8").startswith(GENERATED_HEADER), path.name
    assert not (tiny_output / "exceptions.py").exists()


def test_sync_twin_is_the_async_client_without_async() -> None:
    source = (
        "from .async_base_client import AsyncBaseClient, AsyncPaginator\n"
        "class AsyncGraphQLClient(AsyncBaseClient):\n"
        "    async def a(self) -> AsyncPaginator[int]:\n"
        "        return await self._send_operation()\n"
    )
    assert make_sync_twin(source) == (
        "from .base_client import BaseClient, Paginator\n"
        "class GraphQLClient(BaseClient):\n"
        "    def a(self) -> Paginator[int]:\n"
        "        return self._send_operation()\n"
    )
    with pytest.raises(RuntimeError, match="left over"):
        make_sync_twin(source + "    async for x in y: pass\n")


def test_generated_client_end_to_end(
    tiny_package: ModuleType, fluent_mock: respx.MockRouter
) -> None:
    client_module = importlib.import_module(f"{tiny_package.__name__}.client")
    route = fluent_mock.post("/graphql")
    with FluentClient(
        base_url="https://acme.sandbox.api.fluentretail.com",
        client_id="ACME",
        client_secret="s3cret-value",
        username="u",
        password="p4ss-value",
    ) as fluent_client:
        widgets = client_module.GraphQLClient(fluent_client)
        route.respond(
            json={
                "data": {
                    "widgetById": {
                        "id": "1",
                        "kind": "NEW_KIND",
                        "createdOn": "2024-01-01T00:00:00Z",
                        "attributes": {"a": 1},
                        "unknown": True,
                    }
                }
            }
        )
        widget = widgets.widget_by_id(id="1")
        assert widget.kind == "NEW_KIND"
        assert widget.created_on.tzinfo is not None
        assert widget.ref is None

        with pytest.raises(ValidationError) as caught:
            widgets.create_widget(input={"kind": "PLAIN"})
        assert caught.value.field == "input.ref"

        route.side_effect = [
            httpx.Response(
                200,
                json={
                    "data": {
                        "widgets": {
                            "edges": [{"cursor": "a", "node": {"id": "1"}}],
                            "pageInfo": {"hasNextPage": True},
                        }
                    }
                },
            ),
            httpx.Response(
                200,
                json={
                    "data": {
                        "widgets": {
                            "edges": [{"cursor": "b", "node": {"id": "2"}}],
                            "pageInfo": {"hasNextPage": False},
                        }
                    }
                },
            ),
        ]
        assert [w.id for w in widgets.iter_widgets(ref=["x"], page_size=1)] == ["1", "2"]
        assert graphql_body(route.calls.last.request)["variables"] == {
            "ref": ["x"],
            "first": 1,
            "after": "a",
        }


def test_helper_operations_are_private_and_parse_into_their_model(
    tiny_package: ModuleType, tiny_output: Path, fluent_mock: respx.MockRouter
) -> None:
    from codegen_tiny_tables import TinyWidget

    client_module = importlib.import_module(f"{tiny_package.__name__}.client")
    client_class = client_module.GraphQLClient
    # Sdk... operations: private methods, sent under their own name, no paginator.
    assert hasattr(client_class, "_sdk_widget_get")
    assert not hasattr(client_class, "sdk_widget_get")
    assert hasattr(client_class, "_sdk_widgets_page")
    assert not [name for name in dir(client_class) if "iter" in name and "sdk" in name]
    assert (tiny_output / "_sdk_widget_get.py").exists()
    route = fluent_mock.post("/graphql")
    route.respond(json={"data": {"widgetById": {"id": "1", "ref": "W", "kind": "PLAIN"}}})
    with FluentClient(
        base_url="https://acme.sandbox.api.fluentretail.com", token="t"
    ) as fluent_client:
        widget = client_class(fluent_client)._sdk_widget_get(id="1")
    assert type(widget) is TinyWidget  # the hand-written model itself, read once
    assert widget.label == "W/PLAIN"
    assert graphql_body(route.calls.last.request)["operationName"] == "SdkWidgetGet"


def test_aliases_warn_and_call_their_target(
    tiny_package: ModuleType, fluent_mock: respx.MockRouter
) -> None:
    client_module = importlib.import_module(f"{tiny_package.__name__}.client")
    route = fluent_mock.post("/graphql")
    route.respond(json={"data": {"widgetById": {"id": "1", "ref": "W"}}})
    with FluentClient(
        base_url="https://acme.sandbox.api.fluentretail.com", token="t"
    ) as fluent_client:
        widgets = client_module.GraphQLClient(fluent_client)
        with pytest.warns(
            DeprecationWarning,
            match=r"widget_detail\(\) is deprecated, use "
            r"widget_by_id\(\) \(a tiny reason\)",
        ) as caught:
            widget = widgets.widget_detail("1")  # positional, as the old signature had it
        assert caught[0].filename == __file__  # points at the caller's line
        assert widget.id == "1"
        sent = graphql_body(route.calls.last.request)
        assert sent["variables"] == {"id": "1"}
        # The target's document, under the alias's old operation name: nothing changes on the
        # wire until the caller moves to the new name.
        assert sent["operationName"] == "WidgetDetail"
        documents = importlib.import_module(f"{tiny_package.__name__}.documents")
        assert sent["query"] == documents.WIDGET_BY_ID.replace("WidgetById(", "WidgetDetail(", 1)
        with pytest.warns(DeprecationWarning, match="iter_widgets_page"):
            paginator = widgets.iter_widgets_page(ref=["x"], page_size=3)
        assert paginator._settings["page_size"] == 3
    # Type checkers and IDEs see the deprecation too (PEP 702).
    assert "widget_by_id()" in client_module.GraphQLClient.widget_detail.__deprecated__
    signature = inspect.signature(client_module.GraphQLClient.iter_widgets_page)
    assert list(signature.parameters) == ["self", "ref", "page_size", "max_items", "after"]
