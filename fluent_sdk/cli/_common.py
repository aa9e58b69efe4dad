"""What every ``fluent-sdk`` command shares: connection options, building the client, turning
errors into exit codes, and printing results.

Command modules import this module as ``common``. A command that talks to an account is
decorated with `connected`, which declares ``--profile`` / ``--base-url`` / ``--sandbox`` once
for all of them and hands the command a `Connection`; ``with connection.client() as client:``
opens the client with errors turned into exit codes. Options more than one command takes
(``--output``, ``--retailer-id``) are ``Annotated`` aliases here; a group is a `command_group`.

Exit codes scripts can rely on: 0 success, 1 the API or the operation failed, 2 a usage or
configuration problem (bad option, missing setting, unreadable file, invalid input). Errors are
one line on stderr; the root ``--debug`` flag adds the traceback and the error's details.
Everything printed passes through `redact`, so secrets never reach the terminal.
"""

from __future__ import annotations

import csv
import functools
import inspect
import io
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from fluent_sdk._redact import redact

if TYPE_CHECKING:
    from rich.console import Console

    from fluent_sdk import FluentClient

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_UNSETTLED",
    "EXIT_USAGE",
    "STATE",
    "BaseUrlOption",
    "CliState",
    "Connection",
    "OutputFormat",
    "OutputOption",
    "ProfileOption",
    "ReportOutputOption",
    "RetailerIdOption",
    "SandboxOption",
    "SummaryOutputOption",
    "TableOutputOption",
    "cli_errors",
    "command_group",
    "configure_debug_logging",
    "connected",
    "console",
    "credentials_configured",
    "default_token_file",
    "emit",
    "fail",
    "load_json_argument",
    "open_client",
    "print_fields",
    "print_table",
    "rows_of",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
#: Some records' outcome is unknown (none known rejected): resume with the same checkpoint.
EXIT_UNSETTLED = 3
_CONNECTION_PANEL = "Connection"


def default_token_file() -> Path:
    """Where ``login --save-token`` keeps tokens (FileTokenStore's default); later commands
    reuse it."""
    return Path.home() / ".cache" / "fluent-sdk" / "tokens.json"


def command_group(help: str) -> typer.Typer:
    """A command group (``fluent-sdk events ...``): its help, and the help when run bare."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode="markdown")


@dataclass
class CliState:
    """Root options of the running command (set by the root callback on every invocation)."""

    debug: bool = False


#: The current invocation's root options (one command runs at a time in a process).
STATE = CliState()


ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help="Fluent CLI profile (~/.fluentcommerce/PROFILE/, or $FLUENT_PROFILE_DIR).",
        rich_help_panel=_CONNECTION_PANEL,
        show_default=False,
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Account URL, e.g. https://acme.sandbox.api.fluentretail.com (wins over "
        "$FLUENT_BASE_URL and the profile).",
        rich_help_panel=_CONNECTION_PANEL,
        show_default=False,
    ),
]
SandboxOption = Annotated[
    bool,
    typer.Option(
        "--sandbox",
        help="Run against a fresh in-process sandbox account (no credentials needed).",
        rich_help_panel=_CONNECTION_PANEL,
    ),
]


class OutputFormat(str, Enum):
    json = "json"
    table = "table"
    csv = "csv"


OutputOption = Annotated[
    OutputFormat,
    typer.Option("--output", "-o", help="How to print the result.", case_sensitive=False),
]
#: ``--output``/``-o`` of the commands that print a table by default (``= OutputFormat.table``).
TableOutputOption = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="How to print the result.")
]
ReportOutputOption = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="How to print the report.")
]
SummaryOutputOption = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="How to print the summary.")
]
RetailerIdOption = Annotated[
    str | None, typer.Option("--retailer-id", help="Default: the signed-in user's retailer.")
]


@dataclass(frozen=True)
class Connection:
    """Where a command connects: explicit options > ``FLUENT_*`` environment > profile."""

    profile: str | None = None
    base_url: str | None = None
    sandbox: bool = False

    @property
    def description(self) -> str:
        if self.sandbox:
            return "in-process sandbox"
        if self.profile:
            return f"profile {self.profile!r}"
        return "FLUENT_* environment"

    @contextmanager
    def client(self, *, save_token: Path | None = None) -> Iterator[FluentClient]:
        """`open_client` under `cli_errors`: ``with connection.client() as client: ...``."""
        with cli_errors(), open_client(self, save_token=save_token) as client:
            yield client


_CONNECTION_OPTIONS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=option)
    for name, default, option in (
        ("profile", None, ProfileOption),
        ("base_url", None, BaseUrlOption),
        ("sandbox", False, SandboxOption),
    )
]


def connected(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the connection options, declared once here: typer sees ``--profile``,
    ``--base-url`` and ``--sandbox`` after the command's own options (in the Connection panel
    of its ``--help``), and the command receives them as one `Connection`, its keyword-only
    ``connection`` parameter::

        @app.command()
        @connected
        def get(event_id: str, *, connection: Connection) -> None: ...
    """
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "connection"]

    @functools.wraps(command)
    def with_connection(
        *args: Any,
        profile: str | None = None,
        base_url: str | None = None,
        sandbox: bool = False,
        **kwargs: Any,
    ) -> None:
        command(*args, connection=Connection(profile, base_url, sandbox), **kwargs)

    # What typer reads: the signature and the (evaluated) annotations.
    shown = signature.replace(parameters=[*own, *_CONNECTION_OPTIONS])
    with_connection.__signature__ = shown  # type: ignore[attr-defined]
    with_connection.__annotations__ = {
        **{p.name: p.annotation for p in shown.parameters.values()},
        "return": shown.return_annotation,
    }
    return with_connection


def credentials_configured(connection: Connection) -> bool:
    """Whether the user pointed the CLI at a real account (a profile or any FLUENT_* setting)."""
    from fluent_sdk._config import ENV_VARS

    if connection.sandbox:
        return False
    if connection.profile or connection.base_url:
        return True
    return any(os.environ.get(variable) for variable in ENV_VARS.values())


@contextmanager
def open_client(
    connection: Connection, *, save_token: Path | None = None
) -> Iterator[FluentClient]:
    """A `FluentClient` for ``connection``, closed on exit.

    Tokens saved earlier by ``login --save-token`` are reused; ``save_token`` names the file to
    keep this session's token in (mode 0600).
    """
    from fluent_sdk import FileTokenStore, FluentClient

    if connection.sandbox:
        from fluent_sdk.sandbox import Sandbox

        overrides: dict[str, Any] = {}
        if save_token is not None:
            overrides["token_store"] = FileTokenStore(save_token)
        client = Sandbox().client(**overrides)
    else:
        explicit: dict[str, Any] = {}
        if connection.base_url:
            explicit["base_url"] = connection.base_url
        saved = default_token_file()
        token_file = save_token or (saved if saved.exists() else None)
        if token_file is not None:
            explicit["token_store"] = FileTokenStore(token_file)
        if connection.profile:
            client = FluentClient.from_profile(connection.profile, **explicit)
        else:
            client = FluentClient.from_env(**explicit)
    with client:
        yield client


def _one_line(text: str) -> str:
    return " ".join(redact(text).split())


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print ``message`` as one line on stderr and exit with ``code``."""
    typer.echo(f"Error: {_one_line(message)}", err=True)
    raise typer.Exit(code)


def _details(error: BaseException) -> list[str]:
    """What ``--debug`` adds after the traceback: the fields of an API error."""
    lines: list[str] = []
    for name in ("status", "code", "request_id", "operation", "setting", "looked_in", "field"):
        value = getattr(error, name, None)
        if value:
            lines.append(f"{name}: {value}")
    for attempt in getattr(error, "attempts", ()) or ():
        lines.append(f"attempt {attempt.number}: {attempt.outcome} (waited {attempt.waited}s)")
    body = getattr(error, "body", None)
    if body is not None:
        lines.append("body: " + json.dumps(body, default=str)[:4000])
    for item in getattr(error, "errors", ()) or ():
        lines.append(f"error: {item}")
    return lines


def _exit_code(error: BaseException) -> int:
    from fluent_sdk.errors import ConfigurationError, ValidationError

    if isinstance(error, (ConfigurationError, ValidationError)):
        return EXIT_USAGE
    return EXIT_FAILED


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn SDK errors into one stderr line and an exit code (``--debug``: the full story)."""
    from fluent_sdk.errors import FluentError

    try:
        yield
    except FluentError as error:
        if STATE.debug:
            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            typer.echo(redact(text), err=True)
            for line in _details(error):
                typer.echo(redact(line), err=True)
        fail(f"{type(error).__name__}: {error}", _exit_code(error))
    except KeyboardInterrupt:
        fail("interrupted", 130)


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (test runners swap it between commands)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # always the current sys.stderr


def configure_debug_logging(enabled: bool) -> None:
    """With ``enabled``, send the SDK's (already redacted) request log to stderr; without,
    undo it (a process may run several commands, e.g. under a test runner)."""
    from fluent_sdk._redact import install_log_redaction

    logger = logging.getLogger("fluent_sdk")
    ours = [handler for handler in logger.handlers if isinstance(handler, _CurrentStderrHandler)]
    if not enabled:
        for handler in ours:
            logger.removeHandler(handler)
        if ours:
            logger.setLevel(logging.NOTSET)
        return
    install_log_redaction()
    if not ours:
        handler = _CurrentStderrHandler()
        handler.setFormatter(logging.Formatter("debug: %(name)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def load_json_argument(value: str, *, what: str) -> Any:
    """JSON given inline, or ``@file`` / a path to a JSON file. Bad JSON is a usage error."""
    text = value
    candidate = Path(value[1:] if value.startswith("@") else value)
    if value.startswith("@") or (not value.lstrip().startswith(("{", "[")) and candidate.is_file()):
        try:
            text = candidate.read_text(encoding="utf-8")
        except OSError as error:
            fail(f"cannot read {what} file {candidate}: {error.strerror}", EXIT_USAGE)
    try:
        return json.loads(text)
    except ValueError as error:
        fail(f"{what} is not valid JSON: {error}", EXIT_USAGE)


# -- output ----------------------------------------------------------------------------------


def console(*, stderr: bool = False) -> Console:
    """A rich console on the current stdout (or stderr); made per call so test runners that
    swap ``sys.stdout`` capture it."""
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, soft_wrap=False, width=_width())


def _width() -> int | None:
    # Wide enough for tables when not on a terminal (pipes, CI logs, test runners).
    return None if sys.stdout.isatty() else 160


def rows_of(data: Any) -> list[dict[str, Any]]:
    """Flat rows from a result: a connection's nodes, a list's items, or the object itself.

    A GraphQL ``data`` dict with a single root field is unwrapped first.
    """
    from fluent_sdk._display import flatten, jsonable

    value = jsonable(data)
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if isinstance(value, dict) and isinstance(value.get("edges"), list):
        value = [edge.get("node") if isinstance(edge, dict) else edge for edge in value["edges"]]
    if value is None:
        return []
    if isinstance(value, list):
        return [flatten(item) for item in value]
    return [flatten(value)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def emit(data: Any, output: OutputFormat, *, title: str | None = None) -> None:
    """Print ``data`` as JSON (whole), a rich table or CSV (rows from `rows_of`)."""
    from fluent_sdk._display import jsonable

    if output is OutputFormat.json:
        typer.echo(redact(json.dumps(jsonable(data), indent=2, default=str)))
        return
    rows = rows_of(data)
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    if output is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        typer.echo(redact(buffer.getvalue()), nl=False)
        return
    print_table(title, columns, ([_cell(row.get(column)) for column in columns] for row in rows))


def print_table(
    title: str | None,
    columns: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    stderr: bool = False,
) -> None:
    """A rich table; cells are redacted text."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    count = 0
    for row in rows:
        table.add_row(*(redact(_cell(cell)) for cell in row))
        count += 1
    out = console(stderr=stderr)
    if count == 0 and not table.columns:
        out.print("(no results)")
        return
    out.print(table)


def print_fields(title: str, fields: Mapping[str, Any]) -> None:
    """A two-column name/value table."""
    print_table(title, ("field", "value"), ((name, value) for name, value in fields.items()))
