"""Compare two schemas and classify each change as breaking, dangerous or safe.

Breaking and dangerous changes come from graphql-core (``find_breaking_changes`` and
``find_dangerous_changes``); additions, compatible type changes and deprecations, which
graphql-core does not report, are found here and classed as safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    find_breaking_changes,
    find_dangerous_changes,
    is_introspection_type,
    is_specified_directive,
    is_specified_scalar_type,
    specified_directives,
)
from graphql.utilities.find_breaking_changes import (
    is_change_safe_for_input_object_field_or_field_arg,
    is_change_safe_for_object_or_interface_field,
)

from fluent_sdk._schema.source import read_schema_file

__all__ = [
    "SchemaChange",
    "Severity",
    "diff_schemas",
    "format_changes",
    "has_breaking_changes",
]

Severity = Literal["breaking", "dangerous", "safe"]
_SEVERITY_ORDER: dict[str, int] = {"breaking": 0, "dangerous": 1, "safe": 2}


@dataclass(frozen=True)
class SchemaChange:
    """One difference between two schemas."""

    severity: Severity
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity.upper():<9} {self.kind:<30} {self.message}"


def _as_schema(schema: GraphQLSchema | str | Path) -> GraphQLSchema:
    """Load ``schema`` and give it graphql-core's built-in directives.

    An introspection result lists the server's built-in directives, an SDL file gets
    graphql-core's; comparing those would only report noise, so both sides use the latter.
    """
    loaded = schema if isinstance(schema, GraphQLSchema) else read_schema_file(schema)
    custom = [d for d in loaded.directives if not is_specified_directive(d)]
    return GraphQLSchema(
        query=loaded.query_type,
        mutation=loaded.mutation_type,
        subscription=loaded.subscription_type,
        types=[t for t in loaded.type_map.values() if not is_introspection_type(t)],
        directives=[*specified_directives, *custom],
    )


def _user_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {
        name: named
        for name, named in schema.type_map.items()
        if not is_introspection_type(named) and not is_specified_scalar_type(named)
    }


def _deprecation_change(
    where: str, old_reason: str | None, new_reason: str | None, kind_prefix: str
) -> SchemaChange | None:
    if old_reason is None and new_reason is not None:
        return SchemaChange("safe", f"{kind_prefix}_DEPRECATED", f"{where} was deprecated.")
    if old_reason is not None and new_reason is None:
        return SchemaChange(
            "safe", f"{kind_prefix}_UNDEPRECATED", f"{where} is no longer deprecated."
        )
    return None


def _output_type_changes(
    old: GraphQLObjectType | GraphQLInterfaceType, new: GraphQLObjectType | GraphQLInterfaceType
) -> Iterable[SchemaChange]:
    for name, new_field in new.fields.items():
        where = f"{new.name}.{name}"
        old_field = old.fields.get(name)
        if old_field is None:
            yield SchemaChange("safe", "FIELD_ADDED", f"Field {where} was added.")
            continue
        old_type, new_type = str(old_field.type), str(new_field.type)
        if old_type != new_type and is_change_safe_for_object_or_interface_field(
            old_field.type, new_field.type
        ):
            yield SchemaChange(
                "safe", "FIELD_TYPE_CHANGED", f"{where} changed type from {old_type} to {new_type}."
            )
        for arg_name, new_arg in new_field.args.items():
            old_arg = old_field.args.get(arg_name)
            if old_arg is None:
                continue  # graphql-core reports added arguments (required: breaking)
            old_arg_type, new_arg_type = str(old_arg.type), str(new_arg.type)
            if old_arg_type != new_arg_type and is_change_safe_for_input_object_field_or_field_arg(
                old_arg.type, new_arg.type
            ):
                yield SchemaChange(
                    "safe",
                    "ARG_TYPE_CHANGED",
                    f"{where}({arg_name}:) changed type from {old_arg_type} to {new_arg_type}.",
                )
        change = _deprecation_change(
            where, old_field.deprecation_reason, new_field.deprecation_reason, "FIELD"
        )
        if change is not None:
            yield change


def _input_type_changes(
    old: GraphQLInputObjectType, new: GraphQLInputObjectType
) -> Iterable[SchemaChange]:
    for name, new_field in new.fields.items():
        old_field = old.fields.get(name)
        if old_field is None:
            continue  # graphql-core reports added input fields
        old_type, new_type = str(old_field.type), str(new_field.type)
        if old_type != new_type and is_change_safe_for_input_object_field_or_field_arg(
            old_field.type, new_field.type
        ):
            yield SchemaChange(
                "safe",
                "INPUT_FIELD_TYPE_CHANGED",
                f"{new.name}.{name} changed type from {old_type} to {new_type}.",
            )


def _enum_changes(old: GraphQLEnumType, new: GraphQLEnumType) -> Iterable[SchemaChange]:
    for name, new_value in new.values.items():
        old_value = old.values.get(name)
        if old_value is None:
            continue  # graphql-core reports added enum values as dangerous
        change = _deprecation_change(
            f"{new.name}.{name}",
            old_value.deprecation_reason,
            new_value.deprecation_reason,
            "ENUM_VALUE",
        )
        if change is not None:
            yield change


def _safe_changes(old: GraphQLSchema, new: GraphQLSchema) -> Iterable[SchemaChange]:
    old_types = _user_types(old)
    for name, new_type in sorted(_user_types(new).items()):
        old_type = old_types.get(name)
        if old_type is None:
            yield SchemaChange("safe", "TYPE_ADDED", f"Type {name} was added.")
        elif isinstance(old_type, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
            new_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            yield from _output_type_changes(old_type, new_type)
        elif isinstance(old_type, GraphQLInputObjectType) and isinstance(
            new_type, GraphQLInputObjectType
        ):
            yield from _input_type_changes(old_type, new_type)
        elif isinstance(old_type, GraphQLEnumType) and isinstance(new_type, GraphQLEnumType):
            yield from _enum_changes(old_type, new_type)
    old_directives = {d.name for d in old.directives}
    for directive in new.directives:
        if directive.name not in old_directives:
            yield SchemaChange("safe", "DIRECTIVE_ADDED", f"Directive @{directive.name} was added.")


def diff_schemas(
    old: GraphQLSchema | str | Path, new: GraphQLSchema | str | Path
) -> list[SchemaChange]:
    """List the changes from ``old`` to ``new``, most severe first.

    Either side may be a schema object or a path to an SDL or introspection JSON file.
    """
    old_schema, new_schema = _as_schema(old), _as_schema(new)
    changes = [
        SchemaChange("breaking", change.type.name, change.description)
        for change in find_breaking_changes(old_schema, new_schema)
    ]
    changes.extend(
        SchemaChange("dangerous", change.type.name, change.description)
        for change in find_dangerous_changes(old_schema, new_schema)
    )
    changes.extend(_safe_changes(old_schema, new_schema))
    return sorted(set(changes), key=lambda c: (_SEVERITY_ORDER[c.severity], c.kind, c.message))


def has_breaking_changes(changes: Iterable[SchemaChange]) -> bool:
    """True if any change would break existing operations or clients."""
    return any(change.severity == "breaking" for change in changes)


def format_changes(changes: list[SchemaChange]) -> str:
    """Render changes one per line, followed by a count per severity."""
    counts = {severity: 0 for severity in _SEVERITY_ORDER}
    for change in changes:
        counts[change.severity] += 1
    summary = ", ".join(f"{count} {severity}" for severity, count in counts.items())
    if not changes:
        return f"No changes ({summary}).\n"
    return "\n".join(str(change) for change in changes) + f"\n\n{summary}\n"
