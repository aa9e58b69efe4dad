"""The ``fluent-sdk`` command line.

Each command group lives in its own module of this package and is attached in `build_app`;
they are imported only when the CLI runs, never by ``import fluent_sdk``.
"""

from __future__ import annotations

import importlib

import typer

__all__ = ["build_app", "main"]

# (command group name, module, attribute holding its typer.Typer)
_GROUPS: tuple[tuple[str, str, str], ...] = (("schema", "fluent_sdk.cli.schema", "app"),)
# (command name, module, attribute holding the command function)
_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("demo", "fluent_sdk.cli.demo", "demo"),
    ("sandbox", "fluent_sdk.cli.sandbox", "sandbox"),
)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="fluent-sdk",
        help="Work with a Fluent Commerce account from the terminal.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    for name, module, attribute in _GROUPS:
        app.add_typer(getattr(importlib.import_module(module), attribute), name=name)
    for name, module, attribute in _COMMANDS:
        app.command(name=name)(getattr(importlib.import_module(module), attribute))
    return app


def main() -> None:
    build_app()()
