"""The ``fluent-sdk`` lines of docs/cli.md work: with ``--sandbox`` they run for real (exit 0),
the others (real account needed) must at least name existing commands (``--help`` works)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluent_sdk.cli import _GROUPS, build_app

from .docs_examples import DOCS

CLI_PAGE = DOCS / "cli.md"
_CONSOLE_BLOCK = re.compile(r"```console\n(.*?)```", re.S)
GROUPS = set(_GROUPS)
#: Files the page's commands read, created in the working directory first.
INPUT_FILES = {
    "stock.csv": "skuRef,locationRef,qty\nSPEAKER001,LOC_MELB,11\nHEADPHONE001-BLK,LOC_SYD,7\n",
    "events.csv": "name,entityType,entityRef\nDeactivateLocation,LOCATION,LOC_MELB\n"
    "ActivateLocation,LOCATION,LOC_MELB\n",
}


def command_lines() -> list[tuple[int, list[str]]]:
    text = CLI_PAGE.read_text(encoding="utf-8")
    found: list[tuple[int, list[str]]] = []
    for block in _CONSOLE_BLOCK.finditer(text):
        first_line = text.count("\n", 0, block.start()) + 2
        for offset, line in enumerate(block.group(1).splitlines()):
            if line.startswith("$ fluent-sdk "):
                found.append((first_line + offset, shlex.split(line[2:], comments=True)))
    return found


COMMANDS = command_lines()


def test_the_page_has_commands() -> None:
    assert len(COMMANDS) >= 20
    assert sum("--sandbox" in argv for _, argv in COMMANDS) >= 8


@pytest.mark.parametrize(("line", "argv"), COMMANDS, ids=[f"cli.md:{n}" for n, _ in COMMANDS])
def test_cli_example(
    line: int, argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("FLUENT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    for name, content in INPUT_FILES.items():
        Path(name).write_text(content, encoding="utf-8")
    assert argv[0] == "fluent-sdk"
    args = argv[1:]
    runner = CliRunner()
    app = build_app()
    if "--sandbox" not in args:
        depth = 2 if args[0] in GROUPS else 1
        result = runner.invoke(app, [*args[:depth], "--help"])
        assert result.exit_code == 0, f"docs/cli.md:{line}: {result.output}"
        return
    redirect = None
    if ">" in args:
        index = args.index(">")
        args, redirect = args[:index], args[index + 1]
    if args[:2] == ["catalogue", "sync"]:  # the page makes the file with `catalogue sample >`
        sample = runner.invoke(app, ["catalogue", "sample"])
        Path("catalogue.json").write_text(sample.stdout, encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, f"docs/cli.md:{line}: {result.output}"
    if redirect:
        Path(redirect).write_text(result.stdout, encoding="utf-8")
