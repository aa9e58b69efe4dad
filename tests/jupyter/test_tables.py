"""``fluent_sdk.to_records`` / ``to_pandas`` / ``to_polars``: one flattening for execute dicts,
models, pages and paginators; explode; datetime columns; Fluent's spelling."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import pydantic
import pytest

import fluent_sdk
from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.sandbox import Sandbox

REPORT = """
query($after: String) { orders(first: 5, after: $after) { edges { node {
  ref createdOn customer { ref }
  items(first: 10) { edges { node { ref quantity product { ref } } } }
} } } }
"""


def add_orders(sandbox: Sandbox, orders: int = 12, items: int = 25) -> None:
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
            "ref": f"O-{number:02d}",
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
def report(fluent_sandbox: Sandbox, fluent_client: FluentClient) -> dict[str, Any]:
    add_orders(fluent_sandbox)
    return fluent_client.graphql.execute(REPORT.replace("first: 5,", "first: 20,"), complete=True)


def test_execute_result_explodes_into_one_row_per_line(report: dict[str, Any]) -> None:
    rows = fluent_sdk.to_records(report, explode="items")

    assert len(rows) == 12 * 25
    assert list(rows[0]) == [
        "ref",
        "createdOn",
        "customer.ref",
        "items.ref",
        "items.quantity",
        "items.product.ref",
    ]
    assert isinstance(rows[0]["createdOn"], datetime)
    assert rows[0]["createdOn"].tzinfo is not None
    assert {row["items.product.ref"] for row in rows} == {"SPEAKER001"}


def test_to_pandas_explode_row_counts_and_datetime_columns(report: dict[str, Any]) -> None:
    pandas = pytest.importorskip("pandas")

    per_order = fluent_sdk.to_pandas(report)
    per_line = fluent_sdk.to_pandas(report, explode="items")

    assert len(per_order) == 12
    assert len(per_line) == 300
    assert per_line.groupby("ref").size().tolist() == [25] * 12
    assert isinstance(per_line["createdOn"].dtype, pandas.DatetimeTZDtype)
    assert str(per_line["createdOn"].dt.tz) == "UTC"
    assert not [c for c in per_line.columns if "edges" in c or "node" in c]
    assert per_order["items"].map(len).tolist() == [25] * 12  # nested nodes, not edges


def test_every_kind_of_result_gives_the_same_rows(
    fluent_sandbox: Sandbox, fluent_client: FluentClient
) -> None:
    add_orders(fluent_sandbox, orders=7, items=3)
    document = REPORT.replace("first: 5,", "first: 10,")
    data = fluent_client.graphql.execute(document)
    expected = fluent_sdk.to_records(data, explode="items")
    assert len(expected) == 21

    paginator = fluent_client.graphql.paginate(REPORT, page_size=3)
    pages = list(paginator.pages())
    nodes = [node for page in pages for node in page.nodes]

    assert fluent_sdk.to_records(paginator, explode="items") == expected
    assert fluent_sdk.to_records(nodes, explode="items") == expected
    assert paginator.to_records(explode="items") == expected
    assert [r for p in pages for r in p.to_records(explode="items")] == expected
    assert [r for p in pages for r in fluent_sdk.to_records(p, explode="items")] == expected
    assert fluent_sdk.to_records(data["orders"], explode="items") == expected

    class Line(pydantic.BaseModel):
        ref: str
        quantity: int
        product: dict[str, str]

    class Order(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(alias_generator=pydantic.alias_generators.to_camel)
        ref: str
        created_on: datetime
        customer: dict[str, str]
        items: dict[str, Any]

    models = [Order.model_validate(node) for node in nodes]
    assert fluent_sdk.to_records(models, explode="items") == expected  # camelCase columns


def test_generated_models_use_fluents_spelling(fluent_client: FluentClient) -> None:
    locations = fluent_client.graphql.locations(first=10)
    rows = fluent_sdk.to_records(locations)
    assert rows == locations.to_records()
    assert len(rows) == 3
    assert "primaryAddress.city" in rows[0]
    assert not [c for c in rows[0] if "_" in c.replace("__typename", "")]
    as_dict = fluent_client.graphql.execute(
        "{ locations(first: 10) { edges { node { ref primaryAddress { city } } } } }"
    )
    assert {r["primaryAddress.city"] for r in fluent_sdk.to_records(as_dict)} == {
        r["primaryAddress.city"] for r in rows
    }


def test_explode_keeps_parents_without_items_and_follows_dotted_paths() -> None:
    data = {
        "orders": {
            "edges": [
                {
                    "node": {
                        "ref": "A",
                        "fulfilments": {
                            "edges": [
                                {"node": {"ref": "F1", "items": [{"ref": "x"}, {"ref": "y"}]}},
                                {"node": {"ref": "F2", "items": []}},
                            ]
                        },
                    }
                },
                {"node": {"ref": "B", "fulfilments": {"edges": []}}},
            ]
        }
    }
    rows = fluent_sdk.to_records(data, explode="fulfilments.items")
    assert rows == [
        {"ref": "A", "fulfilments.ref": "F1", "fulfilments.items.ref": "x"},
        {"ref": "A", "fulfilments.ref": "F1", "fulfilments.items.ref": "y"},
        {"ref": "A", "fulfilments.ref": "F2"},
        {"ref": "B"},
    ]
    assert len(fluent_sdk.to_records(data, explode="fulfilments")) == 3


def test_bad_explode_and_async_paginators_are_refused(
    async_fluent_client: AsyncFluentClient,
) -> None:
    with pytest.raises(ValidationError, match="'itemz'") as caught:
        fluent_sdk.to_records({"orders": [{"ref": "A", "items": []}]}, explode="itemz")
    assert caught.value.field == "explode"
    with pytest.raises(ValidationError) as caught:
        fluent_sdk.to_records([{"a": 1}], explode="a..b")
    assert caught.value.field == "explode"
    with pytest.raises(ValidationError, match=r"await paginator\.to_records"):
        fluent_sdk.to_records(async_fluent_client.graphql.iter_locations())


async def test_async_paginator_explodes_when_awaited(
    fluent_sandbox: Sandbox, async_fluent_client: AsyncFluentClient
) -> None:
    add_orders(fluent_sandbox, orders=3, items=4)
    paginator = async_fluent_client.graphql.paginate(REPORT, page_size=2, complete=True)
    rows = await paginator.to_records(explode="items")
    assert len(rows) == 12
    frame = await paginator.to_pandas(explode="items")
    assert len(frame) == 12


def test_secrets_are_masked_in_rows() -> None:
    rows = fluent_sdk.to_records({"providers": [{"ref": "P", "clientSecret": "hunter2"}]})
    assert rows[0]["ref"] == "P"
    assert rows[0]["clientSecret"] != "hunter2"


def test_to_polars(report: dict[str, Any]) -> None:
    polars = pytest.importorskip(
        "polars", reason="polars is an optional extra (fluent-sdk[polars])"
    )
    frame = fluent_sdk.to_polars(report, explode="items")
    assert isinstance(frame, polars.DataFrame)
    assert frame.height == 300
    assert frame.schema["createdOn"] == polars.Datetime(time_unit="us", time_zone="UTC")
    assert frame.columns[:4] == ["ref", "createdOn", "customer.ref", "items.ref"]


def test_missing_polars_and_pandas_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"fluent-sdk\[polars\]"):
        fluent_sdk.to_polars({"orders": []})
    with pytest.raises(ImportError, match=r"fluent-sdk\[pandas\]"):
        fluent_sdk.to_pandas({"orders": []})


def test_import_stays_light_until_a_table_is_asked_for() -> None:
    code = (
        "import sys, fluent_sdk\n"
        "rows = fluent_sdk.to_records({'a': {'edges': [{'node': {'b': 1}}]}})\n"
        "assert rows == [{'b': 1}], rows\n"
        "assert 'pandas' not in sys.modules and 'polars' not in sys.modules\n"
        "assert 'fluent_sdk._client' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_datetimes_parse_with_zones() -> None:
    [row] = fluent_sdk.to_records(
        {"a": "2024-05-01T10:00:00.000Z", "b": "2024-05-01T10:00:00+10:00", "c": "2024-05-01"}
    )
    assert row["a"] == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    assert row["b"].utcoffset().total_seconds() == 36000
    assert row["c"] == "2024-05-01"
