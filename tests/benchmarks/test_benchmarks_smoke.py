"""Smoke test: every benchmark function runs at tiny sizes and returns well-formed figures.

Shapes only, never timings (speed targets live in ``python -m benchmarks``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import format_table, main
from benchmarks._data import order_node, orders_page_bytes
from benchmarks._harness import figure
from benchmarks._page_server import page
from benchmarks.graphql_call import measure_graphql_call
from benchmarks.import_time import measure_import
from benchmarks.pagination import measure_pagination
from fluent_sdk._generated.orders import Orders

KEYS = {"value", "baseline", "ratio", "target", "met"}


def _check(figures: dict[str, dict[str, object]], names: set[str]) -> None:
    assert set(figures) == names
    for row in figures.values():
        assert set(row) == KEYS
        assert isinstance(row["value"], (int, float))
        assert row["value"] > 0
        assert isinstance(row["baseline"], (int, float))
        assert row["baseline"] > 0
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline"])  # type: ignore[operator]
        if row["target"] is None:
            assert row["met"] is None
        else:
            assert row["met"] is (row["ratio"] <= row["target"])  # type: ignore[operator]


def test_figure_met_and_info() -> None:
    assert figure(2.0, 1.0, 1.5) == {
        "value": 2.0,
        "baseline": 1.0,
        "ratio": 2.0,
        "target": 1.5,
        "met": False,
    }
    assert figure(1.0, 1.0, None)["met"] is None


def test_canned_page_validates_into_the_generated_model() -> None:
    body = orders_page_bytes(0, 3, has_next=True)
    orders = Orders.model_validate(json.loads(body)["data"]).orders
    assert orders is not None
    assert orders.edges is not None
    assert [edge.node.id for edge in orders.edges if edge and edge.node] == ["0", "1", "2"]
    assert order_node(7)["ref"] == "O-00000007"


def test_page_server_pages_follow_cursors() -> None:
    first = json.loads(page(5, 2, None))["data"]["orders"]
    assert [e["cursor"] for e in first["edges"]] == ["cur-0", "cur-1"]
    assert first["pageInfo"]["hasNextPage"] is True
    last = json.loads(page(5, 10, "cur-1"))["data"]["orders"]
    assert [e["node"]["id"] for e in last["edges"]] == ["2", "3", "4"]
    assert last["pageInfo"]["hasNextPage"] is False


def test_graphql_call_tiny() -> None:
    _check(
        measure_graphql_call(nodes=2, calls=1, repeats=1),
        {
            "graphql_call_sync",
            "graphql_call_async",
            "graphql_call_gql_parsed_once",
            "graphql_call_gql_parsed_per_call",
            "graphql_call_pydantic_floor_sync",
            "graphql_call_pydantic_floor_async",
            "graphql_call_sync_over_floor",
            "graphql_call_async_over_floor",
        },
    )


def test_pagination_tiny() -> None:
    _check(
        measure_pagination(nodes=30, page_size=10, repeats=1),
        {"pagination_cpu", "pagination_memory"},
    )


def test_import_tiny() -> None:
    _check(
        measure_import(runs=1),
        {"import_fluent_sdk", "import_fluent_client", "import_graphql_first_access"},
    )


def test_main_prints_table_and_merges_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchmarks.__main__ as entry

    fake = {"graphql_call_sync": figure(0.003, 0.002, 1.25)}
    monkeypatch.setitem(entry.BENCHMARKS, "graphql_call", lambda quick: (fake, {}))
    output = tmp_path / "results.json"
    output.write_text(json.dumps({"import_fluent_sdk": figure(1.0, 1.0, 1.5)}))
    main(["--only", "graphql_call", "--quick", "--output", str(output)])
    written = json.loads(output.read_text())
    assert set(written) == {"import_fluent_sdk", "graphql_call_sync"}
    assert written["graphql_call_sync"]["met"] is False
    out = capsys.readouterr().out
    assert "graphql_call_sync" in out
    assert "NO" in out


def test_table_marks_missed_targets_and_info_rows() -> None:
    table = format_table(
        {"a": figure(2.0, 1.0, 1.5), "b": figure(1.0, 1.0, None), "c": figure(1.0, 2.0, 1.5)},
        {"a": "s"},
    )
    lines = table.splitlines()
    assert lines[1].endswith("NO")
    assert "2000.000 ms" in lines[1]
    assert lines[2].endswith("info")
    assert lines[3].endswith("yes")
