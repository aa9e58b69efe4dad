"""Import pipeline: introspection/SDL in, description-free deterministic SDL out."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    GraphQLSchema,
    build_schema,
    introspection_from_schema,
    parse,
    validate_schema,
)
from schema_test_paths import COMMITTED_SDL, PACKAGE_SDL

from fluent_sdk._schema import sdl as sdl_module
from fluent_sdk._schema.sdl import import_schema, render_sdl
from fluent_sdk._schema.source import (
    SDL_HEADER,
    SchemaSourceError,
    load_schema,
    packaged_schema_text,
    read_schema_file,
    schema_from_introspection,
    schema_from_text,
)

DESCRIBED_SDL = '''
"""SCHEMA-DESC the schema itself"""
schema { query: Query }

"""DIRECTIVE-DESC marks things"""
directive @tagged(
  """DIRECTIVE-ARG-DESC the tag"""
  name: String
) on FIELD_DEFINITION

"""TYPE-DESC a scalar"""
scalar Stamp

"""TYPE-DESC an interface"""
interface Thing {
  """FIELD-DESC interface id"""
  id: ID!
}

"""TYPE-DESC an enum"""
enum Colour {
  """ENUM-VALUE-DESC red"""
  RED
  GREEN @deprecated(reason: "use RED")
}

"""TYPE-DESC an input"""
input Filter {
  """INPUT-FIELD-DESC the colour"""
  colour: Colour
}

"""TYPE-DESC a union"""
union Any = Box

"""TYPE-DESC an object"""
type Box implements Thing {
  """FIELD-DESC id"""
  id: ID!
  at: Stamp
  old: String @deprecated
}

type Query {
  """FIELD-DESC lookup"""
  box(
    """ARG-DESC the filter"""
    filter: Filter
  ): Box
  any: Any
}
'''


def _described_schema() -> GraphQLSchema:
    schema = build_schema(DESCRIBED_SDL)
    schema.description = "SCHEMA-DESC the schema itself"
    return schema


def _walk_descriptions(document: DocumentNode) -> list[str]:
    found: list[str] = []

    def visit(node: Any) -> None:
        description = getattr(node, "description", None)
        if description is not None:
            found.append(description.value)
        for key in getattr(node, "keys", ()):
            value = getattr(node, key, None)
            if isinstance(value, tuple | list):
                for item in value:
                    visit(item)
            elif hasattr(value, "keys"):
                visit(value)

    visit(document)
    return found


def _import_text(schema: GraphQLSchema) -> str:
    return import_schema(schema, out=None, package_copy=False).sdl


@pytest.mark.parametrize("shape", ["data-wrapped", "bare", "sdl"])
def test_import_strips_every_description(shape: str, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    introspection = introspection_from_schema(_described_schema())
    if shape == "data-wrapped":
        source.write_text(json.dumps({"data": introspection}))
    elif shape == "bare":
        source.write_text(json.dumps(introspection))
    else:
        source = tmp_path / "in.graphql"
        source.write_text(DESCRIBED_SDL)
    # Sanity check: the input really carries the descriptions we look for.
    assert "ENUM-VALUE-DESC" in source.read_text()

    result = import_schema(source, out=tmp_path / "out.graphql", package_copy=False)

    assert "DESC" not in result.sdl
    assert _walk_descriptions(parse(result.sdl)) == []
    assert (tmp_path / "out.graphql").read_text() == result.sdl
    # Deprecations are schema semantics, not prose: they survive.
    assert '@deprecated(reason: "use RED")' in result.sdl
    assert "old: String @deprecated" in result.sdl
    assert "directive @tagged(name: String) on FIELD_DEFINITION" in result.sdl


def test_output_is_sorted_and_independent_of_input_type_order() -> None:
    introspection = introspection_from_schema(_described_schema())
    shuffled = copy.deepcopy(introspection)
    shuffled["__schema"]["types"].reverse()
    first = _import_text(schema_from_introspection(introspection))
    second = _import_text(schema_from_introspection(shuffled))
    assert first == second
    type_lines = [
        line.split()[1]
        for line in first.splitlines()
        if line.split()[:1] in (["type"], ["interface"], ["enum"], ["input"], ["union"])
    ]
    assert type_lines == sorted(type_lines)
    assert first.startswith(SDL_HEADER + "\n")


def test_reimporting_own_output_is_a_fixed_point(tmp_path: Path) -> None:
    first = _import_text(_described_schema())
    path = tmp_path / "schema.graphql"
    path.write_text(first)
    assert import_schema(path, out=None, package_copy=False).sdl == first


def test_import_writes_out_and_package_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_copy = tmp_path / "pkg" / "_generated" / "schema.graphql"
    monkeypatch.setattr(sdl_module, "package_sdl_path", lambda: package_copy)
    out = tmp_path / "graphql" / "schema.graphql"
    result = import_schema(_described_schema(), out=out)
    assert result.written == [out, package_copy]
    assert out.read_bytes() == package_copy.read_bytes()


def test_committed_copies_are_identical_and_headed() -> None:
    committed = COMMITTED_SDL.read_bytes()
    assert committed == PACKAGE_SDL.read_bytes()
    assert committed.decode().splitlines()[0] == SDL_HEADER
    assert packaged_schema_text() == committed.decode()


def test_committed_sdl_is_fresh(shared_introspection: dict[str, Any]) -> None:
    """The committed SDL is exactly what the pipeline makes from the shared contract."""
    fresh = _import_text(schema_from_introspection(shared_introspection))
    assert fresh == COMMITTED_SDL.read_text(encoding="utf-8"), (
        "graphql/schema.graphql is stale: run `fluent-sdk schema import "
        "../shared/fluent-schema/schema.json`"
    )


def test_load_schema_is_cached_and_complete() -> None:
    schema = load_schema()
    assert schema is load_schema()
    assert validate_schema(schema) == []
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    assert len(schema.query_type.fields) == 128
    assert len(schema.mutation_type.fields) == 104
    assert "orderById" in schema.query_type.fields
    assert "createOrder" in schema.mutation_type.fields


def test_render_sdl_of_loaded_schema_round_trips() -> None:
    assert render_sdl(read_schema_file(COMMITTED_SDL)) == COMMITTED_SDL.read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"data": {"__schema": ', "invalid JSON at line 1, column"),
        ("[1, 2]", "SDL syntax error"),
        ('{"data": {"other": 1}}', "missing '__schema' object"),
        ('{"__schema": {"types": []}}', "'__schema.queryType' is missing"),
        ('{"errors": [{"message": "denied"}], "data": null}', "introspection response has errors"),
        ("type Query { a: }", "SDL syntax error"),
        ("type Query { a: Missing }", "invalid SDL"),
    ],
)
def test_bad_input_names_the_problem(text: str, expected: str) -> None:
    with pytest.raises(SchemaSourceError, match=r"^in\.json: ") as info:
        schema_from_text(text, origin="in.json")
    assert expected in str(info.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(SchemaSourceError, match="cannot read schema file"):
        read_schema_file(missing)
