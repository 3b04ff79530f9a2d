"""A work order's compliance documents on the partner host: the quality dossier
and first article report (rendered in the background, with a page that shows
the progress and then the download), and each shipment's certificate of
conformance (issued in the request, one page).

Who may do what (urls_documents): every member of the partner requests, follows
and downloads documents; issuing a certificate needs the quality role or partner
admin. Everything is looked up under the work order named in the URL, in this
partner's schema: another work order's rendering or shipment is not found.
"""

from __future__ import annotations

import logging

import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.partner import selectors as work_order_selectors
from orders.partner.models import Shipment
from portal.forms import form_run_service
from portal.tables import RequestConfig
from portal.uploads import download_response

from ..certificates import UNRESOLVED, certificate_issue
from ..models import Certificate, DocumentRender, FirstArticle, NonConformance
from . import services

logger = logging.getLogger(__name__)

ALL_ROLES = ("operator", "quality", "partner_admin")
QUALITY_ROLES = ("quality", "partner_admin")
PAGE_SIZE = 20

# --- forms and table ------------------------------------------------------------------


class DocumentRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=DocumentRender.Kind.choices)


class CertificateForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Signatory's title"),
        max_length=100,
        help_text=gettext_lazy("Printed under your name on the certificate, e.g. Quality manager."),
    )


class RenderTable(tables.Table):
    kind = tables.Column(verbose_name=gettext_lazy("Document"))
    requested_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Requested"), format="SHORT_DATETIME_FORMAT"
    )
    requested_by_label = tables.Column(verbose_name=gettext_lazy("By"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    pages = tables.Column(verbose_name=gettext_lazy("Pages"), default="—")
    actions = tables.Column(
        verbose_name=gettext_lazy("File"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta:
        model = DocumentRender
        fields = ["kind", "requested_at", "requested_by_label", "status", "pages", "actions"]
        order_by = "-requested_at"
        empty_text = gettext_lazy("No document has been requested for this work order yet.")

    def render_kind(self, record):
        return format_html(
            '<a href="{}">{} #{}</a>',
            _render_url("render", record),
            record.get_kind_display(),
            record.pk,
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-plan-{}">{}</span>{}',
            record.status,
            record.get_status_display(),
            f" {record.progress} %" if record.status == DocumentRender.Status.RUNNING else "",
        )

    def render_actions(self, record):
        if record.status == DocumentRender.Status.DONE:
            return format_html(
                '<a href="{}" download>{}<span class="sr-only"> {}</span></a>',
                _render_url("render_download", record),
                _("Download PDF"),
                f"{record.get_kind_display()} #{record.pk}",
            )
        return "—"


def _render_url(name: str, render_row: DocumentRender) -> str:
    return reverse(f"quality_documents:{name}", args=[render_row.work_order.number, render_row.pk])


# --- lookups under the work order of the URL -------------------------------------------


def _render_get(work_order, render_pk: int) -> DocumentRender:
    return get_object_or_404(
        DocumentRender.objects.select_related("work_order"), pk=render_pk, work_order=work_order
    )


def _shipment_get(work_order, shipment_pk: int) -> Shipment:
    return get_object_or_404(
        Shipment.objects.select_related("work_order", "certificate"),
        pk=shipment_pk,
        work_order=work_order,
    )


def _open(field):
    """The stored file, or 404 if storage lost it (logged by nothing else)."""
    try:
        return field.open("rb")
    except OSError as exc:
        logger.error("Stored PDF %s cannot be opened: %s", field.name, exc)
        raise Http404 from exc


# --- the work order's documents ----------------------------------------------------------


def _documents_page(request, work_order, *, form=None, status=200):
    renders = DocumentRender.objects.filter(work_order=work_order).select_related("work_order")
    table = RenderTable(renders)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    context = {
        "work_order": work_order,
        "fai": FirstArticle.objects.filter(work_order=work_order).first(),
        "table": table,
        "form": form,
        "shipments": Shipment.objects.filter(work_order=work_order)
        .select_related("certificate")
        .order_by("-shipped_at"),
        "can_issue": request.membership.role in QUALITY_ROLES,
    }
    return render(request, "quality/documents/work_order.html", context, status=status)


@require_GET
def work_order_documents(request, number):
    return _documents_page(request, work_order_selectors.work_order_get(number=number))


@require_POST
def document_request(request, number):
    work_order = work_order_selectors.work_order_get(number=number)
    form = DocumentRequestForm(request.POST)
    requested = []
    if form_run_service(
        form,
        lambda d: requested.append(
            services.document_render_request(
                kind=d["kind"], work_order=work_order, user=request.user
            )
        ),
    ):
        row = requested[0]
        messages.success(
            request,
            _("%(document)s requested: it is being prepared.")
            % {"document": row.get_kind_display()},
        )
        return redirect("quality_documents:render", number=number, render_pk=row.pk)
    return _documents_page(request, work_order, form=form, status=400)


def _status(row: DocumentRender) -> dict:
    stalled = services.is_stalled(row)
    finished = row.status in (DocumentRender.Status.DONE, DocumentRender.Status.FAILED)
    return {
        "status": row.status,
        "status_label": row.get_status_display(),
        "finished": finished or stalled,
        "stalled": stalled,
        "progress": row.progress,
        "stage": row.stage,
        "stage_label": services.stage_label(row),
        "error": row.error,
        "pages": row.pages,
        "download_url": _render_url("render_download", row)
        if row.status == DocumentRender.Status.DONE
        else None,
    }


@require_GET
def render_detail(request, number, render_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    row = _render_get(work_order, render_pk)
    return render(
        request,
        "quality/documents/render.html",
        {"work_order": work_order, "render": row, "progress": _status(row)},
    )


@require_GET
def render_status(request, number, render_pk):
    """Polled by the rendering's page while it waits."""
    work_order = work_order_selectors.work_order_get(number=number)
    response = JsonResponse(_status(_render_get(work_order, render_pk)))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def render_download(request, number, render_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    row = _render_get(work_order, render_pk)
    if row.status != DocumentRender.Status.DONE or not row.pdf:
        return redirect("quality_documents:render", number=number, render_pk=row.pk)
    filename = services.download_name(row)
    handle = _open(row.pdf)
    services.document_downloaded(
        partner=request.tenant, render=row, user=request.user, request=request
    )
    return download_response(handle, filename=filename, content_type="application/pdf")


# --- certificates of conformance ---------------------------------------------------------


def _certificate_page(request, work_order, shipment, *, form=None, status=200):
    certificate = getattr(shipment, "certificate", None)
    can_issue = request.membership.role in QUALITY_ROLES
    context = {
        "work_order": work_order,
        "shipment": shipment,
        "certificate": certificate,
        "can_issue": can_issue,
        "unresolved": list(
            NonConformance.objects.filter(work_order=work_order, status__in=UNRESOLVED)
            .order_by("number")
            .values_list("number", flat=True)
        ),
        "form": form or (CertificateForm() if can_issue and certificate is None else None),
    }
    return render(request, "quality/documents/certificate.html", context, status=status)


@require_http_methods(["GET", "POST"])
def certificate(request, number, shipment_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    shipment = _shipment_get(work_order, shipment_pk)
    if request.method == "GET":
        return _certificate_page(request, work_order, shipment)
    form = CertificateForm(request.POST)
    if form_run_service(
        form,
        lambda d: certificate_issue(
            partner=request.tenant,
            shipment=shipment,
            user=request.user,
            title=d["title"],
            request=request,
        ),
    ):
        issued = Certificate.objects.get(shipment=shipment)
        messages.success(request, _("Certificate %(number)s issued.") % {"number": issued.number})
        return redirect("quality_documents:certificate", number=number, shipment_pk=shipment.pk)
    return _certificate_page(request, work_order, shipment, form=form, status=400)


@require_GET
def certificate_download(request, number, shipment_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    shipment = _shipment_get(work_order, shipment_pk)
    issued = getattr(shipment, "certificate", None)
    if issued is None:
        return redirect("quality_documents:certificate", number=number, shipment_pk=shipment.pk)
    handle = _open(issued.pdf)
    services.certificate_downloaded(
        partner=request.tenant, certificate=issued, user=request.user, request=request
    )
    return download_response(
        handle, filename=f"{issued.number}.pdf", content_type="application/pdf"
    )
