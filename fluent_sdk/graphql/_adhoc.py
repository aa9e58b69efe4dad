"""Ad-hoc documents: local validation against the shipped schema, then one request.

Parsing and validating a document happens once per distinct text (cached); variables are
checked against the operation's variable definitions with graphql-core before anything is sent.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql.scalars import to_json_value

if TYPE_CHECKING:
    from gql.dsl import DSLSchema
    from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode

__all__ = ["PreparedDocument", "dsl", "prepare_document", "schema", "validate_variables"]

_VARIABLE_IN_MESSAGE = re.compile(r"Variable '\$(\w+)'")
_FIELD_IN_MESSAGE = re.compile(r"[Ff]ield '([\w.]+)'")


@dataclass(frozen=True)
class PreparedDocument:
    """A validated document: its text, the chosen operation and whether it is a mutation."""

    text: str
    operation_name: str | None
    mutation: bool
    definition: OperationDefinitionNode


def schema() -> GraphQLSchema:
    """The schema shipped with the SDK (built once per process)."""
    from fluent_sdk._schema import load_schema

    return load_schema()


@functools.cache
def dsl() -> DSLSchema:
    """A gql `DSLSchema` over the shipped schema, for building documents in code::

    ds = dsl()
    query = dsl_gql(DSLQuery(ds.Query.orderById(id="1").select(ds.Order.id, ds.Order.ref)))
    client.graphql.execute(query)
    """
    from gql.dsl import DSLSchema

    return DSLSchema(schema())


def _where(error: GraphQLError) -> str:
    locations = error.locations or []
    return ", ".join(f"line {loc.line}:{loc.column}" for loc in locations) or "unknown location"


def _field_of(error: GraphQLError) -> str | None:
    from graphql import ArgumentNode, FieldNode, VariableDefinitionNode

    for node in error.nodes or ():
        if isinstance(node, (FieldNode, ArgumentNode)):
            return node.name.value
        if isinstance(node, VariableDefinitionNode):
            return node.variable.name.value
    match = _FIELD_IN_MESSAGE.search(error.message)
    return match.group(1) if match else None


def _as_validation_error(errors: list[GraphQLError], *, what: str) -> ValidationError:
    first = errors[0]
    message = "; ".join(f"{e.message} ({_where(e)})" for e in errors[:5])
    return ValidationError(
        f"{what}: {message}",
        field=_field_of(first),
        errors=[e.formatted for e in errors],
    )


@functools.lru_cache(maxsize=256)
def prepare_document(text: str, operation_name: str | None) -> PreparedDocument:
    """Parse and validate ``text`` against the schema; raise `ValidationError` naming the bad
    field and its line:column."""
    from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse, validate

    try:
        document = parse(text)
    except GraphQLError as exc:
        raise _as_validation_error([exc], what="GraphQL syntax error") from None
    errors = validate(schema(), document)
    if errors:
        raise _as_validation_error(list(errors), what="document does not match the schema")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [d for d in operations if d.name and d.name.value == operation_name]
        if not operations:
            raise ValidationError(
                f"no operation named {operation_name!r} in the document", field="operation_name"
            )
    if len(operations) != 1:
        raise ValidationError(
            "the document has several operations; pass operation_name", field="operation_name"
        )
    definition = operations[0]
    if definition.operation == OperationType.SUBSCRIPTION:
        raise ValidationError("subscriptions are not supported", field="document")
    return PreparedDocument(
        text=text,
        operation_name=definition.name.value if definition.name else None,
        mutation=definition.operation == OperationType.MUTATION,
        definition=definition,
    )


def document_text(document: str | DocumentNode | Any) -> str:
    """Text of a document given as a string, a graphql-core AST, or a gql ``GraphQLRequest``
    (what ``dsl_gql`` returns in gql 4)."""
    if isinstance(document, str):
        return document
    from graphql import DocumentNode, print_ast

    node = document if isinstance(document, DocumentNode) else getattr(document, "document", None)
    if not isinstance(node, DocumentNode):
        raise ValidationError(
            f"document must be a string, a DocumentNode or a gql request, "
            f"got {type(document).__name__}",
            field="document",
        )
    return print_ast(node)


def validate_variables(
    prepared: PreparedDocument, variables: dict[str, Any] | None
) -> dict[str, Any]:
    """JSON-ready variables, checked against the operation's variable definitions."""
    from graphql.execution.values import get_variable_values

    json_ready: dict[str, Any] = to_json_value(dict(variables or {}))
    result = get_variable_values(schema(), prepared.definition.variable_definitions, json_ready)
    if isinstance(result, list):
        first = result[0]
        match = _VARIABLE_IN_MESSAGE.search(first.message)
        raise ValidationError(
            "invalid variables: " + "; ".join(e.message for e in result[:5]),
            field=match.group(1) if match else None,
            errors=[e.formatted for e in result],
        )
    unknown = sorted(
        set(json_ready) - {d.variable.name.value for d in prepared.definition.variable_definitions}
    )
    if unknown:
        raise ValidationError(
            f"variable {unknown[0]!r} is not defined by the operation", field=unknown[0]
        )
    return json_ready
