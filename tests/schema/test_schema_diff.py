"""Schema diff: every kind of change found and classified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from schema_test_paths import COMMITTED_SDL, DATA_DIR

from fluent_sdk._schema.diff import (
    SchemaChange,
    diff_schemas,
    format_changes,
    has_breaking_changes,
)

EXPECTED = [
    ("breaking", "FIELD_CHANGED_KIND", "Item.ref changed type from String! to String."),
    ("breaking", "FIELD_CHANGED_KIND", "Order.status changed type from Status to String."),
    ("breaking", "FIELD_REMOVED", "Order.note was removed."),
    ("breaking", "FIELD_REMOVED", "Query.gone was removed."),
    ("breaking", "REQUIRED_ARG_ADDED", "A required arg retailer on Query.order was added."),
    (
        "breaking",
        "REQUIRED_INPUT_FIELD_ADDED",
        "A required field channel on input type OrderInput was added.",
    ),
    ("breaking", "TYPE_REMOVED", "Gone was removed."),
    (
        "dangerous",
        "ARG_DEFAULT_VALUE_CHANGE",
        "Query.orders arg first has changed defaultValue from 10 to 50.",
    ),
    ("dangerous", "IMPLEMENTED_INTERFACE_ADDED", "Node added to interfaces implemented by Item."),
    ("dangerous", "OPTIONAL_ARG_ADDED", "An optional arg after on Order.items was added."),
    (
        "dangerous",
        "OPTIONAL_INPUT_FIELD_ADDED",
        "An optional field tag on input type OrderInput was added.",
    ),
    ("dangerous", "VALUE_ADDED_TO_ENUM", "CANCELLED was added to enum type Status."),
    ("safe", "ARG_TYPE_CHANGED", "Query.order(ref:) changed type from String! to String."),
    ("safe", "ENUM_VALUE_DEPRECATED", "Status.LEGACY was deprecated."),
    ("safe", "FIELD_ADDED", "Field Item.id was added."),
    ("safe", "FIELD_ADDED", "Field Order.createdOn was added."),
    ("safe", "FIELD_ADDED", "Field Query.shipment was added."),
    ("safe", "FIELD_DEPRECATED", "Order.legacyCode was deprecated."),
    ("safe", "FIELD_TYPE_CHANGED", "Order.ref changed type from String to String!."),
    ("safe", "INPUT_FIELD_TYPE_CHANGED", "OrderInput.total changed type from Float! to Float."),
    ("safe", "TYPE_ADDED", "Type Shipment was added."),
]


def test_diff_golden() -> None:
    changes = diff_schemas(DATA_DIR / "diff_old.graphql", DATA_DIR / "diff_new.graphql")
    assert [(c.severity, c.kind, c.message) for c in changes] == EXPECTED
    assert has_breaking_changes(changes)


def test_reverse_diff_turns_additions_into_removals() -> None:
    changes = diff_schemas(DATA_DIR / "diff_new.graphql", DATA_DIR / "diff_old.graphql")
    found = {(c.severity, c.message) for c in changes}
    assert ("breaking", "Shipment was removed.") in found
    assert ("breaking", "CANCELLED was removed from enum type Status.") in found
    assert ("safe", "Type Gone was added.") in found
    assert ("safe", "Order.legacyCode is no longer deprecated.") in found
    assert ("safe", "Status.LEGACY is no longer deprecated.") in found


def test_identical_schemas_have_no_changes() -> None:
    changes = diff_schemas(COMMITTED_SDL, COMMITTED_SDL)
    assert changes == []
    assert not has_breaking_changes(changes)
    assert format_changes(changes) == "No changes (0 breaking, 0 dangerous, 0 safe).\n"


def test_published_introspection_differs_from_committed_sdl_only_by_the_fixes(
    shared_introspection: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "schema.json"
    source.write_text(json.dumps(shared_introspection))
    changes = diff_schemas(source, COMMITTED_SDL)
    assert changes == [
        SchemaChange("safe", "FIELD_DEPRECATED", "Orchestrateable.workflowRef was deprecated."),
        SchemaChange("safe", "FIELD_DEPRECATED", "Orchestrateable.workflowVersion was deprecated."),
    ]


def test_format_changes_aligns_and_counts() -> None:
    text = format_changes(
        [
            SchemaChange("breaking", "FIELD_REMOVED", "A.b was removed."),
            SchemaChange("safe", "FIELD_ADDED", "Field A.c was added."),
        ]
    )
    assert text == (
        "BREAKING  FIELD_REMOVED                  A.b was removed.\n"
        "SAFE      FIELD_ADDED                    Field A.c was added.\n"
        "\n"
        "1 breaking, 0 dangerous, 1 safe\n"
    )


def test_custom_directives_are_compared_but_built_ins_are_not() -> None:
    from graphql import build_schema

    old = build_schema("type Query { a: String }")
    new = build_schema("directive @tag(name: String) on FIELD_DEFINITION\ntype Query { a: String }")
    assert diff_schemas(old, new) == [
        SchemaChange("safe", "DIRECTIVE_ADDED", "Directive @tag was added.")
    ]
    assert diff_schemas(new, old) == [
        SchemaChange("breaking", "DIRECTIVE_REMOVED", "tag was removed.")
    ]


def test_sdl_to_introspection_direction_has_no_built_in_noise(
    shared_introspection: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "schema.json"
    source.write_text(json.dumps(shared_introspection))
    changes = diff_schemas(COMMITTED_SDL, source)
    assert [c.kind for c in changes] == ["FIELD_UNDEPRECATED", "FIELD_UNDEPRECATED"]
    assert not has_breaking_changes(changes)
