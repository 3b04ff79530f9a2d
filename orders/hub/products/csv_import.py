"""Import product definitions (BOM lines, operations, inspection characteristics) from CSV.

One file, one row per record; the `record` column says what the row is. Parsing checks
every row against the file itself and the database and reports errors per row and
column; `services.definitions_import` parses again and writes all rows in one
transaction or none.

Columns (header row required, names case-insensitive, order free, `,` or `;`):

    record            bom | operation | characteristic
    product_code      the product; created when it does not exist yet
    product_name      needed for a new product
    revision          the revision; created as a draft when it does not exist yet,
                      refused when it is released or obsolete
    position          bom: the line's position (whole number)
    parent_position   bom: the position of the line this one goes into (empty: level 1)
    component         bom: component code
    description       bom: free text
    quantity          bom: greater than zero, dot as decimal separator
    unit              bom and characteristic: one of UNITS
    sequence          operation: its sequence; characteristic: the operation it belongs to
    operation         operation: its name
    work_centre_type  operation
    setup_minutes     operation: zero or more (empty: 0)
    run_minutes_per_unit  operation: zero or more
    capability        operation: required capability (optional)
    certification     operation: required certification standard (optional)
    characteristic    characteristic: its name
    kind              characteristic: variable (measured, default) or attribute (pass/fail)
    nominal, lower_limit, upper_limit   characteristic (variable): lower <= nominal <= upper
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from portal.csv_reading import (
    CsvRefused,
    CsvRow,
    CsvTable,
    RowError,
    cell_text,
    cell_whole_number,
)
from tenants.models import Certification

from ..models.products import InspectionCharacteristic, Product, ProductRevision
from .forms import UNITS

MAX_BYTES = 2 * 1024 * 1024
SESSION_KEY = "products_csv_import"

RECORDS = ("bom", "operation", "characteristic")
REQUIRED_COLUMNS = ("record", "product_code", "revision")
COLUMNS = (
    "record",
    "product_code",
    "product_name",
    "revision",
    "position",
    "parent_position",
    "component",
    "description",
    "quantity",
    "unit",
    "sequence",
    "operation",
    "work_centre_type",
    "setup_minutes",
    "run_minutes_per_unit",
    "capability",
    "certification",
    "characteristic",
    "kind",
    "nominal",
    "lower_limit",
    "upper_limit",
)
_UNITS_BY_LOWER = {code.lower(): code for code in UNITS} | {"um": "µm", "pc": "pcs"}


class ImportRefused(Exception):
    """The file cannot be imported; `preview` holds the reasons."""

    def __init__(self, preview: ImportPreview):
        super().__init__(preview.errors)
        self.preview = preview


@dataclass
class ParsedRow:
    row: int
    record: str
    product_code: str
    revision: str
    values: dict
    new_product: bool = False
    new_revision: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.product_code, self.revision)


@dataclass
class ImportPreview:
    encoding: str = "UTF-8"
    fallback_encoding: bool = False
    header_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    product_names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.header_errors and not self.errors and bool(self.rows)

    def counts(self) -> dict[str, int]:
        return {r: sum(1 for row in self.rows if row.record == r) for r in RECORDS}

    @property
    def new_products(self) -> list[str]:
        codes = sorted({r.product_code for r in self.rows if r.new_product})
        return [f"{code} ({self.product_names.get(code, '?')})" for code in codes]

    @property
    def new_revisions(self) -> list[str]:
        return sorted({f"{r.product_code} rev {r.revision}" for r in self.rows if r.new_revision})


# --- Cell parsers of this import (the generic ones are portal.csv_reading's) ------------


def _decimal(
    value: str,
    *,
    digits: int,
    places: int,
    required: bool = True,
    positive: bool = False,
    not_negative: bool = False,
    default: Decimal | None = None,
) -> Decimal | None:
    if not value:
        if default is not None:
            return default
        if required:
            raise ValueError(_("Required."))
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(
            _("“%(v)s” is not a number (use a dot as decimal separator).") % {"v": value}
        ) from None
    if not number.is_finite():
        raise ValueError(_("“%(v)s” is not a number.") % {"v": value})
    if positive and number <= 0:
        raise ValueError(_("Must be greater than zero."))
    if not_negative and number < 0:
        raise ValueError(_("Must not be negative."))
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(_("At most %(n)s decimal places.") % {"n": places})
    if abs(number) >= Decimal(10) ** (digits - places):
        raise ValueError(_("Too large."))
    return number


def _unit(value: str, *, default: str = "") -> str:
    if not value:
        return default
    unit = _UNITS_BY_LOWER.get(value.lower())
    if unit is None:
        raise ValueError(
            _("Unknown unit “%(v)s”; use one of: %(units)s.")
            % {"v": value, "units": ", ".join(UNITS)}
        )
    return unit


def _certification(value: str) -> str:
    if not value:
        return ""
    wanted = value.replace(" ", "").lower()
    for code, label in Certification.Standard.choices:
        if wanted in (code, str(label).replace(" ", "").lower()):
            return code
    raise ValueError(
        _("Unknown certification standard “%(v)s”; use one of: %(codes)s.")
        % {"v": value, "codes": ", ".join(Certification.Standard.values)}
    )


def _kind(value: str) -> str:
    value = value.lower() or InspectionCharacteristic.Kind.VARIABLE
    if value not in InspectionCharacteristic.Kind.values:
        raise ValueError(_("Use “variable” (measured value) or “attribute” (pass/fail)."))
    return value


# --- Parsing ----------------------------------------------------------------------------


def parse(text: str, *, encoding: str = "UTF-8", fallback_encoding: bool = False) -> ImportPreview:
    preview = ImportPreview(encoding=encoding, fallback_encoding=fallback_encoding)
    table = CsvTable(text)
    try:
        columns = table.read_header()
    except CsvRefused as exc:
        preview.header_errors.append(exc.message)
        return preview
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if unknown:
        preview.header_errors.append(
            _("Unknown columns: %(cols)s. Allowed columns: %(allowed)s.")
            % {"cols": ", ".join(f"“{c}”" for c in unknown), "allowed": ", ".join(COLUMNS)}
        )
    if missing:
        preview.header_errors.append(
            _("Missing columns: %(cols)s.") % {"cols": ", ".join(f"“{c}”" for c in missing)}
        )
    if repeated:
        preview.header_errors.append(
            _("Columns appear twice: %(cols)s.") % {"cols": ", ".join(repeated)}
        )
    if preview.header_errors:
        return preview

    try:
        raw = table.read_rows(columns, preview.errors)
    except CsvRefused as exc:
        preview.header_errors.append(exc.message)
        return preview

    _check_rows(raw, preview)
    return preview


def _check_rows(raw: list[CsvRow], preview: ImportPreview) -> None:
    for row in raw:
        code, name = row.cells.get("product_code", ""), row.cells.get("product_name", "")
        if code and name and len(name) <= 200:
            preview.product_names.setdefault(code, name)
    codes = {r.cells.get("product_code", "") for r in raw}
    products = {p.code: p for p in Product.objects.filter(code__in=codes)}
    revisions = {
        (r.product.code, r.revision): r
        for r in ProductRevision.objects.filter(product__code__in=codes).select_related("product")
    }
    # What the targeted draft revisions already hold
    drafts = [r for r in revisions.values() if r.is_editable]
    positions = {
        (r.product.code, r.revision): set(r.bom_lines.values_list("position", flat=True))
        for r in drafts
    }
    sequences = {
        (r.product.code, r.revision): set(r.operations.values_list("sequence", flat=True))
        for r in drafts
    }
    existing_characteristics = {
        (
            c.operation.revision.product.code,
            c.operation.revision.revision,
            c.operation.sequence,
            c.name,
        )
        for c in InspectionCharacteristic.objects.filter(
            operation__revision__in=drafts
        ).select_related("operation__revision__product")
    }
    seen: dict[tuple, int] = {}
    named_missing: set[str] = set()

    for row in raw:
        record = row.cells.get("record", "").lower()
        if record not in RECORDS:
            row.error(
                "record",
                _("“%(v)s” is not a record type; use bom, operation or characteristic.")
                % {"v": row.cells.get("record", "")},
            )
            continue
        code = row.get("product_code", cell_text, max_length=40, required=True)
        rev = row.get("revision", cell_text, max_length=10, required=True)
        row.get("product_name", cell_text, max_length=200)
        if code is None or rev is None:
            continue
        key = (code, rev)
        new_product = code not in products
        if new_product and code not in preview.product_names and code not in named_missing:
            named_missing.add(code)
            row.error(
                "product_name", _("%(code)s is a new product: give its name.") % {"code": code}
            )
        revision = revisions.get(key)
        if revision is not None and not revision.is_editable:
            row.error(
                "revision",
                _("%(revision)s is already %(status)s; import into a new revision.")
                % {"revision": revision, "status": revision.get_status_display().lower()},
            )
        values: dict = {}
        if record == "bom":
            values["position"] = row.get("position", cell_whole_number)
            values["parent_position"] = row.get(
                "parent_position", cell_whole_number, required=False
            )
            values["component_code"] = row.get("component", cell_text, max_length=40, required=True)
            values["description"] = row.get("description", cell_text, max_length=200)
            values["quantity"] = row.get("quantity", _decimal, digits=12, places=4, positive=True)
            values["unit"] = row.get("unit", _unit, default="pcs")
            position, parent = values["position"], values["parent_position"]
            if position is not None:
                dup = seen.get(("bom", *key, position))
                if dup:
                    row.error("position", _("Duplicate of row %(n)s.") % {"n": dup})
                elif position in positions.get(key, ()):
                    row.error(
                        "position",
                        _("Position %(n)s already exists in this revision.") % {"n": position},
                    )
                else:
                    seen[("bom", *key, position)] = row.number
            if parent is not None:
                if parent == position:
                    row.error("parent_position", _("A line cannot go into itself."))
                elif not (("bom", *key, parent) in seen or parent in positions.get(key, ())):
                    row.error(
                        "parent_position",
                        _("No BOM line at position %(n)s in this revision above this row.")
                        % {"n": parent},
                    )
        elif record == "operation":
            values["sequence"] = row.get("sequence", cell_whole_number)
            values["name"] = row.get("operation", cell_text, max_length=100, required=True)
            values["work_centre_type"] = row.get(
                "work_centre_type", cell_text, max_length=40, required=True
            )
            values["setup_minutes"] = row.get(
                "setup_minutes", _decimal, digits=8, places=2, not_negative=True, default=Decimal(0)
            )
            values["run_minutes_per_unit"] = row.get(
                "run_minutes_per_unit", _decimal, digits=8, places=3, not_negative=True
            )
            values["required_capability"] = row.get("capability", cell_text, max_length=60)
            values["required_certification"] = row.get("certification", _certification)
            sequence = values["sequence"]
            if sequence is not None:
                dup = seen.get(("operation", *key, sequence))
                if dup:
                    row.error("sequence", _("Duplicate of row %(n)s.") % {"n": dup})
                elif sequence in sequences.get(key, ()):
                    row.error(
                        "sequence",
                        _("Operation %(n)s already exists in this revision.") % {"n": sequence},
                    )
                else:
                    seen[("operation", *key, sequence)] = row.number
        else:
            values["sequence"] = row.get("sequence", cell_whole_number)
            values["name"] = row.get("characteristic", cell_text, max_length=100, required=True)
            values["kind"] = row.get("kind", _kind)
            values["unit"] = row.get("unit", _unit)
            limits = ("nominal", "lower_limit", "upper_limit")
            variable = values["kind"] == InspectionCharacteristic.Kind.VARIABLE
            for column in limits:
                values[column] = row.get(column, _decimal, digits=14, places=6, required=variable)
            if (
                variable
                and None not in (values[c] for c in limits)
                and not values["lower_limit"] <= values["nominal"] <= values["upper_limit"]
            ):
                row.error(
                    "nominal",
                    _("The limits must lie around the nominal: lower ≤ nominal ≤ upper."),
                )
            if not variable:
                values.update(dict.fromkeys(limits))
            sequence, name = values["sequence"], values["name"]
            if sequence is not None and not (
                ("operation", *key, sequence) in seen or sequence in sequences.get(key, ())
            ):
                row.error(
                    "sequence",
                    _("No operation %(n)s in this revision above this row.") % {"n": sequence},
                )
            elif sequence is not None and name:
                char_key = ("characteristic", *key, sequence, name)
                if char_key in seen:
                    row.error(
                        "characteristic", _("Duplicate of row %(n)s.") % {"n": seen[char_key]}
                    )
                elif (*key, sequence, name) in existing_characteristics:
                    row.error(
                        "characteristic",
                        _("Operation %(n)s already has “%(name)s”.")
                        % {"n": sequence, "name": name},
                    )
                else:
                    seen[char_key] = row.number
        if not row.failed:
            preview.rows.append(
                ParsedRow(
                    row=row.number,
                    record=record,
                    product_code=code,
                    revision=rev,
                    values=values,
                    new_product=new_product,
                    new_revision=revision is None,
                )
            )
