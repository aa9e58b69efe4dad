"""``fluent-sdk workflows``: download and upload workflow definitions (Workflow API v4.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fluent_sdk.cli._common import (
    BaseUrlOption,
    Connection,
    ProfileOption,
    SandboxOption,
    cli_errors,
    open_client,
)

__all__ = ["app", "get", "put"]

app = typer.Typer(
    help="Download and upload workflows (Workflow API).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def _split_name(name: str) -> tuple[str, str]:
    entity_type, sep, subtype = name.partition("::")
    if not sep or not entity_type or not subtype:
        raise typer.BadParameter(f"{name!r}: expected ENTITY_TYPE::SUBTYPE, e.g. ORDER::HD")
    return entity_type, subtype


@app.command()
def get(
    name: Annotated[str, typer.Argument(help="Workflow name, ENTITY_TYPE::SUBTYPE (ORDER::HD).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the JSON here instead of stdout.", dir_okay=False),
    ] = None,
    retailer_id: Annotated[
        str | None, typer.Option("--retailer-id", help="Default: the signed-in user's retailer.")
    ] = None,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Download a workflow as JSON (unchanged fields round-trip exactly)."""
    entity_type, subtype = _split_name(name)
    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        workflow = client.workflows.get(entity_type, subtype, retailer_id=retailer_id)
    if out is None:
        typer.echo(workflow.to_json())
        return
    workflow.save(out)
    typer.echo(f"wrote {out} ({workflow.name} version {workflow.version})", err=True)


@app.command()
def put(
    file: Annotated[
        Path,
        typer.Argument(help="Workflow JSON file (as written by 'workflows get').", dir_okay=False),
    ],
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Upload a workflow; Fluent validates it and saves a new version."""
    from fluent_sdk.rest.workflows import Workflow

    with cli_errors():
        workflow = Workflow.load(file)  # a missing or malformed file is a usage error (exit 2)
        with open_client(Connection(profile, base_url, sandbox)) as client:
            saved = client.workflows.put(workflow)
    typer.echo(
        f"saved {saved.entity_id}" + (f" (version {saved.version})" if saved.version else "")
    )
