"""A partner's NCR verbs: raising a non-conformance, its disposition (use as is
asks the hub, whose decision comes back through `ncr_approval_apply`), closing
it, the 8D CAPA, and the files attached to either. Each takes the partner
explicitly, runs in one transaction and publishes the NCR's header to the
network ledger in that transaction (quality.publish).

Files are checked with `portal.uploads.upload_check` before (the forms do it and
hand over `(uploaded, checked)` pairs); `attachment_add` stores and audits one.
The verbs that take several files together with another change write all of it
or none of it, and no file stays behind in storage."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.partner.models import WorkOrder, WorkOrderOperation
from portal.audit import FILE_DOWNLOADED, FILE_UPLOADED, audit_record
from quality import publish
from tenants.models import Partner

from ..errors import refuse
from ..models import Attachment, Capa, CapaStep, Measurement, NonConformance
from ..numbering import sequence_lock

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
            refuse(
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
        refuse(_("%(ncr)s is not waiting for a use-as-is decision.") % {"ncr": ncr})
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
            refuse(
                _("%(ncr)s is %(status)s; it can be closed once it is dispositioned.")
                % {"ncr": ncr, "status": ncr.get_status_display().lower()}
            )
        capa = Capa.objects.filter(ncr=ncr).first()
        if capa is not None and capa.closed_at is None:
            refuse(_("Close the CAPA of %(ncr)s first (step D8).") % {"ncr": ncr})
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
            refuse(_("%(ncr)s is closed.") % {"ncr": ncr})
        if Capa.objects.filter(ncr=ncr).exists():
            refuse(_("%(ncr)s already has a CAPA.") % {"ncr": ncr})
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
            refuse(_("%(step)s is already complete.") % {"step": step.get_step_display()})
        earlier = capa.steps.filter(step__lt=step.step, completed_at__isnull=True)
        if earlier.exists():
            refuse(
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


# --- several files with another change: all of it or none -----------------------------


CheckedFiles = Sequence[tuple[object, object]]  # (uploaded file, portal.uploads.CheckedUpload)


def _add_all(
    *, partner: Partner, ncr, files: CheckedFiles, user, request, capa_step=None
) -> list[Attachment]:
    stored: list[Attachment] = []
    try:
        for uploaded, checked in files:
            stored.append(
                attachment_add(
                    partner=partner,
                    ncr=ncr,
                    uploaded=uploaded,
                    checked=checked,
                    user=user,
                    capa_step=capa_step,
                    request=request,
                )
            )
    except Exception:
        # The rows roll back with the transaction; the files stored so far go too.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def attachments_add(
    *, partner: Partner, ncr: NonConformance, files: CheckedFiles, user, request=None
) -> list[Attachment]:
    """Attach several checked files to an NCR, all or none; a closed NCR's
    record is complete and takes no more files."""
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    with transaction.atomic():
        ncr = NonConformance.objects.select_for_update().get(pk=ncr.pk)
        if ncr.status == NonConformance.Status.CLOSED:
            raise ValidationError(
                _("%(ncr)s is closed; its record takes no more files.") % {"ncr": ncr},
                code="invalid_transition",
            )
        return _add_all(partner=partner, ncr=ncr, files=files, user=user, request=request)


def ncr_raise_with_attachments(
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
    files: CheckedFiles = (),
    request=None,
) -> NonConformance:
    """Raise an NCR with its photos and documents: the NCR and every file, or nothing."""
    with transaction.atomic():
        ncr = ncr_raise(
            partner=partner,
            work_order=work_order,
            user=user,
            defect_code=defect_code,
            quantity=quantity,
            description=description,
            lot=lot,
            containment=containment,
            operation=operation,
            measurement=measurement,
        )
        _add_all(partner=partner, ncr=ncr, files=files, user=user, request=request)
    return ncr


def capa_step_complete_with_evidence(
    *, partner: Partner, step: CapaStep, notes: str, files: CheckedFiles = (), user, request=None
) -> CapaStep:
    """Complete one 8D step with its evidence files: the step and every file, or nothing."""
    with transaction.atomic():
        step = capa_step_complete(step=step, notes=notes, user=user)
        step = CapaStep.objects.select_related("capa__ncr").get(pk=step.pk)
        _add_all(
            partner=partner,
            ncr=step.capa.ncr,
            files=files,
            user=user,
            request=request,
            capa_step=step,
        )
    return step
