"""The command line is an extra: the library never needs typer, and ``fluent-sdk`` without the
``cli`` extra says how to install it."""

from __future__ import annotations

import subprocess
import sys

from fluent_sdk.cli import MISSING_EXTRA_MESSAGE

# Runs a snippet in a fresh interpreter where typer and rich cannot be imported.
_WITHOUT_TYPER = "import sys; sys.modules['typer'] = None; sys.modules['rich'] = None; "


def run_without_typer(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # our own interpreter and snippet
        [sys.executable, "-c", _WITHOUT_TYPER + code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_library_works_without_typer() -> None:
    result = run_without_typer(
        "import fluent_sdk; from fluent_sdk.sandbox import Sandbox; "
        "c = Sandbox().client(); print(c.graphql.me().username)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sandbox_admin"


def test_the_command_without_the_extra_says_how_to_install_it() -> None:
    result = run_without_typer("from fluent_sdk.cli import main; main()")
    assert result.returncode == 2
    assert "pip install 'fluent-sdk[cli]'" in result.stderr
    assert result.stderr.strip() == MISSING_EXTRA_MESSAGE
    assert "Traceback" not in result.stderr


def test_typer_is_not_a_dependency_of_the_library() -> None:
    from importlib.metadata import requires

    required = requires("fluent-sdk") or []
    unconditional = [r for r in required if "extra ==" not in r]
    assert not [r for r in unconditional if r.startswith(("typer", "rich"))]
    assert any(r.startswith("typer") and "extra == 'cli'" in r.replace('"', "'") for r in required)
