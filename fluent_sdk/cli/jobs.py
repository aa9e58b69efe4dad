"""``fluent-sdk jobs``: open a job and check on jobs and batches (Job/Batch API v4.1)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from fluent_sdk.cli import _common as common

__all__ = ["app", "create", "status"]

app = common.command_group("Open jobs and follow their batches (Job/Batch API).")


@app.command()
@common.connected
def create(
    name: Annotated[str, typer.Argument(help="Job name, e.g. 'inventory-feed'.")],
    retailer_id: common.RetailerIdOption = None,
    meta: Annotated[
        str | None,
        typer.Option(help='Job meta as JSON, e.g. \'{"preprocessing": "skip"}\', or @FILE.'),
    ] = None,
    *,
    connection: common.Connection,
) -> None:
    """Open a new job and print its id (jobs stay open until midnight UTC)."""
    parsed: Any = common.load_json_argument(meta, what="--meta") if meta is not None else None
    if parsed is not None and not isinstance(parsed, dict):
        common.fail("--meta must be a JSON object", common.EXIT_USAGE)
    with connection.client() as client:
        created = client.jobs.create(name, retailer_id=retailer_id, meta=parsed)
    typer.echo(created.id)


@app.command()
@common.connected
def status(
    job_id: Annotated[str, typer.Argument(help="The job's id.")],
    batch_id: Annotated[
        str | None, typer.Option("--batch", help="Show this batch's status and failed records.")
    ] = None,
    output: common.TableOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
) -> None:
    """Show a job and its batches, or one batch with its failed records."""
    with connection.client() as client:
        if batch_id is None:
            job = client.jobs.get(job_id)
            if output is not common.OutputFormat.table:
                common.emit(job, output)
                return
            common.print_fields(
                f"Job {job.id}",
                {"name": job.name, "status": job.status, "created_on": job.created_on},
            )
            common.emit(
                [
                    {"batch": b.id, "status": b.status, "entity_type": b.entity_type}
                    for b in job.batches
                ],
                output,
            )
            return
        batch = client.jobs.get_batch(job_id, batch_id)
    if output is not common.OutputFormat.table:
        common.emit(batch, output)
        return
    failed = batch.failed_results
    common.print_fields(
        f"Batch {batch.id} of job {job_id}",
        {
            "status": batch.status,
            "entity_type": batch.entity_type,
            "records": batch.total if batch.total is not None else len(batch.results),
            "failed": len(failed),
        },
    )
    if failed:
        common.emit(
            [
                {"ref": r.entity_ref, "code": r.response_code, "message": r.message}
                for r in failed[:50]
            ],
            output,
        )
