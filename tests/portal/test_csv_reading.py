"""portal.csv_reading: decoding uploads, sniffing the delimiter, the header and
the rows, and errors collected by line. No database."""

from __future__ import annotations

import pytest

from portal.csv_reading import (
    CsvRefused,
    CsvRow,
    CsvTable,
    RowError,
    cell_text,
    cell_whole_number,
    decode,
)


def read(text: str, *, max_rows: int | None = None):
    """(table, columns, rows, errors) of `text`."""
    table = CsvTable(text)
    columns = table.read_header()
    errors: list[RowError] = []
    rows = table.read_rows(columns, errors, max_rows=max_rows)
    return table, columns, rows, errors


# --- decode --------------------------------------------------------------------------


def test_utf8_is_read_as_utf8_without_a_fallback():
    assert decode("Bügel;Ø 6\n".encode()) == ("Bügel;Ø 6\n", "UTF-8", False)


def test_a_byte_order_mark_is_dropped_so_the_first_column_keeps_its_name():
    text, encoding, fallback = decode(b"\xef\xbb\xbfOperation,Sample\r\n20,1\r\n")
    assert (encoding, fallback) == ("UTF-8 (BOM)", False)
    assert CsvTable(text).read_header() == ["operation", "sample"]


def test_latin1_is_read_as_windows_1252_and_flagged_as_a_fallback():
    text, encoding, fallback = decode("Größe;µm;€\n".encode("cp1252"))
    assert (text, encoding, fallback) == ("Größe;µm;€\n", "Windows-1252", True)
    assert decode("Größe".encode("latin-1")) == ("Größe", "Windows-1252", True)


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin1():
    text, encoding, fallback = decode(b"caf\xe9 \x81")
    assert (text, encoding, fallback) == ("café \x81", "Latin-1 (ISO-8859-1)", True)


# --- delimiter and header ------------------------------------------------------------


def test_semicolons_separate_cells_and_decimal_commas_stay_in_theirs():
    table, columns, rows, errors = read("value;unit\n10,015;mm\n")
    assert table.delimiter == ";"
    assert [row.cells for row in rows] == [{"value": "10,015", "unit": "mm"}]
    assert not errors


def test_tabs_separate_cells():
    table, _columns, rows, _errors = read("value\tunit\r\n10.015\tmm\r\n")
    assert table.delimiter == "\t"
    assert rows[0].cells == {"value": "10.015", "unit": "mm"}


def test_a_comma_when_the_first_line_cannot_tell():
    table, columns, rows, _errors = read("value\n12\n")
    assert table.delimiter == ","
    assert columns == ["value"] and rows[0].cells == {"value": "12"}


def test_quoted_cells_keep_their_delimiters_and_line_breaks():
    _table, _columns, rows, _errors = read('note,value\n"left, then right",1\n"two\nlines",2\n')
    assert [row.cells["note"] for row in rows] == ["left, then right", "two\nlines"]


def test_header_names_are_stripped_and_lower_case_with_repeats_and_blanks_kept():
    assert CsvTable(" Operation ; SAMPLE;;sample\n").read_header() == [
        "operation",
        "sample",
        "",
        "sample",
    ]


# --- refused files -------------------------------------------------------------------


def test_an_empty_file_is_refused():
    with pytest.raises(CsvRefused) as refused:
        CsvTable("").read_header()
    assert refused.value.message == "The file is empty."


@pytest.mark.parametrize("text", ["a,b\n", "a,b\r\n\r\n , \r\n"])
def test_a_header_without_rows_is_refused(text):
    with pytest.raises(CsvRefused) as refused:
        read(text)
    assert refused.value.message == "The file has a header but no rows."


def test_more_rows_than_allowed_is_refused_and_the_count_says_where_it_stopped():
    table = CsvTable("a\n1\n2\n3\n4\n")
    columns = table.read_header()
    with pytest.raises(CsvRefused) as refused:
        table.read_rows(columns, [], max_rows=2)
    assert "more than 2 rows" in refused.value.message
    assert table.row_count == 3


def test_a_cell_past_the_csv_field_limit_is_refused():
    with pytest.raises(CsvRefused) as refused:
        read("a,b\n" + "x" * 200_000 + ",1\n")
    assert refused.value.message.startswith("The file cannot be read as CSV: ")


# --- rows and errors -----------------------------------------------------------------


def test_ragged_rows_are_errors_by_line_and_the_other_rows_are_read():
    table, _columns, rows, errors = read("a,b\n1,2\n\n3\n4,5,6\n7,8\n")
    assert [(row.number, row.cells) for row in rows] == [
        (2, {"a": "1", "b": "2"}),
        (6, {"a": "7", "b": "8"}),
    ]
    assert errors == [
        RowError(4, "", "The row has 1 cells; the header has 2."),
        RowError(5, "", "The row has 3 cells; the header has 2."),
    ]
    assert table.row_count == 4  # the blank line 3 is not a row


def test_only_ragged_rows_are_errors_not_a_refusal():
    _table, _columns, rows, errors = read("a,b\n1\n")
    assert rows == [] and errors == [RowError(2, "", "The row has 1 cells; the header has 2.")]


def test_a_row_collects_every_cell_error_and_fails():
    errors: list[RowError] = []
    row = CsvRow(7, {"sample": "0", "serial": "SN-1", "instrument": ""}, errors)
    assert row.get("serial", cell_text, max_length=60) == "SN-1"
    assert not row.failed
    assert row.get("sample", cell_whole_number) is None
    assert row.get("instrument", cell_text, max_length=100, required=True) is None
    assert row.get("operation", cell_whole_number, required=False) is None  # missing: ""
    assert row.failed
    assert errors == [
        RowError(7, "sample", "Must be 1 or more."),
        RowError(7, "instrument", "Required."),
    ]


# --- cell parsers --------------------------------------------------------------------


def test_cell_text():
    assert cell_text("", max_length=5) == ""
    assert cell_text("CMM-1", max_length=5) == "CMM-1"
    with pytest.raises(ValueError, match="Required"):
        cell_text("", max_length=5, required=True)
    with pytest.raises(ValueError, match="at most 5 characters"):
        cell_text("CMM-12", max_length=5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Required."),
        ("2.5", "“2.5” is not a whole number."),
        ("x", "“x” is not a whole number."),
        ("0", "Must be 1 or more."),
        ("-3", "Must be 1 or more."),
        ("2147483648", "Too large."),
    ],
)
def test_cell_whole_number_refuses(value, message):
    with pytest.raises(ValueError) as refused:
        cell_whole_number(value)
    assert str(refused.value) == message


def test_cell_whole_number_reads():
    assert cell_whole_number("20") == 20
    assert cell_whole_number("2147483647") == 2_147_483_647
    assert cell_whole_number("", required=False) is None
