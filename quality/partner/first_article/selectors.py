"""Reads of a work order's first article inspection."""

from __future__ import annotations

from orders.partner.models import WorkOrder

from ..models import FirstArticle, InspectionRecord


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


def first_article_of(work_order: WorkOrder) -> FirstArticle | None:
    return FirstArticle.objects.filter(work_order=work_order).first()


def first_article_records(fai: FirstArticle | None) -> list[InspectionRecord]:
    if fai is None:
        return []
    return list(
        fai.records.select_related("operation")
        .prefetch_related("measurements")
        .order_by("recorded_at", "operation__sequence", "id")
    )
