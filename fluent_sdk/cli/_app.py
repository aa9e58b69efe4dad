"""The typer application behind ``fluent-sdk`` (needs the ``cli`` extra: typer and rich).

Each command group lives in its own module of this package and is attached in `build_app`;
they are imported only when the CLI runs, never by ``import fluent_sdk``.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

__all__ = ["_COMMANDS", "_GROUPS", "build_app", "run"]

#: Command groups: each is the ``app`` (a ``typer.Typer``) of the module of that name here.
_GROUPS = ("schema", "events", "jobs", "inventory", "catalogue", "settings", "workflows")
#: The other commands: name -> ``module:function`` of this package.
_COMMANDS = {
    "codegen": "codegen:codegen",
    "demo": "demo:demo",
    "login": "auth:login",
    "whoami": "auth:whoami",
    "logout": "auth:logout",
    "query": "query:query",
    "sandbox": "sandbox:sandbox",
}


def _version(value: bool) -> None:
    if value:
        from fluent_sdk._version import __version__

        typer.echo(f"fluent-sdk {__version__}")
        raise typer.Exit()


def _root(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="On errors print the traceback and full details; log every request (redacted).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Work with a Fluent Commerce account from the terminal.

    Connection: --profile NAME (Fluent CLI profile), FLUENT_* environment variables, or
    --base-url; explicit options win over the environment, which wins over the profile.
    Every command also takes --sandbox to try it against a fresh in-process sandbox.

    Exit codes: 0 ok, 1 API/operation error, 2 usage/configuration error.
    """
    from fluent_sdk.cli._common import STATE, configure_debug_logging

    STATE.debug = debug
    configure_debug_logging(debug)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="fluent-sdk",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # Markdown joins the wrapped lines of a docstring paragraph, as --help should.
        rich_markup_mode="markdown",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    for name in _GROUPS:
        app.add_typer(importlib.import_module(f"fluent_sdk.cli.{name}").app, name=name)
    for name, where in _COMMANDS.items():
        module, _, function = where.partition(":")
        command = getattr(importlib.import_module(f"fluent_sdk.cli.{module}"), function)
        app.command(name=name)(command)
    return app


def run() -> None:
    build_app()()
