"""A work order's first article inspection page: its state and results, and
the form that records it (quality role or partner admin, urls.py)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.partner import selectors as work_order_selectors
from portal.forms import form_run_service

from .. import roles
from ..inspections import selectors as inspection_selectors
from ..inspections.services import INSPECTABLE
from ..models import FirstArticle
from . import selectors, services
from .forms import FirstArticleForm


def _inspectable(work_order) -> bool:
    return work_order.status in INSPECTABLE


def _first_article_render(request, work_order, *, form=None, status=200):
    fai = selectors.first_article_of(work_order)
    characteristics = list(inspection_selectors.characteristics_for(work_order=work_order))
    can_record = (
        roles.is_quality(request)
        and _inspectable(work_order)
        and bool(characteristics)
        and (fai is None or fai.status != FirstArticle.Status.PASSED)
    )
    refusals = list(form.non_field_errors()) if form is not None and not can_record else []
    if can_record and form is None:
        form = FirstArticleForm(characteristics=characteristics)
    return render(
        request,
        "quality/partner/first_article.html",
        {
            "work_order": work_order,
            "fai": fai,
            "refusals": refusals,
            "records": selectors.first_article_records(fai),
            "needed": selectors.first_article_needed(work_order),
            "characteristics": characteristics,
            "form": form if can_record else None,
            "is_quality": roles.is_quality(request),
            "inspectable": _inspectable(work_order),
            "decimal_separator": get_format("DECIMAL_SEPARATOR"),
        },
        status=status,
    )


def first_article(request, number):
    work_order = work_order_selectors.work_order_get(number=number)
    return _first_article_render(request, work_order)


@require_POST
def first_article_record(request, number):
    work_order = work_order_selectors.work_order_get(number=number)
    form = FirstArticleForm(
        request.POST,
        characteristics=inspection_selectors.characteristics_for(work_order=work_order),
    )
    result = {}
    if form_run_service(
        form,
        lambda d: result.setdefault(
            "fai",
            services.first_article_record(
                partner=request.tenant,
                work_order=work_order,
                serial=d["serial"],
                instrument=d["instrument"],
                inspected_at=d["inspected_at"],
                readings=form.readings(),
                user=request.user,
            ),
        ),
    ):
        fai = result["fai"]
        if fai.status == FirstArticle.Status.PASSED:
            messages.success(request, _("First article inspection passed."))
        else:
            messages.warning(
                request,
                _(
                    "First article inspection failed: raise an NCR, then repeat it on "
                    "another piece."
                ),
            )
        return redirect("quality:first_article", number=number)
    return _first_article_render(request, work_order, form=form, status=400)
