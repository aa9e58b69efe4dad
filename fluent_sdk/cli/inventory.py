"""``fluent-sdk inventory update``: stream a stock file through the Job/Batch API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fluent_sdk.cli import _common as common

__all__ = ["app", "update"]

app = common.command_group("Inventory master: bulk stock-on-hand updates.")


@app.command()
@common.connected
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
    unknown: Annotated[
        Path | None,
        typer.Option(
            help="Write records whose outcome could not be settled (Fluent may have applied "
            "them; do not resend them blindly) to this CSV."
        ),
    ] = None,
    settle_timeout: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds to keep settling lost replies and failed polls within the run "
            "(0: leave them unknown).",
        ),
    ] = 300.0,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Batches in flight.")] = 4,
    job_name: Annotated[str | None, typer.Option(help="Job to reuse for today's batches.")] = None,
    catalogue_ref: Annotated[
        str | None, typer.Option(help="Inventory catalogue (default DEFAULT:<retailerId>).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Origin of the data, e.g. ERP.")] = None,
    output: common.ReportOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
) -> None:
    """Send absolute stock-on-hand records in batches of up to 5000 and report every record.

    A CSV header with missing or unknown columns stops before anything is sent (exit 2). Invalid
    records are reported with their row and reason and never sent; the run goes on, except at
    a quote that is never closed, where reading stops. Exit 0 when every record was accepted,
    1 when any was rejected, 3 when none was rejected but some outcomes could not be settled
    (rerun with the same --checkpoint to settle them).
    """
    from fluent_sdk.helpers._inventory_input import READING_STOPPED
    from fluent_sdk.helpers.inventory import DEFAULT_JOB_NAME

    with connection.client() as client:
        report = client.inventory.update(
            file,
            progress=progress,
            concurrency=concurrency,
            checkpoint=checkpoint,
            catalogue_ref=catalogue_ref,
            source=source,
            job_name=job_name or DEFAULT_JOB_NAME,
            settle_timeout=settle_timeout,
        )
    if output is common.OutputFormat.table:
        common.print_fields("Inventory update", report.summary())
    else:
        common.emit(report.summary(), output)
    if rejected is not None and report.rejected:
        written = report.to_csv(rejected)
        typer.echo(f"wrote {written} rejected record(s) to {rejected}", err=True)
    if unknown is not None and report.unknown_records:
        written = report.unknown_to_csv(unknown)
        typer.echo(f"wrote {written} record(s) of unknown outcome to {unknown}", err=True)
    if report.rejected:
        first = report.rejected[0]
        typer.echo(
            f"Error: {len(report.rejected)} of {report.read} records not accepted "
            f"(first: row {first.row}, {first.stage}: {first.reason})",
            err=True,
        )
        stopped = [r for r in report.rejected if READING_STOPPED in r.reason]
        if stopped and stopped[0] is not first:
            typer.echo(f"Error: {file.name} was not read to the end: {stopped[0].reason}", err=True)
    if report.unknown_records:
        how = (
            f"rerun with --checkpoint {checkpoint} to settle them"
            if checkpoint is not None
            else "check them with `inventory positions` before resending"
        )
        typer.echo(
            f"Warning: {report.unknown} of {report.read} records have an unknown outcome "
            f"(Fluent may have applied them); {how}",
            err=True,
        )
    if report.rejected:
        raise typer.Exit(common.EXIT_FAILED)
    if report.unknown_records:
        raise typer.Exit(common.EXIT_UNSETTLED)
