"""``fluent-sdk jobs``: open a job and check on jobs and batches (Job/Batch API v4.1)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from fluent_sdk.cli._common import (
    EXIT_USAGE,
    BaseUrlOption,
    Connection,
    OutputFormat,
    ProfileOption,
    SandboxOption,
    cli_errors,
    emit,
    fail,
    load_json_argument,
    open_client,
    print_fields,
)

__all__ = ["app", "create", "status"]

app = typer.Typer(
    help="Open jobs and follow their batches (Job/Batch API).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

TableOutputOption = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="How to print the result.")
]


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="Job name, e.g. 'inventory-feed'.")],
    retailer_id: Annotated[
        str | None, typer.Option("--retailer-id", help="Default: the signed-in user's retailer.")
    ] = None,
    meta: Annotated[
        str | None,
        typer.Option(help='Job meta as JSON, e.g. \'{"preprocessing": "skip"}\', or @FILE.'),
    ] = None,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Open a new job and print its id (jobs stay open until midnight UTC)."""
    parsed: Any = load_json_argument(meta, what="--meta") if meta is not None else None
    if parsed is not None and not isinstance(parsed, dict):
        fail("--meta must be a JSON object", EXIT_USAGE)
    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        created = client.jobs.create(name, retailer_id=retailer_id, meta=parsed)
    typer.echo(created.id)


@app.command()
def status(
    job_id: Annotated[str, typer.Argument(help="The job's id.")],
    batch_id: Annotated[
        str | None, typer.Option("--batch", help="Show this batch's status and failed records.")
    ] = None,
    output: TableOutputOption = OutputFormat.table,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Show a job and its batches, or one batch with its failed records."""
    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        if batch_id is None:
            job = client.jobs.get(job_id)
            if output is not OutputFormat.table:
                emit(job, output)
                return
            print_fields(
                f"Job {job.id}",
                {"name": job.name, "status": job.status, "created_on": job.created_on},
            )
            emit(
                [
                    {"batch": b.id, "status": b.status, "entity_type": b.entity_type}
                    for b in job.batches
                ],
                output,
            )
            return
        batch = client.jobs.get_batch(job_id, batch_id)
    if output is not OutputFormat.table:
        emit(batch, output)
        return
    failed = batch.failed_results
    print_fields(
        f"Batch {batch.id} of job {job_id}",
        {
            "status": batch.status,
            "entity_type": batch.entity_type,
            "records": batch.total if batch.total is not None else len(batch.results),
            "failed": len(failed),
        },
    )
    if failed:
        emit(
            [
                {"ref": r.entity_ref, "code": r.response_code, "message": r.message}
                for r in failed[:50]
            ],
            output,
        )
