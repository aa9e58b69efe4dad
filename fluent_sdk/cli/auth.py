"""``fluent-sdk login`` / ``whoami`` / ``logout``: check credentials and show who you are.

Nothing secret is written anywhere unless ``login --save-token`` is given; then the token (never
the password) goes to a `FileTokenStore` file readable only by you (mode 0600), and later
commands reuse it until it expires.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fluent_sdk.cli._common import (
    EXIT_FAILED,
    BaseUrlOption,
    Connection,
    OutputFormat,
    ProfileOption,
    SandboxOption,
    cli_errors,
    default_token_file,
    emit,
    fail,
    open_client,
    print_fields,
)

if TYPE_CHECKING:
    from fluent_sdk import FluentClient

__all__ = ["login", "logout", "user_summary", "whoami"]


def user_summary(client: FluentClient) -> dict[str, Any]:
    """The signed-in user and retailer as display fields (``me`` over GraphQL)."""
    user = client.graphql.me()
    if user is None:
        fail("the account answered no user for these credentials", EXIT_FAILED)
    retailer = user.primary_retailer
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return {
        "account": client.config.account or "",
        "base_url": client.base_url,
        "username": user.username,
        "name": name,
        "type": user.type_,
        "retailer": (
            f"{retailer.id} ({retailer.trading_name or retailer.ref})"
            if retailer is not None
            else ""
        ),
        "retailer_id": client.retailer_id,
    }


def login(
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
    save_token: Annotated[
        bool,
        typer.Option(
            "--save-token/--no-save-token",
            help="Keep the access token (not the password) in a 0600 file so later commands "
            "reuse it.",
        ),
    ] = False,
    token_file: Annotated[
        Path | None,
        typer.Option(
            help="Where --save-token keeps tokens [default: ~/.cache/fluent-sdk/tokens.json].",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check the credentials by signing in, and print the user and retailer."""
    connection = Connection(profile, base_url, sandbox)
    token_file = token_file or default_token_file()
    with (
        cli_errors(),
        open_client(connection, save_token=token_file if save_token else None) as client,
    ):
        client.login(force=True)
        fields = user_summary(client)
    print_fields(f"Signed in ({connection.description})", fields)
    if save_token:
        typer.echo(
            f"Token saved to {token_file} (mode 0600); run 'fluent-sdk logout' to remove it."
        )


def whoami(
    profile: ProfileOption = None,
    base_url: BaseUrlOption = None,
    sandbox: SandboxOption = False,
    output: Annotated[
        OutputFormat, typer.Option("--output", "-o", help="How to print the result.")
    ] = OutputFormat.table,
) -> None:
    """Print the signed-in user and retailer."""
    connection = Connection(profile, base_url, sandbox)
    with cli_errors(), open_client(connection) as client:
        fields = user_summary(client)
    if output is OutputFormat.table:
        print_fields(f"Signed in ({connection.description})", fields)
    else:
        emit(fields, output)


def logout(
    token_file: Annotated[
        Path | None,
        typer.Option(
            help="The token file written by login --save-token "
            "[default: ~/.cache/fluent-sdk/tokens.json].",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Delete the tokens saved by ``login --save-token``."""
    token_file = token_file or default_token_file()
    if token_file.exists():
        token_file.unlink()
        typer.echo(f"Removed {token_file}.")
    else:
        typer.echo(f"No saved tokens at {token_file}.")
