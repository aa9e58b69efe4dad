"""Turn a published schema into the SDK's description-free, fixed, deterministic SDL."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    is_introspection_type,
    is_specified_directive,
    is_specified_scalar_type,
    validate_schema,
)
from graphql.utilities.print_schema import (
    print_directive,
    print_schema_definition,
    print_type,
)

from fluent_sdk._schema.fixes import (
    FixOutcome,
    SchemaFix,
    apply_fixes,
    find_interface_deprecation_conflicts,
    load_fixes,
)
from fluent_sdk._schema.source import SDL_HEADER, read_schema_file
from fluent_sdk.errors import SchemaInvalidError

__all__ = [
    "DEFAULT_SDL_PATH",
    "ImportResult",
    "SchemaInvalidError",
    "import_schema",
    "normalize_schema",
    "package_sdl_path",
    "render_sdl",
    "strip_descriptions",
    "write_sdl",
]

DEFAULT_SDL_PATH = Path("graphql/schema.graphql")


def package_sdl_path() -> Path:
    """Location of the SDL copy shipped as package data (in the source tree)."""
    return Path(__file__).resolve().parent.parent / "_generated" / "schema.graphql"


def strip_descriptions(schema: GraphQLSchema) -> None:
    """Remove every description from ``schema`` in place.

    Built-in scalars, introspection types and specified directives are shared graphql-core
    singletons; they are never printed, so they are left alone.
    """
    schema.description = None
    for named_type in schema.type_map.values():
        if is_introspection_type(named_type) or is_specified_scalar_type(named_type):
            continue
        named_type.description = None
        if isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType):
            for output_field in named_type.fields.values():
                output_field.description = None
                for argument in output_field.args.values():
                    argument.description = None
        elif isinstance(named_type, GraphQLInputObjectType):
            for input_field in named_type.fields.values():
                input_field.description = None
        elif isinstance(named_type, GraphQLEnumType):
            for enum_value in named_type.values.values():
                enum_value.description = None
    for directive in schema.directives:
        if is_specified_directive(directive):
            continue
        directive.description = None
        for argument in directive.args.values():
            argument.description = None


def normalize_schema(
    schema: GraphQLSchema, fixes: list[SchemaFix] | None = None
) -> list[FixOutcome]:
    """Strip descriptions and apply ``fixes`` (default: the recorded ones), in place."""
    strip_descriptions(schema)
    return apply_fixes(schema, load_fixes() if fixes is None else fixes)


def render_sdl(schema: GraphQLSchema) -> str:
    """Print ``schema`` as SDL with the generated-file header.

    Types and directives are sorted by name; fields, arguments and enum values keep the
    published order, which is stable and puts key arguments before paging arguments.
    """
    blocks: list[str] = [SDL_HEADER]
    schema_definition = print_schema_definition(schema)
    if schema_definition:
        blocks.append(schema_definition)
    directives = [d for d in schema.directives if not is_specified_directive(d)]
    blocks.extend(print_directive(d) for d in sorted(directives, key=lambda d: d.name))
    types = [
        t
        for t in schema.type_map.values()
        if not is_introspection_type(t) and not is_specified_scalar_type(t)
    ]
    blocks.extend(print_type(t) for t in sorted(types, key=lambda t: t.name))
    # The header is a comment line directly above the first definition.
    return blocks[0] + "\n" + "\n\n".join(blocks[1:]) + "\n"


def _check_valid(sdl: str) -> None:
    rebuilt = build_schema(sdl)
    problems = [error.message for error in validate_schema(rebuilt)]
    problems.extend(find_interface_deprecation_conflicts(rebuilt))
    if problems:
        listing = "\n  ".join(problems)
        raise SchemaInvalidError(f"schema is invalid after fixes:\n  {listing}")


def write_sdl(sdl: str, paths: list[Path]) -> None:
    """Write identical SDL text to every path, creating parent folders."""
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sdl, encoding="utf-8", newline="\n")


@dataclass
class ImportResult:
    """What ``import_schema`` produced."""

    sdl: str
    written: list[Path] = field(default_factory=list)
    fixes: list[FixOutcome] = field(default_factory=list)


def import_schema(
    source: str | Path | GraphQLSchema,
    *,
    out: str | Path | None = DEFAULT_SDL_PATH,
    package_copy: bool = True,
    fixes: list[SchemaFix] | None = None,
) -> ImportResult:
    """Convert a schema (file path or schema object) into the SDK's SDL and write it.

    Writes ``out`` (unless None) and, when ``package_copy`` is set, the identical package-data
    copy at ``fluent_sdk/_generated/schema.graphql``. Raises ``SchemaInvalidError`` if the
    fixed schema does not validate, before anything is written.
    """
    schema = source if isinstance(source, GraphQLSchema) else read_schema_file(source)
    outcomes = normalize_schema(schema, fixes)
    sdl = render_sdl(schema)
    _check_valid(sdl)
    targets: list[Path] = []
    if out is not None:
        targets.append(Path(out))
    if package_copy:
        package_path = package_sdl_path()
        if not any(t.resolve() == package_path for t in targets):
            targets.append(package_path)
    write_sdl(sdl, targets)
    return ImportResult(sdl=sdl, written=targets, fixes=outcomes)
