"""`check_record`'s fast paths for plain inventory records give exactly what the model gives:
the same body for a valid record, a problem naming the field for an invalid one."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers import _inventory_input
from fluent_sdk.helpers._inventory_input import RecordProblem, _plain_body, check_record
from fluent_sdk.helpers._inventory_run import UpdateRun
from fluent_sdk.rest.jobs import InventoryRecord

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**6),
    st.text(max_size=6),
    st.sampled_from(["", "7", "007", " 5", "-3", "٣", "1.5", "SKU-1", "LOC"]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_keys = st.sampled_from(
    [
        "skuRef",
        "locationRef",
        "qty",
        "correctedQty",
        "reservedQty",
        "type",
        "status",
        "retailerId",
        "attributes",
        "sku_ref",
        "retailer_id",
        "unknown",
    ]
)


_refs = st.one_of(st.sampled_from(["SKU-1", "LOC"]), _values)
_quantities = st.one_of(
    st.integers(min_value=-3, max_value=50), st.sampled_from(["0", "12"]), _values
)
# Mostly-valid records with a few keys perturbed, so every path is exercised often.
_records = st.fixed_dictionaries(
    {"skuRef": _refs, "locationRef": _refs, "qty": _quantities},
    optional={
        "correctedQty": _quantities,
        "reservedQty": _quantities,
        "type": _values,
        "status": _values,
        "retailerId": st.one_of(st.sampled_from([0, 1, -1, "1", True]), _values),
    },
)


def _model_body(data: dict[str, Any], retailer_id: int | str) -> dict[str, Any] | None:
    """What validating ``data`` with the model gives (the run's retailer filled in)."""
    if "retailerId" not in data and "retailer_id" not in data:
        data = {**data, "retailerId": retailer_id}
    try:
        return InventoryRecord(**data).to_body()
    except ValidationError:
        return None


_BASE = {"skuRef": "S", "locationRef": "L", "qty": 1}


@settings(max_examples=800, deadline=None)
@example({**_BASE, "retailerId": 0}, 1)
@example({**_BASE, "retailerId": "1"}, 1)
@example({**_BASE, "qty": "-1"}, 1)
@example({**_BASE, "qty": -1}, 1)  # a negative on-hand: refused (issue 13)
@example({**_BASE, "qty": 0, "correctedQty": -2, "reservedQty": -1}, 1)
@example({**_BASE, "qty": math.nan}, 1)
@example({**_BASE, "qty": -math.inf}, 1)
@example({**_BASE, "qty": True}, 1)
@example({**_BASE, "qty": 1.0}, 1)
@example({**_BASE, "locationRef": ""}, 1)
@example({**_BASE, "type": ""}, 1)
@example({**_BASE, "correctedQty": None}, 1)
@example({**_BASE, "retailer_id": 5}, 1)
@example(_BASE, "1")
@given(st.one_of(_records, st.dictionaries(_keys, _values, max_size=9)), st.sampled_from([1, "7"]))
def test_check_record_agrees_with_the_model(data: dict[str, Any], retailer_id: int | str) -> None:
    before = dict(data)
    checked = check_record(data, retailer_id=retailer_id)
    expected = _model_body(data, retailer_id)
    assert data == before, "the caller's record must not be changed"
    if expected is None:
        assert isinstance(checked, RecordProblem), f"accepted what the model refuses: {data}"
    else:
        assert checked == expected


_inputs = st.one_of(_records, st.dictionaries(_keys, _values, max_size=9), st.none(), st.text())


@settings(max_examples=300, deadline=None)
@example([{**_BASE, "qty": -1}, _BASE, {**_BASE, "qty": "-2"}], 1)
@given(st.lists(_inputs, max_size=7), st.sampled_from([1, "7"]))
def test_batches_check_records_as_check_record_does(
    records: list[Any], retailer_id: int | str
) -> None:
    """`UpdateRun` checks the commonest records inline: the same bodies and problems."""
    run = UpdateRun(
        enumerate(records, start=1),
        len(records),
        retailer_id=retailer_id,
        catalogue_ref="DEFAULT:1",
        batch_size=2,
        source=None,
        journal=None,
        resend_unknown=False,
        progress=False,
    )
    planned = list(run.batches())
    assert all(0 < len(batch) <= 2 for batch in planned)
    sent = [pair for batch in planned for pair in zip(batch.rows, batch.records, strict=True)]
    expected = [
        (row, check_record(raw, retailer_id=retailer_id)) for row, raw in enumerate(records, 1)
    ]
    assert sent == [(row, body) for row, body in expected if not isinstance(body, RecordProblem)]
    problems = [(row, p) for row, p in expected if isinstance(p, RecordProblem)]
    rejected = run.report.rejected
    assert [(r.row, r.stage, r.field) for r in rejected] == [
        (row, "validation", p.field) for row, p in problems
    ]
    assert [r.reason for r in rejected] == [f"row {row}: {p.reason}" for row, p in problems]
    assert run.report.read == len(records)


def test_plain_records_skip_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common shapes never reach pydantic (the point of the fast paths)."""

    class Refusing(InventoryRecord):
        def __init__(self, /, **data: Any) -> None:
            raise AssertionError(f"took the model's validation: {data}")

    monkeypatch.setattr(_inventory_input, "InventoryRecord", Refusing)
    three = {"skuRef": "S", "locationRef": "L", "qty": 3}
    assert check_record(three, retailer_id=1) == {**three, "retailerId": 1}
    csv_style = {"skuRef": "S", "locationRef": "L", "qty": "12", "type": "LAST_ON_HAND"}
    assert check_record(csv_style, retailer_id="7") == {
        "skuRef": "S",
        "locationRef": "L",
        "qty": 12,
        "type": "LAST_ON_HAND",
        "retailerId": "7",
    }


def test_plain_body_keeps_an_explicit_retailer() -> None:
    body = _plain_body({"skuRef": "S", "locationRef": "L", "qty": "0", "retailerId": 3}, 1)
    assert body == {"skuRef": "S", "locationRef": "L", "qty": 0, "retailerId": 3}


def test_model_records_become_bodies_with_the_retailer() -> None:
    record = InventoryRecord(sku_ref="S", location_ref="L", qty=2, status="AVAILABLE")
    assert check_record(record, retailer_id=1) == {
        "skuRef": "S",
        "locationRef": "L",
        "qty": 2,
        "status": "AVAILABLE",
        "retailerId": 1,
    }
    own = InventoryRecord(sku_ref="S", location_ref="L", qty=2, retailer_id=9)
    assert check_record(own, retailer_id=1) == {
        "skuRef": "S",
        "locationRef": "L",
        "qty": 2,
        "retailerId": 9,
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"skuRef": "S", "locationRef": "L", "qty": True}, "qty"),
        ({"skuRef": "", "locationRef": "L", "qty": 1}, "skuRef"),
        ({"skuRef": "S", "locationRef": "L", "qty": "many"}, "qty"),
        ({"skuRef": "S", "locationRef": "L"}, "qty"),
        ({"skuRef": "S", "locationRef": 5, "qty": 1}, "locationRef"),
        ({"skuRef": "S", "locationRef": "L", "qty": 1, "retailerId": 0}, "retailerId"),
    ],
)
def test_invalid_plain_records_are_reported_with_the_field(
    data: dict[str, Any], field: str
) -> None:
    assert _plain_body(data, 1) is None
    problem = check_record(data, retailer_id=1)
    assert isinstance(problem, RecordProblem)
    assert problem.field == field
    assert problem.reason.startswith(f"{field}: ")
