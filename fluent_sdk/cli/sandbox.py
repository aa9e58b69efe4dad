"""``fluent-sdk sandbox``: serve the embedded Fluent sandbox on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["sandbox"]


def sandbox(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8765,
    seed: Annotated[
        Path | None,
        typer.Option(
            help="JSON seed file instead of the default dataset.", exists=True, dir_okay=False
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
) -> None:
    """Run a local fake Fluent account (OAuth, GraphQL, Event/Job/Workflow/Plugin APIs)."""
    from fluent_sdk.sandbox import Sandbox, SandboxServer

    fake = Sandbox(seed=seed if seed is not None else "default")
    try:
        server = SandboxServer(fake.app, host, port)
    except OSError as error:
        typer.echo(f"Cannot listen on {host}:{port}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Fluent sandbox listening on {server.base_url}")
    typer.echo("Sign in with the sandbox's documented development credentials:")
    for name, value in fake.credentials.items():
        typer.echo(f"  {name}: {value}")
    typer.echo("Press Ctrl-C to stop.")
    server.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        typer.echo("Stopping.")
    finally:
        server.stop()
