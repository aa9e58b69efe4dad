"""``fluent-sdk catalogue``: upsert categories and products from a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from fluent_sdk.cli import _common as common

__all__ = ["app", "sample", "sync"]

app = common.command_group("PIM: create or update categories and products in a product catalogue.")


@app.command()
@common.connected
def sync(
    file: Annotated[
        Path,
        typer.Argument(
            help='JSON: {"categories": [...], "products": [...], "catalogue_ref": optional}. '
            "See 'fluent-sdk catalogue sample'.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only read and print the plan; write nothing.")
    ] = False,
    catalogue_ref: Annotated[
        str | None,
        typer.Option(help="Product catalogue (default: the file's, else PC:MASTER:<retailerId>)."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Table: also list unchanged items.")
    ] = False,
    output: common.ReportOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
) -> None:
    """Create what is missing, update what differs, leave the rest; report every item.

    Exit 0 when nothing failed or was skipped, 1 otherwise.
    """
    data: Any = common.load_json_argument(f"@{file}", what="catalogue")
    if not isinstance(data, dict) or not ({"categories", "products"} & data.keys()):
        common.fail(
            f"{file}: expected a JSON object with 'categories' and/or 'products'", common.EXIT_USAGE
        )
    ref = catalogue_ref or data.get("catalogue_ref") or data.get("catalogueRef")
    with connection.client() as client:
        report = client.catalogue.sync(
            categories=data.get("categories") or [],
            products=data.get("products") or [],
            catalogue_ref=ref,
            dry_run=dry_run,
        )
    rows = report.to_records()
    if output is common.OutputFormat.table:
        shown = rows if show_all else [row for row in rows if row["action"] != "unchanged"]
        if shown:
            common.emit(shown, output)
        counts = ", ".join(f"{count} {action}" for action, count in report.counts().items())
        mode = "plan (dry run)" if report.dry_run else "done"
        typer.echo(f"{report.catalogue_ref}: {mode}: {counts}")
    else:
        common.emit(rows, output)
    if not report.ok:
        first = (report.failed or report.skipped)[0]
        typer.echo(
            f"Error: {len(report.failed)} failed, {len(report.skipped)} skipped "
            f"(first: {first.kind} {first.ref}: {first.reason})",
            err=True,
        )
        raise typer.Exit(common.EXIT_FAILED)


@app.command()
def sample(
    products: Annotated[int, typer.Option(min=1, max=1000, help="Standard products.")] = 3,
    variants: Annotated[int, typer.Option(min=0, max=6, help="Size variants each.")] = 2,
    catalogue_ref: Annotated[str, typer.Option(help="Product catalogue ref.")] = "PC:MASTER:1",
) -> None:
    """Print a sample catalogue file (the demo's), a starting point for 'catalogue sync'."""
    from fluent_sdk.demo import sample_catalogue

    catalogue = sample_catalogue(catalogue_ref, products=products, variants_per_product=variants)
    typer.echo(json.dumps(catalogue.to_json(), indent=2))
