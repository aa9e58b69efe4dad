"""``fluent-sdk workflows``: download and upload workflow definitions (Workflow API v4.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fluent_sdk.cli import _common as common

__all__ = ["app", "get", "put"]

app = common.command_group("Download and upload workflows (Workflow API).")


def _split_name(name: str) -> tuple[str, str]:
    entity_type, sep, subtype = name.partition("::")
    if not sep or not entity_type or not subtype:
        raise typer.BadParameter(f"{name!r}: expected ENTITY_TYPE::SUBTYPE, e.g. ORDER::HD")
    return entity_type, subtype


@app.command()
@common.connected
def get(
    name: Annotated[str, typer.Argument(help="Workflow name, ENTITY_TYPE::SUBTYPE (ORDER::HD).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the JSON here instead of stdout.", dir_okay=False),
    ] = None,
    retailer_id: common.RetailerIdOption = None,
    *,
    connection: common.Connection,
) -> None:
    """Download a workflow as JSON (unchanged fields round-trip exactly)."""
    entity_type, subtype = _split_name(name)
    with connection.client() as client:
        workflow = client.workflows.get(entity_type, subtype, retailer_id=retailer_id)
    if out is None:
        typer.echo(workflow.to_json())
        return
    workflow.save(out)
    typer.echo(f"wrote {out} ({workflow.name} version {workflow.version})", err=True)


@app.command()
@common.connected
def put(
    file: Annotated[
        Path,
        typer.Argument(help="Workflow JSON file (as written by 'workflows get').", dir_okay=False),
    ],
    *,
    connection: common.Connection,
) -> None:
    """Upload a workflow; Fluent validates it and saves a new version."""
    from fluent_sdk.rest.workflows import Workflow

    with common.cli_errors():
        workflow = Workflow.load(file)  # a missing or malformed file is a usage error (exit 2)
    with connection.client() as client:
        saved = client.workflows.put(workflow)
    typer.echo(
        f"saved {saved.entity_id}" + (f" (version {saved.version})" if saved.version else "")
    )
