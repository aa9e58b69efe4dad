"""``fluent-sdk inventory update``: stream a stock file through the Job/Batch API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fluent_sdk.cli._common import (
    EXIT_FAILED,
    BaseUrlOption,
    Connection,
    OutputFormat,
    ProfileOption,
    SandboxOption,
    cli_errors,
    emit,
    open_client,
    print_fields,
)

__all__ = ["app", "update"]

app = typer.Typer(
    help="Inventory master: bulk stock-on-hand updates.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command()
def update(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv (columns skuRef, locationRef, qty, ...) or .jsonl file of absolute "
            "on-hand records.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress", help="Progress bar on stderr (only on a terminal)."
        ),
    ] = True,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="Checkpoint file: rerun with the same file and checkpoint after an "
            "interruption and only what was not yet sent is sent.",
            dir_okay=False,
        ),
    ] = None,
    rejected: Annotated[
        Path | None,
        typer.Option(help="Write rejected records (row, stage, reason, fields) to this CSV."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Batches in flight.")] = 4,
    job_name: Annotated[str | None, typer.Option(help="Job to reuse for today's batches.")] = None,
    catalogue_ref: Annotated[
        str | None, typer.Option(help="Inventory catalogue (default DEFAULT:<retailerId>).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Origin of the data, e.g. ERP.")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--output", "-o", help="How to print the report.")
    ] = OutputFormat.table,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Send absolute stock-on-hand records in batches of up to 5000 and report every record.

    Invalid records are reported with their row and reason and never sent; the run goes on.
    Exit 0 when every record was accepted, 1 when any was rejected.
    """
    from fluent_sdk.helpers.inventory import DEFAULT_JOB_NAME

    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        report = client.inventory.update(
            file,
            progress=progress,
            concurrency=concurrency,
            checkpoint=checkpoint,
            catalogue_ref=catalogue_ref,
            source=source,
            job_name=job_name or DEFAULT_JOB_NAME,
        )
    if output is OutputFormat.table:
        print_fields("Inventory update", report.summary())
    else:
        emit(report.summary(), output)
    if rejected is not None and report.rejected:
        written = report.to_csv(rejected)
        typer.echo(f"wrote {written} rejected record(s) to {rejected}", err=True)
    if not report.ok:
        first = report.rejected[0] if report.rejected else None
        detail = f" (first: row {first.row}, {first.stage}: {first.reason})" if first else ""
        typer.echo(
            f"Error: {len(report.rejected)} of {report.read} records not accepted{detail}",
            err=True,
        )
        raise typer.Exit(EXIT_FAILED)
