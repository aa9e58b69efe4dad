"""Generated default operations, hand-written operations, and their validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode, parse
from schema_test_paths import (
    COMMITTED_SDL,
    EXPECTED_OPERATIONS_DIR,
    GENERATED_DIR,
    GRAPHQL_DIR,
    OPERATIONS_DIR,
    PACKAGE_SDL,
)

from fluent_sdk._schema.documents import (
    DocumentValidationError,
    collect_documents,
    estimate_cost,
    estimate_costs,
    validate_operations_dir,
    validate_texts,
)
from fluent_sdk._schema.operations import (
    GENERATED_HEADER,
    generate_operation,
    generate_operations,
    main,
    operation_name,
    root_fields,
    write_operations,
)
from fluent_sdk._schema.source import load_schema

FLUENT_COMPLEXITY_LIMIT = 11_111


def _operation(text: str) -> OperationDefinitionNode:
    [definition] = parse(text).definitions
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def test_generated_documents_cover_every_root_field() -> None:
    schema = load_schema()
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    expected = {
        **{name: "query" for name in schema.query_type.fields},
        **{name: "mutation" for name in schema.mutation_type.fields},
    }
    files = {path.stem: path for path in GENERATED_DIR.glob("*.graphql")}
    assert len(expected) == 232
    assert set(files) == set(expected), "generated documents and root fields differ"
    for field_name, path in files.items():
        text = path.read_text(encoding="utf-8")
        assert text.startswith(GENERATED_HEADER + "\n"), path
        operation = _operation(text)
        assert operation.operation.value == expected[field_name]
        assert operation.name is not None
        assert operation.name.value == operation_name(field_name)
        [root] = operation.selection_set.selections
        assert isinstance(root, FieldNode)
        assert root.name.value == field_name
        root_type = schema.query_type if expected[field_name] == "query" else schema.mutation_type
        schema_args = root_type.fields[field_name].args
        assert [v.variable.name.value for v in operation.variable_definitions] == list(schema_args)
        assert [a.name.value for a in root.arguments] == list(schema_args)


def test_generated_documents_are_fresh() -> None:
    documents = generate_operations(load_schema())
    stale = [
        name
        for name, text in documents.items()
        if (GENERATED_DIR / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `fluent-sdk schema operations` to regenerate"


def test_every_document_under_graphql_operations_validates() -> None:
    operations, fragments = collect_documents(OPERATIONS_DIR)
    assert len(operations) > 232, "hand-written operations are missing"
    assert fragments, "shared fragments are missing"
    problems = validate_operations_dir(load_schema(), OPERATIONS_DIR)
    assert problems == [], "\n".join(map(str, problems))


def test_documents_stay_far_below_fluent_complexity_limit() -> None:
    operations, fragments = collect_documents(OPERATIONS_DIR)
    fragment_definitions = parse("\n".join(fragments.values())).definitions
    costs: dict[str, int] = {}
    for path, text in operations.items():
        document = DocumentNode(definitions=(*parse(text).definitions, *fragment_definitions))
        for name, cost in estimate_costs(document).items():
            costs[f"{path.parent.name}/{name}"] = cost
    generated = {k: v for k, v in costs.items() if k.startswith("generated/")}
    assert len(generated) == 232
    assert max(generated.values()) < FLUENT_COMPLEXITY_LIMIT // 4, max(
        generated.items(), key=lambda i: i[1]
    )
    assert max(costs.values()) < FLUENT_COMPLEXITY_LIMIT // 2, max(
        costs.items(), key=lambda i: i[1]
    )


def test_estimate_cost_counts_records() -> None:
    document = parse(
        "query Q($n: Int = 4, $m: Int) {"
        " orders { edges { node { ref customer { id } } } }"
        " b: orders(first: 3) { edges { node { ...F } } }"
        " c: orders(first: $n) { edges { node { customer { id } } } }"
        " d: orders(first: $m) { edges { node { customer { id } } } } }"
        ' query R { orderById(id: "1") { ref } }'
        " fragment F on Order { items(first: 2) { edges { node { product { ref } } } } }"
    )
    # One per root field, plus the enclosing page sizes for every nested connection or linked
    # entity (fluent_sdk.graphql.complexity): a customer per order of the default page (10);
    # items per order of 3 and a product per item of 2; c uses the variable's default of 4;
    # d's variable has no default, so 10.
    q_cost = (1 + 10) + (1 + 3 + 3 * 2) + (1 + 4) + (1 + 10)
    assert estimate_costs(document) == {"Q": q_cost, "R": 1}
    assert estimate_cost(document) == q_cost
    assert estimate_cost(document, page_size=1) == (1 + 1) + (1 + 3 + 3 * 2) + (1 + 4) + (1 + 1)


def test_generator_golden_output(tiny_schema: GraphQLSchema) -> None:
    documents = generate_operations(tiny_schema)
    expected = {
        path.name: path.read_text(encoding="utf-8")
        for path in EXPECTED_OPERATIONS_DIR.glob("*.graphql")
    }
    assert sorted(documents) == sorted(expected)
    for name, text in documents.items():
        assert text == expected[name], name
    assert validate_texts(tiny_schema, documents) == []


def test_generator_golden_widget_lookup(tiny_schema: GraphQLSchema) -> None:
    # The policy in one place: leaves, a value object, a level-2 object with a level-3 link,
    # a nested connection whose nodes get leaves and links, a union link whose ``ref`` types
    # differ (so they are aliased); deprecated fields and fields with required arguments are
    # left out.
    assert generate_operation(tiny_schema, "query", "widget") == (
        GENERATED_HEADER
        + """
query Widget($ref: String!) {
  widget(ref: $ref) {
    id
    ref
    name
    status
    price {
      amount
      currency
    }
    owner {
      id
      ref
      name
      team {
        __typename
        id
        ref
      }
    }
    parts {
      edges {
        cursor
        node {
          id
          name
          owner {
            __typename
            id
            ref
          }
          pinned {
            __typename
            ... on Owner {
              id
              ownerRef: ref
            }
            ... on Widget {
              id
              widgetRef: ref
            }
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
}
"""
    )


def test_generator_rejects_unknown_fields(tiny_schema: GraphQLSchema) -> None:
    with pytest.raises(KeyError, match="mutation root field 'widget'"):
        generate_operation(tiny_schema, "mutation", "widget")
    assert ("query", "version") in root_fields(tiny_schema)


def test_write_operations_replaces_stale_generated_files_only(
    tiny_schema: GraphQLSchema, tmp_path: Path
) -> None:
    (tmp_path / "removedField.graphql").write_text(GENERATED_HEADER + "\nquery X { version }\n")
    (tmp_path / "handWritten.graphql").write_text("query Mine { version }\n")
    written = write_operations(tiny_schema, tmp_path)
    names = sorted(path.name for path in tmp_path.glob("*.graphql"))
    assert names == sorted([*(p.name for p in written), "handWritten.graphql"])
    assert "removedField.graphql" not in names


def test_module_entry_point_writes_the_shipped_schema_documents(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.graphql"))) == 232


def test_validation_problems_name_file_line_and_column(tiny_schema: GraphQLSchema) -> None:
    problems = validate_texts(
        tiny_schema,
        {
            "ops/bad.graphql": 'query Bad {\n  widget(ref: "x") {\n    nope\n  }\n}\n',
            "ops/spread.graphql": 'query Spread { widget(ref: "x") { ...Missing ...WidgetBits } }',
            "ops/dup.graphql": "query Bad { version }",
            "ops/anon.graphql": "{ version }",
            "ops/syntax.graphql": "query {",
        },
        {"frags/widget.graphql": "fragment WidgetBits on Widget { id colour }"},
    )
    rendered = sorted(str(p) for p in problems)
    assert rendered == [
        # Reported once, although both the fragment file and ops/spread.graphql include it.
        "frags/widget.graphql:1:36: Cannot query field 'colour' on type 'Widget'.",
        "ops/anon.graphql:1:1: Operations must be named (operationName).",
        "ops/bad.graphql:3:5: Cannot query field 'nope' on type 'Widget'. Did you mean 'name'?",
        "ops/dup.graphql:1:1: Operation 'Bad' is already defined in ops/bad.graphql.",
        "ops/spread.graphql:1:38: Unknown fragment 'Missing'.",
        "ops/syntax.graphql:1:8: Syntax Error: Expected Name, found <EOF>.",
    ]
    assert "ops/bad.graphql:3:5" in str(DocumentValidationError(problems))


def test_fragments_resolve_transitively_and_must_be_self_contained(
    tiny_schema: GraphQLSchema,
) -> None:
    fragments = {
        "frags/a.graphql": (
            "fragment WidgetA on Widget { id ...WidgetB }\nfragment WidgetB on Widget { ref }"
        ),
        "frags/c.graphql": "fragment WidgetC on Widget { ...WidgetA }",
    }
    problems = validate_texts(
        tiny_schema, {"ops/ok.graphql": 'query Ok { widget(ref: "x") { ...WidgetA } }'}, fragments
    )
    # WidgetC spreads a fragment from another file: reported against its own file.
    assert [str(p) for p in problems] == ["frags/c.graphql:1:33: Unknown fragment 'WidgetA'."]


def _long_descriptions(introspection: dict[str, Any]) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            description = node.get("description")
            if isinstance(description, str) and len(description.strip()) >= 30:
                found.add(description.strip())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(introspection)
    return found


def test_no_fluent_description_text_in_committed_files(
    shared_introspection: dict[str, Any],
) -> None:
    descriptions = _long_descriptions(shared_introspection)
    assert len(descriptions) > 100  # the check is only meaningful with many samples
    files = [p for p in GRAPHQL_DIR.rglob("*") if p.is_file()] + [PACKAGE_SDL]
    assert COMMITTED_SDL in files
    corpus = "\n".join(path.read_text(encoding="utf-8") for path in files)
    leaked = sorted(d for d in descriptions if d in corpus)
    assert leaked == [], leaked[:5]
    # The longest description, verbatim and as a JSON string, is checked explicitly.
    longest = max(descriptions, key=len)
    assert longest not in corpus
    assert json.dumps(longest)[1:-1] not in corpus


def test_write_operations_fails_loudly_and_writes_nothing(
    tiny_schema: GraphQLSchema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fluent_sdk._schema.operations as operations_module

    def broken(schema: GraphQLSchema, *, max_level: int) -> dict[str, str]:
        return {"widget.graphql": 'query Widget {\n  widget(ref: "a") {\n    colour\n  }\n}\n'}

    monkeypatch.setattr(operations_module, "generate_operations", broken)
    with pytest.raises(DocumentValidationError) as info:
        write_operations(tiny_schema, tmp_path / "out")
    assert f"{tmp_path / 'out' / 'widget.graphql'}:3:5: Cannot query field 'colour'" in str(
        info.value
    )
    assert not (tmp_path / "out").exists()
