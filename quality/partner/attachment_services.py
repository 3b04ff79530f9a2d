"""Verbs that take several checked uploads together with another change: all of
it is written, or none of it (and no file stays behind in storage).

Each file has been checked with `portal.uploads.upload_check` before (the forms
do it and hand over `(uploaded, checked)` pairs); storing it goes through
`services.attachment_add`, which audits it."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orders.partner.models import WorkOrder, WorkOrderOperation
from tenants.models import Partner

from . import services
from .models import Attachment, CapaStep, Measurement, NonConformance

CheckedFiles = Sequence[tuple[object, object]]  # (uploaded file, portal.uploads.CheckedUpload)


def _add_all(
    *, partner: Partner, ncr, files: CheckedFiles, user, request, capa_step=None
) -> list[Attachment]:
    stored: list[Attachment] = []
    try:
        for uploaded, checked in files:
            stored.append(
                services.attachment_add(
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
        ncr = services.ncr_raise(
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
        step = services.capa_step_complete(step=step, notes=notes, user=user)
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
