"""``fluent-sdk codegen`` over a folder of three operations written for it (``user_ops/``: a query
with a variable spreading an SDK fragment, a query of a connection selecting a fragment of its
own, a mutation taking an input type), generated once for the module through the command itself,
then used against the sandbox, sync and async: through the client (retries, errors), with strict
inputs and paginators; plus validation at generation time, reproducibility, and the examples of
docs/graphql/codegen.md, which are run here (generating in the docs harness would be slow)."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import json
import re
import shlex
import shutil
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from fluent_sdk import AsyncFluentClient, FluentClient, RetryPolicy
from fluent_sdk._codegen.user import USER_HEADER
from fluent_sdk.cli import build_app
from fluent_sdk.errors import ConfigurationError, ServerError, ValidationError
from fluent_sdk.graphql._complexity import COMPLEXITY_LIMIT, complexity, page_cost
from fluent_sdk.graphql._runtime import AsyncOperationRunner, OperationRunner
from fluent_sdk.sandbox import Sandbox

HERE = Path(__file__).parent
USER_OPS = HERE / "user_ops"
REPO = HERE.parent.parent
DOCS_PAGE = REPO / "docs" / "graphql" / "codegen.md"
#: The package name the docs page uses.
PACKAGE = "my_ops"
FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=0.001, max_delay=0.001)
SETTING = {
    "name": "acme.report.enabled",
    "valueType": "BOOLEAN",
    "value": "true",
    "context": "ACCOUNT",
    "contextId": 0,
}


def _codegen(*args: str | Path) -> Result:
    return CliRunner().invoke(build_app(), ["codegen", *map(str, args)])


def _docs_command() -> list[str]:
    """The first ``fluent-sdk codegen`` line of the docs page, as arguments."""
    text = DOCS_PAGE.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("$ fluent-sdk codegen "))
    return shlex.split(line[2:])[2:]  # after `fluent-sdk codegen`


def _docs_output() -> list[str]:
    """The output the docs page shows under that command."""
    text = DOCS_PAGE.read_text(encoding="utf-8")
    block = text.split("$ fluent-sdk codegen queries/ --package my_ops\n", 1)[1]
    return block.split("```", 1)[0].strip().splitlines()


@dataclass
class Generated:
    root: Path  # the working folder: queries/ and the package
    queries: Path
    package: Path
    output: str
    module: types.ModuleType


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """The docs page's command, run as it is in a folder holding ``queries/`` (a copy of
    ``user_ops/``); the package is imported from there."""
    root = tmp_path_factory.mktemp("codegen")
    queries = root / "queries"
    shutil.copytree(USER_OPS, queries)
    args = _docs_command()
    assert args[:2] == ["queries/", "--package"]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        result = _codegen(*args)
    assert result.exit_code == 0, result.output
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(PACKAGE)
        yield Generated(root, queries, root / PACKAGE, result.output, module)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _graphql_requests(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [entry.json() for entry in sandbox.requests.filter("graphql")]


# -- the package ---------------------------------------------------------------------------


def test_the_package_is_typed_generated_and_subclasses_the_runtime(generated: Generated) -> None:
    files = sorted(p.name for p in generated.package.iterdir() if p.is_file())
    assert files == [
        "__init__.py",
        "async_base_client.py",
        "async_client.py",
        "base_client.py",
        "base_model.py",
        "client.py",
        "documents.py",
        "fragments.py",
        "input_types.py",
        "py.typed",
        "save_setting.py",
        "stock_lines.py",
        "store_by_ref.py",
    ]
    for path in generated.package.glob("*.py"):
        assert path.read_text(encoding="utf-8").startswith(USER_HEADER), path.name
    module = generated.module
    assert module.FLUENT_SDK_OPERATIONS_FORMAT == 1
    assert issubclass(module.GraphQLClient, OperationRunner)
    assert issubclass(module.AsyncGraphQLClient, AsyncOperationRunner)
    for client_class in (module.GraphQLClient, module.AsyncGraphQLClient):
        methods = {n for n in vars(client_class) if not n.startswith("_")}
        assert methods == {"store_by_ref", "stock_lines", "iter_stock_lines", "save_setting"}
    assert inspect.iscoroutinefunction(module.AsyncGraphQLClient.store_by_ref)
    # Only the SDK fragment the documents spread, and only the input types they use.
    fragments = importlib.import_module(f"{PACKAGE}.fragments")
    assert hasattr(fragments, "LocationFields")
    assert hasattr(fragments, "StockLine")
    assert not hasattr(fragments, "OrderFields")
    inputs = importlib.import_module(f"{PACKAGE}.input_types")
    assert [
        n
        for n, v in vars(inputs).items()
        if isinstance(v, type) and v.__module__ == inputs.__name__
    ] == ["CreateSettingInput"]


def test_the_command_reports_what_the_docs_show(generated: Generated) -> None:
    assert generated.output.strip().splitlines() == _docs_output()


# -- using it: sync ------------------------------------------------------------------------


def test_a_query_with_variables_goes_through_the_client_and_its_retries(
    generated: Generated, fluent_sandbox: Sandbox
) -> None:
    fluent_sandbox.faults.server_error("graphql", status=503, times=1)
    with fluent_sandbox.client(retry=FAST_RETRY) as client:
        ops = client.use(PACKAGE)
        assert client.ops is ops
        assert isinstance(ops, generated.module.GraphQLClient)
        store = ops.store_by_ref(ref="LOC_MELB")
    assert type(store).__module__ == f"{PACKAGE}.store_by_ref"
    assert store.ref == "LOC_MELB"
    assert store.primary_address.city == "Melbourne"  # LocationFields, the SDK's fragment
    sent = _graphql_requests(fluent_sandbox)
    assert [body["operationName"] for body in sent] == ["StoreByRef", "StoreByRef"]  # retried
    assert sent[-1]["variables"] == {"ref": "LOC_MELB"}
    assert "fragment LocationFields on Location" in sent[-1]["query"]


def test_a_mutation_takes_its_input_and_is_not_retried(
    generated: Generated, fluent_sandbox: Sandbox
) -> None:
    with fluent_sandbox.client(operations=PACKAGE, retry=FAST_RETRY) as client:
        setting = client.ops.save_setting(input=SETTING)
        assert (setting.name, setting.value, setting.context_id) == (
            "acme.report.enabled",
            "true",
            0,
        )
        inputs = importlib.import_module(f"{PACKAGE}.input_types")
        model = inputs.CreateSettingInput.model_validate({**SETTING, "name": "acme.other"})
        assert client.ops.save_setting(input=model).name == "acme.other"
        fluent_sandbox.faults.server_error("graphql", status=503, times=1)
        with pytest.raises(ServerError):
            client.ops.save_setting(input=SETTING)
    assert [body["operationName"] for body in _graphql_requests(fluent_sandbox)] == [
        "SaveSetting"
    ] * 3


def test_a_misspelt_input_key_is_refused_before_any_request(
    generated: Generated, fluent_sandbox: Sandbox
) -> None:
    with fluent_sandbox.client(operations=PACKAGE) as client:
        client.login()
        before = len(fluent_sandbox.requests)
        with pytest.raises(ValidationError) as caught:
            client.ops.save_setting(input={**SETTING, "contextID": 0})
        assert caught.value.field == "input.contextID"
        assert "contextId" in caught.value.detail  # did you mean
        with pytest.raises(TypeError):
            client.ops.store_by_ref(ref="LOC_MELB", nmae="x")  # no **kwargs either
    assert len(fluent_sandbox.requests) == before


def test_the_paginator_walks_several_pages(generated: Generated, fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client(operations=PACKAGE) as client:
        paginator = client.ops.iter_stock_lines(page_size=2)
        lines = list(paginator)
        melbourne = [line.ref for line in client.ops.iter_stock_lines(locations=["LOC_MELB"])]
    assert len(lines) == 9
    assert len({line.ref for line in lines}) == 9
    assert lines[0].product.typename__ in ("StandardProduct", "VariantProduct")  # __typename added
    assert len(melbourne) == 3
    assert all(ref.endswith(":LOC_MELB") for ref in melbourne)
    variables = [body["variables"] for body in _graphql_requests(fluent_sandbox)]
    assert [v["first"] for v in variables[:5]] == [2, 2, 2, 2, 2]
    assert variables[0]["after"] is None
    assert all(v["after"] for v in variables[1:5])
    assert paginator.cursor is not None


def test_the_paginator_asks_for_the_largest_page_within_the_limit(
    generated: Generated, fluent_sandbox: Sandbox
) -> None:
    """Computed at generation time (no schema loaded here): the estimate of the document as
    sent, at the page asked for, is within Fluent's limit, and one node more is not."""
    with fluent_sandbox.client(operations=PACKAGE) as client:
        next(iter(client.ops.iter_stock_lines(page_size=5000)))
    [sent] = _graphql_requests(fluent_sandbox)
    first = sent["variables"]["first"]
    assert first < 5000
    assert complexity(sent["query"], {"first": 5000}) > COMPLEXITY_LIMIT
    assert complexity(sent["query"], {"first": first}) <= COMPLEXITY_LIMIT
    assert complexity(sent["query"], {"first": first + 1}) > COMPLEXITY_LIMIT
    assert page_cost(sent["query"], {}, "first").largest_page() == first


def test_nothing_attached_says_how_to_attach(generated: Generated, fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        with pytest.raises(ConfigurationError, match=r"client\.use\('NAME'\)") as caught:
            _ = client.ops
        assert "fluent-sdk codegen" in str(caught.value)
        with pytest.raises(ConfigurationError, match="not found on the import path"):
            client.use("no_such_ops_package")
        with pytest.raises(ConfigurationError, match="not a package generated by"):
            client.use("json")
        other_format = types.ModuleType("old_ops")
        other_format.FLUENT_SDK_OPERATIONS_FORMAT = 0  # type: ignore[attr-defined]
        other_format.GENERATED_BY = "fluent-sdk 0.0.1"  # type: ignore[attr-defined]
        with pytest.raises(ConfigurationError, match="run `fluent-sdk codegen` again"):
            client.use(other_format)
        client.use(generated.module)  # the module object works as well as its name
        assert client.ops.store_by_ref(ref="LOC_SYD").ref == "LOC_SYD"
    with pytest.raises(ConfigurationError, match="not found"):
        FluentClient(
            base_url="https://acme.sandbox.api.fluentretail.com",
            token="t",
            operations="no_such_ops_package",
        )


# -- using it: async -----------------------------------------------------------------------


async def test_the_async_client_runs_the_same_operations(
    generated: Generated, fluent_sandbox: Sandbox
) -> None:
    async with fluent_sandbox.async_client(operations=PACKAGE) as client:
        assert isinstance(client.ops, generated.module.AsyncGraphQLClient)
        store = await client.ops.store_by_ref(ref="LOC_MELB")
        assert store.primary_address.city == "Melbourne"
        refs = [line.ref async for line in client.ops.iter_stock_lines(page_size=4)]
        assert len(refs) == 9
        pages = [len(page.nodes) async for page in client.ops.iter_stock_lines(page_size=4).pages()]
        assert pages == [4, 4, 1]
        setting = await client.ops.save_setting(input=SETTING)
        assert setting.name == "acme.report.enabled"
        before = len(fluent_sandbox.requests)
        with pytest.raises(ValidationError, match="contextID"):
            await client.ops.save_setting(input={**SETTING, "contextID": 0})
        assert len(fluent_sandbox.requests) == before
        next_page = client.ops.iter_stock_lines(page_size=5000)
        assert (await anext(aiter(next_page))).ref
    sent = _graphql_requests(fluent_sandbox)
    assert (
        sent[-1]["variables"]["first"] == page_cost(sent[-1]["query"], {}, "first").largest_page()
    )


async def test_use_on_the_async_client(generated: Generated, fluent_sandbox: Sandbox) -> None:
    client: AsyncFluentClient = fluent_sandbox.async_client()
    try:
        with pytest.raises(ConfigurationError):
            _ = client.ops
        ops = client.use(PACKAGE)
        assert isinstance(ops, generated.module.AsyncGraphQLClient)
        assert (await ops.store_by_ref(ref="LOC_DC")).ref == "LOC_DC"
    finally:
        await client.aclose()


# -- generation ----------------------------------------------------------------------------


def test_invalid_documents_are_refused_with_their_location(
    generated: Generated, tmp_path: Path
) -> None:
    """The docs page's example of a mistake; nothing is written."""
    queries = tmp_path / "queries"
    shutil.copytree(USER_OPS, queries)
    stores = queries / "stores.graphql"
    stores.write_text(stores.read_text().replace("...LocationFields", "nmae"))
    result = _codegen(queries, "--package", "bad_ops", "--out", tmp_path / "out")
    assert result.exit_code == 2
    expected = f"{queries}/stores.graphql:5:5: Cannot query field 'nmae' on type 'Location'."
    assert expected in result.output
    assert "Did you mean 'name'?" in result.output
    assert "1 problem(s) in" in result.output
    assert "nothing was written" in result.output
    docs = DOCS_PAGE.read_text(encoding="utf-8")
    assert "queries/stores.graphql:5:5: Cannot query field 'nmae' on type 'Location'." in docs
    assert not (tmp_path / "out").exists()


def test_operations_over_the_complexity_limit_or_with_clashing_names_are_refused(
    tmp_path: Path,
) -> None:
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "heavy.graphql").write_text(
        "query HeavyOrders($first: Int = 500) {\n"
        "  orders(first: $first) { edges { node { ref\n"
        "    items(first: 100) { edges { node { ref product { ref } } } } } } }\n"
        "}\n"
        "query Client { me { id } }\n"
        "query storeByRef { me { id } }\n"
        "query StoreByRef { me { id } }\n"
    )
    result = _codegen(queries, "--package", "heavy_ops", "--out", tmp_path)
    assert result.exit_code == 2
    estimate = complexity(
        "query($first: Int = 500) { orders(first: $first) { edges { node { ref "
        "items(first: 100) { edges { node { ref product { ref } } } } } } } }"
    )
    assert estimate > COMPLEXITY_LIMIT
    assert (
        f"heavy.graphql:1:1: Operation 'HeavyOrders' is estimated at {estimate:,}" in result.output
    )
    assert "heavy.graphql:5:1: Operation 'Client' would be the method and module 'client'" in (
        result.output
    )
    assert "Operation 'StoreByRef' would be the method 'store_by_ref', like 'storeByRef'" in (
        result.output
    )
    assert not (tmp_path / "heavy_ops").exists()


def test_the_same_input_gives_the_same_bytes(generated: Generated, tmp_path: Path) -> None:
    """From a copy of the documents elsewhere: nothing depends on where the files are."""
    elsewhere = tmp_path / "somewhere" / "else"
    shutil.copytree(generated.queries, elsewhere)
    snapshot = {p.name: p.read_bytes() for p in generated.package.iterdir() if p.is_file()}
    result = _codegen(elsewhere, "--package", PACKAGE, "--out", generated.root, "--check")
    assert result.exit_code == 0, result.output
    assert "is up to date" in result.output
    # A change to the documents is caught by --check, and --check writes nothing.
    (elsewhere / "stores.graphql").write_text(
        (elsewhere / "stores.graphql").read_text().replace("...LocationFields", "ref name")
    )
    result = _codegen(elsewhere, "--package", PACKAGE, "--out", generated.root, "--check")
    assert result.exit_code == 1
    assert "store_by_ref.py" in result.output
    assert "documents.py" in result.output
    assert {p.name: p.read_bytes() for p in generated.package.iterdir() if p.is_file()} == snapshot


def test_an_accounts_schema_as_introspection_json(tmp_path: Path) -> None:
    """``--schema``: a newer account's schema (a field the shipped one lacks), as the
    introspection JSON ``schema pull --save-introspection`` saves; the shipped schema refuses
    the document, the account's accepts it, and the package reads the new field."""
    from graphql import build_schema, introspection_from_schema

    from fluent_sdk._schema.source import packaged_schema_text

    location = r"(type Location implements [^{]*\{)"
    sdl = re.sub(location, r"\1\n  loyaltyTier: String", packaged_schema_text(), count=1)
    assert "loyaltyTier" in sdl
    schema_file = tmp_path / "account.json"
    schema_file.write_text(json.dumps({"data": introspection_from_schema(build_schema(sdl))}))
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "tiers.graphql").write_text(
        "query StoreTier($ref: String!) { location(ref: $ref) { ref loyaltyTier } }\n"
    )
    shipped = _codegen(queries, "--package", "tier_ops", "--out", tmp_path)
    assert shipped.exit_code == 2
    assert "Cannot query field 'loyaltyTier' on type 'Location'" in shipped.output
    result = _codegen(queries, "--package", "tier_ops", "--out", tmp_path, "--schema", schema_file)
    assert result.exit_code == 0, result.output
    source = (tmp_path / "tier_ops" / "store_tier.py").read_text()
    assert "loyalty_tier: Optional[str]" in source
    sys.path.insert(0, str(tmp_path))
    try:
        model = importlib.import_module("tier_ops.store_tier").StoreTierLocation
        assert model.model_validate({"ref": "X", "loyaltyTier": "GOLD"}).loyalty_tier == "GOLD"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "tier_ops" or m.startswith("tier_ops.")]:
            del sys.modules[name]


def test_a_folder_it_did_not_write_is_left_alone(generated: Generated, tmp_path: Path) -> None:
    mine = tmp_path / PACKAGE
    mine.mkdir()
    (mine / "__init__.py").write_text("HAND_WRITTEN = True\n")
    result = _codegen(generated.queries, "--package", PACKAGE, "--out", tmp_path)
    assert result.exit_code == 2
    assert "was not generated by fluent-sdk codegen" in result.output
    assert (mine / "__init__.py").read_text() == "HAND_WRITTEN = True\n"
    result = _codegen(generated.queries, "--package", "my-ops", "--out", tmp_path)
    assert result.exit_code == 2
    assert "not a Python package name" in result.output


# -- the docs page -------------------------------------------------------------------------


def _docs_examples() -> Any:
    spec = importlib.util.spec_from_file_location(
        "codegen_docs_examples", REPO / "tests" / "docs" / "docs_examples.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("track", ["sync", "async"])
def test_the_docs_page_examples_run(generated: Generated, track: str) -> None:
    """Every ```python block of docs/graphql/codegen.md (marked skip for the docs harness, which
    has no generated package) runs here, in order, with the package generated above."""
    docs = _docs_examples()
    examples = docs.extract_examples(DOCS_PAGE.read_text(encoding="utf-8"), "graphql/codegen.md")
    assert len(examples) >= 9
    assert {e.mode for e in examples} == {"skip"}
    sandbox = Sandbox()
    client = sandbox.client() if track == "sync" else sandbox.async_client()
    namespace: dict[str, Any] = {"__name__": "__docs__", "sandbox": sandbox, "client": client}
    loop = asyncio.new_event_loop() if track == "async" else None
    ran = 0
    try:
        for example in examples:
            if not docs.in_track(example, track):
                continue
            code = docs.compile_example(example, top_level_await=track == "async")
            try:
                result = eval(code, namespace)
                if inspect.iscoroutine(result):
                    assert loop is not None
                    loop.run_until_complete(result)
            except BaseException as exc:
                exc.add_note(f"in the example at docs/{example.where} ({track} track)")
                raise
            ran += 1
        # The pytest example: a test function, run with the plugin's fixtures' equivalents.
        test = namespace["test_stock_report"]
        fresh = Sandbox()
        with fresh.client() as fixture_client:
            test(fixture_client, fresh)
    finally:
        if loop is not None:
            loop.run_until_complete(client.aclose())
            loop.close()
        else:
            client.close()
    assert ran >= 6
    assert namespace["setting"].name == "acme.report.enabled"
    assert not sandbox.app.errors
