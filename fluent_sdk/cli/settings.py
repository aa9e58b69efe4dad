"""``fluent-sdk settings``: read and write platform settings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fluent_sdk.cli import _common as common

if TYPE_CHECKING:
    from fluent_sdk.helpers.settings import Setting

__all__ = ["app", "get", "parse_value", "set_"]

app = common.command_group("Read and write platform settings.")

_MASK = "***"

ContextOption = Annotated[
    str, typer.Option(help="ACCOUNT, RETAILER, AGENT, CUSTOMER, ...", case_sensitive=False)
]
ContextIdOption = Annotated[
    int | None,
    typer.Option(help="Default: the retailer for RETAILER, 0 for ACCOUNT/GLOBAL."),
]


def parse_value(text: str, value_type: str | None) -> Any:
    """The command-line text as the Python value the type needs (bad text: usage error)."""
    kind = (value_type or "STRING").upper()
    try:
        if kind in ("JSON", "LOB"):
            return json.loads(text)
        if kind == "INTEGER":
            return int(text)
        if kind == "BOOLEAN":
            lowered = text.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError("expected true or false")
            return lowered == "true"
    except ValueError as error:
        common.fail(f"value {text!r} is not a valid {kind}: {error}", common.EXIT_USAGE)
    return text


def _row(setting: Setting, reveal: bool) -> dict[str, Any]:
    value = setting.value
    return {
        "name": setting.name,
        "context": f"{setting.context}:{setting.context_id}",
        "value_type": setting.value_type,
        "value": _MASK if setting.looks_secret and not reveal else value,
        "id": setting.id,
    }


@app.command()
@common.connected
def get(
    name: Annotated[str, typer.Argument(help="Setting name, e.g. fc.graphql.comment.access.")],
    context: ContextOption = "RETAILER",
    context_id: ContextIdOption = None,
    reveal: Annotated[
        bool, typer.Option(help="Show values of settings whose names look secret.")
    ] = False,
    output: common.TableOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
) -> None:
    """Print a setting (exit 1 when it is not set in that context)."""
    with connection.client() as client:
        setting = client.settings.get(name, context.upper(), context_id)
    if setting is None:
        common.fail(f"setting {name!r} is not set in context {context.upper()}", common.EXIT_FAILED)
    common.emit(_row(setting, reveal), output)


@app.command("set")
@common.connected
def set_(
    name: Annotated[str, typer.Argument(help="Setting name.")],
    value: Annotated[str, typer.Argument(help="The value (JSON text for --type JSON).")],
    value_type: Annotated[
        str | None,
        typer.Option(
            "--type", help="STRING (default), INTEGER, BOOLEAN, JSON or LOB.", show_default=False
        ),
    ] = None,
    context: ContextOption = "RETAILER",
    context_id: ContextIdOption = None,
    output: common.TableOutputOption = common.OutputFormat.table,
    *,
    connection: common.Connection,
) -> None:
    """Create the setting, or update it when it exists (nothing is written when equal)."""
    parsed = parse_value(value, value_type)
    kind = value_type.upper() if value_type else "STRING"
    with connection.client() as client:
        setting = client.settings.set(
            name, parsed, context=context.upper(), context_id=context_id, value_type=kind
        )
    common.emit(_row(setting, reveal=False), output)
