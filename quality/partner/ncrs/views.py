"""A partner's NCR pages: the list, raising an NCR on a work order (prefilled
from an out-of-tolerance measurement) with photos and documents, its page with
disposition, files and the 8D CAPA, each 8D step, and closing it.

Who may do what (urls.py): every member reads, raises NCRs and attaches files;
disposition, CAPA and closing need the quality role or partner admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from orders.partner import selectors as work_order_selectors
from portal.forms import form_run_service
from portal.tables import RequestConfig
from portal.uploads import download_response

from .. import roles
from ..display import plain
from ..models import Measurement, NonConformance
from . import selectors, services
from .filters import NcrFilter
from .forms import (
    MAX_FILES,
    AttachmentForm,
    CapaOpenForm,
    CapaStepForm,
    DispositionForm,
    NcrRaiseForm,
)
from .tables import NcrTable

PAGE_SIZE = 25


def ncr_list(request):
    filterset = NcrFilter(request.GET or None, queryset=selectors.ncr_list())
    table = NcrTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, "quality/partner/ncrs.html", {"filter": filterset, "table": table})


def _ncr_prefill(measurement: Measurement | None) -> dict:
    if measurement is None:
        return {"quantity": 1}
    record = measurement.record
    if measurement.kind == Measurement.Kind.VARIABLE:
        found = _(
            "%(name)s measured %(value)s %(unit)s; limits %(lower)s to %(upper)s %(unit)s."
        ) % {
            "name": measurement.name,
            "value": plain(measurement.value),
            "unit": measurement.unit,
            "lower": plain(measurement.lower_limit),
            "upper": plain(measurement.upper_limit),
        }
        defect = NonConformance.DefectCode.DIMENSIONAL
    else:
        found = _("%(name)s failed.") % {"name": measurement.name}
        defect = ""
    where = _("Operation %(seq)s, sample %(sample)s, piece %(piece)s") % {
        "seq": record.operation.sequence,
        "sample": record.sample,
        "piece": record.piece,
    }
    if record.serial:
        where += _(", serial %(serial)s") % {"serial": record.serial}
    return {
        "defect_code": defect,
        "quantity": 1,
        "operation": record.operation_id,
        "measurement": measurement.pk,
        "description": f"{found} {where}.",
    }


@require_http_methods(["GET", "POST"])
def ncr_raise(request, number):
    work_order = work_order_selectors.work_order_get(number=number)
    measurement = None
    if request.method == "GET" and request.GET.get("measurement"):
        measurement = selectors.measurement_for_ncr(
            work_order=work_order, pk=request.GET["measurement"]
        )
    form = NcrRaiseForm(
        request.POST or None,
        request.FILES or None,
        work_order=work_order,
        initial=_ncr_prefill(measurement),
    )
    if request.method == "POST":
        result = {}
        if form_run_service(
            form,
            lambda d: result.setdefault(
                "ncr",
                services.ncr_raise_with_attachments(
                    partner=request.tenant,
                    work_order=work_order,
                    user=request.user,
                    defect_code=d["defect_code"],
                    quantity=d["quantity"],
                    description=d["description"],
                    lot=d["lot"],
                    containment=d["containment"],
                    operation=d["operation"],
                    measurement=d["measurement"],
                    files=d["files"],
                    request=request,
                ),
            ),
        ):
            ncr = result["ncr"]
            messages.success(
                request,
                ngettext(
                    "%(ncr)s raised with %(count)s file.",
                    "%(ncr)s raised with %(count)s files.",
                    len(form.cleaned_data["files"]),
                )
                % {"ncr": ncr, "count": len(form.cleaned_data["files"])},
            )
            return redirect("quality:ncr", ncr_number=ncr.number)
        measurement = form.cleaned_data.get("measurement")
    return render(
        request,
        "quality/partner/ncr_raise.html",
        {
            "work_order": work_order,
            "form": form,
            "measurement": measurement,
            "max_files": MAX_FILES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _ncr_detail(request, ncr, *, status=200, **forms):
    capa = selectors.capa_for(ncr)
    steps = list(capa.steps.all()) if capa else []
    next_step = next((s for s in steps if s.completed_at is None), None)
    is_quality = roles.is_quality(request)
    shown = {
        "disposition_form": is_quality and ncr.status == NonConformance.Status.OPEN,
        "attachment_form": ncr.is_open,
        "capa_form": is_quality and capa is None and ncr.is_open,
    }
    # A refusal of a form whose section is not on the page (the NCR moved on)
    # shows above the facts; the others show in their own form.
    refusals = [
        error
        for name, form in forms.items()
        if not shown.get(name, True)
        for error in form.non_field_errors()
    ]
    return render(
        request,
        "quality/partner/ncr.html",
        {
            "refusals": refusals,
            "ncr": ncr,
            "capa": capa,
            "steps": steps,
            "next_step": next_step,
            "attachments": list(ncr.attachments.all()),
            "is_quality": is_quality,
            "can_disposition": shown["disposition_form"],
            "can_open_capa": shown["capa_form"],
            "can_close": is_quality and ncr.status == NonConformance.Status.DISPOSITIONED,
            "can_attach": shown["attachment_form"],
            "disposition_form": forms.get("disposition_form") or DispositionForm(),
            "attachment_form": forms.get("attachment_form") or AttachmentForm(),
            "capa_form": forms.get("capa_form") or CapaOpenForm(),
            "max_files": MAX_FILES,
        },
        status=status,
    )


def ncr_detail(request, ncr_number):
    return _ncr_detail(request, selectors.ncr_get(number=ncr_number))


@require_POST
def ncr_disposition(request, ncr_number):
    ncr = selectors.ncr_get(number=ncr_number)
    form = DispositionForm(request.POST)
    if form_run_service(
        form,
        lambda d: services.ncr_disposition_set(
            partner=request.tenant,
            ncr=ncr,
            disposition=d["disposition"],
            note=d["note"],
            justification=d["justification"],
            user=request.user,
        ),
    ):
        if form.cleaned_data["disposition"] == NonConformance.Disposition.USE_AS_IS:
            messages.info(
                request,
                _("%(ncr)s: use as is requested. It waits for the hub's approval.") % {"ncr": ncr},
            )
        else:
            messages.success(request, _("%(ncr)s dispositioned.") % {"ncr": ncr})
        return redirect("quality:ncr", ncr_number=ncr.number)
    return _ncr_detail(request, ncr, status=400, disposition_form=form)


@require_POST
def ncr_attach(request, ncr_number):
    ncr = selectors.ncr_get(number=ncr_number)
    form = AttachmentForm(request.POST, request.FILES)
    if form_run_service(
        form,
        lambda d: services.attachments_add(
            partner=request.tenant, ncr=ncr, files=d["files"], user=request.user, request=request
        ),
    ):
        count = len(form.cleaned_data["files"])
        messages.success(
            request,
            ngettext("%(count)s file attached.", "%(count)s files attached.", count)
            % {"count": count},
        )
        return redirect("quality:ncr", ncr_number=ncr.number)
    return _ncr_detail(request, ncr, status=400, attachment_form=form)


def attachment_download(request, ncr_number, attachment_pk):
    attachment = selectors.attachment_get(pk=attachment_pk)
    if attachment.ncr.number != ncr_number:
        raise Http404
    services.attachment_downloaded(
        partner=request.tenant, attachment=attachment, user=request.user, request=request
    )
    return download_response(
        attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@require_POST
def capa_open(request, ncr_number):
    ncr = selectors.ncr_get(number=ncr_number)
    form = CapaOpenForm(request.POST)
    if form_run_service(
        form,
        lambda d: services.capa_open(
            ncr=ncr, user=request.user, owners=form.owners(), due_dates=form.due_dates()
        ),
    ):
        messages.success(request, _("CAPA opened for %(ncr)s.") % {"ncr": ncr})
        return redirect("quality:ncr", ncr_number=ncr.number)
    return _ncr_detail(request, ncr, status=400, capa_form=form)


@require_http_methods(["GET", "POST"])
def capa_step(request, ncr_number, step):
    ncr = selectors.ncr_get(number=ncr_number)
    capa_step = selectors.capa_step_get(ncr=ncr, step=step)
    form = CapaStepForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form_run_service(
        form,
        lambda d: services.capa_step_complete_with_evidence(
            partner=request.tenant,
            step=capa_step,
            notes=d["notes"],
            files=d["files"],
            user=request.user,
            request=request,
        ),
    ):
        messages.success(request, _("%(step)s completed.") % {"step": capa_step.get_step_display()})
        return redirect("quality:ncr", ncr_number=ncr.number)
    earlier = selectors.capa_steps_open_before(capa_step)
    return render(
        request,
        "quality/partner/capa_step.html",
        {
            "ncr": ncr,
            "step": capa_step,
            "form": form,
            "earlier": list(earlier),
            "evidence": capa_step.attachments.all(),
            "max_files": MAX_FILES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def ncr_close(request, ncr_number):
    ncr = selectors.ncr_get(number=ncr_number)
    error = None
    if request.method == "POST":
        try:
            services.ncr_close(partner=request.tenant, ncr=ncr, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(ncr)s closed.") % {"ncr": ncr})
            return redirect("quality:ncr", ncr_number=ncr.number)
    return render(
        request,
        "quality/partner/ncr_close.html",
        {"ncr": ncr, "error": error, "capa": selectors.capa_for(ncr)},
        status=400 if error else 200,
    )
