"""Recording a work order's first article inspection: one inspection record
per operation, all published to the ledger at once (quality.publish)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.partner.models import WorkOrder
from quality import publish
from tenants.models import Partner

from ..errors import refuse
from ..inspections import selectors
from ..inspections.services import Reading, inspection_record
from ..models import FirstArticle, InspectionRecord


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
        refuse(
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
            refuse(_("The first article of %(wo)s has already passed.") % {"wo": locked})
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
                refuse(
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
