"""``fluent-sdk schema``: import or pull the GraphQL schema, diff schemas, generate documents.

Heavy imports (graphql-core, the client) happen inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from fluent_sdk.cli._common import command_group

__all__ = ["app"]

app = command_group(
    "GraphQL schema pipeline: import or pull the schema as description-free SDL, "
    "compare schemas, and generate or validate operation documents."
)

_DEFAULT_SDL = Path("graphql/schema.graphql")
_DEFAULT_OPERATIONS = Path("graphql/operations")
_DEFAULT_GENERATED = _DEFAULT_OPERATIONS / "generated"

OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="Where to write the SDL.", dir_okay=False)
]
PackageCopyOption = Annotated[
    bool,
    typer.Option(
        "--package-copy/--no-package-copy",
        help="Also write the identical copy shipped in the package (fluent_sdk/_generated).",
    ),
]
FixesOption = Annotated[
    Path | None,
    typer.Option("--fixes", help="Schema fixes file (default: the recorded fixes).", exists=True),
]
SchemaOption = Annotated[
    Path | None,
    typer.Option(
        "--schema",
        help="Schema file (SDL or introspection JSON); default: the schema shipped with the SDK.",
        exists=True,
        dir_okay=False,
    ),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code)


#: Comment descriptions listed one by one before the rest are only counted (exports have many).
_LISTED_COMMENTS = 5


@contextlib.contextmanager
def _reporting_legacy_sdl() -> Iterator[None]:
    """Print each legacy-SDL normalisation made inside the block to stderr, with its reason."""
    from fluent_sdk._schema.legacy import LegacySdlWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LegacySdlWarning)
        try:
            yield
        finally:
            for warning in caught:
                if not isinstance(warning.message, LegacySdlWarning):
                    warnings.warn_explicit(
                        warning.message, warning.category, warning.filename, warning.lineno
                    )
                    continue
                typer.secho(f"warning: {warning.message}", err=True, fg=typer.colors.YELLOW)
                comments = 0
                for change in warning.message.normalizations:
                    if change.kind == "comment_description":
                        comments += 1
                        if comments > _LISTED_COMMENTS:
                            continue
                    typer.echo(f"  {change}", err=True)
                if comments > _LISTED_COMMENTS:
                    typer.echo(
                        f"  … {comments - _LISTED_COMMENTS} more comment descriptions dropped",
                        err=True,
                    )


def _write_schema(source: Any, out: Path, package_copy: bool, fixes: Path | None) -> None:
    from fluent_sdk._schema.fixes import SchemaFixError, load_fixes
    from fluent_sdk._schema.sdl import SchemaInvalidError, import_schema
    from fluent_sdk._schema.source import SchemaSourceError

    try:
        fix_list = load_fixes(fixes) if fixes is not None else None
        with _reporting_legacy_sdl():
            result = import_schema(source, out=out, package_copy=package_copy, fixes=fix_list)
    except (SchemaSourceError, SchemaFixError, SchemaInvalidError) as exc:
        raise _fail(str(exc)) from None
    for outcome in result.fixes:
        typer.echo(f"fix: {outcome}")
    for path in result.written:
        typer.echo(f"wrote {path}")


@app.command("import")
def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="Introspection JSON ({'data': {'__schema': ...}} or {'__schema': ...}) or SDL.",
            exists=True,
            dir_okay=False,
        ),
    ],
    out: OutOption = _DEFAULT_SDL,
    package_copy: PackageCopyOption = True,
    fixes: FixesOption = None,
) -> None:
    """Convert a schema file to the SDK's SDL: descriptions stripped, fixes applied, sorted."""
    _write_schema(path, out, package_copy, fixes)


@app.command("pull")
def pull_command(
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="Fluent CLI profile; default: FLUENT_* variables."),
    ] = None,
    out: OutOption = _DEFAULT_SDL,
    package_copy: PackageCopyOption = True,
    fixes: FixesOption = None,
    save_introspection: Annotated[
        Path | None,
        typer.Option("--save-introspection", help="Also save the raw introspection JSON here."),
    ] = None,
) -> None:
    """Fetch the schema from a live account by introspection and import it."""
    import json

    from graphql import get_introspection_query

    from fluent_sdk import FluentClient
    from fluent_sdk._schema.source import SchemaSourceError, schema_from_introspection
    from fluent_sdk.errors import FluentError

    # Descriptions are not requested: the SDK never keeps them.
    body = {
        "query": get_introspection_query(descriptions=False),
        "operationName": "IntrospectionQuery",
    }
    try:
        client = FluentClient.from_profile(profile) if profile else FluentClient.from_env()
        with client:
            response = client.request(
                "POST", "/graphql", json=body, idempotent=True, operation="schema.pull"
            )
    except FluentError as exc:
        raise _fail(f"schema pull failed: {exc}") from None
    try:
        payload = response.json()
    except ValueError:
        raise _fail("schema pull failed: the /graphql response is not JSON") from None
    try:
        schema = schema_from_introspection(payload, origin=f"{response.request.url}")
    except SchemaSourceError as exc:
        raise _fail(str(exc)) from None
    if save_introspection is not None:
        save_introspection.parent.mkdir(parents=True, exist_ok=True)
        save_introspection.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        typer.echo(f"wrote {save_introspection}")
    _write_schema(schema, out, package_copy, fixes)


@app.command("diff")
def diff_command(
    old: Annotated[
        Path, typer.Argument(help="Old schema (SDL or introspection JSON).", exists=True)
    ],
    new: Annotated[
        Path, typer.Argument(help="New schema (SDL or introspection JSON).", exists=True)
    ],
) -> None:
    """List changes from OLD to NEW; exit status 1 if any is breaking."""
    from fluent_sdk._schema.diff import diff_schemas, format_changes, has_breaking_changes
    from fluent_sdk._schema.source import SchemaSourceError

    try:
        with _reporting_legacy_sdl():
            changes = diff_schemas(old, new)
    except SchemaSourceError as exc:
        raise _fail(str(exc)) from None
    typer.echo(format_changes(changes), nl=False)
    if has_breaking_changes(changes):
        raise typer.Exit(1)


def _schema_for(schema_path: Path | None) -> Any:
    from fluent_sdk._schema.source import SchemaSourceError, load_schema, read_schema_file

    try:
        with _reporting_legacy_sdl():
            return load_schema() if schema_path is None else read_schema_file(schema_path)
    except SchemaSourceError as exc:
        raise _fail(str(exc)) from None


@app.command("operations")
def operations_command(
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="Folder for the generated documents.", file_okay=False)
    ] = _DEFAULT_GENERATED,
    schema: SchemaOption = None,
) -> None:
    """Generate one validated default document per root field (queries and mutations)."""
    from fluent_sdk._schema.documents import DocumentValidationError
    from fluent_sdk._schema.operations import write_operations

    try:
        written = write_operations(_schema_for(schema), out_dir)
    except DocumentValidationError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"wrote {len(written)} documents to {out_dir}")


@app.command("validate")
def validate_command(
    operations_dir: Annotated[
        Path,
        typer.Option(
            "--operations-dir", help="Folder of operation documents.", file_okay=False, exists=True
        ),
    ] = _DEFAULT_OPERATIONS,
    schema: SchemaOption = None,
) -> None:
    """Validate every operation and fragment document; exit status 1 on any problem."""
    from fluent_sdk._schema.documents import collect_documents, validate_texts

    operations, fragments = collect_documents(operations_dir)
    problems = validate_texts(_schema_for(schema), operations, fragments)
    for problem in problems:
        typer.echo(str(problem))
    typer.echo(
        f"{len(operations)} operation and {len(fragments)} fragment files checked, "
        f"{len(problems)} problem(s)."
    )
    if problems:
        raise typer.Exit(1)
