"""Legacy SDL (``implements A, B``, ``#`` comment descriptions) is read, with each change recorded.

Issue 13 item 7: an export from older tooling stopped ``schema diff`` and ``schema import`` with
``SDL syntax error: Unexpected Name 'Orchestrateable'`` (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, print_schema
from typer.testing import CliRunner

from fluent_sdk._schema import sdl as sdl_module
from fluent_sdk._schema.legacy import LegacySdlWarning, normalize_legacy_sdl
from fluent_sdk._schema.source import SchemaSourceError, schema_from_text
from fluent_sdk.cli.schema import app

# Written for this test, in the style of an older tool's export.
LEGACY = '''# Exported by an older schema tool
# A thing with an id
interface Node {
  # The unique id
  id: ID!
}

interface Orchestrateable {
  status: String
  workflowRef: String
}

# An article of a consignment
type Article implements Node, Orchestrateable {
  id: ID!
  # where it is in its workflow
  status: String
  workflowRef: String
  """A real description: keep "implements A, B" here as it is"""
  name: String
}

type Order implements Node Orchestrateable {
  id: ID!
  status: String
  workflowRef: String
  ref: String # a trailing comment is not a description
}

type Query {
  # Find an article
  article(
    # its ref
    ref: String!
  ): Article
  order(ref: String!): Order
  implements: String
}
'''

# The same schema, normalised by hand.
MODERN = '''interface Node {
  id: ID!
}

interface Orchestrateable {
  status: String
  workflowRef: String
}

type Article implements Node & Orchestrateable {
  id: ID!
  status: String
  workflowRef: String
  """A real description: keep "implements A, B" here as it is"""
  name: String
}

type Order implements Node & Orchestrateable {
  id: ID!
  status: String
  workflowRef: String
  ref: String
}

type Query {
  article(ref: String!): Article
  order(ref: String!): Order
  implements: String
}
'''

runner = CliRunner()


def test_normalisation_rewrites_implements_and_drops_comment_descriptions() -> None:
    text, changes = normalize_legacy_sdl(LEGACY)
    implements = [c for c in changes if c.kind == "implements"]
    comments = [c for c in changes if c.kind == "comment_description"]
    assert [(c.line, c.before, c.after) for c in implements] == [
        (14, "Node, Orchestrateable", "Node & Orchestrateable"),
        (23, "Node Orchestrateable", "Node & Orchestrateable"),
    ]
    # Each full-line comment directly above a definition, field or argument (the header too:
    # it sits above "interface Node"). Not the comment trailing a line of SDL.
    assert [c.before for c in comments] == [
        "# Exported by an older schema tool",
        "# A thing with an id",
        "# The unique id",
        "# An article of a consignment",
        "# where it is in its workflow",
        "# Find an article",
        "# its ref",
    ]
    assert all(c.reason for c in changes)
    assert "implements A, B" in text, "descriptions are never rewritten"
    assert "# a trailing comment" in text
    assert print_schema(build_schema(text)) == print_schema(build_schema(MODERN))


def test_modern_sdl_is_read_as_it_is(recwarn: pytest.WarningsRecorder) -> None:
    schema_from_text(MODERN + "# a comment above nothing\n")
    assert not recwarn.list


def test_reading_legacy_sdl_warns_with_every_change() -> None:
    with pytest.warns(LegacySdlWarning) as caught:
        schema = schema_from_text(LEGACY, origin="old.graphql")
    warning = caught[0].message
    assert isinstance(warning, LegacySdlWarning)
    assert str(warning) == (
        "old.graphql: read as legacy SDL: 2 'implements A, B' rewritten as 'A & B'; "
        "7 '#' comment descriptions dropped"
    )
    assert len(warning.normalizations) == 9
    assert {i.name for i in schema.get_type("Article").interfaces} == {"Node", "Orchestrateable"}


def test_sdl_broken_beyond_the_legacy_dialect_still_reports_the_original_error() -> None:
    with pytest.raises(SchemaSourceError, match="Unexpected Name 'Orchestrateable'") as error:
        schema_from_text("type A implements Node, Orchestrateable { x: }\n", origin="bad.graphql")
    assert "read as legacy SDL too" in str(error.value)


def test_cli_import_accepts_legacy_sdl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdl_module, "package_sdl_path", lambda: tmp_path / "pkg.graphql")
    source = tmp_path / "legacy.graphql"
    source.write_text(LEGACY)
    out = tmp_path / "schema.graphql"
    result = runner.invoke(
        app, ["import", str(source), "--out", str(out), "--fixes", _no_fixes(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "read as legacy SDL" in result.stderr
    assert "line 14: 'Node, Orchestrateable' -> 'Node & Orchestrateable'" in result.stderr
    assert "… 2 more comment descriptions dropped" in result.stderr
    assert "type Article implements Node & Orchestrateable" in out.read_text()


def test_cli_diff_of_legacy_against_modern_counts_only_real_changes(tmp_path: Path) -> None:
    old = tmp_path / "old.graphql"
    old.write_text(LEGACY)
    same = tmp_path / "same.graphql"
    same.write_text(MODERN)
    new = tmp_path / "new.graphql"
    new.write_text(
        MODERN.replace("  name: String\n", "  name: String\n  title: String\n").replace(
            "  ref: String\n}", "}"
        )
    )
    unchanged = runner.invoke(app, ["diff", str(old), str(same)])
    assert unchanged.exit_code == 0, unchanged.output
    assert "No changes (0 breaking, 0 dangerous, 0 safe)" in unchanged.stdout
    assert "read as legacy SDL" in unchanged.stderr

    changed = runner.invoke(app, ["diff", str(old), str(new)])
    assert changed.exit_code == 1, changed.output  # Order.ref removed: breaking
    assert "1 breaking, 0 dangerous, 1 safe" in changed.stdout
    assert "Field Article.title was added." in changed.stdout

    both_legacy = runner.invoke(app, ["diff", str(old), str(old)])
    assert both_legacy.exit_code == 0, both_legacy.output
    assert "No changes" in both_legacy.stdout


def _no_fixes(tmp_path: Path) -> str:
    fixes = tmp_path / "fixes.json"
    fixes.write_text('{"fixes": []}')
    return str(fixes)
