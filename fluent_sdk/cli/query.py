"""``fluent-sdk query``: run any GraphQL document, checked against the schema before sending."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fluent_sdk.cli._common import (
    EXIT_USAGE,
    BaseUrlOption,
    Connection,
    OutputFormat,
    OutputOption,
    ProfileOption,
    SandboxOption,
    cli_errors,
    emit,
    fail,
    load_json_argument,
    open_client,
)

__all__ = ["query"]


def _document_text(document: str) -> str:
    # A path to an existing file (or '-' for stdin) is read; anything else is the document.
    if document == "-":
        return typer.get_text_stream("stdin").read()
    looks_like_document = "{" in document
    path = Path(document)
    if not looks_like_document:
        if not path.is_file():
            fail(f"{document!r} is neither a GraphQL document nor a readable file", EXIT_USAGE)
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            fail(f"cannot read {path}: {error.strerror}", EXIT_USAGE)
    return document


def query(
    document: Annotated[
        str,
        typer.Argument(
            help="A GraphQL document, a path to a .graphql file, or '-' to read stdin.",
            show_default=False,
        ),
    ],
    variables: Annotated[
        str | None,
        typer.Option(
            "--vars",
            help="Variables as a JSON object, or @FILE with one.",
            show_default=False,
        ),
    ] = None,
    operation_name: Annotated[
        str | None,
        typer.Option("--operation", help="Which operation to run when the document has several."),
    ] = None,
    output: OutputOption = OutputFormat.json,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Run a GraphQL query or mutation and print its data.

    The document and variables are validated against the schema shipped with the SDK first, so
    mistakes fail fast (exit 2) without a request. Tables and CSV show one row per node of a
    connection (or per list item), with nested fields as dotted columns.

    Example: fluent-sdk query '{ orders(first: 5) { edges { node { ref status } } } }' -o table
    """
    text = _document_text(document)
    parsed: Any = load_json_argument(variables, what="--vars") if variables else None
    if parsed is not None and not isinstance(parsed, dict):
        fail("--vars must be a JSON object", EXIT_USAGE)
    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        data = client.graphql.execute(text, parsed, operation_name=operation_name)
    emit(data, output)
