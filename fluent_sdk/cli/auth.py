"""``fluent-sdk login`` / ``whoami`` / ``logout``: check credentials and show who you are.

Nothing secret is written anywhere unless ``login --save-token`` is given; then the token (never
the password) goes to a `FileTokenStore` file readable only by you (mode 0600), and later
commands reuse it until it expires.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fluent_sdk.cli import _common as common

if TYPE_CHECKING:
    from fluent_sdk import FluentClient

__all__ = ["login", "logout", "user_summary", "whoami"]


def user_summary(client: FluentClient) -> dict[str, Any]:
    """The signed-in user and retailer as display fields (``me`` over GraphQL)."""
    user = client.graphql.me()
    if user is None:
        common.fail("the account answered no user for these credentials", common.EXIT_FAILED)
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


@common.connected
def login(
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
    *,
    connection: common.Connection,
) -> None:
    """Check the credentials by signing in, and print the user and retailer."""
    token_file = token_file or common.default_token_file()
    with connection.client(save_token=token_file if save_token else None) as client:
        client.login(force=True)
        fields = user_summary(client)
    common.print_fields(f"Signed in ({connection.description})", fields)
    if save_token:
        typer.echo(
            f"Token saved to {token_file} (mode 0600); run 'fluent-sdk logout' to remove it."
        )


@common.connected
def whoami(
    output: common.TableOutputOption = common.OutputFormat.table, *, connection: common.Connection
) -> None:
    """Print the signed-in user and retailer."""
    with connection.client() as client:
        fields = user_summary(client)
    if output is common.OutputFormat.table:
        common.print_fields(f"Signed in ({connection.description})", fields)
    else:
        common.emit(fields, output)


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
    token_file = token_file or common.default_token_file()
    if token_file.exists():
        token_file.unlink()
        typer.echo(f"Removed {token_file}.")
    else:
        typer.echo(f"No saved tokens at {token_file}.")
