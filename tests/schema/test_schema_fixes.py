"""Recorded schema fixes: data file format, application, and the fixed schema's validity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType, build_schema, validate_schema

from fluent_sdk._schema.fixes import (
    SchemaFix,
    SchemaFixError,
    apply_fixes,
    find_interface_deprecation_conflicts,
    load_fixes,
    parse_fixes,
)
from fluent_sdk._schema.sdl import SchemaInvalidError, import_schema
from fluent_sdk._schema.source import load_schema, schema_from_introspection

CONFLICTING_SDL = """
interface Flow { workflowRef: String, name: String }
type Pay implements Flow { workflowRef: String @deprecated, name: String }
type Ship implements Flow { workflowRef: String, name: String }
input PayInput { workflowRef: String, name: String }
type Query { pay: Pay, ship: Ship }
"""


def _fix(action: str, type_: str = "Flow", field: str = "workflowRef", **extra: Any) -> SchemaFix:
    return SchemaFix(type=type_, field=field, action=action, reason="test", **extra)


def _field(schema: Any, type_name: str, field_name: str) -> Any:
    named = schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    return named.fields[field_name]


def test_recorded_fixes_have_reasons_and_target_the_known_conflict() -> None:
    fixes = load_fixes()
    targets = {fix.target for fix in fixes}
    assert {"Orchestrateable.workflowRef", "Orchestrateable.workflowVersion"} <= targets
    assert all(len(fix.reason) > 20 for fix in fixes)


def test_published_schema_has_the_conflict_and_the_fix_removes_it(
    shared_introspection: dict[str, Any],
) -> None:
    raw = schema_from_introspection(shared_introspection)
    conflicts = find_interface_deprecation_conflicts(raw)
    assert any("Payment.workflowRef" in c for c in conflicts)
    assert any("PaymentTransaction.workflowVersion" in c for c in conflicts)

    result = import_schema(raw, out=None, package_copy=False)

    assert {str(o) for o in result.fixes} == {
        "deprecate Orchestrateable.workflowRef: applied",
        "deprecate Orchestrateable.workflowVersion: applied",
    }
    fixed = build_schema(result.sdl)
    assert validate_schema(fixed) == []
    assert find_interface_deprecation_conflicts(fixed) == []


def test_shipped_schema_carries_the_fix() -> None:
    schema = load_schema()
    assert validate_schema(schema) == []
    assert find_interface_deprecation_conflicts(schema) == []
    assert _field(schema, "Orchestrateable", "workflowRef").deprecation_reason is not None
    assert _field(schema, "Orchestrateable", "workflowVersion").deprecation_reason is not None
    # Fluent's own deprecations stay, and other implementations are untouched.
    assert _field(schema, "Payment", "workflowRef").deprecation_reason is not None
    assert _field(schema, "Order", "workflowRef").deprecation_reason is None


def test_deprecate_applies_only_while_an_implementation_deprecates() -> None:
    schema = build_schema(CONFLICTING_SDL)
    assert find_interface_deprecation_conflicts(schema) == [
        "Interface field Flow.workflowRef is not deprecated, so implementation field"
        " Pay.workflowRef must not be deprecated."
    ]
    conditional = _fix("deprecate", only_if_implementation_deprecated=True, deprecation_reason="x")
    [outcome] = apply_fixes(schema, [conditional])
    assert outcome.status == "applied"
    assert _field(schema, "Flow", "workflowRef").deprecation_reason == "x"
    assert find_interface_deprecation_conflicts(schema) == []
    # Applying it again changes nothing.
    assert apply_fixes(schema, [conditional])[0].status == "unchanged"

    clean = build_schema(CONFLICTING_SDL.replace(" @deprecated", ""))
    assert apply_fixes(clean, [conditional])[0].status == "not_needed"
    assert _field(clean, "Flow", "workflowRef").deprecation_reason is None


def test_undeprecate_remove_and_missing_targets() -> None:
    schema = build_schema(CONFLICTING_SDL)
    outcomes = apply_fixes(
        schema,
        [
            _fix("undeprecate", type_="Pay"),
            _fix("undeprecate", type_="Ship"),
            _fix("remove", type_="Ship", field="name"),
            _fix("remove", type_="PayInput", field="name"),
            _fix("deprecate", type_="Gone"),
            _fix("deprecate", field="gone"),
        ],
    )
    assert [o.status for o in outcomes] == [
        "applied",
        "unchanged",
        "applied",
        "applied",
        "missing",
        "missing",
    ]
    assert _field(schema, "Pay", "workflowRef").deprecation_reason is None
    assert "name" not in schema.type_map["Ship"].fields  # type: ignore[attr-defined]
    assert "name" not in schema.type_map["PayInput"].fields  # type: ignore[attr-defined]


def test_deprecating_an_input_field_is_refused() -> None:
    schema = build_schema(CONFLICTING_SDL)
    with pytest.raises(SchemaFixError, match=r"PayInput\.name: cannot deprecate"):
        apply_fixes(schema, [_fix("deprecate", type_="PayInput", field="name")])


def test_pipeline_refuses_a_schema_its_fixes_leave_invalid() -> None:
    with pytest.raises(SchemaInvalidError, match=r"Pay\.workflowRef must not be deprecated"):
        import_schema(build_schema(CONFLICTING_SDL), out=None, package_copy=False, fixes=[])


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "A", "field": "b", "action": "remove", "reason": "r"}
    entry.update(overrides)
    return {"fixes": [{k: v for k, v in entry.items() if v is not None}]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected an object with a 'fixes' list"),
        ({"fixes": ["x"]}, r"fixes\[0\]: expected an object"),
        (_entry(action="zap"), r"fixes\[0\]\.action: unknown action 'zap'"),
        (_entry(reason=None), r"fixes\[0\]\.reason: expected a non-empty string"),
        (_entry(type=""), r"fixes\[0\]\.type: expected a non-empty string"),
        (_entry(why=1), r"fixes\[0\]: unknown key\(s\) why"),
        (
            _entry(action="deprecate", only_if_implementation_deprecated="yes"),
            r"fixes\[0\]\.only_if_implementation_deprecated: expected a boolean",
        ),
    ],
)
def test_malformed_fix_files_name_the_entry(document: Any, message: str) -> None:
    with pytest.raises(SchemaFixError, match=message):
        parse_fixes(document)


def test_load_fixes_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "fixes.json"
    path.write_text(
        json.dumps({"fixes": [{"type": "A", "field": "b", "action": "remove", "reason": "r"}]})
    )
    assert load_fixes(path) == [SchemaFix(type="A", field="b", action="remove", reason="r")]
    path.write_text("{")
    with pytest.raises(SchemaFixError, match="invalid JSON at line 1"):
        load_fixes(path)
