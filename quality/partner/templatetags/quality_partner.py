"""Template helpers of the partner's quality pages.

`{% work_order_quality work_order %}` puts the quality box on a work order's
page (its own queries, a fixed number of them); `{{ value|measure }}` shows a
measured value or limit without trailing zeros, localised."""

from django import template
from django.utils.formats import localize

from ..display import plain
from ..first_article import selectors as first_article_selectors
from ..inspections import selectors, services
from ..models import NonConformance
from ..ncrs import selectors as ncr_selectors

register = template.Library()

SHOWN = 5


@register.filter
def measure(value):
    """10.015000 → "10.015" (or "10,015" where that is the decimal separator)."""
    if value is None or value == "":
        return "—"
    return localize(plain(value))


@register.inclusion_tag("quality/partner/_work_order_quality.html", takes_context=True)
def work_order_quality(context, work_order):
    inspections = selectors.inspection_list(work_order=work_order)
    ncrs = ncr_selectors.ncr_list().filter(work_order=work_order).order_by("-raised_at")
    characteristics = list(selectors.characteristics_for(work_order=work_order))
    sequences = {c.operation.sequence for c in characteristics}
    operations = [op for op in work_order.operations.all() if op.sequence in sequences]
    return {
        "request": context.get("request"),
        "work_order": work_order,
        "inspectable": work_order.status in services.INSPECTABLE,
        "characteristics": [c for c in characteristics if c.kind == c.Kind.VARIABLE],
        "has_characteristics": bool(characteristics),
        "fai": first_article_selectors.first_article_of(work_order),
        "fai_needed": first_article_selectors.first_article_needed(work_order),
        "inspections": list(inspections[:SHOWN]),
        "inspection_count": inspections.count(),
        "ncrs": list(ncrs[:SHOWN]),
        "ncr_count": ncrs.count(),
        "open_ncrs": ncrs.exclude(status=NonConformance.Status.CLOSED).count(),
        "operations": operations,
    }
