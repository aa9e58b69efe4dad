"""Reading inventory records from any source, one at a time, and checking each one.

`open_source` turns what the caller passed (an iterable of records, a CSV or JSON-lines path, a
pandas DataFrame) into a lazy stream of ``(row, raw)`` pairs; `check_record` turns one raw record
into the body of a valid `InventoryRecord` or a `RecordProblem`. Nothing here holds more than one
record::

    rows, total = open_source("stock.csv")
    for row, raw in rows:
        checked = check_record(raw, retailer_id=1)

``row`` counts records from 1 (in a CSV, row 1 is the first record after the header; blank
lines are skipped).

Bad input gets one clear error. A CSV's header and a DataFrame's columns are checked before the
first record (`check_columns`): missing and unknown columns raise one `ValidationError`
(``field="records"``) with a did-you-mean, so a wrong header is never reported once per row. A
CSV's delimiter (``,`` ``;`` tab ``|``) is sniffed and a UTF-8 BOM skipped. A quote that is
never closed, or closed only lines later, is reported once, naming the line where it opened,
and reading stops there (what follows was swallowed, and a resume must see the same row numbers
once the quote is fixed).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluent_sdk._validation import closest_name
from fluent_sdk.errors import ValidationError
from fluent_sdk.rest._common import RetailerId
from fluent_sdk.rest.jobs import InventoryRecord

__all__ = [
    "READING_STOPPED",
    "RecordBody",
    "RecordProblem",
    "RecordSource",
    "check_columns",
    "check_record",
    "open_source",
    "problem_from",
]

#: What `Inventory.update` reads records from.
RecordSource = Iterable[InventoryRecord | Mapping[str, Any]] | str | os.PathLike[str] | Any

_CSV_SUFFIXES = frozenset({".csv"})
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
_ATTRIBUTE_PREFIX = "attributes."

#: Delimiters a CSV may use (sniffed); a comma when nothing else fits.
_DELIMITERS = ",;\t|"
#: Bytes read up front to find the header and sniff the delimiter.
_HEAD_BYTES = 64 * 1024
#: Characters of the head the delimiter is sniffed on.
_SNIFF_CHARS = 4096
#: Part of the reason of the record at which a CSV stopped being read (the CLI shows it).
READING_STOPPED = "reading stopped here"
_QUOTE_FIX = 'close the quote, or write a quote inside a value as two (""), and run the file again'


def _record_names() -> tuple[dict[str, str], list[tuple[str, str]], list[str]]:
    """Every column name a record accepts (wire and python names) -> its field; the required
    fields as ``(wire name, python name)``; the optional fields' wire names."""
    accepted: dict[str, str] = {}
    required: list[tuple[str, str]] = []
    optional: list[str] = []
    for name, info in InventoryRecord.model_fields.items():
        wire = info.alias if isinstance(info.alias, str) else name
        accepted[wire] = accepted[name] = name
        if info.is_required():
            required.append((wire, name))
        else:
            optional.append(wire)
    return accepted, required, optional


_ACCEPTED, _REQUIRED, _OPTIONAL = _record_names()
_COLUMNS_HELP = (
    f"required {', '.join(wire for wire, _ in _REQUIRED)}; optional {', '.join(_OPTIONAL)}, "
    f"{_ATTRIBUTE_PREFIX}<name> (snake_case names such as sku_ref work too)"
)


@dataclass(frozen=True)
class RecordProblem:
    """Why one input record was not sent: ``field`` names the offending field when known."""

    reason: str
    field: str | None = None


class _Unreadable:
    """A raw line that could not even be decoded (bad JSON, broken CSV quoting); kept so the
    row is reported."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason


def open_source(source: Any) -> tuple[Iterator[tuple[int, Any]], int | None]:
    """A lazy ``(row, raw record)`` stream over ``source`` and its length when known.

    Raises `ValidationError` (``field="records"``) for a source that cannot be read at all,
    such as a missing file, an unsupported suffix, a file that is not UTF-8 text, or a CSV
    header or DataFrame columns that do not match `InventoryRecord` (`check_columns`), before
    anything is sent.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValidationError(f"records: no such file: {str(path)!r}", field="records")
        suffix = path.suffix.lower()
        if suffix in _CSV_SUFFIXES:
            return _numbered(_csv_rows(path, _csv_layout(path))), None
        if suffix in _JSONL_SUFFIXES:
            return _numbered(_jsonl_rows(path)), None
        raise ValidationError(
            f"records: cannot read {path.name!r}: expected a .csv or .jsonl file",
            field="records",
        )
    if _is_dataframe(source):
        columns = [str(column).strip() for column in source.columns]
        index = [str(name) for name in getattr(source.index, "names", ()) if name is not None]
        check_columns(columns, where="the DataFrame", index=index)
        return _numbered(_dataframe_rows(source, columns)), len(source)
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


# -- columns ---------------------------------------------------------------------------------


def check_columns(
    columns: Sequence[str],
    *,
    where: str,
    index: Sequence[str] | None = None,
) -> None:
    """Raise one `ValidationError` (``field="records"``) listing every column of ``columns``
    that `InventoryRecord` does not know (with a did-you-mean), every required field no
    column gives, and columns naming the same field twice; ``where`` names what was checked
    (``"stock.csv (header on line 1)"``). ``attributes.<name>`` columns are attributes.
    ``index`` is a DataFrame's index names (None for a CSV header): the message can point at
    ``reset_index()``. A CSV may have columns without a name (a trailing delimiter)."""
    problems: list[str] = []
    seen: dict[str, str] = {}  # field -> the column that gave it
    suggested: set[str] = set()  # fields a did-you-mean already points at
    named = [column for column in columns if column]
    one_column = len(named) == 1 and named[0] not in _ACCEPTED
    if one_column and any(c in named[0] for c in " ,;\t|"):
        if index is not None:
            separator = next((c for c in ";\t|, " if c in named[0]), ",")
            problems.append(
                f"the DataFrame has one column {named[0]!r}: read the file with its "
                f"separator, e.g. pandas.read_csv(path, sep={separator!r})"
            )
        else:
            problems.append(
                f"the header was read as one column {named[0]!r}: separate the columns with "
                "',', ';', a tab or '|'"
            )
        named = []
    for position, column in enumerate(columns, start=1):
        if not column:
            if index is not None:
                problems.append(f"column {position} has no name: name it or remove it")
            continue
        if column not in named:
            continue
        if column.startswith(_ATTRIBUTE_PREFIX) and len(column) > len(_ATTRIBUTE_PREFIX):
            field = column
        elif column in _ACCEPTED:
            field = _ACCEPTED[column]
        else:
            problem, suggestion = _unknown_column(column)
            problems.append(problem)
            if suggestion is not None:
                suggested.add(_ACCEPTED[suggestion])
            continue
        if field in seen:
            earlier = seen[field]
            problems.append(
                f"column {column!r} appears twice: keep one"
                if earlier == column
                else f"columns {earlier!r} and {column!r} name the same field: keep one"
            )
        else:
            seen[field] = column
    for wire, name in _REQUIRED:
        if name in seen or name in suggested or (one_column and not named):
            continue
        also = f" (or {name!r})" if name != wire else ""
        hint = (
            ": it is the DataFrame's index, call reset_index() first"
            if index is not None and (wire in index or name in index)
            else ""
        )
        problems.append(f"missing column {wire!r}{also}{hint}")
    if problems:
        raise ValidationError(
            f"records: the columns of {where} do not match inventory records: "
            f"{'; '.join(problems)}. Fix the column names and run again; nothing was sent. "
            f"Columns: {_COLUMNS_HELP}",
            field="records",
        )


#: Names a new user may give a column, lower-cased, and the record's name for it.
_SYNONYMS = {
    **dict.fromkeys(["quantity", "onhand", "on_hand", "stock", "stockonhand"], "qty"),
    **dict.fromkeys(["sku", "productref", "product_ref", "product", "ref"], "skuRef"),
    **dict.fromkeys(["location", "locationcode", "location_code", "store"], "locationRef"),
    **dict.fromkeys(["retailer", "retailer_ref"], "retailerId"),
}


def _unknown_column(column: str) -> tuple[str, str | None]:
    """What to say about an unknown column, and the known name it suggests."""
    suggestion = _SYNONYMS.get(column.lower()) or closest_name(column, _ACCEPTED)
    if suggestion is not None:
        return f"unknown column {column!r} (did you mean {suggestion!r}?)", suggestion
    if column.startswith(_ATTRIBUTE_PREFIX):
        return f"column {column!r} names no attribute: write attributes.<name>", None
    return (
        f"unknown column {column!r} (to send it as an attribute, name it "
        f"'{_ATTRIBUTE_PREFIX}{column}'; otherwise remove it)"
    ), None


# -- CSV -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CsvLayout:
    columns: list[str]
    delimiter: str
    #: The header's line number (blank lines may precede it).
    header_line: int


def _csv_layout(path: Path) -> _CsvLayout:
    """Read the head of a CSV: check its encoding, sniff its delimiter and check its header.

    Raises `ValidationError` before anything is sent when the file is not UTF-8 text, is
    empty, or its header does not match `InventoryRecord`."""
    name = path.name
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        at_end = not handle.read(1)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValidationError(
            f"records: {name} is UTF-16 text: save it as UTF-8 (in Excel: 'CSV UTF-8') and "
            "run again",
            field="records",
        )
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise ValidationError(
            f"records: {name} is not a text CSV file (an Excel workbook?): save it as "
            "'CSV UTF-8' and run again",
            field="records",
        )
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=at_end)
    except UnicodeDecodeError as error:
        line = head.count(b"\n", 0, error.start) + 1
        raise ValidationError(
            f"records: {name}: line {line} is not UTF-8 text (byte {head[error.start]:#04x}): "
            "save the file as UTF-8 (in Excel: 'CSV UTF-8') and run again",
            field="records",
        ) from None
    if not at_end:
        if "\n" not in text:
            raise ValidationError(
                f"records: {name}: no line break in the first {_HEAD_BYTES // 1024} KiB: "
                "expected a CSV file with a header line (skuRef,locationRef,qty,...)",
                field="records",
            )
        text = text[: text.rindex("\n") + 1]
    if not text.strip():
        raise ValidationError(
            f"records: {name} is empty: expected a header line such as "
            "'skuRef,locationRef,qty' and one record per line",
            field="records",
        )
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True
    )
    header: list[str] = []
    before = 0
    try:
        for cells in reader:
            if cells:
                header = cells
                break
            before = reader.line_num
    except csv.Error:
        header = []
    line = before + 1
    if not header or reader.line_num != line:
        raise ValidationError(
            f"records: {name}: line {line}: the header's quoting is broken: {_QUOTE_FIX}",
            field="records",
        )
    columns = [column.strip() for column in header]
    check_columns(columns, where=f"{name} (header on line {line})")
    return _CsvLayout(columns, delimiter, line)


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the CSV that starts with ``text``: `csv.Sniffer`'s guess among
    ``, ; tab |``, unless the header splits into more known column names with another."""
    sample = text[:_SNIFF_CHARS]
    if "\n" in sample[:-1]:
        sample = sample[: sample.rindex("\n") + 1]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    first = next((line for line in text.splitlines() if line.strip()), "")
    known = {delimiter: _known_count(first, delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=known.__getitem__)  # ties: the earliest, a comma first
    return best if known[best] > known.get(sniffed, 0) else sniffed


def _known_count(line: str, delimiter: str) -> int:
    try:
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    except csv.Error:
        return 0
    return sum(
        1
        for cell in cells
        if cell.strip() in _ACCEPTED or cell.strip().startswith(_ATTRIBUTE_PREFIX)
    )


def _csv_rows(path: Path, layout: _CsvLayout) -> Iterator[Any]:
    """The CSV's records as dicts (header names as keys), after the header.

    A record whose quoting is broken is yielded as `_Unreadable`, naming its line: text after
    a closing quote costs that record only; a quote that runs across lines (never closed, or
    closed lines later) stops the reading there, since what follows was swallowed."""
    columns, delimiter = layout.columns, layout.delimiter
    width = len(columns)
    blanks = [index for index, column in enumerate(columns) if not column]
    # Undecodable bytes become lone surrogates, so that the line holding them is named.
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        pending: list[str] = []  # the physical lines of the record being read
        undecodable: list[str] = []  # a line that is not UTF-8: the reading ends before it

        def lines() -> Iterator[str]:
            for text in handle:
                if not text.isascii():
                    try:
                        text.encode("utf-8")
                    except UnicodeEncodeError:
                        undecodable.append(text)
                        return
                pending.append(text)
                yield text

        reader = csv.reader(lines(), delimiter=delimiter, skipinitialspace=True, strict=True)
        for _ in reader:
            if reader.line_num >= layout.header_line:
                break
        line = reader.line_num
        while True:
            pending.clear()
            try:
                cells = next(reader)
            except (StopIteration, csv.Error) as error:
                if undecodable:
                    yield _Unreadable(
                        _excerpt(undecodable).encode("utf-8", "replace").decode("utf-8"),
                        f"line {reader.line_num + 1} is not UTF-8 text; {READING_STOPPED}: "
                        "save the file as UTF-8 (in Excel: 'CSV UTF-8') and run it again",
                    )
                    return
                if isinstance(error, StopIteration):
                    return
                first, last = line + 1, reader.line_num
                if last > first or "unexpected end of data" in str(error):
                    yield _Unreadable(_excerpt(pending), _quote_never_closed(first, last, error))
                    return
                yield _Unreadable(_excerpt(pending), _bad_quoting(first, delimiter))
                line = last
                continue
            first, line = line + 1, reader.line_num
            if line > first:  # a quoted value with line breaks: a quote closed lines later
                yield _Unreadable(_excerpt(pending), _quote_never_closed(first, line, None))
                return
            if not cells:
                continue  # a blank line
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                yield _Unreadable(
                    _excerpt(pending),
                    f"line {line} has {len(cells)} cells but the header {width} columns: "
                    f"remove the extra cells, or quote a value that holds a "
                    f'{_shown_delimiter(delimiter)} ("a{delimiter}b")',
                )
                continue
            if blanks and any(index < len(cells) and cells[index].strip() for index in blanks):
                unnamed = next(i for i in blanks if i < len(cells) and cells[i].strip()) + 1
                yield _Unreadable(
                    _excerpt(pending),
                    f"line {line} has a value in column {unnamed}, which has no name in the "
                    "header: name the column or remove the value",
                )
                continue
            yield _from_columns(zip(columns, cells, strict=False))  # short rows: empty


def _excerpt(lines: list[str]) -> str:
    text = lines[0].rstrip("\r\n") if lines else ""
    return text if len(text) <= 200 else text[:199] + "…"


def _shown_delimiter(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else repr(delimiter)


def _quote_never_closed(first: int, last: int, error: csv.Error | None) -> str:
    if error is not None and "unexpected end of data" in str(error):
        what = (
            f"so lines {first}-{last} (the rest of the file) were read as one value"
            if last > first
            else "before the end of the file"
        )
        return (
            f"line {first}: a quote opened here is never closed, {what}; "
            f"{READING_STOPPED}: {_QUOTE_FIX}"
        )
    return (
        f"line {first}: a quote opened here is not closed on that line, so lines "
        f"{first}-{last} ran together as one record; {READING_STOPPED}: {_QUOTE_FIX}"
    )


def _bad_quoting(line: int, delimiter: str) -> str:
    return (
        f"line {line}: text follows the closing quote of a value before the next "
        f"{_shown_delimiter(delimiter)}: put the whole value in quotes and write each quote "
        'inside it as two (""), or remove the stray quote'
    )


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


# -- DataFrames ------------------------------------------------------------------------------


def _is_dataframe(source: Any) -> bool:
    # Duck-typed so that pandas stays optional and is never imported here.
    return type(source).__module__.startswith("pandas") and hasattr(source, "itertuples")


def _dataframe_rows(frame: Any, columns: list[str]) -> Iterator[dict[str, Any]]:
    for values in frame.itertuples(index=False, name=None):
        yield _from_columns(zip(columns, values, strict=True))


def _from_columns(cells: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A flat row as a record: empty cells dropped, ``attributes.x`` columns nested,
    numpy scalars made plain, an ``attributes`` cell holding JSON decoded."""
    record: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for name, value in cells:
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
    (ints or ASCII digit strings, as CSV gives; ``qty`` not negative) and a positive int
    retailer id pass the same
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
            elif kind is not int or (value < 0 and key == "qty"):
                return None  # a negative on-hand: the model words the error
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
        f"{'.'.join(str(p) for p in e.get('loc', ())) or '(record)'}: {_wording(e)}"
        for e in error.errors
    ]
    return RecordProblem("; ".join(parts) if parts else str(error), error.field)


def _wording(error: Mapping[str, Any]) -> str:
    if error.get("type") == "missing":
        return (
            "Field required (every record needs skuRef, locationRef and qty; an empty cell "
            "or NaN counts as missing)"
        )
    return str(error.get("msg", "")).removeprefix("Value error, ")
