"""The hub's network quality pages: the overview per partner and product, the
drill-down into what a partner shares, the use-as-is queue and the register of
issued documents.

Who may do what: every hub role reads every page (planners need to know which
parts were accepted as they are, auditors review decisions); only quality
engineers and network admins decide use-as-is requests (`DECIDERS`). Raw
measurements are shown only when the partner releases them or has granted the
signed-in user time-boxed access, and each look goes through the audited door.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.forms import form_add_service_error
from portal.tables import RequestConfig
from quality import services
from tenants.models import DataSharingAgreement

from . import selectors
from .filters import IssuedDocumentFilter, NetworkQualityFilter, UseAsIsFilter
from .forms import DocumentVerifyForm, UseAsIsDecisionForm
from .models import UseAsIsRequest
from .tables import (
    DEFECTS,
    CapabilityTable,
    IssuedDocumentTable,
    NcrSummaryTable,
    NetworkQualityTable,
    RawValueTable,
    UseAsIsTable,
    WorkOrderQualityTable,
)

DECIDERS = ("quality_engineer", "network_admin")
PAGE_SIZE = 25


def _filter_errors(filterset) -> list[str]:
    form = filterset.form
    return [
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


def _filtering(request, names) -> bool:
    return any(request.GET.get(name) for name in names)


# --- the overview --------------------------------------------------------------------


def overview(request):
    rows = selectors.network_quality_rows(user=request.user)
    filterset = NetworkQualityFilter(request.GET or None, queryset=rows)
    context = {
        "filter": filterset,
        "pending_use_as_is": selectors.use_as_is_pending_count(user=request.user),
        "cpk_target": selectors.CPK_TARGET,
    }
    if filterset.is_bound and not filterset.is_valid():
        context.update(table=None, filter_errors=_filter_errors(filterset))
        return render(request, "quality/hub/overview.html", context, status=400)
    filtering = _filtering(request, filterset.filters)
    table = NetworkQualityTable(filterset.qs, caption=_("Quality per partner and product"))
    if not filtering:
        table.empty_text = ""
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    context.update(table=table, filtering=filtering)
    return render(request, "quality/hub/overview.html", context)


# --- the drill-down ------------------------------------------------------------------


def partner_quality(request, slug, product_code=None):
    partner = selectors.partner_get(slug=slug)
    product = selectors.product_get(code=product_code) if product_code else None
    user, now = request.user, timezone.now()
    releases = DataSharingAgreement.releases_for(partner)
    raw = selectors.raw_charts(
        partner=partner, user=user, request=request, product_code=product_code
    )
    rows = selectors.network_quality_rows(user=user, now=now).filter(partner=partner)
    if product_code:
        rows = rows.filter(product_code=product_code)
    summary = NetworkQualityTable(
        rows,
        caption=_("Summary"),
        prefix="sum-",
        orderable=False,
        exclude=("partner",),
    )
    summary.empty_text = _("Nothing published for this partner yet.")
    capability = CapabilityTable(
        selectors.capability_list(partner=partner, product_code=product_code),
        caption=_("Capability per characteristic"),
        prefix="cap-",
        raw_link=(
            (lambda pk: reverse("network_quality:characteristic", args=[partner.slug, pk]))
            if raw.allowed
            else None
        ),
    )
    ncrs = NcrSummaryTable(
        selectors.ncr_summary_list(partner=partner, user=user, product_code=product_code),
        caption=_("NCR summaries"),
        prefix="ncr-",
        now=now,
    )
    work_orders = WorkOrderQualityTable(
        selectors.work_order_quality_list(partner=partner, user=user, product_code=product_code),
        caption=_("Inspections per work order"),
        prefix="wo-",
    )
    RequestConfig(request, paginate=False).configure(summary)
    for table in (capability, ncrs, work_orders):
        RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    context = {
        "partner": partner,
        "product": product,
        "summary_released": DataSharingAgreement.Release.QUALITY_SUMMARY in releases,
        "raw": raw,
        "summary": summary,
        "capability": capability,
        "ncrs": ncrs,
        "ncr_counts": selectors.ncr_counts(partner=partner, user=user, product_code=product_code),
        "work_orders": work_orders,
    }
    return render(request, "quality/hub/partner.html", context)


def characteristic_values(request, slug, characteristic_id):
    partner = selectors.partner_get(slug=slug)
    raw = selectors.raw_values(
        partner=partner, user=request.user, characteristic_id=characteristic_id, request=request
    )
    published = (
        selectors.capability_list(partner=partner)
        .filter(characteristic_id=characteristic_id)
        .first()
    )
    name = (
        published.name
        if published
        else raw.values[0]["name"]
        if raw.values
        else _("Characteristic %(id)s") % {"id": characteristic_id}
    )
    table = None
    if raw.allowed:
        table = RawValueTable(raw.values, caption=_("Measured values of %(name)s") % {"name": name})
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "partner": partner,
        "name": name,
        "published": published,
        "raw": raw,
        "table": table,
        "limit": selectors.RAW_VALUES_LIMIT,
    }
    return render(request, "quality/hub/characteristic.html", context)


# --- use as is -----------------------------------------------------------------------


def use_as_is_list(request):
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = UseAsIsRequest.Status.PENDING  # the queue: pending first
    filterset = UseAsIsFilter(data, queryset=selectors.use_as_is_list(user=request.user))
    context = {
        "filter": filterset,
        "can_decide": request.membership.role in DECIDERS,
    }
    if not filterset.is_valid():
        context.update(table=None, filter_errors=_filter_errors(filterset))
        return render(request, "quality/hub/use_as_is_list.html", context, status=400)
    table = UseAsIsTable(filterset.qs, caption=_("Use-as-is requests"), now=timezone.now())
    if data.get("status") == UseAsIsRequest.Status.PENDING and not _filtering(
        request, ("partner", "q")
    ):
        table.empty_text = _(
            "No request is waiting. When a partner dispositions an NCR “use as is”, "
            "the request appears here for a quality engineer to decide."
        )
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    context["table"] = table
    return render(request, "quality/hub/use_as_is_list.html", context)


def use_as_is_detail(request, use_as_is_pk):
    use_as_is = selectors.use_as_is_get(pk=use_as_is_pk, user=request.user)
    context = {
        "use_as_is": use_as_is,
        "defect_label": DEFECTS.get(use_as_is.defect_code),
        "can_decide": request.membership.role in DECIDERS,
    }
    return render(request, "quality/hub/use_as_is_detail.html", context)


@require_http_methods(["GET", "POST"])
def use_as_is_decide(request, use_as_is_pk):
    """GET: the decision form. POST: check it and ask for confirmation; POST with
    `confirm=yes`: decide (quality.services.use_as_is_decide)."""
    use_as_is = selectors.use_as_is_get(pk=use_as_is_pk, user=request.user)
    form = UseAsIsDecisionForm(request.POST if request.method == "POST" else None)
    context = {
        "use_as_is": use_as_is,
        "defect_label": DEFECTS.get(use_as_is.defect_code),
        "form": form,
    }
    template = "quality/hub/use_as_is_decide.html"
    if request.method == "GET":
        return render(request, template, context)
    if use_as_is.status != UseAsIsRequest.Status.PENDING:
        form.is_valid()
        form.add_error(
            None,
            _("This request was already %(status)s; it cannot be decided again.")
            % {"status": use_as_is.get_status_display().lower()},
        )
        return render(request, template, context, status=400)
    if not form.is_valid():
        return render(request, template, context, status=400)
    if request.POST.get("confirm") != "yes":
        return render(request, "quality/hub/use_as_is_confirm.html", context)
    try:
        services.use_as_is_decide(
            use_as_is=use_as_is,
            approve=form.approve,
            note=form.cleaned_data["note"],
            actor=request.user,
            request=request,
        )
    except ValidationError as exc:
        form_add_service_error(form, exc)
        return render(request, template, context, status=400)
    if form.approve:
        messages.success(
            request,
            _("%(ncr)s of %(partner)s may be used as is; the partner's NCR is dispositioned.")
            % {"ncr": use_as_is.ncr_number, "partner": use_as_is.partner},
        )
    else:
        messages.success(
            request,
            _("%(ncr)s of %(partner)s rejected; the partner's NCR is open again.")
            % {"ncr": use_as_is.ncr_number, "partner": use_as_is.partner},
        )
    return redirect("network_quality:use_as_is")


# --- issued documents ------------------------------------------------------------------


def document_list(request):
    filterset = IssuedDocumentFilter(
        request.GET or None, queryset=selectors.issued_document_list(user=request.user)
    )
    context = {"filter": filterset}
    if filterset.is_bound and not filterset.is_valid():
        context.update(table=None, filter_errors=_filter_errors(filterset))
        return render(request, "quality/hub/documents.html", context, status=400)
    table = IssuedDocumentTable(filterset.qs, caption=_("Issued documents"))
    if not _filtering(request, filterset.filters):
        table.empty_text = _(
            "No document issued yet. Certificates of conformance that partners issue "
            "are registered here, so that a copy can be checked."
        )
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    context["table"] = table
    return render(request, "quality/hub/documents.html", context)


@require_http_methods(["GET", "POST"])
def document_verify(request):
    posted = request.method == "POST"
    form = DocumentVerifyForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "quality/hub/document_verify.html", {"form": form}, status=400)
        result = selectors.issued_document_verify(
            user=request.user,
            number=form.cleaned_data["number"],
            content_sha256=form.cleaned_data["content_sha256"],
            pdf_sha256=form.pdf_sha256,
        )
    return render(
        request,
        "quality/hub/document_verify.html",
        {"form": form, "result": result, "pdf_sha256": form.pdf_sha256},
    )
