"""A partner's inspection verbs: recording one inspected piece, and a checked
CSV import of many, all or none. Each runs in the partner's schema (the
request's host), takes that partner explicitly, runs in one transaction, and
publishes to the network ledger in that same transaction what the data-sharing
agreement releases (quality.publish). The other quality verbs are in their own
packages (first_article, ncrs, documents, access); they all follow these rules."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.hub.models.products import InspectionCharacteristic
from orders.partner.models import WorkOrder, WorkOrderOperation
from quality import publish
from tenants.models import Partner

from ..errors import refuse
from ..models import (
    FirstArticle,
    InspectionRecord,
    Measurement,
)
from . import selectors

INSPECTABLE = (
    WorkOrder.Status.ACCEPTED,
    WorkOrder.Status.IN_PROGRESS,
    WorkOrder.Status.SHIPPED,
)


# --- inspections ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One characteristic's result as entered: a value, or pass/fail; `unit`
    when the source says which unit it measured in (CSV)."""

    value: Decimal | None = None
    passed: bool | None = None
    unit: str = ""


def conforms(characteristic, reading: Reading) -> bool:
    if characteristic.kind == InspectionCharacteristic.Kind.ATTRIBUTE:
        return bool(reading.passed)
    return characteristic.lower_limit <= reading.value <= characteristic.upper_limit


def _measurement_errors(characteristic, reading: Reading) -> str | None:
    name = characteristic.name
    if characteristic.kind == InspectionCharacteristic.Kind.ATTRIBUTE:
        if reading.passed is None:
            return _("%(name)s: say pass or fail.") % {"name": name}
        return None
    if reading.value is None:
        return _("%(name)s: enter the measured value.") % {"name": name}
    if not reading.value.is_finite():
        return _("%(name)s: the value must be a number.") % {"name": name}
    if reading.unit and characteristic.unit and reading.unit.strip() != characteristic.unit:
        return _("%(name)s is measured in %(unit)s, not %(given)s.") % {
            "name": name,
            "unit": characteristic.unit,
            "given": reading.unit.strip(),
        }
    if abs(reading.value) >= Decimal("1e8"):
        return _("%(name)s: %(value)s is out of range.") % {"name": name, "value": reading.value}
    return None


def inspection_record(
    *,
    partner: Partner,
    work_order: WorkOrder,
    operation: WorkOrderOperation,
    sample: int,
    piece: int = 1,
    serial: str = "",
    instrument: str,
    inspected_at: datetime.datetime,
    readings: Mapping[int, Reading],
    user,
    source: str = InspectionRecord.Source.FORM,
    first_article: FirstArticle | None = None,
    require_all: bool = True,
    publish_now: bool = True,
) -> InspectionRecord:
    """Record one inspected piece: a reading for each characteristic of the
    operation (all of them when `require_all`), each checked against its
    tolerance. Readings for characteristics of another revision or operation are
    refused, and nothing is written unless every reading is valid."""
    if operation.work_order_id != work_order.pk:
        raise ValidationError({"operation": _("This operation belongs to another work order.")})
    if work_order.status not in INSPECTABLE:
        refuse(
            _("Work order %(wo)s is %(status)s; inspect it once it is accepted.")
            % {"wo": work_order, "status": work_order.get_status_display().lower()}
        )
    if inspected_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"inspected_at": _("The inspection time is in the future.")})
    characteristics = {
        c.pk: c
        for c in selectors.characteristics_for(work_order=work_order, sequence=operation.sequence)
    }
    errors = []
    unknown = sorted(set(readings) - set(characteristics))
    if unknown:
        errors.append(
            _(
                "Characteristic %(ids)s is not one of operation %(seq)s of %(product)s "
                "revision %(rev)s."
            )
            % {
                "ids": ", ".join(str(i) for i in unknown),
                "seq": operation.sequence,
                "product": work_order.product_code,
                "rev": work_order.revision,
            }
        )
    missing = [c.name for pk, c in characteristics.items() if pk not in readings]
    if not readings:
        errors.append(_("Enter at least one result."))
    elif require_all and missing:
        errors.append(_("Results missing for: %(names)s.") % {"names": ", ".join(missing)})
    for pk, reading in readings.items():
        if pk in characteristics:
            message = _measurement_errors(characteristics[pk], reading)
            if message:
                errors.append(message)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        results = {pk: conforms(characteristics[pk], r) for pk, r in readings.items()}
        record = InspectionRecord.objects.create(
            work_order=work_order,
            operation=operation,
            sample=sample,
            piece=piece,
            serial=serial,
            instrument=instrument,
            inspected_at=inspected_at,
            inspector_id=user.pk,
            inspector_label=user.get_username(),
            source=source,
            first_article=first_article,
            conforming=all(results.values()),
        )
        Measurement.objects.bulk_create(
            [
                Measurement(
                    record=record,
                    characteristic_id=pk,
                    name=characteristics[pk].name,
                    kind=characteristics[pk].kind,
                    nominal=characteristics[pk].nominal,
                    lower_limit=characteristics[pk].lower_limit,
                    upper_limit=characteristics[pk].upper_limit,
                    unit=characteristics[pk].unit,
                    value=reading.value
                    if characteristics[pk].kind == Measurement.Kind.VARIABLE
                    else None,
                    passed=reading.passed
                    if characteristics[pk].kind == Measurement.Kind.ATTRIBUTE
                    else None,
                    conforming=results[pk],
                )
                for pk, reading in readings.items()
            ]
        )
        if publish_now:
            publish.inspections_publish(
                partner=partner,
                work_order=work_order,
                characteristic_ids=set(readings),
                actor_label=user.get_username(),
            )
    return record


@dataclass(frozen=True)
class ImportedPiece:
    """One piece of a CSV import: where it was measured and its readings."""

    line: int
    sequence: int
    sample: int
    piece: int
    serial: str
    instrument: str
    inspected_at: datetime.datetime
    readings: dict[int, Reading]


def inspections_import(
    *, partner: Partner, work_order: WorkOrder, pieces: list[ImportedPiece], user
) -> list[InspectionRecord]:
    """Record every piece of a checked import, or none: an error in any piece
    (reported with its line) rolls back the whole file."""
    operations = {op.sequence: op for op in work_order.operations.all()}
    records, errors = [], []
    with transaction.atomic():
        for piece in pieces:
            operation = operations.get(piece.sequence)
            if operation is None:
                errors.append(
                    _("Line %(line)s: %(wo)s has no operation %(seq)s.")
                    % {"line": piece.line, "wo": work_order, "seq": piece.sequence}
                )
                continue
            try:
                with transaction.atomic():
                    records.append(
                        inspection_record(
                            partner=partner,
                            work_order=work_order,
                            operation=operation,
                            sample=piece.sample,
                            piece=piece.piece,
                            serial=piece.serial,
                            instrument=piece.instrument,
                            inspected_at=piece.inspected_at,
                            readings=piece.readings,
                            user=user,
                            source=InspectionRecord.Source.CSV,
                            require_all=False,
                            publish_now=False,
                        )
                    )
            except ValidationError as exc:
                errors.extend(
                    _("Line %(line)s: %(error)s") % {"line": piece.line, "error": message}
                    for message in exc.messages
                )
        if errors:
            raise ValidationError(errors)
        characteristic_ids = {pk for piece in pieces for pk in piece.readings}
        publish.inspections_publish(
            partner=partner,
            work_order=work_order,
            characteristic_ids=characteristic_ids,
            actor_label=user.get_username(),
        )
    return records
