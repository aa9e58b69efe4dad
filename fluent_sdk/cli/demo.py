"""``fluent-sdk demo``: the headline integration end to end (logic in `fluent_sdk.demo`).

No credentials configured: a fresh sandbox is served on 127.0.0.1 and driven over HTTP.
Credentials configured (``--profile`` or ``FLUENT_*``): read-only checks against that account,
plus the full integration only with ``--write``. Exit 0 only if every step succeeded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from fluent_sdk.cli import _common as common

if TYPE_CHECKING:
    from fluent_sdk.demo import DemoReport, DemoStep

__all__ = ["demo"]

_COLOURS = {"ok": "green", "failed": "red", "skipped": "yellow"}


def _mark(status: str, width: int = 0) -> str:
    colour = _COLOURS.get(status, "white")
    return f"[{colour}]{status.upper() if status != 'ok' else status:<{width}}[/{colour}]"


def _print_step(step: DemoStep) -> None:
    from rich.markup import escape

    from fluent_sdk._redact import redact

    mark = _mark(step.status, 7)
    count = f" ({step.count})" if step.count is not None else ""
    common.console().print(
        f"  {mark} {escape(step.name)}{count}: {escape(redact(step.summary))}"
        f" [dim]{step.seconds:.2f}s[/dim]",
        highlight=False,
    )


def _print_report(report: DemoReport) -> None:
    from rich.table import Table

    from fluent_sdk._redact import redact

    table = Table(title=f"fluent-sdk demo: {report.mode} ({report.target})", title_justify="left")
    table.add_column("step")
    table.add_column("result")
    table.add_column("count", justify="right")
    table.add_column("time", justify="right")
    table.add_column("details", overflow="fold")
    for step in report.steps:
        table.add_row(
            step.name,
            _mark(step.status),
            "" if step.count is None else f"{step.count:,}",
            f"{step.seconds:.2f}s",
            redact(step.summary),
        )
    out = common.console()
    out.print(table)
    failed = [step.name for step in report.steps if not step.ok]
    if failed:
        out.print(f"[red]{len(failed)} step(s) did not succeed:[/red] {', '.join(failed)}")
    else:
        out.print(
            f"[green]All {len(report.steps)} steps succeeded[/green] in {report.seconds:.1f}s."
        )


@common.connected
def demo(
    records: Annotated[
        int,
        typer.Option(min=1, max=50_000, help="Inventory records to push through the Batch API."),
    ] = 3000,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="With real credentials, also run the writing steps (catalogue, inventory, "
            "orders) on that account. Never needed for the sandbox.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the summary table, no per-step lines.")
    ] = False,
    *,
    connection: common.Connection,
) -> None:
    """Run the headline integration end to end and print a summary.

    Without credentials (no --profile, no FLUENT_* variables) a sandbox account is served on
    127.0.0.1 and the SDK drives it over HTTP: sign in, sync a catalogue, push inventory
    through a Job/Batch, create a home-delivery and a click-and-collect order, read them back
    and page through orders. With credentials it runs read-only checks unless --write is given.
    """
    from fluent_sdk.demo import run_account_checks, run_sandbox_demo

    on_step = None if quiet else _print_step
    if not common.credentials_configured(connection):
        common.console().print(
            "Starting the Fluent sandbox on 127.0.0.1 (no credentials configured)…"
        )
        report = run_sandbox_demo(records=records, on_step=on_step)
    else:
        mode = "read-only checks" if not write else "checks and the writing integration"
        common.console().print(f"Running {mode} against {connection.description}…")
        with connection.client() as client:
            report = run_account_checks(client, write=write, records=records, on_step=on_step)
    _print_report(report)
    if not report.ok:
        raise typer.Exit(common.EXIT_FAILED)
