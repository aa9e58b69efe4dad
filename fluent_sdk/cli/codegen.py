"""``fluent-sdk codegen``: typed methods for your own GraphQL operations.

Runs the SDK's own generator (`fluent_sdk._codegen.user.generate_operations`) over a folder of
``.graphql`` documents and writes a package to attach with ``client.use("NAME")``. It needs the
``codegen`` extra (ariadne-codegen, pinned, and the ruff it formats with); without it the
command says how to install it and exits 2, as ``fluent-sdk`` does without the ``cli`` extra.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from fluent_sdk.cli._common import EXIT_FAILED, EXIT_USAGE, cli_errors, fail

__all__ = ["ARIADNE_CODEGEN_SERIES", "MISSING_CODEGEN_MESSAGE", "codegen"]

#: The ariadne-codegen releases the generator is written against (as the ``codegen`` extra pins).
ARIADNE_CODEGEN_SERIES = "0.19."
#: Printed (exit code 2) when ``fluent-sdk codegen`` runs without the ``codegen`` extra.
MISSING_CODEGEN_MESSAGE = (
    "fluent-sdk codegen needs the 'codegen' extra (ariadne-codegen), which is not installed.\n"
    "Install it with:  pip install 'fluent-sdk[codegen]'"
)


def _check_codegen_extra() -> None:
    try:
        importlib.import_module("ariadne_codegen")
    except ImportError:
        typer.echo(MISSING_CODEGEN_MESSAGE, err=True)
        raise typer.Exit(EXIT_USAGE) from None
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("ariadne-codegen")
    except PackageNotFoundError:  # importable without metadata (a vendored copy): trust it
        return
    if not found.startswith(ARIADNE_CODEGEN_SERIES):
        fail(
            f"fluent-sdk codegen needs ariadne-codegen {ARIADNE_CODEGEN_SERIES}x, found {found}; "
            "install the pinned one with: pip install 'fluent-sdk[codegen]'",
            EXIT_USAGE,
        )


def codegen(
    queries: Annotated[
        Path,
        typer.Argument(
            help="Folder of your .graphql documents (fragments shared between files go in "
            "fragments/).",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ],
    package: Annotated[
        str,
        typer.Option("--package", "-p", help="Name of the package to write.", show_default=False),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder to write the package into (OUT/PACKAGE).", file_okay=False
        ),
    ] = Path(),
    schema: Annotated[
        Path | None,
        typer.Option(
            "--schema",
            help="Schema to generate against: introspection JSON or SDL (`fluent-sdk schema pull "
            "--save-introspection FILE` saves your account's); default: the SDK's.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    sdk_fragments: Annotated[
        bool,
        typer.Option(
            "--sdk-fragments/--no-sdk-fragments",
            help="Take the fragments your documents spread and do not define from the SDK's "
            "(OrderFields, LocationFields, ...).",
        ),
    ] = True,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if the package is not up to date."),
    ] = False,
) -> None:
    """Generate typed methods for your own GraphQL operations.

    Every operation in QUERIES becomes a method of the package OUT/PACKAGE, checked against the
    schema (and Fluent's complexity limit) first: a problem is reported with its file, line and
    column, and nothing is written. Attach the package with client.use("PACKAGE") or
    FluentClient(operations="PACKAGE") and call client.ops.NAME(...): the calls go through the
    client (auth, retries, errors), inputs are checked before sending, and a query of a
    connection also gets client.ops.iter_NAME(...).
    """
    _check_codegen_extra()
    from fluent_sdk._codegen.user import generate_operations
    from fluent_sdk.cli.schema import _reporting_legacy_sdl
    from fluent_sdk.errors import DocumentValidationError, SchemaError

    with cli_errors():
        try:
            with _reporting_legacy_sdl():
                generated = generate_operations(
                    queries,
                    package,
                    out=out,
                    schema=schema,
                    sdk_fragments=sdk_fragments,
                    check=check,
                )
        except DocumentValidationError as error:
            for problem in error.problems:
                typer.echo(str(problem), err=True)
            fail(f"{len(error.problems)} problem(s) in {queries}; nothing was written", EXIT_USAGE)
        except SchemaError as error:
            fail(str(error), EXIT_USAGE)
    where = f"{generated.package}/"
    if check:
        if generated.changed:
            fail(
                f"{where} is not up to date ({len(generated.changed)} files differ: "
                f"{', '.join(generated.changed[:10])}): run the command without --check",
                EXIT_FAILED,
            )
        typer.echo(f"{where} is up to date ({len(generated.operations)} operations)")
        return
    done = f"wrote {where} ({len(generated.changed)} files)" if generated.changed else where
    typer.echo(f"{done}: {len(generated.operations)} operations")
    width = max(len(o.method) for o in generated.operations)
    for operation in generated.operations:
        line = f"  {operation.method:<{width}}  {operation.kind:<8}  {operation.name}"
        if operation.paginator:
            line += f", {operation.paginator} (pages of at most {operation.max_page_size:,})"
        typer.echo(line)
    parent = generated.package.parent
    folder = "the current folder" if parent == Path() else str(parent)
    typer.echo(
        f'Attach it with client.use("{package}") or FluentClient(operations="{package}"), '
        f"with {folder} on the import path."
    )
