"""``fluent-sdk codegen`` needs the ``codegen`` extra: without it (or with another ariadne-codegen)
it says how to install it and exits 2, before reading anything. Generation itself is tested in
``tests/graphql/test_codegen_user_ops.py``."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from fluent_sdk.cli.codegen import MISSING_CODEGEN_MESSAGE

from .conftest import Cli


def test_without_the_extra_it_says_how_to_install_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ariadne_codegen", None)  # not importable
    result = cli("codegen", str(tmp_path), "--package", "my_ops", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert MISSING_CODEGEN_MESSAGE in result.output
    assert "pip install 'fluent-sdk[codegen]'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "my_ops").exists()


def test_another_ariadne_codegen_is_refused(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.20.1")
    result = cli("codegen", str(tmp_path), "--package", "my_ops")
    assert result.exit_code == 2
    assert "needs ariadne-codegen 0.19.x, found 0.20.1" in result.output


def test_a_folder_without_operations_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no documents here\n")
    result = cli("codegen", str(tmp_path), "--package", "my_ops", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "no operation documents" in result.output
    assert not (tmp_path / "my_ops").exists()


def test_the_command_is_listed(cli: Cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert "codegen" in result.output
    result = cli("codegen", "--help")
    assert result.exit_code == 0
    assert "--package" in result.output
    assert "--schema" in result.output
