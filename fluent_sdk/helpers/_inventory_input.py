"""Reading inventory records from any source, one at a time, and checking each one.

`open_source` turns what the caller passed (an iterable of records, a CSV or JSON-lines path, a
pandas DataFrame) into a lazy stream of ``(row, raw)`` pairs; `check_record` turns one raw record
into the body of a valid `InventoryRecord` or a `RecordProblem`. Nothing here holds more than one
record::

    rows, total = open_source("stock.csv")
    for row, raw in rows:
        checked = check_record(raw, retailer_id=1)

``row`` counts records from 1 (in a CSV, row 1 is the first line after the header).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluent_sdk.errors import ValidationError
from fluent_sdk.rest._common import RetailerId
from fluent_sdk.rest.jobs import InventoryRecord

__all__ = [
    "RecordBody",
    "RecordProblem",
    "RecordSource",
    "check_record",
    "open_source",
    "problem_from",
]

#: What `Inventory.update` reads records from.
RecordSource = Iterable[InventoryRecord | Mapping[str, Any]] | str | os.PathLike[str] | Any

_CSV_SUFFIXES = frozenset({".csv"})
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
_ATTRIBUTE_PREFIX = "attributes."


@dataclass(frozen=True)
class RecordProblem:
    """Why one input record was not sent: ``field`` names the offending field when known."""

    reason: str
    field: str | None = None


class _Unreadable:
    """A raw line that could not even be decoded (bad JSON); kept so the row is reported."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason


def open_source(source: Any) -> tuple[Iterator[tuple[int, Any]], int | None]:
    """A lazy ``(row, raw record)`` stream over ``source`` and its length when known.

    Raises `ValidationError` (``field="records"``) for a source that cannot be read at all, such
    as a missing file or an unsupported suffix, before anything is sent.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValidationError(f"records: no such file: {str(path)!r}", field="records")
        suffix = path.suffix.lower()
        if suffix in _CSV_SUFFIXES:
            return _numbered(_csv_rows(path)), None
        if suffix in _JSONL_SUFFIXES:
            return _numbered(_jsonl_rows(path)), None
        raise ValidationError(
            f"records: cannot read {path.name!r}: expected a .csv or .jsonl file",
            field="records",
        )
    if _is_dataframe(source):
        return _numbered(_dataframe_rows(source)), len(source)
    if isinstance(source, (bytes, bytearray, Mapping)) or not isinstance(source, Iterable):
        kind = "a single record" if isinstance(source, Mapping) else type(source).__name__
        raise ValidationError(
            f"records: expected an iterable of records, a .csv/.jsonl path or a DataFrame, "
            f"got {kind}",
            field="records",
        )
    total = len(source) if isinstance(source, Sized) else None
    return _numbered(iter(source)), total


def _numbered(items: Iterator[Any]) -> Iterator[tuple[int, Any]]:
    return enumerate(items, start=1)


def _csv_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield _from_columns(row.items())


def _jsonl_rows(path: Path) -> Iterator[Any]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text = line.strip()
            if not text:
                continue
            try:
                yield json.loads(text)
            except ValueError as exc:
                yield _Unreadable(text, f"not valid JSON: {exc}")


def _is_dataframe(source: Any) -> bool:
    # Duck-typed so that pandas stays optional and is never imported here.
    return type(source).__module__.startswith("pandas") and hasattr(source, "itertuples")


def _dataframe_rows(frame: Any) -> Iterator[dict[str, Any]]:
    columns = [str(column) for column in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        yield _from_columns(zip(columns, values, strict=True))


def _from_columns(cells: Iterable[tuple[str | None, Any]]) -> dict[str, Any]:
    """A flat row as a record: empty cells dropped, ``attributes.x`` columns nested,
    numpy scalars made plain, an ``attributes`` cell holding JSON decoded."""
    record: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for name, value in cells:
        if name is None:  # a CSV line with more cells than the header
            record.setdefault("__extra__", value)
            continue
        value = _plain(value)
        if value is None or value == "":
            continue
        if name.startswith(_ATTRIBUTE_PREFIX):
            attributes[name[len(_ATTRIBUTE_PREFIX) :]] = value
        elif name == "attributes" and isinstance(value, str):
            try:
                record[name] = json.loads(value)
            except ValueError:
                record[name] = value  # reported by validation
        else:
            record[name] = value
    if attributes:
        record["attributes"] = {**(record.get("attributes") or {}), **attributes}
    return record


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value.strip()
    return value


#: A checked record as Fluent receives it: wire names, the retailer filled in, no None values
#: (what ``InventoryRecord(...).to_body()`` gives).
RecordBody = dict[str, Any]


def check_record(raw: Any, *, retailer_id: RetailerId) -> RecordBody | RecordProblem:
    """``raw`` as the body Fluent receives (``retailerId`` filled in with ``retailer_id``,
    which the caller has checked) if it is a valid `InventoryRecord`, or why it is not.

    Plain records take `_plain_body`; the bulk loop checks the commonest one before calling
    this (`UpdateRun._fresh_batches`)."""
    if isinstance(raw, _Unreadable):
        return RecordProblem(raw.reason)
    if isinstance(raw, InventoryRecord):
        body = raw.to_body()
        body.setdefault("retailerId", retailer_id)
        return body
    if not isinstance(raw, Mapping):
        return RecordProblem(f"expected a mapping or InventoryRecord, got {type(raw).__name__}")
    if "__extra__" in raw:
        return RecordProblem("more cells than the header has columns")
    if not all(isinstance(key, str) for key in raw):
        return RecordProblem("field names must be strings")
    fast = _plain_body(raw, retailer_id)
    if fast is not None:
        return fast
    data = dict(raw)
    if "retailerId" not in data and "retailer_id" not in data:
        data["retailerId"] = retailer_id
    try:
        return InventoryRecord(**data).to_body()
    except ValidationError as error:
        return problem_from(error)


# The keys a plain record may have (wire names only).
_PLAIN_KEYS = frozenset(
    {"skuRef", "locationRef", "qty", "correctedQty", "reservedQty", "type", "status", "retailerId"}
)
_QUANTITY_KEYS = frozenset({"qty", "correctedQty", "reservedQty"})


def _plain_body(data: Mapping[str, Any], retailer_id: RetailerId) -> RecordBody | None:
    """The record's body without pydantic's validation, when it is plainly valid.

    Bulk updates validate every record; pydantic costs ~10 µs a record, more than sending it.
    Records made only of known wire keys with non-empty string refs, whole-number quantities
    (ints or ASCII digit strings, as CSV gives) and a positive int retailer id pass the same
    checks `InventoryRecord` makes, and their body is the record itself (digit strings made
    ints, ``retailer_id`` filled in when missing). Anything else (None, attributes, aliases by
    field name, unusual types) returns None and takes the model's full validation, which also
    words the errors.
    """
    body: RecordBody = {}
    for key, value in data.items():
        if key not in _PLAIN_KEYS:
            return None
        kind = type(value)
        if key in _QUANTITY_KEYS:
            if kind is str and value.isascii() and value.isdigit():
                value = int(value)
            elif kind is not int:
                return None
        elif key == "retailerId":
            if kind is not int or value <= 0:
                return None
        elif kind is not str or (not value and key in ("skuRef", "locationRef")):
            return None
        body[key] = value
    if "skuRef" not in body or "locationRef" not in body or "qty" not in body:
        return None
    body.setdefault("retailerId", retailer_id)
    return body


def problem_from(error: ValidationError) -> RecordProblem:
    """Every problem pydantic found, ``field: message; field: message``."""
    parts = [
        f"{'.'.join(str(p) for p in e.get('loc', ())) or '(record)'}: {e.get('msg', '')}"
        for e in error.errors
    ]
    return RecordProblem("; ".join(parts) if parts else str(error), error.field)
