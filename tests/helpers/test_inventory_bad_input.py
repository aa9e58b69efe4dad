"""Issue 13, item 7: bad inventory input, tried as a new user would, gets one clear error.

- A wrong CSV header (or DataFrame columns) is one `ValidationError` before any request, not
  one rejection per row; the delimiter is sniffed and a BOM skipped.
- An unbalanced quote is reported once, naming the line it opened on, and reading stops.
- A negative, NaN or infinite absolute on-hand is refused locally, naming the field; deltas
  may still be negative.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inventory_support import make_sandbox, posted_records, record

from fluent_sdk import FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers._inventory_input import RecordProblem, check_record, open_source
from fluent_sdk.helpers.inventory import InventoryRecord
from fluent_sdk.rest.jobs import InventoryBatch
from fluent_sdk.sandbox import Sandbox

FAST = {"poll_interval": 0.01, "progress": False}


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[FluentClient]:
    with sandbox.client() as client:
        yield client


def csv_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_lines(first: int, count: int) -> list[str]:
    return [",".join(str(v) for v in record(n).values()) for n in range(first, first + count)]


# -- the header, checked once before the first row --------------------------------------------


def test_a_wrong_csv_header_is_one_error_before_any_request(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    path = csv_lines(tmp_path / "stock.csv", ["sku_reff,locationRef,qty", *good_lines(1, 200)])
    with pytest.raises(ValidationError) as caught:
        client.inventory.update(path, **FAST)
    error = caught.value
    assert error.field == "records"
    message = str(error)
    assert "unknown column 'sku_reff' (did you mean 'sku_ref'?)" in message
    assert "stock.csv (header on line 1)" in message
    assert "nothing was sent" in message
    assert "required skuRef, locationRef, qty" in message  # what the columns should be
    assert len(sandbox.requests) == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("skuRef,locationRef", ["missing column 'qty'"]),
        ("skuRef,qty", ["missing column 'locationRef' (or 'location_ref')"]),
        (
            "skuRef,locationRef,qty,colour",
            ["unknown column 'colour' (to send it as an attribute, name it 'attributes.colour'"],
        ),
        (
            "SKUREF,locationRef,Qty",
            ["'SKUREF' (did you mean 'skuRef'?)", "'Qty' (did you mean 'qty'?)"],
        ),
        ("productRef,locationRef,quantity", ["(did you mean 'skuRef'?)", "(did you mean 'qty'?)"]),
        ("skuRef,sku_ref,locationRef,qty", ["columns 'skuRef' and 'sku_ref' name the same field"]),
        ("skuRef,locationRef,qty,qty", ["column 'qty' appears twice"]),
        (
            "skuRef locationRef qty",
            ["read as one column 'skuRef locationRef qty': separate the columns with"],
        ),
    ],
)
def test_header_problems_are_listed_with_what_to_fix(
    tmp_path: Path, header: str, expected: list[str]
) -> None:
    path = csv_lines(tmp_path / "stock.csv", [header, "SKU-001,LOC_MELB,1"])
    with pytest.raises(ValidationError) as caught:
        open_source(path)
    assert caught.value.field == "records"
    for part in expected:
        assert part in str(caught.value)


def test_missing_columns_are_listed_once_not_per_row(tmp_path: Path) -> None:
    path = csv_lines(tmp_path / "stock.csv", ["skuRef,location", *good_lines(1, 50)])
    with pytest.raises(ValidationError) as caught:
        open_source(path)
    message = str(caught.value)
    assert message.count("missing column 'qty'") == 1
    assert "unknown column 'location' (did you mean 'locationRef'?)" in message


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("bom", [False, True])
def test_the_delimiter_is_sniffed_and_a_bom_skipped(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path, delimiter: str, bom: bool
) -> None:
    header = delimiter.join(["skuRef", "locationRef", "qty", "attributes.channel"])
    lines = [header] + [
        delimiter.join([*(str(v) for v in record(n).values()), "web"]) for n in range(1, 6)
    ]
    path = tmp_path / "stock.csv"
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    report = client.inventory.update(path, **FAST)
    assert (report.read, report.accepted, report.rejected) == (5, 5, [])
    entities = json.loads(sandbox.requests.filter("batch.create")[0].body)["entities"]
    assert entities[0] == {**record(1), "attributes": {"channel": "web"}, "retailerId": 1}


def test_a_comma_in_values_does_not_fool_the_sniffer(tmp_path: Path) -> None:
    lines = ["skuRef;locationRef;qty;type", *(f"SKU-00{n};LOC,{n};{n};A,B" for n in range(1, 9))]
    rows, _ = open_source(csv_lines(tmp_path / "stock.csv", lines))
    assert [raw["locationRef"] for _, raw in rows][:2] == ["LOC,1", "LOC,2"]


def test_spaces_after_the_delimiter_and_quoted_values(tmp_path: Path) -> None:
    path = csv_lines(tmp_path / "stock.csv", ["skuRef, locationRef, qty", 'SKU-001, "LOC 1", 4'])
    rows, _ = open_source(path)
    assert [check_record(raw, retailer_id=1) for _, raw in rows] == [
        {"skuRef": "SKU-001", "locationRef": "LOC 1", "qty": 4, "retailerId": 1}
    ]


def test_trailing_empty_cells_are_not_a_problem(tmp_path: Path) -> None:
    path = csv_lines(tmp_path / "stock.csv", ["skuRef,locationRef,qty,", "S,L,1,", "S,L,2,,"])
    rows, _ = open_source(path)
    assert [check_record(raw, retailer_id=1) for _, raw in rows] == [
        {"skuRef": "S", "locationRef": "L", "qty": 1, "retailerId": 1},
        {"skuRef": "S", "locationRef": "L", "qty": 2, "retailerId": 1},
    ]


def test_extra_cells_name_the_line_and_the_fix(tmp_path: Path) -> None:
    path = csv_lines(tmp_path / "stock.csv", ["skuRef,locationRef,qty", "", "S,L,1,x", "S,M,2"])
    checked = [check_record(raw, retailer_id=1) for _, raw in open_source(path)[0]]
    assert isinstance(checked[0], RecordProblem)
    assert checked[0].reason.startswith("line 3 has 4 cells but the header 3 columns")
    assert "quote a value that holds a ','" in checked[0].reason
    assert checked[1] == {"skuRef": "S", "locationRef": "M", "qty": 2, "retailerId": 1}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty: expected a header line"),
        ("skuRef,locationRef,qty\nS,L,1\n".encode("utf-16"), "is UTF-16 text: save it as UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not a text CSV file (an Excel workbook?)"),
        (
            b"skuRef,locationRef,qty\nS,L,1\nS,Caf\xe9,2\n",
            "line 3 is not UTF-8 text (byte 0xe9): save the file as UTF-8",
        ),
    ],
)
def test_unreadable_files_fail_before_any_request(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "stock.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        client.inventory.update(path, **FAST)
    assert caught.value.field == "records"
    assert expected in str(caught.value)
    assert len(sandbox.requests) == 0


def test_a_file_that_stops_being_utf8_names_the_line_and_stops(tmp_path: Path) -> None:
    path = tmp_path / "stock.csv"
    good = "".join(line + "\n" for line in good_lines(1, 20_000))  # past the checked head
    path.write_bytes(b"skuRef,locationRef,qty\n" + good.encode() + b"S,Caf\xe9,2\nS,L,3\n")
    checked = [check_record(raw, retailer_id=1) for _, raw in open_source(path)[0]]
    assert len(checked) == 20_001  # every row before the bad line, then the bad line
    last = checked[-1]
    assert isinstance(last, RecordProblem)
    assert last.reason.startswith("line 20002 is not UTF-8 text; reading stopped here")
    assert not any(isinstance(c, RecordProblem) for c in checked[:-1])


# -- DataFrames -------------------------------------------------------------------------------


def test_dataframe_columns_are_checked_before_any_request(
    client: FluentClient, sandbox: Sandbox
) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([record(n) for n in range(1, 100)]).rename(columns={"qty": "qtty"})
    with pytest.raises(ValidationError) as caught:
        client.inventory.update(frame, **FAST)
    assert caught.value.field == "records"
    assert "the columns of the DataFrame" in str(caught.value)
    assert "unknown column 'qtty' (did you mean 'qty'?)" in str(caught.value)
    assert len(sandbox.requests) == 0


def test_dataframe_index_and_separator_hints() -> None:
    pd = pytest.importorskip("pandas")
    indexed = pd.DataFrame([record(1)]).set_index("skuRef")
    with pytest.raises(ValidationError, match=r"it is the DataFrame's index, call reset_index"):
        open_source(indexed)
    misread = pd.DataFrame({"skuRef;locationRef;qty": ["S;L;1"]})
    with pytest.raises(ValidationError, match=r"pandas.read_csv\(path, sep=';'\)"):
        open_source(misread)


# -- quotes -----------------------------------------------------------------------------------


def test_an_unbalanced_quote_names_its_line_once_and_stops(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    lines = ["skuRef,locationRef,qty", *good_lines(1, 5), 'SKU-006,"LOC_MELB,6', *good_lines(7, 13)]
    report = client.inventory.update(csv_lines(tmp_path / "stock.csv", lines), **FAST)
    assert report.read == 6  # five records, then the broken one; nothing after it is read
    assert report.accepted == 5
    [rejected] = report.rejected
    assert rejected.row == 6
    assert rejected.field is None
    assert rejected.reason.startswith("row 6: line 7: a quote opened here is never closed")
    assert "reading stopped here" in rejected.reason
    assert 'write a quote inside a value as two ("")' in rejected.reason
    assert "missing" not in rejected.reason
    assert "required" not in rejected.reason
    assert rejected.record == {"line": 'SKU-006,"LOC_MELB,6'}
    assert sorted(posted_records(sandbox)) == [1, 2, 3, 4, 5]


def test_a_quote_closed_lines_later_stops_at_the_line_it_opened(tmp_path: Path) -> None:
    lines = ["skuRef,locationRef,qty", *good_lines(1, 2), 'S,"L,3', "S,L,4", 'S,L",5', "S,L,6"]
    checked = [
        check_record(raw, retailer_id=1)
        for _, raw in open_source(csv_lines(tmp_path / "s.csv", lines))[0]
    ]
    assert len(checked) == 3
    problem = checked[-1]
    assert isinstance(problem, RecordProblem)
    assert problem.reason.startswith(
        "line 4: a quote opened here is not closed on that line, so lines 4-6 ran together"
    )


def test_text_after_a_closing_quote_costs_that_record_only(tmp_path: Path) -> None:
    lines = ["skuRef,locationRef,qty", 'S,"LOC 1" east,1', "S,L,2"]
    checked = [
        check_record(raw, retailer_id=1)
        for _, raw in open_source(csv_lines(tmp_path / "s.csv", lines))[0]
    ]
    assert isinstance(checked[0], RecordProblem)
    assert checked[0].reason.startswith("line 2: text follows the closing quote of a value")
    assert checked[1] == {"skuRef": "S", "locationRef": "L", "qty": 2, "retailerId": 1}


def test_a_fixed_quote_resumes_with_the_same_checkpoint(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """Reading stops at the broken quote, so the rows before it keep their numbers once it is
    fixed: a resume with the same checkpoint sends only the rest."""
    path = tmp_path / "stock.csv"
    checkpoint = tmp_path / "stock.ckpt"
    good = good_lines(1, 12)
    csv_lines(path, ["skuRef,locationRef,qty", *good[:8], 'SKU-009,"LOC_MELB,9', *good[9:]])
    first = client.inventory.update(path, checkpoint=checkpoint, batch_size=4, **FAST)
    assert (first.read, first.accepted) == (9, 8)
    csv_lines(path, ["skuRef,locationRef,qty", *good])
    second = client.inventory.update(path, checkpoint=checkpoint, batch_size=4, **FAST)
    assert second.read == 12
    assert second.rejected == []
    assert posted_records(sandbox) == {n: 1 for n in range(1, 13)}


# -- quantities -------------------------------------------------------------------------------


@pytest.mark.parametrize("qty", [-3, "-3", -1, "-0001"])
def test_a_negative_on_hand_is_refused_naming_the_field(qty: Any) -> None:
    problem = check_record({"skuRef": "S", "locationRef": "L", "qty": qty}, retailer_id=1)
    assert isinstance(problem, RecordProblem)
    assert problem.field == "qty"
    assert problem.reason.startswith("qty: the on-hand quantity cannot be negative")
    assert "0 or more" in problem.reason
    assert "send_deltas" in problem.reason


@pytest.mark.parametrize("qty", [math.nan, math.inf, -math.inf, "nan", "inf", 1.5, True])
def test_nan_infinite_and_fractional_quantities_are_refused(qty: Any) -> None:
    for field in ("qty", "correctedQty", "reservedQty"):
        data = {"skuRef": "S", "locationRef": "L", "qty": 1, field: qty}
        problem = check_record(data, retailer_id=1)
        assert isinstance(problem, RecordProblem), (field, qty)
        assert problem.field == field
        assert problem.reason.startswith(f"{field}: expected a whole number of units, got ")


def test_the_model_refuses_a_negative_on_hand_too() -> None:
    with pytest.raises(ValidationError) as caught:
        InventoryRecord(sku_ref="S", location_ref="L", qty=-3)
    assert caught.value.field == "qty"
    assert "cannot be negative" in str(caught.value)
    with pytest.raises(ValidationError) as in_batch:
        InventoryBatch(entities=[{"skuRef": "S", "locationRef": "L", "qty": -1}])
    assert in_batch.value.field == "entities[0].qty"


def test_corrected_and_reserved_quantities_keep_their_sign() -> None:
    """Only ``qty`` is documented as an absolute on-hand; the others' sign is Fluent's call."""
    data = {"skuRef": "S", "locationRef": "L", "qty": 0, "correctedQty": -2, "reservedQty": 1}
    assert check_record(data, retailer_id=1) == {**data, "retailerId": 1}


def test_negative_on_hand_is_reported_and_never_sent(
    client: FluentClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    rows = [record(1), {**record(2), "qty": -3}, record(3)]
    report = client.inventory.update(rows, **FAST)
    assert report.accepted == 2
    assert [(r.row, r.stage, r.field) for r in report.rejected] == [(2, "validation", "qty")]
    assert sorted(posted_records(sandbox)) == [1, 3]
    path = csv_lines(tmp_path / "stock.csv", ["skuRef,locationRef,qty", "SKU-001,LOC_MELB,-3"])
    from_csv = client.inventory.update(path, **FAST)
    assert [(r.row, r.field) for r in from_csv.rejected] == [(1, "qty")]


def test_deltas_may_be_negative(client: FluentClient) -> None:
    sent = client.inventory.send_deltas(
        [{"productRef": "SKU-001", "locationRef": "LOC_MELB", "qty": -2, "deltaId": "POS-9"}]
    )
    assert sent.ok


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    testing = pytest.importorskip("typer.testing")
    from fluent_sdk._config import ENV_VARS, PROFILE_DIR_ENV
    from fluent_sdk.cli import build_app

    for variable in (*ENV_VARS.values(), PROFILE_DIR_ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    runner = testing.CliRunner()
    return lambda *args: runner.invoke(build_app(), list(args))


def test_cli_header_error_is_one_line_and_exit_2(run_cli: Any, tmp_path: Path) -> None:
    path = csv_lines(tmp_path / "stock.csv", ["sku,locationRef,qty", *good_lines(1, 30)])
    result = run_cli("inventory", "update", str(path), "--sandbox", "--no-progress")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ValidationError: records: the columns of stock.csv")
    assert "unknown column 'sku' (did you mean 'skuRef'?)" in line
    assert result.stdout == ""


def test_cli_says_where_reading_stopped(run_cli: Any, tmp_path: Path) -> None:
    lines = ["skuRef,locationRef,qty", "SPEAKER001,LOC_MELB,x", "SPEAKER001,LOC_MELB,2", 'X,"Y,3']
    path = csv_lines(tmp_path / "stock.csv", [*lines, "Z,W,4"])
    result = run_cli("inventory", "update", str(path), "--sandbox", "--no-progress")
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert errors[0].startswith("Error: 2 of 3 records not accepted (first: row 1, validation")
    assert errors[1].startswith("Error: stock.csv was not read to the end: row 3: line 4: a quote")
