"""Schema fixes kept as data (``fixes.json``) and applied by the import pipeline.

Each fix names a type, a field and an action, with a ``reason`` recorded beside it. Fixes are
applied to a schema object in place; a fix whose target is missing (a newer or older schema) is
reported, not fatal, so pulling a live account's schema keeps working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from graphql import (
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from fluent_sdk.errors import SchemaFixError

__all__ = [
    "DEFAULT_DEPRECATION_REASON",
    "FIX_ACTIONS",
    "FixOutcome",
    "FixStatus",
    "SchemaFix",
    "SchemaFixError",
    "apply_fixes",
    "find_interface_deprecation_conflicts",
    "load_fixes",
    "parse_fixes",
]

DEFAULT_DEPRECATION_REASON = "No longer supported"

# deprecate: mark the field deprecated; undeprecate: clear its deprecation; remove: drop the field.
FIX_ACTIONS = ("deprecate", "undeprecate", "remove")

FixStatus = Literal["applied", "unchanged", "not_needed", "missing"]

_KNOWN_KEYS = frozenset(
    {"type", "field", "action", "reason", "deprecation_reason", "only_if_implementation_deprecated"}
)


@dataclass(frozen=True)
class SchemaFix:
    """One recorded correction to the published schema."""

    type: str
    field: str
    action: str
    reason: str
    deprecation_reason: str = DEFAULT_DEPRECATION_REASON
    # For interface fields: apply only while some implementation deprecates the field.
    only_if_implementation_deprecated: bool = False

    @property
    def target(self) -> str:
        return f"{self.type}.{self.field}"


@dataclass(frozen=True)
class FixOutcome:
    """What applying one fix did to a schema."""

    fix: SchemaFix
    status: FixStatus

    def __str__(self) -> str:
        return f"{self.fix.action} {self.fix.target}: {self.status}"


def _require_str(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SchemaFixError(f"{where}.{key}: expected a non-empty string, got {value!r}")
    return value


def parse_fixes(data: Any, *, origin: str = "fixes.json") -> list[SchemaFix]:
    """Validate the decoded fixes document and return its fixes in file order."""
    if not isinstance(data, dict) or not isinstance(data.get("fixes"), list):
        raise SchemaFixError(f"{origin}: expected an object with a 'fixes' list")
    fixes: list[SchemaFix] = []
    for index, entry in enumerate(data["fixes"]):
        where = f"{origin}: fixes[{index}]"
        if not isinstance(entry, dict):
            raise SchemaFixError(f"{where}: expected an object, got {type(entry).__name__}")
        unknown = sorted(set(entry) - _KNOWN_KEYS)
        if unknown:
            raise SchemaFixError(f"{where}: unknown key(s) {', '.join(unknown)}")
        action = _require_str(entry, "action", where)
        if action not in FIX_ACTIONS:
            expected = ", ".join(FIX_ACTIONS)
            raise SchemaFixError(
                f"{where}.action: unknown action {action!r} (expected one of {expected})"
            )
        only_if = entry.get("only_if_implementation_deprecated", False)
        if not isinstance(only_if, bool):
            raise SchemaFixError(f"{where}.only_if_implementation_deprecated: expected a boolean")
        deprecation_reason = entry.get("deprecation_reason", DEFAULT_DEPRECATION_REASON)
        if not isinstance(deprecation_reason, str):
            raise SchemaFixError(f"{where}.deprecation_reason: expected a string")
        fixes.append(
            SchemaFix(
                type=_require_str(entry, "type", where),
                field=_require_str(entry, "field", where),
                action=action,
                reason=_require_str(entry, "reason", where),
                deprecation_reason=deprecation_reason,
                only_if_implementation_deprecated=only_if,
            )
        )
    return fixes


def load_fixes(path: str | Path | None = None) -> list[SchemaFix]:
    """Load fixes from ``path``, or the ``fixes.json`` shipped beside this module."""
    if path is None:
        origin = "fluent_sdk/_schema/fixes.json"
        text = resources.files("fluent_sdk._schema").joinpath("fixes.json").read_text("utf-8")
    else:
        origin = str(path)
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaFixError(
            f"{origin}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    return parse_fixes(data, origin=origin)


def _implementations(schema: GraphQLSchema, interface: GraphQLInterfaceType) -> list[Any]:
    implementations = schema.get_implementations(interface)
    return [*implementations.objects, *implementations.interfaces]


def _any_implementation_deprecates(
    schema: GraphQLSchema, interface: GraphQLInterfaceType, field_name: str
) -> bool:
    for implementation in _implementations(schema, interface):
        field = implementation.fields.get(field_name)
        if field is not None and field.deprecation_reason is not None:
            return True
    return False


def _apply_one(schema: GraphQLSchema, fix: SchemaFix) -> FixStatus:
    named_type = schema.type_map.get(fix.type)
    if not isinstance(
        named_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
    ):
        return "missing"
    fields: dict[str, Any] = named_type.fields
    field: GraphQLField | GraphQLInputField | None = fields.get(fix.field)
    if field is None:
        return "missing"
    if fix.action == "remove":
        del fields[fix.field]
        return "applied"
    if isinstance(field, GraphQLInputField):
        # Deprecation of input fields is not part of the graphql-core 3.2 type system.
        raise SchemaFixError(f"{fix.target}: cannot {fix.action} an input field")
    if fix.action == "undeprecate":
        if field.deprecation_reason is None:
            return "unchanged"
        field.deprecation_reason = None
        return "applied"
    if (
        fix.only_if_implementation_deprecated
        and isinstance(named_type, GraphQLInterfaceType)
        and not _any_implementation_deprecates(schema, named_type, fix.field)
    ):
        return "not_needed"
    if field.deprecation_reason is not None:
        return "unchanged"
    field.deprecation_reason = fix.deprecation_reason
    return "applied"


def apply_fixes(schema: GraphQLSchema, fixes: list[SchemaFix]) -> list[FixOutcome]:
    """Apply ``fixes`` to ``schema`` in place and report what each one did."""
    return [FixOutcome(fix, _apply_one(schema, fix)) for fix in fixes]


def find_interface_deprecation_conflicts(schema: GraphQLSchema) -> list[str]:
    """List deprecated implementations of non-deprecated interface fields.

    graphql-core 3.3 and graphql-js 17 reject such schemas; graphql-core 3.2 does not check it,
    so the pipeline checks it itself.
    """
    problems: list[str] = []
    for named_type in schema.type_map.values():
        if not isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for interface in named_type.interfaces:
            for field_name, interface_field in interface.fields.items():
                field = named_type.fields.get(field_name)
                if (
                    field is not None
                    and field.deprecation_reason is not None
                    and interface_field.deprecation_reason is None
                ):
                    problems.append(
                        f"Interface field {interface.name}.{field_name} is not deprecated,"
                        f" so implementation field {named_type.name}.{field_name}"
                        " must not be deprecated."
                    )
    return sorted(problems)
