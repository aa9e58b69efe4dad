"""One GraphQL path: one selection and one model per entity, one method and one paginator per
root connection, the helpers' operations private and parsed into their models, and the old
method names as deprecated aliases that change nothing on the wire."""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import respx
from graphql import build_schema, get_named_type
from graphql_test_data import graphql_body, order_node

from fluent_sdk._codegen.plugin import connection_node_type
from fluent_sdk._codegen.tables import ALIASES, PRIVATE_PREFIX, RESULT_MODELS
from fluent_sdk._generated import fragments
from fluent_sdk._generated.operation_index import OPERATIONS
from fluent_sdk._schema import load_schema
from fluent_sdk._schema.documents import collect_documents, overridden_files, validate_texts
from fluent_sdk._schema.operations import entity_fragments, load_fragments
from fluent_sdk.graphql import AsyncGraphQL, GraphQL

REPO = Path(__file__).resolve().parents[2]
OPERATIONS_DIR = REPO / "graphql" / "operations"


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _result_class(method: str) -> type:
    """The model a generated method returns (the node model for a connection)."""
    _kind, operation, (field,) = OPERATIONS[method]
    module = importlib.import_module(f"fluent_sdk._generated.{method}")
    return getattr(module, f"{operation}{_pascal(field)}")  # type: ignore[no-any-return]


def _node_class(method: str) -> type:
    _kind, operation, (field,) = OPERATIONS[method]
    module = importlib.import_module(f"fluent_sdk._generated.{method}")
    return getattr(module, f"{operation}{_pascal(field)}EdgesNode")  # type: ignore[no-any-return]


# ---- one model per entity ------------------------------------------------------------------


def test_every_result_of_an_entity_type_derives_from_its_fragment_model() -> None:
    schema = load_schema()
    entities = entity_fragments(schema, load_fragments(OPERATIONS_DIR / "fragments")[0])
    assert {"Order", "Customer", "Location", "User", "Setting", "InventoryPosition"} <= set(
        entities
    )
    checked = 0
    for method, (kind, _operation, fields) in OPERATIONS.items():
        if method.startswith("_"):
            continue  # the helpers' own: parsed into the helpers' models (see below)
        root = (schema.query_type if kind == "query" else schema.mutation_type).fields  # type: ignore[union-attr]
        node = connection_node_type(root[fields[0]].type)
        named = node or get_named_type(root[fields[0]].type)
        entity = entities.get(named.name)
        if entity is None:
            continue
        fragment = entity.summary if node is not None else entity.for_result(kind)
        result = _node_class(method) if node is not None else _result_class(method)
        assert issubclass(result, getattr(fragments, fragment)), (method, fragment)
        assert issubclass(result, getattr(fragments, entity.summary)), method
        checked += 1
    assert checked > 60
    # An order's detail derives from its summary: one Order model, richer where it is alone.
    assert issubclass(fragments.OrderDetailFields, fragments.OrderFields)
    assert _result_class("order") is not _node_class("orders")  # each named after its field
    assert issubclass(_result_class("order"), _node_class("orders").__mro__[1])


def test_default_documents_select_the_fragments_of_their_entities() -> None:
    generated = OPERATIONS_DIR / "generated"
    assert "...OrderDetailFields" in (generated / "order.graphql").read_text()
    assert "...OrderFields" in (generated / "orders.graphql").read_text()
    assert "...OrderFields" in (generated / "createOrder.graphql").read_text()
    assert "...UserDetailFields" in (generated / "me.graphql").read_text()
    assert "...UserFields" in (generated / "users.graphql").read_text()
    # A type without a fragment keeps the generator's own selection.
    assert "..." not in (generated / "paymentServiceProviders.graphql").read_text()


def test_a_list_node_and_a_lookup_parse_into_the_same_model(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    node = order_node(1, customer={"id": "9", "ref": "C9", "retailer": {"id": "1", "ref": "R"}})
    graphql_route.respond(
        json={"data": {"orders": {"edges": [{"cursor": "c", "node": node}], "pageInfo": {}}}}
    )
    [listed] = list(gql.iter_orders(page_size=1, max_items=1))
    graphql_route.respond(json={"data": {"order": node}})
    detail = gql.order(ref="O-1")
    assert detail is not None
    assert isinstance(listed, fragments.OrderFields)
    assert isinstance(detail, fragments.OrderFields)
    assert listed.customer == detail.customer  # the same nested models too
    assert detail.customer is not None
    assert detail.customer.retailer is not None
    assert detail.customer.retailer.ref == "R"


# ---- overrides -----------------------------------------------------------------------------


def test_inventory_documents_override_their_generated_defaults() -> None:
    operations, _fragments = collect_documents(OPERATIONS_DIR)
    assert {p.name for p in overridden_files(operations)} == {
        "inventoryPosition.graphql",
        "inventoryPositions.graphql",
    }
    # The one paginator takes every filter of the root field plus the nested page size.
    parameters = inspect.signature(GraphQL.iter_inventory_positions).parameters
    assert {"catalogue", "on_hand", "workflow_ref", "quantities_first"} <= set(parameters)
    assert parameters["quantities_first"].default is not inspect.Parameter.empty


TINY = """
type Widget { id: ID! ref: String }
type Query { widget(ref: String!, size: Int): Widget  widgets(first: Int): [Widget] }
type Mutation { touch(ref: String!): Widget }
"""
HEADER = "# @generated by fluent-sdk schema operations — do not edit\n"
DEFAULT = HEADER + "query Widget($ref: String!) { widget(ref: $ref) { id } }"


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ("query Widget($ref: String!, $x: Int) { widget(ref: $ref, size: $x) { id ref } }", None),
        ('query Widget { widget(ref: "a") { id } }', "does not pass $ref: String! as ref"),
        ("query Widget($ref: String) { widget(ref: $ref) { id } }", "does not pass $ref"),
        ("query Widget($first: Int) { widgets(first: $first) { id } }", "same single root"),
        ("mutation Widget($ref: String!) { touch(ref: $ref) { id } }", "is a mutation"),
    ],
)
def test_an_override_must_keep_the_defaults_contract(override: str, problem: str | None) -> None:
    schema = build_schema(TINY)
    problems = validate_texts(
        schema, {"ops/generated/widget.graphql": DEFAULT, "ops/mine.graphql": override}
    )
    messages = [str(p) for p in problems]
    if problem is None:
        assert messages == []
        assert overridden_files(
            {Path("ops/generated/widget.graphql"): DEFAULT, Path("ops/mine.graphql"): override}
        ) == {Path("ops/generated/widget.graphql")}
    else:
        assert messages, messages  # (and any problem of the document itself)
        assert messages[0].startswith("ops/mine.graphql:1:1: Operation 'Widget' overrides")
        assert problem in messages[0]
    # Two hand-written operations with one name are still a duplicate.
    twice = validate_texts(schema, {"a.graphql": DEFAULT[len(HEADER) :], "b.graphql": override})
    assert any("already defined" in str(p) for p in twice)


# ---- the helpers' operations -------------------------------------------------------------


def test_helper_operations_are_private_methods_without_paginators() -> None:
    private = {m for m, (_k, name, _f) in OPERATIONS.items() if name.startswith(PRIVATE_PREFIX)}
    assert "_sdk_order_get" in private
    assert all(method.startswith("_sdk_") for method in private)
    for cls in (GraphQL, AsyncGraphQL):
        names = dir(cls)
        assert not [n for n in names if n.startswith("sdk_")]
        assert not [n for n in names if "iter" in n and "sdk" in n]
        assert all(hasattr(cls, method) for method in private)


@pytest.mark.parametrize("entry", RESULT_MODELS, ids=lambda e: f"{e.operation}.{e.path}")
def test_helper_results_are_parsed_into_the_helpers_models(entry: Any) -> None:
    method = next(m for m, (_k, name, _f) in OPERATIONS.items() if name == entry.operation)
    module = importlib.import_module(f"fluent_sdk._generated.{method}")
    target = entry.operation + "".join(_pascal(key) for key in entry.path.split("."))
    model_module, _, model_class = entry.model.rpartition(".")
    expected = getattr(importlib.import_module(model_module), model_class)
    assert getattr(module, target) is expected
    assert entry.reason


# ---- deprecated aliases ------------------------------------------------------------------


def test_every_alias_exists_on_both_clients_with_its_old_signature() -> None:
    assert len(ALIASES) >= 35
    for alias in ALIASES:
        for cls in (GraphQL, AsyncGraphQL):
            method = getattr(cls, alias.name)
            target = getattr(cls, alias.target)
            assert method.__deprecated__.startswith(f"use {alias.target}(): ")
            assert inspect.iscoroutinefunction(method) == inspect.iscoroutinefunction(target)
            parameters = list(inspect.signature(method).parameters)
            keyword_only = (
                ["page_size", "max_items", "after"] if alias.name.startswith("iter_") else []
            )
            assert parameters == ["self", *alias.parameters, *keyword_only], alias.name
            for name in alias.required:
                default = inspect.signature(method).parameters[name].default
                assert default is inspect.Parameter.empty, (alias.name, name)


def test_an_alias_warns_sends_its_old_name_and_returns_the_new_model(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(json={"data": {"order": order_node(3)}})
    with pytest.warns(DeprecationWarning, match=r"order_detail\(\) is deprecated, use order\(\)"):
        old = gql.order_detail("O-3")  # positional, as before
    new = gql.order(ref="O-3")
    [old_request, new_request] = [graphql_body(c.request) for c in graphql_route.calls[-2:]]
    assert old_request["operationName"] == "OrderDetail"
    assert old_request["variables"] == new_request["variables"] == {"ref": "O-3"}
    assert old_request["query"] == new_request["query"].replace(
        "query Order(", "query OrderDetail("
    )
    assert type(old) is type(new)
    assert old == new


def test_an_iter_alias_pages_under_the_old_name(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(
        json={"data": {"orders": {"edges": [{"cursor": "c", "node": order_node(1)}]}}}
    )
    with pytest.warns(DeprecationWarning, match="iter_orders_page") as caught:
        nodes = list(gql.iter_orders_page(status=["CREATED"], page_size=5))
    assert len(caught) == 1  # once, when the paginator is made; not once per page
    assert caught[0].filename == __file__
    assert [n.ref for n in nodes] == ["O-1"]
    assert isinstance(nodes[0], fragments.OrderFields)
    body = graphql_body(graphql_route.calls.last.request)
    assert body["operationName"] == "OrdersPage"
    assert body["variables"] == {"status": ["CREATED"], "first": 5, "after": None}


async def test_an_async_alias_warns_at_the_awaiting_line(
    agql: AsyncGraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(
        json={"data": {"me": {"id": "1", "ref": "u", "username": "u", "type": "U"}}}
    )
    with pytest.warns(DeprecationWarning, match="current_user") as caught:
        user = await agql.current_user()
    assert caught[0].filename == __file__
    assert user is not None
    assert isinstance(user, fragments.UserFields)
    assert graphql_body(graphql_route.calls.last.request)["operationName"] == "CurrentUser"


def test_the_sdk_its_docs_and_benchmarks_use_no_deprecated_alias() -> None:
    """The aliases are the users' way over; the SDK itself (helpers, CLI, demo), its docs and
    benchmarks call the new names, so that they send the new operation names."""
    root = Path(__file__).resolve().parents[2]
    names = "|".join(alias.name for alias in ALIASES)
    use = re.compile(rf"\.(?:{names})\(|[\"'](?:{names})[\"']")
    files = [
        *(
            path
            for path in (root / "fluent_sdk").rglob("*.py")
            if not {"_generated", "_codegen"} & set(path.relative_to(root).parts)
        ),
        *(root / "docs").rglob("*.md"),
        *(root / "docs").rglob("*.ipynb"),
        *(root / "benchmarks").rglob("*.py"),
        root / "README.md",
    ]
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if use.search(line)
    ]
    assert len(files) > 50
    assert found == []


def test_an_alias_called_from_inside_the_sdk_does_not_warn(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(json={"data": {"setting": None}})
    # A module of the SDK that still uses the old name (the helpers are moving over).
    namespace: dict[str, Any] = {"__name__": "fluent_sdk.helpers.not_moved_yet", "gql": gql}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec("result = gql.setting_detail('1')", namespace)
    assert namespace["result"] is None


def test_paginate_by_a_deprecated_name_warns_and_pages_the_new_operation(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(
        json={"data": {"orders": {"edges": [{"cursor": "c", "node": order_node(1)}]}}}
    )
    with pytest.warns(DeprecationWarning, match=r"use paginate\('orders'\)") as caught:
        nodes = list(gql.paginate("orders_page", status=["CREATED"], page_size=5))
    assert len(caught) == 1  # the alias itself is not called: no second warning
    assert caught[0].filename == __file__
    assert str(caught[0].message).startswith(
        "paginate('orders_page') is deprecated, use paginate('orders') (one method and one "
    )
    assert [n.ref for n in nodes] == ["O-1"]
    body = graphql_body(graphql_route.calls.last.request)
    assert body["operationName"] == "Orders"
    assert body["variables"] == {"status": ["CREATED"], "first": 5, "after": None}
    with pytest.warns(DeprecationWarning, match=r"use paginate\('orders'\)"):
        gql.paginate("ordersPage")  # the GraphQL spelling is answered in kind
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gql.paginate("orders")


def test_async_paginate_by_a_deprecated_name_warns_at_the_callers_line(
    agql: AsyncGraphQL,
) -> None:
    with pytest.warns(DeprecationWarning, match=r"use paginate\('inventoryPositions'\)") as caught:
        paginator = agql.paginate("inventoryPositionsPage", page_size=5)
    assert caught[0].filename == __file__
    assert "operation='inventoryPositions'" in repr(paginator)
