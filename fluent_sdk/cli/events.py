"""``fluent-sdk events``: send one event or a file of them, fetch one, search the event log,
and show what orchestration did to an entity (Event API v4.1).

Exit codes: ``send --sync`` exits 1 unless the event finished ``COMPLETE``; ``send-many`` exits
1 when any event did not succeed (rejected locally, ``NO_MATCH``, ``FAILED``, or an error), 3
when none failed but some replies were lost (``UNKNOWN``: they may have run).
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fluent_sdk.cli import _common as common

if TYPE_CHECKING:
    from fluent_sdk.rest.events import EventRecord

__all__ = ["app", "audit", "get", "parse_since", "search", "send", "send_many"]

app = common.command_group("Send events to workflows and read the event log (Event API).")

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


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
@common.connected
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
    output: common.TableOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
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
        parsed = common.load_json_argument(attributes, what="--attributes")
        if not isinstance(parsed, dict):
            common.fail("--attributes must be a JSON object", common.EXIT_USAGE)
        event["attributes"] = parsed
    event = {key: value for key, value in event.items() if value is not None}
    with connection.client() as client:
        outcome = client.events.send_sync(event) if sync else client.events.send(event)
    common.emit(outcome, output)
    if not sync:
        typer.echo(
            "Note: queued (--async); its outcome is unknown until Fluent processes it. Use "
            "--sync to wait for it, or `fluent-sdk events audit` to see what orchestration did.",
            err=True,
        )
    elif str(outcome.event_status) != "COMPLETE":
        # FAILED and NO_MATCH raise; anything else is not a finished workflow either.
        common.fail(f"event {name!r} finished {outcome.event_status or 'without a status'}")


class ModeOption(str, Enum):
    sync = "sync"
    async_ = "async"


@app.command("send-many")
@common.connected
def send_many(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv (columns name, entityType, entityRef or entityId, ...; attributes.X "
            "columns or an attributes JSON cell) or .jsonl file of events.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    mode: Annotated[
        ModeOption,
        typer.Option(
            help="sync: run each workflow and report COMPLETE / NO_MATCH / FAILED; async: "
            "queue them (their outcome is unknown until processed)."
        ),
    ] = ModeOption.sync,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Events in flight.")] = 8,
    failures: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the events that did not succeed (.csv or .jsonl; default "
            "FILE.failures.csv beside the input, written only when some failed).",
            dir_okay=False,
        ),
    ] = None,
    idempotent: Annotated[
        bool,
        typer.Option(
            help="The events are safe to repeat: also retry timeouts and gateway errors "
            "(by default an event is never sent twice)."
        ),
    ] = False,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress", help="Progress bar on stderr (terminal, long input)."
        ),
    ] = True,
    output: common.SummaryOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
) -> None:
    """Send every event of a file, checked first, several in flight; report each outcome.

    Invalid events are reported and never sent; the run goes on. Exit 0 when every event
    succeeded, 1 when any did not, 3 when none failed but some replies were lost.
    """
    from fluent_sdk.rest.events import read_events

    with common.cli_errors():
        events = read_events(file)
    with connection.client() as client:
        report = client.events.send_many(
            events,
            mode=mode.value,
            concurrency=concurrency,
            progress=None if progress else False,
            idempotent=idempotent,
        )
    if output is common.OutputFormat.table:
        common.print_fields(f"Events sent ({report.mode})", report.summary())
    else:
        common.emit(report.summary(), output)
    failed = report.failures
    if failed:
        target = failures or file.with_name(f"{file.name}.failures.csv")
        if target.suffix.lower() in (".jsonl", ".ndjson"):
            written = report.to_jsonl(target, failures_only=True)
        else:
            written = report.to_csv(target, failures_only=True)
        typer.echo(f"wrote {written} event(s) that did not succeed to {target}", err=True)
    if report.mode == "async" and report.succeeded:
        typer.echo(
            f"Note: {report.succeeded} event(s) queued; their outcome is unknown until Fluent "
            "processes them (`fluent-sdk events audit` shows what orchestration did).",
            err=True,
        )
    hard = [result for result in failed if result.outcome != "UNKNOWN"]
    if hard:
        first = hard[0]
        typer.echo(
            f"Error: {len(hard)} of {report.read} events did not succeed (first: events"
            f"[{first.index}] {first.outcome}: {first.error or first.entity})",
            err=True,
        )
        raise typer.Exit(common.EXIT_FAILED)
    if failed:
        typer.echo(
            f"Warning: {len(failed)} of {report.read} events have an unknown outcome (their "
            "reply was lost; they may have run): check the event log before resending them",
            err=True,
        )
        raise typer.Exit(common.EXIT_UNSETTLED)


@app.command()
@common.connected
def get(
    event_id: Annotated[str, typer.Argument(help="The event's id.")],
    output: common.OutputOption = common.OutputFormat.json,
    *,
    connection: common.Connection,
) -> None:
    """Fetch one event from the event log."""
    with connection.client() as client:
        record = client.events.get(event_id)
    common.emit(record, output)


@app.command()
@common.connected
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
    until: Annotated[
        str | None,
        typer.Option(
            help="End of the window: a duration ago (10m, 1h) or an ISO-8601 timestamp "
            "(default: now).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Stop after this many events.")] = 100,
    output: common.TableOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
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
    if until is not None:
        filters["to"] = parse_since(until)
    with connection.client() as client:
        found = client.events.search(from_=from_, page_size=min(limit, 1000), **filters)
        records = list(itertools.islice(found, limit))
    if output is common.OutputFormat.json:
        common.emit(records, output)
        return
    common.emit(
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


class AuditOutput(str, Enum):
    tree = "tree"
    json = "json"
    table = "table"
    csv = "csv"


@app.command()
@common.connected
def audit(
    entity_type: Annotated[
        str, typer.Argument(help="The entity's type: ORDER, FULFILMENT, LOCATION, ...")
    ],
    id: Annotated[str | None, typer.Option("--id", help="The entity's id.")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="The entity's ref.")] = None,
    since: Annotated[
        str,
        typer.Option(
            help="Start of the window: 30m, 12h, 7d or an ISO-8601 timestamp "
            "(Fluent keeps about 30 days)."
        ),
    ] = "30d",
    until: Annotated[
        str | None,
        typer.Option(
            help="End of the window: a duration ago or an ISO-8601 timestamp (default: now).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        AuditOutput,
        typer.Option(
            "--output", "-o", help="tree: the timeline as a tree; json/table/csv: one row each."
        ),
    ] = AuditOutput.tree,
    *,
    connection: common.Connection,
) -> None:
    """Show what orchestration did to an entity and its children, event by event: rulesets,
    rules, actions and exceptions (failures marked ✗)."""
    if id is None and ref is None:
        common.fail("give the entity's --id or --ref", common.EXIT_USAGE)
    from_ = parse_since(since)
    to = parse_since(until) if until is not None else None
    with connection.client() as client:
        timeline = client.events.audit(entity_type, id=id, ref=ref, since=from_, until=to)
    if output is AuditOutput.tree:
        typer.echo(timeline.to_text())
        return
    common.emit(timeline.to_records(), common.OutputFormat(output.value))
