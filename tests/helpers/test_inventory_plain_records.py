"""The fast path for plain inventory records builds exactly what the model's validation builds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers._inventory_input import _plain_record, check_record
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
        "unknown",
    ]
)


_refs = st.one_of(st.sampled_from(["SKU-1", "LOC"]), _values)
_quantities = st.one_of(
    st.integers(min_value=-3, max_value=50), st.sampled_from(["0", "12"]), _values
)
# Mostly-valid records with a few keys perturbed, so both paths are exercised often.
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


_BASE = {"skuRef": "S", "locationRef": "L", "qty": 1}


@settings(max_examples=600, deadline=None)
@example({**_BASE, "retailerId": 0})
@example({**_BASE, "retailerId": "1"})
@example({**_BASE, "qty": "-1"})
@example({**_BASE, "qty": True})
@example({**_BASE, "locationRef": ""})
@example({**_BASE, "type": ""})
@example({**_BASE, "correctedQty": None})
@given(st.one_of(_records, st.dictionaries(_keys, _values, max_size=9)))
def test_fast_path_agrees_with_the_model(data: dict[str, Any]) -> None:
    fast = _plain_record(data)
    try:
        validated: InventoryRecord | None = InventoryRecord(**data)
    except ValidationError:
        validated = None
    if fast is not None:
        assert validated is not None, f"fast path accepted what the model refuses: {data}"
        assert fast.to_body() == validated.to_body()
        assert fast == validated


def test_plain_csv_style_record_takes_the_fast_path() -> None:
    record = _plain_record({"skuRef": "S", "locationRef": "L", "qty": "12", "retailerId": 1})
    assert record is not None
    assert record.to_body() == {"skuRef": "S", "locationRef": "L", "qty": 12, "retailerId": 1}


@pytest.mark.parametrize(
    "data",
    [
        {"skuRef": "S", "locationRef": "L", "qty": True},
        {"skuRef": "", "locationRef": "L", "qty": 1},
        {"skuRef": "S", "locationRef": "L", "qty": "many"},
        {"skuRef": "S", "locationRef": "L"},
    ],
)
def test_invalid_plain_records_are_reported_with_the_field(data: dict[str, Any]) -> None:
    assert _plain_record(data) is None
    problem = check_record(data, retailer_id=1)
    assert not isinstance(problem, InventoryRecord)
