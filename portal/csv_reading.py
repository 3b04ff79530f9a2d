"""Reading CSV files that people upload: what every CSV import in the portal shares.

An import decodes the upload (`decode`), reads it as a table (`CsvTable`: the
delimiter sniffed from the first line, the header's column names, the data
rows), checks its own columns, and reads each row's cells with the import's
cell parsers (`CsvRow.get`), collecting every error by line and column
(`RowError`) instead of stopping at the first. A problem with the file as a
whole (empty, not CSV, too many rows) raises `CsvRefused`, whose message is
for the user.

Lines are numbered as a spreadsheet numbers them: the header is line 1. Cell
parsers take the stripped cell text and keyword arguments, and return the
value or raise ValueError with the message for the user; `cell_text` and
`cell_whole_number` are the generic ones.

This module knows no domain app.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

DELIMITERS = ",;\t"
_BOM = b"\xef\xbb\xbf"


def decode(content: bytes) -> tuple[str, str, bool]:
    """The text, the name of the encoding it was read in, and whether that was
    a fallback (not UTF-8: Windows-1252, or Latin-1 for bytes Windows-1252 leaves
    undefined; the user should check that accented characters look right)."""
    if content.startswith(_BOM):
        return content.decode("utf-8-sig"), "UTF-8 (BOM)", False
    try:
        return content.decode("utf-8"), "UTF-8", False
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "Windows-1252", True
    except UnicodeDecodeError:
        return content.decode("latin-1"), "Latin-1 (ISO-8859-1)", True


@dataclass(frozen=True)
class RowError:
    """An error in one cell (`column`), or in the whole row (`column` ""); `row`
    0 for an error found when writing, which belongs to no line."""

    row: int  # the spreadsheet row: the header is row 1
    column: str
    message: str


class CsvRefused(Exception):
    """The file as a whole cannot be read; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CsvRow:
    """One data row: its line number, cells by column name, and the errors
    found in it (appended to the import's list of errors)."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]):
        self.number, self.cells, self.errors = number, cells, errors
        self.failed = False

    def get(self, column: str, parse: Callable[..., Any], **kwargs):
        """The cell of `column` read by `parse` (with `kwargs`); None, with the
        error recorded, when `parse` refuses it. A missing column reads as ""."""
        try:
            return parse(self.cells.get(column, ""), **kwargs)
        except ValueError as exc:
            self.error(column, str(exc))
            return None

    def error(self, column: str, message: str) -> None:
        """Record an error in `column` ("": the whole row); the row has failed."""
        self.failed = True
        self.errors.append(RowError(self.number, column, message))


class CsvTable:
    """A CSV text read front to back: `read_header` first, then `read_rows`.

    The delimiter is the one of `DELIMITERS` that the first line uses (a comma
    when it cannot tell); quoted cells may hold delimiters and line breaks."""

    def __init__(self, text: str):
        first_line = text.split("\n", 1)[0]
        try:
            delimiter = csv.Sniffer().sniff(first_line, delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
        self.delimiter = delimiter
        self.row_count = 0  # data rows read that are not blank
        self._reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def read_header(self) -> list[str]:
        """The header row's column names, stripped and in lower case, in order
        (repeated and empty names included, for the import to judge)."""
        try:
            header = next(self._reader)
        except StopIteration:
            raise CsvRefused(_("The file is empty.")) from None
        except csv.Error as exc:
            raise CsvRefused(_("The header row cannot be read: %(e)s") % {"e": exc}) from exc
        return [name.strip().lower() for name in header]

    def read_rows(
        self, columns: list[str], errors: list[RowError], *, max_rows: int | None = None
    ) -> list[CsvRow]:
        """The data rows with their cells (stripped) by column name. Blank rows
        are skipped; a row with more or fewer cells than `columns` is an error in
        `errors` and left out. Refused: a file the csv module cannot read (a
        cell longer than its field limit, as in a binary file read as text),
        more than `max_rows` rows, or no rows and no errors."""
        rows: list[CsvRow] = []
        try:
            for index, cells in enumerate(self._reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                self.row_count += 1
                if max_rows is not None and self.row_count > max_rows:
                    raise CsvRefused(
                        _("The file has more than %(max)s rows; split it into smaller files.")
                        % {"max": max_rows}
                    )
                row = CsvRow(index, {}, errors)
                if len(cells) != len(columns):
                    row.error(
                        "",
                        _("The row has %(n)s cells; the header has %(m)s.")
                        % {"n": len(cells), "m": len(columns)},
                    )
                    continue
                row.cells = {c: v.strip() for c, v in zip(columns, cells, strict=True)}
                rows.append(row)
        except csv.Error as exc:
            raise CsvRefused(_("The file cannot be read as CSV: %(e)s") % {"e": exc}) from exc
        if not rows and not errors:
            raise CsvRefused(_("The file has a header but no rows."))
        return rows


# --- Generic cell parsers -------------------------------------------------------------


def cell_text(value: str, *, max_length: int, required: bool = False) -> str:
    """The text, at most `max_length` characters; "" when empty and not required."""
    if required and not value:
        raise ValueError(_("Required."))
    if len(value) > max_length:
        raise ValueError(_("Too long: at most %(n)s characters.") % {"n": max_length})
    return value


def cell_whole_number(value: str, *, required: bool = True) -> int | None:
    """A whole number of 1 or more that fits a database integer; None when empty
    and not required."""
    if not value:
        if required:
            raise ValueError(_("Required."))
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(_("“%(v)s” is not a whole number.") % {"v": value}) from None
    if number < 1:
        raise ValueError(_("Must be 1 or more."))
    if number > 2_147_483_647:
        raise ValueError(_("Too large."))
    return number
