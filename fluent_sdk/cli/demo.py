"""``fluent-sdk demo``: the end-to-end run on the embedded sandbox (lands with the sandbox)."""

from __future__ import annotations

import typer

__all__ = ["demo"]


def demo() -> None:
    """Run the headline integration end to end (on the embedded sandbox without credentials)."""
    typer.echo("The demo is not built yet: it lands with the embedded sandbox (issue 5).")
