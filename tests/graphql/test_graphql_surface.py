"""Every schema root field is a typed method on both clients, and the two surfaces match."""

from __future__ import annotations

import inspect

from graphql import GraphQLSchema

from fluent_sdk._generated.operation_index import OPERATIONS
from fluent_sdk._schema import load_schema
from fluent_sdk.graphql import AsyncGraphQL, GraphQL
from fluent_sdk.graphql._adhoc import prepare_document


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, callable)
        if not name.startswith("_") and not inspect.isclass(member)
    }


def _covered(kind: str) -> set[str]:
    return {
        field
        for method_kind, _name, fields in OPERATIONS.values()
        if method_kind == kind
        for field in fields
    }


def test_every_root_field_has_a_method_on_both_clients() -> None:
    schema: GraphQLSchema = load_schema()
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    queries = set(schema.query_type.fields)
    mutations = set(schema.mutation_type.fields)
    missing_queries = queries - _covered("query")
    missing_mutations = mutations - _covered("mutation")
    assert not missing_queries, sorted(missing_queries)
    assert not missing_mutations, sorted(missing_mutations)
    covered = len(queries & _covered("query")) + len(mutations & _covered("mutation"))
    assert covered == len(queries) + len(mutations)
    assert len(queries) + len(mutations) >= 232
    for method in OPERATIONS:
        assert callable(getattr(GraphQL, method, None)), method
        assert inspect.iscoroutinefunction(getattr(AsyncGraphQL, method)), method


def test_sync_and_async_surfaces_match_name_for_name() -> None:
    sync_methods = _public_methods(GraphQL)
    async_methods = _public_methods(AsyncGraphQL)
    assert sorted(sync_methods) == sorted(async_methods)
    for name, signature in sync_methods.items():
        assert list(signature.parameters) == list(async_methods[name].parameters), name


def test_every_connection_query_has_a_paginator() -> None:
    schema = load_schema()
    assert schema.query_type is not None
    connection_fields = {
        name
        for name, field in schema.query_type.fields.items()
        if {"edges", "pageInfo"} <= set(getattr(field.type, "fields", {})) and "after" in field.args
    }
    methods = {fields[0]: method for method, (_k, _n, fields) in OPERATIONS.items() if fields}
    assert len(connection_fields) > 50
    for field in connection_fields:
        assert hasattr(GraphQL, f"iter_{methods[field]}"), field
        assert hasattr(AsyncGraphQL, f"iter_{methods[field]}"), field


def test_generated_documents_validate_against_the_schema() -> None:
    import fluent_sdk._generated.client as generated

    source = inspect.getsource(generated)
    assert source.startswith("# @generated")
    # Spot-check that the method's document names the expected root field (the documents are
    # stored once, in documents.py, and the method reads its own).
    from fluent_sdk._generated import documents

    order_by_id = inspect.getsource(GraphQL.order_by_id)
    assert "_documents.ORDER_BY_ID" in order_by_id
    assert "orderById(id: $id)" in documents.ORDER_BY_ID
    assert "mutation=False" in order_by_id
    create_order = inspect.getsource(GraphQL.create_order)
    assert "mutation=True" in create_order
    assert prepare_document("query Q($id: ID!) { orderById(id: $id) { id } }", None)
