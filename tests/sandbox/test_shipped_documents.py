"""Every operation document shipped in graphql/ executes against the seeded sandbox.

Queries must answer without any error. Mutations get the minimal input their variables
require (placeholder refs and ids), so the only errors allowed are Fluent's "linked entity not
found" (C0120E) and "ref already exists" (C0121E) answers to those placeholders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInputObjectType,
    OperationDefinitionNode,
    get_named_type,
    parse,
    print_ast,
    type_from_ast,
    visit,
)
from graphql.language import Visitor

from fluent_sdk._schema import load_schema
from fluent_sdk._schema.documents import collect_documents
from fluent_sdk.sandbox import Sandbox

from .schema_walk import minimal_value

OPERATIONS_DIR = Path(__file__).resolve().parents[2] / "graphql" / "operations"
ALLOWED_MUTATION_CODES = {"C0120E", "C0121E"}

_operations, _fragment_files = collect_documents(OPERATIONS_DIR)
_FRAGMENTS: dict[str, FragmentDefinitionNode] = {
    definition.name.value: definition
    for text in _fragment_files.values()
    for definition in parse(text).definitions
    if isinstance(definition, FragmentDefinitionNode)
}


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.add(node.name.value)


def _used_fragments(node: Any) -> list[FragmentDefinitionNode]:
    """The fragments ``node`` spreads, transitively, each once."""
    seen: dict[str, FragmentDefinitionNode] = {}
    pending = [node]
    while pending:
        spreads = _Spreads()
        visit(pending.pop(), spreads)
        for name in sorted(spreads.names - seen.keys()):
            seen[name] = _FRAGMENTS[name]
            pending.append(_FRAGMENTS[name])
    return list(seen.values())


def _cases() -> list[Any]:
    cases = []
    for path, text in sorted(_operations.items()):
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode):
                document = DocumentNode(definitions=(definition, *_used_fragments(definition)))
                name = definition.name.value if definition.name else path.stem
                cases.append(pytest.param(definition, print_ast(document), id=name))
    return cases


CASES = _cases()


def test_every_shipped_document_is_covered() -> None:
    generated = list((OPERATIONS_DIR / "generated").glob("*.graphql"))
    assert len(generated) == 232
    assert len(CASES) > 232  # the generated ones plus the hand-written ones


@pytest.fixture(scope="module")
def seeded() -> Sandbox:
    return Sandbox()


@pytest.mark.parametrize(("operation", "document"), CASES)
def test_document_executes_on_the_seeded_sandbox(
    seeded: Sandbox, operation: OperationDefinitionNode, document: str
) -> None:
    schema = load_schema()
    variables = {}
    mutation = operation.operation.value == "mutation"
    for definition in operation.variable_definitions:
        type_ = type_from_ast(schema, definition.type)
        assert type_ is not None
        # Mutation inputs are nullable in the schema, but Fluent requires them.
        if definition.type.kind == "non_null_type" or (
            mutation and isinstance(get_named_type(type_), GraphQLInputObjectType)
        ):
            variables[definition.variable.name.value] = minimal_value(type_)  # type: ignore[arg-type]
    result = seeded.execute(document, variables)
    errors = result.get("errors") or []
    if not mutation:
        assert errors == []
        assert result.get("data") is not None
    else:
        codes = {(error.get("extensions") or {}).get("code") for error in errors}
        assert codes <= ALLOWED_MUTATION_CODES, errors
