"""Import inspection results of one work order from a CMM or gauge export (CSV).

One row per characteristic measured on one piece; rows with the same operation,
sample and piece form one inspected piece (one `InspectionRecord`). Parsing
checks every row against the work order's released revision and reports errors
by line; nothing is written until the user confirms a preview without errors,
and then `services.inspections_import` writes every piece or none.

Columns (a header row first; names case-insensitive, order free; other columns
are ignored and listed in the preview; `,` `;` or tab between cells):

    operation      the operation's sequence number (e.g. 20)              required
    sample         the sample number (whole number, 1 or more)            required
    piece          the piece within the sample (empty: 1)
    serial         the piece's serial number (optional, up to 60 characters)
    characteristic the characteristic's name, as in the inspection plan   required
    value          the measured value; pass/fail for an attribute         required
    unit           the unit measured in (optional; checked when given)
    instrument     the gauge or CMM (up to 100 characters)                required
    inspected_at   date and time, e.g. 2026-03-01 10:15 or 01.03.2026 10:15  required

Decimals use a dot; in files separated by `;` or tabs a decimal comma is
accepted too (10,015). Times without a UTC offset are read in the time zone of
the user who uploads. The file may be UTF-8 (with or without BOM) or
Latin-1/Windows-1252, at most MAX_BYTES and MAX_ROWS data rows.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from orders.hub.models.products import InspectionCharacteristic
from orders.partner.models import WorkOrder
from portal.csv_reading import (
    CsvRefused,
    CsvRow,
    CsvTable,
    RowError,
    cell_text,
    cell_whole_number,
)

from ..models import InspectionRecord
from . import selectors
from .services import INSPECTABLE, ImportedPiece, Reading

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED_COLUMNS",
    "CsvPreview",
    "parse",
]

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
SESSION_KEY = "quality_csv_import"

REQUIRED_COLUMNS = ("operation", "sample", "characteristic", "value", "instrument", "inspected_at")
COLUMNS = (
    "operation",
    "sample",
    "piece",
    "serial",
    "characteristic",
    "value",
    "unit",
    "instrument",
    "inspected_at",
)
PASS_WORDS = {"pass", "passed", "ok", "yes", "y", "true", "1", "i.o.", "io", "good"}
FAIL_WORDS = {"fail", "failed", "nok", "no", "n", "false", "0", "n.i.o.", "nio", "bad"}
DATETIME_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
UNIT_ALIASES = {"um": "µm", "μm": "µm", "micron": "µm", "deg": "°", "degree": "°"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class PreviewReading:
    characteristic: InspectionCharacteristic
    line: int
    value: Decimal | None
    passed: bool | None
    unit: str
    conforming: bool


@dataclass
class PreviewPiece:
    """One inspected piece as the file gives it, with its readings checked."""

    line: int  # the first line of the piece
    sequence: int
    sample: int
    piece: int
    serial: str
    instrument: str
    inspected_at: datetime.datetime
    readings: list[PreviewReading] = field(default_factory=list)

    @property
    def out_of_tolerance(self) -> int:
        return sum(1 for r in self.readings if not r.conforming)

    def imported(self) -> ImportedPiece:
        return ImportedPiece(
            line=self.line,
            sequence=self.sequence,
            sample=self.sample,
            piece=self.piece,
            serial=self.serial,
            instrument=self.instrument,
            inspected_at=self.inspected_at,
            readings={
                r.characteristic.pk: Reading(value=r.value, passed=r.passed, unit=r.unit)
                for r in self.readings
            },
        )


@dataclass
class CsvPreview:
    encoding: str = "UTF-8"
    fallback_encoding: bool = False
    delimiter: str = ","
    header_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    pieces: list[PreviewPiece] = field(default_factory=list)
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.header_errors and not self.errors and bool(self.pieces)

    @property
    def out_of_tolerance(self) -> int:
        return sum(piece.out_of_tolerance for piece in self.pieces)

    def imported(self) -> list[ImportedPiece]:
        return [piece.imported() for piece in self.pieces]


# --- cells -----------------------------------------------------------------------------


def _value(value: str, *, comma_decimal: bool) -> Decimal:
    if not value:
        raise ValueError(_("Required."))
    text = value.replace(" ", "").replace("\u00a0", "")
    if comma_decimal and "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    if not _NUMBER.match(text):
        hint = (
            _("use a dot or a comma as decimal separator")
            if comma_decimal
            else _("use a dot as decimal separator")
        )
        raise ValueError(_("“%(v)s” is not a number (%(hint)s).") % {"v": value, "hint": hint})
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise ValueError(_("“%(v)s” is not a number.") % {"v": value}) from None
    if abs(number) >= Decimal("1e8"):
        raise ValueError(_("%(v)s is out of range.") % {"v": value})
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > 6:
        raise ValueError(_("At most 6 decimal places."))
    return number


def _pass_fail(value: str) -> bool:
    word = value.strip().lower()
    if word in PASS_WORDS:
        return True
    if word in FAIL_WORDS:
        return False
    raise ValueError(
        _("“%(v)s” is not a pass/fail result; write pass or fail.") % {"v": value}
        if value
        else _("Required: write pass or fail.")
    )


def _inspected_at(value: str, *, tz, now: datetime.datetime) -> datetime.datetime:
    if not value:
        raise ValueError(_("Required."))
    try:
        parsed = parse_datetime(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in DATETIME_FORMATS:
            try:
                parsed = datetime.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(
            _("“%(v)s” is not a date and time; write e.g. 2026-03-01 10:15.") % {"v": value}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, tz)
    if parsed > now + datetime.timedelta(minutes=5):
        raise ValueError(_("%(v)s is in the future.") % {"v": value})
    return parsed


def _same_unit(given: str, expected: str) -> bool:
    def norm(unit: str) -> str:
        unit = unit.strip()
        return UNIT_ALIASES.get(unit.lower(), unit).lower()

    return norm(given) == norm(expected)


# --- parsing ---------------------------------------------------------------------------


def parse(
    text: str,
    *,
    work_order: WorkOrder,
    encoding: str = "UTF-8",
    fallback_encoding: bool = False,
    tz=None,
) -> CsvPreview:
    """Check `text` against the work order and the database; write nothing."""
    preview = CsvPreview(encoding=encoding, fallback_encoding=fallback_encoding)
    if work_order.status not in INSPECTABLE:
        preview.header_errors.append(
            _("Work order %(wo)s is %(status)s; inspect it once it is accepted.")
            % {"wo": work_order, "status": work_order.get_status_display().lower()}
        )
        return preview
    table = CsvTable(text)
    preview.delimiter = table.delimiter
    try:
        columns = table.read_header()
    except CsvRefused as exc:
        preview.header_errors.append(exc.message)
        return preview
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    preview.ignored_columns = [c for c in columns if c and c not in COLUMNS]
    if missing:
        preview.header_errors.append(
            _("Missing columns: %(cols)s. Expected columns: %(expected)s.")
            % {
                "cols": ", ".join(f"“{c}”" for c in missing),
                "expected": ", ".join(COLUMNS),
            }
        )
    if repeated:
        preview.header_errors.append(
            _("Columns appear twice: %(cols)s.") % {"cols": ", ".join(repeated)}
        )
    if preview.header_errors:
        return preview

    try:
        rows = table.read_rows(columns, preview.errors, max_rows=MAX_ROWS)
    except CsvRefused as exc:
        preview.header_errors.append(exc.message)
        return preview
    finally:
        preview.row_count = table.row_count
    _check_rows(rows, preview, work_order=work_order, tz=tz or timezone.get_current_timezone())
    return preview


def _check_rows(rows: list[CsvRow], preview: CsvPreview, *, work_order: WorkOrder, tz) -> None:
    comma_decimal = preview.delimiter != ","
    now = timezone.now()
    characteristics = list(selectors.characteristics_for(work_order=work_order))
    by_operation = {(c.operation.sequence, c.name.casefold()): c for c in characteristics}
    sequences_of: dict[str, list[int]] = {}
    for c in characteristics:
        sequences_of.setdefault(c.name.casefold(), []).append(c.operation.sequence)
    names = {r.cells.get("characteristic", "") for r in rows}
    other_revisions: dict[str, list[str]] = {}
    for name, rev in (
        InspectionCharacteristic.objects.filter(
            operation__revision__product__code=work_order.product_code, name__in=names
        )
        .exclude(operation__revision__revision=work_order.revision)
        .values_list("name", "operation__revision__revision")
        .distinct()
    ):
        other_revisions.setdefault(name.casefold(), []).append(rev)
    operations = {op.sequence for op in work_order.operations.all()}
    recorded = set(
        InspectionRecord.objects.filter(work_order=work_order).values_list(
            "operation__sequence", "sample", "piece"
        )
    )
    pieces: dict[tuple[int, int, int], PreviewPiece] = {}
    seen_readings: dict[tuple[int, int, int, int], int] = {}

    for row in rows:
        sequence = row.get("operation", cell_whole_number)
        sample = row.get("sample", cell_whole_number)
        piece_no = row.get("piece", cell_whole_number, required=False)
        if piece_no is None and not row.cells.get("piece"):
            piece_no = 1
        serial = row.get("serial", cell_text, max_length=60)
        instrument = row.get("instrument", cell_text, max_length=100, required=True)
        inspected_at = row.get("inspected_at", _inspected_at, tz=tz, now=now)
        name = row.cells.get("characteristic", "")
        characteristic = None
        if not name:
            row.error("characteristic", _("Required."))
        elif sequence is not None:
            if sequence not in operations:
                row.error(
                    "operation",
                    _("Work order %(wo)s has no operation %(seq)s.")
                    % {"wo": work_order, "seq": sequence},
                )
            else:
                characteristic = by_operation.get((sequence, name.casefold()))
                if characteristic is None:
                    row.error(
                        "characteristic",
                        _unknown(name, sequence, work_order, sequences_of, other_revisions),
                    )
        if characteristic is None:
            continue
        unit = row.cells.get("unit", "")
        if unit and characteristic.unit and not _same_unit(unit, characteristic.unit):
            row.error(
                "unit",
                _("%(name)s is measured in %(unit)s, not %(given)s.")
                % {"name": characteristic.name, "unit": characteristic.unit, "given": unit},
            )
        value = passed = None
        if characteristic.kind == InspectionCharacteristic.Kind.ATTRIBUTE:
            passed = row.get("value", _pass_fail)
        else:
            value = row.get("value", _value, comma_decimal=comma_decimal)
        if row.failed or None in (sample, piece_no, instrument, inspected_at) or serial is None:
            continue
        key = (sequence, sample, piece_no)
        if key in recorded:
            row.error(
                "sample",
                _(
                    "Operation %(seq)s sample %(sample)s piece %(piece)s is already recorded "
                    "for this work order."
                )
                % {"seq": sequence, "sample": sample, "piece": piece_no},
            )
            continue
        piece = pieces.get(key)
        if piece is None:
            piece = pieces[key] = PreviewPiece(
                line=row.number,
                sequence=sequence,
                sample=sample,
                piece=piece_no,
                serial=serial,
                instrument=instrument,
                inspected_at=inspected_at,
            )
        else:
            for column, mine, theirs in (
                ("serial", serial, piece.serial),
                ("instrument", instrument, piece.instrument),
                ("inspected_at", inspected_at, piece.inspected_at),
            ):
                if mine != theirs:
                    row.error(
                        column,
                        _("Differs from line %(line)s, the same piece.") % {"line": piece.line},
                    )
            if row.failed:
                continue
        reading_key = (*key, characteristic.pk)
        if reading_key in seen_readings:
            row.error(
                "characteristic",
                _("%(name)s of this piece is already on line %(line)s.")
                % {"name": characteristic.name, "line": seen_readings[reading_key]},
            )
            continue
        seen_readings[reading_key] = row.number
        conforming = (
            bool(passed)
            if passed is not None
            else characteristic.lower_limit <= value <= characteristic.upper_limit
        )
        piece.readings.append(
            PreviewReading(
                characteristic=characteristic,
                line=row.number,
                value=value,
                passed=passed,
                unit=characteristic.unit,
                conforming=conforming,
            )
        )
    preview.pieces = sorted(
        (p for p in pieces.values() if p.readings), key=lambda p: (p.sequence, p.sample, p.piece)
    )


def _unknown(name, sequence, work_order, sequences_of, other_revisions) -> str:
    elsewhere = sequences_of.get(name.casefold())
    if elsewhere:
        return _("“%(name)s” belongs to operation %(seqs)s, not %(seq)s.") % {
            "name": name,
            "seqs": ", ".join(str(s) for s in sorted(elsewhere)),
            "seq": sequence,
        }
    revisions = other_revisions.get(name.casefold())
    if revisions:
        return _(
            "“%(name)s” is a characteristic of %(product)s revision %(others)s; this work "
            "order makes revision %(rev)s."
        ) % {
            "name": name,
            "product": work_order.product_code,
            "others": ", ".join(sorted(revisions)),
            "rev": work_order.revision,
        }
    return _(
        "Operation %(seq)s of %(product)s revision %(rev)s has no characteristic “%(name)s”."
    ) % {
        "seq": sequence,
        "product": work_order.product_code,
        "rev": work_order.revision,
        "name": name,
    }
