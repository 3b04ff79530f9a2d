"""Reads of a partner's NCRs, their CAPA and files."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from orders.partner.models import WorkOrder

from ..models import Attachment, Capa, CapaStep, Measurement, NonConformance


def ncr_list() -> QuerySet[NonConformance]:
    return NonConformance.objects.select_related("work_order", "operation").annotate(
        attachment_count=Count("attachments")
    )


def ncr_get(*, number: str) -> NonConformance:
    try:
        return (
            NonConformance.objects.select_related("work_order", "operation", "measurement")
            .prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at"))
            )
            .get(number=number)
        )
    except NonConformance.DoesNotExist as exc:
        raise Http404 from exc


def capa_for(ncr: NonConformance) -> Capa | None:
    try:
        return Capa.objects.prefetch_related("steps__attachments").get(ncr=ncr)
    except Capa.DoesNotExist:
        return None


def attachment_get(*, pk: int) -> Attachment:
    try:
        return Attachment.objects.select_related("ncr").get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc


def capa_step_get(*, ncr: NonConformance, step: int) -> CapaStep:
    return get_object_or_404(CapaStep.objects.select_related("capa__ncr"), capa__ncr=ncr, step=step)


def measurement_for_ncr(*, work_order: WorkOrder, pk) -> Measurement:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        Measurement.objects.select_related("record__operation"),
        pk=pk,
        record__work_order=work_order,
    )


def capa_steps_open_before(step: CapaStep) -> QuerySet[CapaStep]:
    """The steps of the step's CAPA before it that are not complete yet."""
    return step.capa.steps.filter(step__lt=step.step, completed_at__isnull=True)


def ncr_open_counts() -> dict:
    """How many NCRs are not closed (`total`), and how many of them wait for the
    hub's use-as-is decision (`waiting`)."""
    return NonConformance.objects.exclude(status=NonConformance.Status.CLOSED).aggregate(
        total=Count("id"), waiting=Count("id", filter=Q(status="awaiting_approval"))
    )
