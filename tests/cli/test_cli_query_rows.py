"""``fluent-sdk query``: --all, --complete, --explode and -o table|csv|jsonl rows, flattened
like `fluent_sdk.to_records` (no ``edges``/``node`` columns)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from fluent_sdk.sandbox import Sandbox

from .conftest import Cli, Served

ORDERS = (
    "query($after: String) { orders(first: 2, after: $after) { edges { node {"
    " ref createdOn items(first: 5) { edges { node { ref quantity } } } } } } }"
)


def add_orders(sandbox: Sandbox, orders: int, items: int) -> None:
    for number in range(orders):
        lines = [
            {
                "ref": f"O{number}-L{line:02d}",
                "productRef": "SPEAKER001",
                "productCatalogueRef": "PC:MASTER:1",
                "quantity": line + 1,
                "price": 10.0,
            }
            for line in range(items)
        ]
        order = {
            "ref": f"O-{number}",
            "type": "HD",
            "retailer": {"id": "1"},
            "customer": {"id": "1"},
            "items": lines,
        }
        answer = sandbox.execute(
            "mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }",
            {"input": order},
        )
        assert "errors" not in answer, answer


@pytest.fixture
def orders(served: Served) -> Served:
    add_orders(served.sandbox, orders=3, items=12)
    return served


def test_all_complete_explode_csv_gives_one_row_per_line(cli: Cli, orders: Served) -> None:
    orders.sandbox.requests.clear()
    result = cli("query", ORDERS, "--all", "--complete", "--explode", "items", "-o", "csv")
    assert result.exit_code == 0, result.output

    rows = list(csv.DictReader(io.StringIO(result.stdout)))

    assert len(rows) == 36
    assert list(rows[0]) == ["ref", "createdOn", "items.ref", "items.quantity"]
    assert {row["ref"] for row in rows} == {"O-0", "O-1", "O-2"}
    assert sorted(row["items.ref"] for row in rows if row["ref"] == "O-1") == [
        f"O1-L{n:02d}" for n in range(12)
    ]
    assert rows[0]["createdOn"].endswith("Z")  # Fluent's own text in CSV
    # Two pages of orders, each with one follow-up for its orders' remaining lines.
    assert orders.sandbox.requests.count("graphql") == 4


def test_csv_without_explode_has_the_nodes_not_edges(cli: Cli, orders: Served) -> None:
    result = cli("query", ORDERS, "-o", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 2  # the document's own first page
    assert not any("edges" in column or "node" in column for column in rows[0])
    items = json.loads(rows[0]["items"])
    assert len(items) == 5
    assert set(items[0]) == {"ref", "quantity"}


def test_jsonl_and_table_rows(cli: Cli, orders: Served) -> None:
    lines = cli("query", ORDERS, "--all", "--complete", "-o", "jsonl")
    assert lines.exit_code == 0, lines.output
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [len(record["items"]) for record in records] == [12, 12, 12]

    table = cli("query", ORDERS, "--all", "--explode", "items", "-o", "table")
    assert table.exit_code == 0, table.output
    assert "items.quantity" in table.stdout
    assert "O2-L04" in table.stdout
    assert "O2-L05" not in table.stdout  # not completed: the document's first 5 lines


def test_all_on_a_document_without_after_says_how_to_fix_it(cli: Cli, served: Served) -> None:
    before = len(served.sandbox.requests)
    result = cli("query", "{ orders(first: 2) { edges { node { ref } } } }", "--all")
    assert result.exit_code == 2
    assert "$after: String" in result.stderr
    assert len(served.sandbox.requests) == before


def test_usage_errors(cli: Cli, orders: Served) -> None:
    assert cli("query", ORDERS, "--explode", "items").exit_code == 2  # -o json
    assert cli("query", ORDERS, "--max-items", "3").exit_code == 2  # without --all
    bad = cli("query", ORDERS, "--explode", "itemz", "-o", "csv")
    assert bad.exit_code == 2
    assert "itemz" in bad.stderr
