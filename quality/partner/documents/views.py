"""A work order's compliance documents on the partner host: the quality dossier
and first article report (rendered in the background, with a page that shows
the progress and then the download), and each shipment's certificate of
conformance (issued in the request, one page).

Who may do what (urls.py): every member of the partner requests, follows
and downloads documents; issuing a certificate needs the quality role or partner
admin. Everything is looked up under the work order named in the URL
(selectors.py).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.partner import selectors as work_order_selectors
from portal.forms import form_run_service
from portal.tables import RequestConfig
from portal.uploads import download_response

from ..first_article import selectors as first_article_selectors
from ..models import DocumentRender
from ..roles import QUALITY_ROLES
from . import selectors, services
from .forms import CertificateForm, DocumentRequestForm
from .tables import RenderTable, render_url

logger = logging.getLogger(__name__)

PAGE_SIZE = 20


def _open(field):
    """The stored file, or 404 if storage lost it (logged by nothing else)."""
    try:
        return field.open("rb")
    except OSError as exc:
        logger.error("Stored PDF %s cannot be opened: %s", field.name, exc)
        raise Http404 from exc


# --- the work order's documents ----------------------------------------------------------


def _documents_page(request, work_order, *, form=None, status=200):
    table = RenderTable(selectors.renders_of(work_order))
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    context = {
        "work_order": work_order,
        "fai": first_article_selectors.first_article_of(work_order),
        "table": table,
        "form": form,
        "shipments": selectors.shipments_of(work_order),
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
        "download_url": render_url("render_download", row)
        if row.status == DocumentRender.Status.DONE
        else None,
    }


@require_GET
def render_detail(request, number, render_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    row = selectors.render_get(work_order=work_order, pk=render_pk)
    return render(
        request,
        "quality/documents/render.html",
        {"work_order": work_order, "render": row, "progress": _status(row)},
    )


@require_GET
def render_status(request, number, render_pk):
    """Polled by the rendering's page while it waits."""
    work_order = work_order_selectors.work_order_get(number=number)
    response = JsonResponse(_status(selectors.render_get(work_order=work_order, pk=render_pk)))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def render_download(request, number, render_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    row = selectors.render_get(work_order=work_order, pk=render_pk)
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
        "unresolved": selectors.unresolved_ncr_numbers(work_order),
        "form": form or (CertificateForm() if can_issue and certificate is None else None),
    }
    return render(request, "quality/documents/certificate.html", context, status=status)


@require_http_methods(["GET", "POST"])
def certificate(request, number, shipment_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    shipment = selectors.shipment_get(work_order=work_order, pk=shipment_pk)
    if request.method == "GET":
        return _certificate_page(request, work_order, shipment)
    form = CertificateForm(request.POST)
    if form_run_service(
        form,
        lambda d: services.certificate_issue(
            partner=request.tenant,
            shipment=shipment,
            user=request.user,
            title=d["title"],
            request=request,
        ),
    ):
        issued = selectors.certificate_of(shipment)
        messages.success(request, _("Certificate %(number)s issued.") % {"number": issued.number})
        return redirect("quality_documents:certificate", number=number, shipment_pk=shipment.pk)
    return _certificate_page(request, work_order, shipment, form=form, status=400)


@require_GET
def certificate_download(request, number, shipment_pk):
    work_order = work_order_selectors.work_order_get(number=number)
    shipment = selectors.shipment_get(work_order=work_order, pk=shipment_pk)
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
