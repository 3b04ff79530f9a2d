"""A partner's quality verbs. Each runs in the partner's schema (the request's
host), takes that partner explicitly, runs in one transaction, and publishes to
the network ledger in that same transaction what the data-sharing agreement
releases (quality.publish)."""

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
from portal.audit import (
    FILE_DOWNLOADED,
    FILE_UPLOADED,
    audit_record,
)
from quality import publish
from tenants.models import Partner

from . import selectors
from .models import (
    Attachment,
    Capa,
    CapaStep,
    FirstArticle,
    InspectionRecord,
    Measurement,
    NonConformance,
)
from .numbering import sequence_lock

INSPECTABLE = (
    WorkOrder.Status.ACCEPTED,
    WorkOrder.Status.IN_PROGRESS,
    WorkOrder.Status.SHIPPED,
)


def _refuse(message: str, code: str = "invalid_transition"):
    raise ValidationError(message, code=code)


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
        _refuse(
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


# --- first article inspection ----------------------------------------------------------


def first_article_needed(work_order: WorkOrder) -> bool:
    """A work order needs an FAI when no earlier FAI of its revision passed here."""
    return (
        not FirstArticle.objects.filter(
            product_code=work_order.product_code,
            revision=work_order.revision,
            status=FirstArticle.Status.PASSED,
        )
        .exclude(work_order=work_order)
        .exists()
    )


def first_article_record(
    *,
    partner: Partner,
    work_order: WorkOrder,
    serial: str,
    instrument: str,
    inspected_at: datetime.datetime,
    readings: Mapping[int, Reading],
    user,
) -> FirstArticle:
    """Measure every characteristic of the revision on the first piece. Passes
    when all conform; a failed FAI can be repeated on another piece."""
    if not serial.strip():
        raise ValidationError({"serial": _("Give the serial number of the first piece.")})
    by_sequence: dict[int, dict[int, Reading]] = {}
    characteristics = list(selectors.characteristics_for(work_order=work_order))
    if not characteristics:
        _refuse(
            _("%(product)s revision %(rev)s has no inspection characteristics to measure.")
            % {"product": work_order.product_code, "rev": work_order.revision}
        )
    missing = [c.name for c in characteristics if c.pk not in readings]
    if missing:
        raise ValidationError(
            _("A first article inspection measures every characteristic; missing: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    known = {c.pk: c.operation.sequence for c in characteristics}
    for pk, reading in readings.items():
        if pk not in known:
            raise ValidationError(
                _("Characteristic %(id)s is not one of %(product)s revision %(rev)s.")
                % {"id": pk, "product": work_order.product_code, "rev": work_order.revision}
            )
        by_sequence.setdefault(known[pk], {})[pk] = reading
    operations = {op.sequence: op for op in work_order.operations.all()}
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
        fai = FirstArticle.objects.filter(work_order=locked).first()
        if fai is not None and fai.status == FirstArticle.Status.PASSED:
            _refuse(_("The first article of %(wo)s has already passed.") % {"wo": locked})
        if fai is None:
            fai = FirstArticle.objects.create(
                work_order=locked,
                product_code=locked.product_code,
                revision=locked.revision,
                serial=serial,
                inspector_id=user.pk,
                inspector_label=user.get_username(),
            )
        else:  # a repeat on another piece after a failure
            fai.serial = serial
        conforming = True
        for sequence, group in sorted(by_sequence.items()):
            if sequence not in operations:
                _refuse(
                    _("Work order %(wo)s has no operation %(seq)s.")
                    % {"wo": locked, "seq": sequence}
                )
            record = inspection_record(
                partner=partner,
                work_order=locked,
                operation=operations[sequence],
                sample=fai.records.filter(operation=operations[sequence]).count() + 1,
                serial=serial,
                instrument=instrument,
                inspected_at=inspected_at,
                readings=group,
                user=user,
                source=InspectionRecord.Source.FIRST_ARTICLE,
                first_article=fai,
                publish_now=False,
            )
            conforming = conforming and record.conforming
        fai.status = FirstArticle.Status.PASSED if conforming else FirstArticle.Status.FAILED
        fai.completed_at = timezone.now()
        fai.inspector_id, fai.inspector_label = user.pk, user.get_username()
        fai.save()
        publish.inspections_publish(
            partner=partner,
            work_order=locked,
            characteristic_ids=set(readings),
            actor_label=user.get_username(),
        )
    return fai


# --- NCRs -----------------------------------------------------------------------------


def ncr_raise(
    *,
    partner: Partner,
    work_order: WorkOrder,
    user,
    defect_code: str,
    quantity: int,
    description: str,
    lot: str = "",
    containment: str = "",
    operation: WorkOrderOperation | None = None,
    measurement: Measurement | None = None,
) -> NonConformance:
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": _("At least one unit must be affected.")})
    if quantity > work_order.quantity:
        raise ValidationError(
            {
                "quantity": _("Work order %(wo)s is for %(qty)s units.")
                % {"wo": work_order, "qty": work_order.quantity}
            }
        )
    if not description.strip():
        raise ValidationError({"description": _("Describe the non-conformance.")})
    if defect_code not in NonConformance.DefectCode.values:
        raise ValidationError({"defect_code": _("Choose a defect code from the list.")})
    if operation is not None and operation.work_order_id != work_order.pk:
        raise ValidationError({"operation": _("This operation belongs to another work order.")})
    if measurement is not None and measurement.record.work_order_id != work_order.pk:
        raise ValidationError({"measurement": _("This measurement belongs to another work order.")})
    with transaction.atomic():
        sequence_lock("ncr")
        last = NonConformance.objects.order_by("-id").values_list("number", flat=True).first()
        serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        ncr = NonConformance.objects.create(
            number=f"NCR-{serial:05d}",
            work_order=work_order,
            operation=operation or (measurement.record.operation if measurement else None),
            measurement=measurement,
            defect_code=defect_code,
            quantity=quantity,
            lot=lot,
            description=description,
            containment=containment,
            raised_by_id=user.pk,
            raised_by_label=user.get_username(),
        )
        publish.ncr_publish(partner=partner, ncr=ncr, actor_label=user.get_username())
    return ncr


def _locked_ncr(ncr: NonConformance) -> NonConformance:
    return NonConformance.objects.select_for_update().select_related("work_order").get(pk=ncr.pk)


def ncr_disposition_set(
    *,
    partner: Partner,
    ncr: NonConformance,
    disposition: str,
    note: str,
    user,
    justification: str = "",
) -> NonConformance:
    """Decide what happens to the affected parts. Use as is needs the hub's
    approval: the NCR waits for it, and the request reaches the hub's queue."""
    if disposition not in NonConformance.Disposition.values:
        raise ValidationError({"disposition": _("Choose a disposition from the list.")})
    use_as_is = disposition == NonConformance.Disposition.USE_AS_IS
    if use_as_is and not justification.strip():
        raise ValidationError(
            {"justification": _("Say why the parts can be used as they are; the hub decides.")}
        )
    with transaction.atomic():
        ncr = _locked_ncr(ncr)
        if ncr.status != NonConformance.Status.OPEN:
            _refuse(
                _("%(ncr)s is %(status)s; only an open NCR takes a disposition.")
                % {"ncr": ncr, "status": ncr.get_status_display().lower()}
            )
        ncr.disposition = disposition
        ncr.disposition_note = note
        ncr.dispositioned_at = timezone.now()
        ncr.dispositioned_by_label = user.get_username()
        if use_as_is:
            ncr.status = NonConformance.Status.AWAITING_APPROVAL
            ncr.approval = NonConformance.Approval.PENDING
            ncr.approval_note = ""
        else:
            ncr.status = NonConformance.Status.DISPOSITIONED
            ncr.approval = ""
        ncr.save()
        if use_as_is:
            publish.use_as_is_request(
                partner=partner, ncr=ncr, justification=justification, user=user
            )
        publish.ncr_publish(partner=partner, ncr=ncr, actor_label=user.get_username())
    return ncr


def ncr_approval_apply(
    *, partner: Partner, ncr: NonConformance, approve: bool, note: str, decided_by_label: str
) -> NonConformance:
    """The hub's decision on a use-as-is request, written into this schema (called
    by quality.services.use_as_is_decide through the audited door)."""
    ncr = _locked_ncr(ncr)
    if ncr.status != NonConformance.Status.AWAITING_APPROVAL:
        _refuse(_("%(ncr)s is not waiting for a use-as-is decision.") % {"ncr": ncr})
    ncr.approval = NonConformance.Approval.APPROVED if approve else NonConformance.Approval.REJECTED
    ncr.approval_by_label = decided_by_label
    ncr.approval_at = timezone.now()
    ncr.approval_note = note
    if approve:
        ncr.status = NonConformance.Status.DISPOSITIONED
    else:  # back to open: the partner chooses another disposition
        ncr.status = NonConformance.Status.OPEN
    ncr.save()
    publish.ncr_publish(partner=partner, ncr=ncr, actor_label=decided_by_label)
    return ncr


def ncr_close(*, partner: Partner, ncr: NonConformance, user) -> NonConformance:
    with transaction.atomic():
        ncr = _locked_ncr(ncr)
        if ncr.status != NonConformance.Status.DISPOSITIONED:
            _refuse(
                _("%(ncr)s is %(status)s; it can be closed once it is dispositioned.")
                % {"ncr": ncr, "status": ncr.get_status_display().lower()}
            )
        capa = Capa.objects.filter(ncr=ncr).first()
        if capa is not None and capa.closed_at is None:
            _refuse(_("Close the CAPA of %(ncr)s first (step D8).") % {"ncr": ncr})
        ncr.status = NonConformance.Status.CLOSED
        ncr.closed_at = timezone.now()
        ncr.closed_by_label = user.get_username()
        ncr.save(update_fields=["status", "closed_at", "closed_by_label"])
        publish.ncr_publish(partner=partner, ncr=ncr, actor_label=user.get_username())
    return ncr


# --- CAPA (8D) ----------------------------------------------------------------------


def capa_open(
    *, ncr: NonConformance, user, owners: Mapping[int, str], due_dates: Mapping[int, datetime.date]
) -> Capa:
    """Open a CAPA with its eight steps, each with an owner and a due date."""
    errors = {}
    for step in CapaStep.Step:
        if not (owners.get(step.value) or "").strip():
            errors[f"owner_{step.value}"] = _("Name an owner for %(step)s.") % {"step": step.label}
        if not due_dates.get(step.value):
            errors[f"due_{step.value}"] = _("Give %(step)s a due date.") % {"step": step.label}
    ordered = [due_dates.get(s.value) for s in CapaStep.Step]
    if not errors and any(b < a for a, b in zip(ordered, ordered[1:], strict=False)):
        errors["__all__"] = _("Each step's due date must be on or after the one before.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ncr = _locked_ncr(ncr)
        if ncr.status == NonConformance.Status.CLOSED:
            _refuse(_("%(ncr)s is closed.") % {"ncr": ncr})
        if Capa.objects.filter(ncr=ncr).exists():
            _refuse(_("%(ncr)s already has a CAPA.") % {"ncr": ncr})
        capa = Capa.objects.create(ncr=ncr, opened_by_label=user.get_username())
        CapaStep.objects.bulk_create(
            CapaStep(
                capa=capa,
                step=step.value,
                owner=owners[step.value].strip(),
                due_date=due_dates[step.value],
            )
            for step in CapaStep.Step
        )
    return capa


def capa_step_complete(*, step: CapaStep, notes: str, user) -> CapaStep:
    """Complete one 8D step, in order; completing D8 closes the CAPA."""
    if not notes.strip():
        raise ValidationError({"notes": _("Say what was done in this step.")})
    with transaction.atomic():
        capa = Capa.objects.select_for_update().get(pk=step.capa_id)
        step = CapaStep.objects.select_for_update().get(pk=step.pk)
        if capa.closed_at is not None or step.completed_at is not None:
            _refuse(_("%(step)s is already complete.") % {"step": step.get_step_display()})
        earlier = capa.steps.filter(step__lt=step.step, completed_at__isnull=True)
        if earlier.exists():
            _refuse(
                _("Complete %(steps)s first.")
                % {"steps": ", ".join(s.get_step_display() for s in earlier)}
            )
        step.notes = notes
        step.completed_at = timezone.now()
        step.completed_by_label = user.get_username()
        step.save(update_fields=["notes", "completed_at", "completed_by_label"])
        if step.step == CapaStep.Step.CLOSURE:
            capa.closed_at = step.completed_at
            capa.save(update_fields=["closed_at"])
    return step


# --- attachments ----------------------------------------------------------------------


def attachment_add(
    *,
    partner: Partner,
    ncr: NonConformance,
    uploaded,
    checked,
    user,
    capa_step: CapaStep | None = None,
    request=None,
) -> Attachment:
    """Store one checked upload (portal.uploads.upload_check) under a generated
    name in this partner's storage, and audit it."""
    if capa_step is not None and capa_step.capa.ncr_id != ncr.pk:
        raise ValidationError(_("This 8D step belongs to another NCR."))
    with transaction.atomic():
        attachment = Attachment(
            ncr=ncr,
            capa_step=capa_step,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by_id=user.pk,
            uploaded_by_label=user.get_username(),
        )
        attachment.file.save(checked.name, uploaded, save=False)
        try:
            attachment.save()
            audit_record(
                action=FILE_UPLOADED,
                actor=user,
                partner=partner,
                obj=attachment,
                request=request,
                name=checked.name,
                sha256=checked.sha256,
                ncr=ncr.number,
            )
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_downloaded(*, partner: Partner, attachment: Attachment, user, request=None) -> None:
    audit_record(
        action=FILE_DOWNLOADED,
        actor=user,
        partner=partner,
        obj=attachment,
        request=request,
        name=attachment.original_name,
        ncr=attachment.ncr.number,
    )
