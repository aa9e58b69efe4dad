"""The ``fluent-sdk`` command line (install it with ``pip install 'fluent-sdk[cli]'``).

The commands are built with typer, which the library itself does not need: the ``cli`` extra
brings it. Without it, ``fluent-sdk`` says how to install it instead of failing on an import.
Each command group lives in its own module of this package and is attached in
`fluent_sdk.cli._app.build_app`; shared pieces (connection options, error handling, output) are
in `fluent_sdk.cli._common`.

Exit codes: 0 success, 1 the API or the operation failed, 2 usage or configuration error,
3 some outcomes are still unknown (``inventory update``).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__all__ = ["MISSING_EXTRA_MESSAGE", "build_app", "main"]

#: Printed (exit code 2) when ``fluent-sdk`` runs without the ``cli`` extra installed.
MISSING_EXTRA_MESSAGE = (
    "fluent-sdk: the command line needs the 'cli' extra (typer and rich), which is not "
    "installed.\n"
    "Install it with:  pip install 'fluent-sdk[cli]'\n"
    "(The library itself works without it: import fluent_sdk.)"
)


def _cli_extra_installed() -> bool:
    try:
        importlib.import_module("typer")
        importlib.import_module("rich")
    except ImportError:
        return False
    return True


def main() -> None:
    """The ``fluent-sdk`` entry point."""
    if not _cli_extra_installed():
        print(MISSING_EXTRA_MESSAGE, file=sys.stderr)
        raise SystemExit(2)
    importlib.import_module("fluent_sdk.cli._app").run()


def __getattr__(name: str) -> Any:
    # ``build_app`` and the command tables live with typer in ``_app``; import it only then.
    if name in ("build_app", "_GROUPS", "_COMMANDS"):
        return getattr(importlib.import_module("fluent_sdk.cli._app"), name)
    raise AttributeError(f"module 'fluent_sdk.cli' has no attribute {name!r}")
