"""``fluent-sdk events``: send an event, fetch one, search the event log (Event API v4.1)."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fluent_sdk.cli._common import (
    EXIT_USAGE,
    BaseUrlOption,
    Connection,
    OutputFormat,
    OutputOption,
    ProfileOption,
    SandboxOption,
    cli_errors,
    emit,
    fail,
    load_json_argument,
    open_client,
)

if TYPE_CHECKING:
    from fluent_sdk.rest.events import EventRecord

__all__ = ["app", "get", "parse_since", "search", "send"]

app = typer.Typer(
    help="Send events to workflows and read the event log (Event API).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

TableOutputOption = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="How to print the result.")
]


def parse_since(value: str, *, now: datetime | None = None) -> datetime:
    """``30m``, ``12h``, ``7d`` (ago) or an ISO-8601 timestamp (UTC when no zone is given)."""
    now = now or datetime.now(timezone.utc)
    match = _DURATION.match(value.strip().lower())
    if match:
        amount, unit = match.groups()
        return now - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: use a duration like 30m, 12h, 7d or an ISO-8601 timestamp"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _entity(record: EventRecord) -> str:
    context = record.context
    if context is None:
        return ""
    return f"{context.entity_type}:{context.entity_ref or context.entity_id}"


@app.command()
def send(
    name: Annotated[str, typer.Argument(help="Event name (a ruleset of the entity's workflow).")],
    entity_type: Annotated[
        str, typer.Option("--entity-type", help="e.g. ORDER, FULFILMENT, LOCATION.")
    ],
    entity_ref: Annotated[str | None, typer.Option("--entity-ref", help="Target's ref.")] = None,
    entity_id: Annotated[str | None, typer.Option("--entity-id", help="Target's id.")] = None,
    entity_subtype: Annotated[
        str | None, typer.Option("--entity-subtype", help="e.g. HD, CC.")
    ] = None,
    root_entity_type: Annotated[str | None, typer.Option("--root-entity-type")] = None,
    root_entity_ref: Annotated[str | None, typer.Option("--root-entity-ref")] = None,
    root_entity_id: Annotated[str | None, typer.Option("--root-entity-id")] = None,
    attributes: Annotated[
        str | None,
        typer.Option("--attributes", help="Event attributes: a JSON object, or @FILE."),
    ] = None,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync/--async",
            help="--sync runs the workflow now and fails (exit 1) if a rule failed or nothing "
            "matched; --async only queues it.",
        ),
    ] = False,
    output: TableOutputOption = OutputFormat.table,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Send an event to an entity's workflow."""
    event: dict[str, Any] = {
        "name": name,
        "entity_type": entity_type,
        "entity_ref": entity_ref,
        "entity_id": entity_id,
        "entity_subtype": entity_subtype,
        "root_entity_type": root_entity_type,
        "root_entity_ref": root_entity_ref,
        "root_entity_id": root_entity_id,
    }
    if attributes is not None:
        parsed = load_json_argument(attributes, what="--attributes")
        if not isinstance(parsed, dict):
            fail("--attributes must be a JSON object", EXIT_USAGE)
        event["attributes"] = parsed
    event = {key: value for key, value in event.items() if value is not None}
    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        outcome = client.events.send_sync(event) if sync else client.events.send(event)
    emit(outcome, output)


@app.command()
def get(
    event_id: Annotated[str, typer.Argument(help="The event's id.")],
    output: OutputOption = OutputFormat.json,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Fetch one event from the event log."""
    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        record = client.events.get(event_id)
    emit(record, output)


@app.command()
def search(
    name: Annotated[str | None, typer.Option("--name", help="Event name.")] = None,
    entity_type: Annotated[str | None, typer.Option("--entity-type")] = None,
    entity_ref: Annotated[str | None, typer.Option("--entity-ref")] = None,
    entity_id: Annotated[str | None, typer.Option("--entity-id")] = None,
    root_entity_type: Annotated[str | None, typer.Option("--root-entity-type")] = None,
    root_entity_ref: Annotated[str | None, typer.Option("--root-entity-ref")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="e.g. COMPLETE, FAILED, NO_MATCH.")
    ] = None,
    since: Annotated[
        str,
        typer.Option(
            help="Start of the window: 30m, 12h, 7d or an ISO-8601 timestamp "
            "(Fluent keeps about 30 days)."
        ),
    ] = "1d",
    limit: Annotated[int, typer.Option(min=1, help="Stop after this many events.")] = 100,
    output: TableOutputOption = OutputFormat.table,
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
) -> None:
    """Search the event log, newest window first, paging as needed."""
    filters: dict[str, Any] = {
        "name": name,
        "entity_type": entity_type,
        "entity_ref": entity_ref,
        "entity_id": entity_id,
        "root_entity_type": root_entity_type,
        "root_entity_ref": root_entity_ref,
        "event_status": status,
    }
    filters = {key: value for key, value in filters.items() if value is not None}
    from_ = parse_since(since)
    with cli_errors(), open_client(Connection(profile, base_url, sandbox)) as client:
        found = client.events.search(from_=from_, page_size=min(limit, 1000), **filters)
        records = list(itertools.islice(found, limit))
    if output is OutputFormat.json:
        emit(records, output)
        return
    emit(
        [
            {
                "id": record.id,
                "name": record.name,
                "status": record.event_status,
                "entity": _entity(record),
                "generated_on": record.generated_on,
            }
            for record in records
        ],
        output,
    )
