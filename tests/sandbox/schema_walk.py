"""Builds a minimal, valid operation for any root field of the schema (used by the tests)."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)

__all__ = ["minimal_operation", "minimal_value"]

_SCALARS: dict[str, Any] = {
    "String": "SANDBOX-X",
    "ID": "1",
    "Int": 1,
    "Float": 1.5,
    "Boolean": False,
    "DateTime": "2024-01-01T00:00:00Z",
    "Json": {"k": "v"},
}


def minimal_value(type_: GraphQLInputType, depth: int = 0) -> Any:
    """A value for ``type_`` that fills every required field (and nothing else)."""
    if isinstance(type_, GraphQLNonNull):
        return minimal_value(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return [minimal_value(type_.of_type, depth)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return _SCALARS.get(type_.name, "SANDBOX-X")
    assert isinstance(type_, GraphQLInputObjectType)
    return {
        name: minimal_value(field.type, depth + 1)
        for name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull)
    }


def _selection(type_: Any) -> str:
    named = get_named_type(type_)
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return ""
    if "edges" in named.fields:
        return "{ edges { cursor node { __typename } } pageInfo { hasNextPage hasPreviousPage } }"
    scalars = [
        name
        for name, field in named.fields.items()
        if not isinstance(get_named_type(field.type), GraphQLObjectType | GraphQLInterfaceType)
        and not field.args
    ]
    return "{ __typename " + " ".join(scalars[:6]) + " }"


def minimal_operation(kind: str, name: str, field: GraphQLField) -> tuple[str, dict[str, Any]]:
    """(document, variables) calling root field ``name`` with only its required arguments."""
    required = {a: arg for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)}
    # Mutations take their payload as an optional `input`; it is required in practice.
    if kind == "mutation" and "input" in field.args:
        required.setdefault("input", field.args["input"])
    definitions = ", ".join(f"${a}: {arg.type}" for a, arg in required.items())
    call = ", ".join(f"{a}: ${a}" for a in required)
    header = f"{kind} Walk" + (f"({definitions})" if definitions else "")
    body = name + (f"({call})" if call else "") + " " + _selection(field.type)
    variables = {a: minimal_value(arg.type) for a, arg in required.items()}
    return f"{header} {{ {body} }}", variables
