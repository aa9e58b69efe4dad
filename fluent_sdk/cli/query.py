"""``fluent-sdk query``: run any GraphQL document, checked against the schema before sending.

``--all`` pages the document along its ``$after`` connection (`client.graphql.paginate`);
``--complete`` fetches every page of nested connections; ``-o table|csv|jsonl`` prints the rows
of `fluent_sdk.to_records` (the SDK's one flattening: no ``edges``/``node`` columns, nested
fields dotted, ``--explode items`` one row per nested item).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from fluent_sdk._redact import redact
from fluent_sdk.cli import _common as common

__all__ = ["query"]


class QueryOutput(str, Enum):
    json = "json"
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


def _document_text(document: str) -> str:
    # A path to an existing file (or '-' for stdin) is read; anything else is the document.
    if document == "-":
        return typer.get_text_stream("stdin").read()
    looks_like_document = "{" in document
    path = Path(document)
    if not looks_like_document:
        if not path.is_file():
            common.fail(
                f"{document!r} is neither a GraphQL document nor a readable file", common.EXIT_USAGE
            )
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            common.fail(f"cannot read {path}: {error.strerror}", common.EXIT_USAGE)
    return document


@common.connected
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
    output: Annotated[
        QueryOutput,
        typer.Option(
            "--output",
            "-o",
            help="json (the data as returned), or rows: table, csv, jsonl (one JSON row a line).",
            case_sensitive=False,
        ),
    ] = QueryOutput.json,
    every_page: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Follow the connection whose `after` is a variable ($after) to its last page.",
        ),
    ] = False,
    complete: Annotated[
        bool,
        typer.Option("--complete", help="Fetch every page of nested connections (batched)."),
    ] = False,
    explode: Annotated[
        str | None,
        typer.Option(
            "--explode",
            help="Rows: one per item of this nested field (e.g. items), with its parent's columns.",
            show_default=False,
        ),
    ] = None,
    page_size: Annotated[
        int | None,
        typer.Option("--page-size", help="With --all: nodes per request.", show_default=False),
    ] = None,
    max_items: Annotated[
        int | None,
        typer.Option(
            "--max-items", help="With --all: stop after this many nodes.", show_default=False
        ),
    ] = None,
    *,
    connection: common.Connection,
) -> None:
    """Run a GraphQL query or mutation and print its data.

    The document and variables are validated against the schema shipped with the SDK first, so
    mistakes fail fast (exit 2) without a request. Tables, CSV and JSON lines show one row per
    node of a connection (or per list item), nested fields as dotted columns, nested
    connections as the list of their nodes (or one row each with --explode).

    Example: fluent-sdk query '{ orders(first: 5) { edges { node { ref status } } } }' -o table

    Every order with its lines, one CSV row per line:

    fluent-sdk query orders.graphql --all --complete --explode items -o csv
    """
    text = _document_text(document)
    parsed: Any = common.load_json_argument(variables, what="--vars") if variables else None
    if parsed is not None and not isinstance(parsed, dict):
        common.fail("--vars must be a JSON object", common.EXIT_USAGE)
    if not every_page and (page_size is not None or max_items is not None):
        common.fail("--page-size and --max-items page the document: add --all", common.EXIT_USAGE)
    with connection.client() as client:
        data: Any
        if every_page:
            paginator = client.graphql.paginate(
                text,
                parsed,
                operation_name=operation_name,
                page_size=page_size,
                max_items=max_items,
                complete=complete,
            )
            data = list(paginator)
        else:
            data = client.graphql.execute(
                text, parsed, operation_name=operation_name, complete=complete
            )
        if output is QueryOutput.json:
            if explode is not None:
                common.fail(
                    "--explode shapes rows: use it with -o table, csv or jsonl", common.EXIT_USAGE
                )
            common.emit(data, common.OutputFormat.json)
            return
        from fluent_sdk._tables import to_records

        rows = to_records(data, explode, datetimes=False)
    if output is QueryOutput.jsonl:
        for row in rows:
            typer.echo(redact(json.dumps(row, default=str)))
        return
    common.emit(rows, common.OutputFormat(output.value))
