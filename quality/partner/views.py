"""A partner's quality pages: inspections (by hand and from CSV), first article
inspection, SPC, NCRs with attachments and CAPA, and the hub's time-boxed access
to raw measurements. Everything here reads and writes this partner's own schema.

Who may do what (URL conf): every member reads, records inspections and raises
NCRs; disposition, CAPA and closing an NCR, and recording a first article
inspection, need the quality role or partner admin; granting the hub access to
raw measurements needs partner admin."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from orders.partner import selectors as work_order_selectors
from portal import csv_reading
from portal.forms import form_run_service
from portal.tables import RequestConfig
from portal.uploads import download_response
from quality.spc import CPK_TARGET, RECOMMENDED_SUBGROUPS, Status
from quality.spc_charts import chart_summary, control_chart_svg

from . import attachment_services, csv_import, reads, roles, selectors, services
from .filters import InspectionFilter, NcrFilter
from .forms import (
    MAX_FILES,
    AttachmentForm,
    CapaOpenForm,
    CapaStepForm,
    CsvUploadForm,
    DispositionForm,
    FirstArticleForm,
    InspectionForm,
    NcrRaiseForm,
)
from .models import FirstArticle, InspectionRecord, Measurement, NonConformance
from .tables import InspectionTable, MeasuredCharacteristicTable, NcrTable

PAGE_SIZE = 25


def _inspectable(work_order) -> bool:
    return work_order.status in services.INSPECTABLE


# --- landing ---------------------------------------------------------------------------


def home(request):
    open_ncrs = list(
        selectors.ncr_list()
        .exclude(status=NonConformance.Status.CLOSED)
        .order_by("-raised_at")[:10]
    )
    open_count = NonConformance.objects.exclude(status=NonConformance.Status.CLOSED).aggregate(
        total=Count("id"), waiting=Count("id", filter=Q(status="awaiting_approval"))
    )
    recent_bad = list(selectors.inspection_list().filter(conforming=False)[:10])
    return render(
        request,
        "quality/partner/home.html",
        {
            "open_ncrs": open_ncrs,
            "open_count": open_count,
            "recent_bad": recent_bad,
            "low_capability": reads.low_capability(),
            "cpk_target": CPK_TARGET,
            "scan": reads.LOW_CAPABILITY_SCAN,
            "is_admin": request.membership.role in roles.ADMIN_ROLES,
        },
    )


# --- inspections -----------------------------------------------------------------------


def inspection_list(request):
    filterset = InspectionFilter(request.GET or None, queryset=selectors.inspection_list())
    table = InspectionTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request, "quality/partner/inspections.html", {"filter": filterset, "table": table}
    )


def inspection_detail(request, record_pk):
    record = selectors.inspection_get(pk=record_pk)
    measurements = reads.record_measurements(record)
    return render(
        request,
        "quality/partner/inspection.html",
        {
            "record": record,
            "work_order": record.work_order,
            "measurements": measurements,
            "out_of_tolerance": [m for m in measurements if not m.conforming],
            "can_record": _inspectable(record.work_order)
            and record.source != InspectionRecord.Source.FIRST_ARTICLE,
        },
    )


def _chosen(operations, value):
    for operation in operations:
        if str(operation.pk) == str(value):
            return operation
    return None


@require_http_methods(["GET", "POST"])
def inspect(request, number):
    """One piece, one row per characteristic of the chosen operation."""
    work_order = work_order_selectors.work_order_get(number=number)
    operations = selectors.inspected_operations(work_order=work_order)
    wanted = (
        request.POST.get("operation") if request.method == "POST" else request.GET.get("operation")
    )
    operation = _chosen(operations, wanted) if wanted else (operations[0] if operations else None)
    if wanted and operation is None:
        if request.method == "POST":
            messages.error(request, _("Choose one of the operations listed."))
            return _inspect_render(request, work_order, operations, None, None, status=400)
        raise Http404
    form = None
    if operation is not None:
        characteristics = selectors.characteristics_for(
            work_order=work_order, sequence=operation.sequence
        )
        if request.method == "POST":
            form = InspectionForm(request.POST, characteristics=characteristics)
        else:
            form = InspectionForm(
                characteristics=characteristics,
                initial={
                    "sample": _positive(request.GET.get("sample"))
                    or reads.next_sample(operation=operation),
                    "piece": _positive(request.GET.get("piece")) or 1,
                    "instrument": reads.last_instrument(operation=operation),
                    "serial": "",
                },
            )
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This work order has no characteristics to inspect."))
            return _inspect_render(request, work_order, operations, None, None, status=400)
        result = {}
        if form_run_service(
            form,
            lambda d: result.setdefault(
                "record",
                services.inspection_record(
                    partner=request.tenant,
                    work_order=work_order,
                    operation=operation,
                    sample=d["sample"],
                    piece=d["piece"],
                    serial=d["serial"],
                    instrument=d["instrument"],
                    inspected_at=d["inspected_at"],
                    readings=form.readings(),
                    user=request.user,
                ),
            ),
        ):
            record = result["record"]
            if record.conforming:
                messages.success(
                    request,
                    _("Inspection recorded: sample %(sample)s piece %(piece)s conforms.")
                    % {"sample": record.sample, "piece": record.piece},
                )
            else:
                bad = record.measurements.filter(conforming=False).count()
                messages.warning(
                    request,
                    ngettext(
                        "Inspection recorded: %(count)s characteristic is out of tolerance.",
                        "Inspection recorded: %(count)s characteristics are out of tolerance.",
                        bad,
                    )
                    % {"count": bad},
                )
            return redirect("quality:inspection", record_pk=record.pk)
        return _inspect_render(request, work_order, operations, operation, form, status=400)
    return _inspect_render(request, work_order, operations, operation, form)


def _positive(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2_147_483_647 else None


def _inspect_render(request, work_order, operations, operation, form, *, status=200):
    return render(
        request,
        "quality/partner/inspect.html",
        {
            "work_order": work_order,
            "operations": operations,
            "operation": operation,
            "form": form,
            "inspectable": _inspectable(work_order),
            "decimal_separator": get_format("DECIMAL_SEPARATOR"),
        },
        status=status,
    )


# --- CSV import ------------------------------------------------------------------------


def _session_key(work_order) -> str:
    return f"{csv_import.SESSION_KEY}:{work_order.number}"


def _import_render(request, work_order, *, form=None, preview=None, digest="", status=200):
    return render(
        request,
        "quality/partner/import.html",
        {
            "work_order": work_order,
            "form": form or CsvUploadForm(),
            "preview": preview,
            "digest": digest,
            "inspectable": _inspectable(work_order),
            "max_size": filesizeformat(csv_import.MAX_BYTES),
            "max_rows": csv_import.MAX_ROWS,
            "columns": csv_import.COLUMNS,
            "required_columns": csv_import.REQUIRED_COLUMNS,
            "characteristics": selectors.characteristics_for(work_order=work_order),
            "timezone": timezone.get_current_timezone_name(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def csv_upload(request, number):
    """Upload → preview with errors by line → "Import" writes every piece or none.
    Between the two steps the decoded text waits in the session; the confirmation
    parses it again against the database as it is then."""
    work_order = work_order_selectors.work_order_get(number=number)
    key = _session_key(work_order)
    if request.method == "GET":
        return _import_render(request, work_order)
    if "confirm" in request.POST:
        return _import_confirm(request, work_order, key)
    form = CsvUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        request.session.pop(key, None)
        return _import_render(request, work_order, form=form, status=400)
    upload = form.cleaned_data["file"]
    upload.seek(0)
    text, encoding, fallback = csv_reading.decode(upload.read())
    preview = csv_import.parse(
        text, work_order=work_order, encoding=encoding, fallback_encoding=fallback
    )
    digest = hashlib.sha256(text.encode()).hexdigest()
    if preview.ok:
        request.session[key] = {
            "text": text,
            "encoding": encoding,
            "fallback": fallback,
            "name": form.checked.name,
            "digest": digest,
        }
    else:
        request.session.pop(key, None)
    return _import_render(
        request,
        work_order,
        form=CsvUploadForm(),
        preview=preview,
        digest=digest,
        status=200 if preview.ok else 400,
    )


def _import_confirm(request, work_order, key):
    stored = request.session.get(key)
    if not stored or stored["digest"] != request.POST.get("digest"):
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("quality:import", number=work_order.number)
    preview = csv_import.parse(
        stored["text"],
        work_order=work_order,
        encoding=stored["encoding"],
        fallback_encoding=stored["fallback"],
    )
    if preview.ok:
        try:
            records = services.inspections_import(
                partner=request.tenant,
                work_order=work_order,
                pieces=preview.imported(),
                user=request.user,
            )
        except ValidationError as exc:
            preview.errors.extend(csv_reading.RowError(0, "", m) for m in exc.messages)
    if not preview.ok:
        request.session.pop(key, None)
        messages.error(request, _("Nothing was imported: the file has errors now."))
        return _import_render(request, work_order, preview=preview, status=400)
    request.session.pop(key, None)
    bad = sum(1 for r in records if not r.conforming)
    text = ngettext(
        "Imported %(count)s inspected piece from %(name)s.",
        "Imported %(count)s inspected pieces from %(name)s.",
        len(records),
    ) % {"count": len(records), "name": stored["name"]}
    if bad:
        text += " " + ngettext(
            "%(count)s piece is out of tolerance.", "%(count)s pieces are out of tolerance.", bad
        ) % {"count": bad}
        messages.warning(request, text)
        return redirect(
            f"{reverse('quality:inspections')}?work_order={work_order.number}&conforming=no"
        )
    messages.success(request, text)
    return redirect(f"{reverse('quality:inspections')}?work_order={work_order.number}")


# --- first article inspection ----------------------------------------------------------


def _first_article_render(request, work_order, *, form=None, status=200):
    fai = reads.first_article_of(work_order)
    characteristics = list(selectors.characteristics_for(work_order=work_order))
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
            "records": reads.first_article_records(fai),
            "needed": services.first_article_needed(work_order),
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
        request.POST, characteristics=selectors.characteristics_for(work_order=work_order)
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


# --- SPC -------------------------------------------------------------------------------


def characteristic_list(request):
    table = MeasuredCharacteristicTable(reads.measured_characteristics())
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    table.capabilities = reads.capabilities_of(
        row.record["characteristic_id"] for row in table.page.object_list
    )
    return render(
        request, "quality/partner/characteristics.html", {"table": table, "target": CPK_TARGET}
    )


def spc(request, characteristic_pk):
    characteristic = reads.characteristic_get(characteristic_id=characteristic_pk)
    if characteristic.kind != characteristic.Kind.VARIABLE:
        result = None
    else:
        result = reads.capabilities_of([characteristic.pk])[characteristic.pk]
    revision = characteristic.operation.revision
    violations = []
    if result is not None and result.location is not None:
        points = result.location.points
        numbers = reads.work_order_numbers(key[0] for key in (p.subgroup for p in points))
        for violation in result.violations:
            where = [points[i].subgroup for i in violation.indexes if i < len(points)]
            violations.append(
                {
                    "rule": _(violation.rule.description),
                    "points": [
                        _("%(wo)s sample %(sample)s") % {"wo": numbers.get(wo, "?"), "sample": s}
                        for wo, s in where
                    ],
                }
            )
    return render(
        request,
        "quality/partner/spc.html",
        {
            "characteristic": characteristic,
            "revision": revision,
            "result": result,
            "chart": control_chart_svg(
                result,
                title=_("Control chart of %(name)s") % {"name": characteristic.name},
                unit=characteristic.unit,
            )
            if result is not None
            else "",
            "summary": chart_summary(result)
            if result is not None and result.chart_type is not None
            else "",
            "message": _(result.message) if result is not None and result.message else "",
            "not_enough": result is None or result.status == Status.NOT_ENOUGH_DATA,
            "violations": violations,
            "target": CPK_TARGET,
            "recommended": RECOMMENDED_SUBGROUPS,
            "work_order_number": reads.work_order_number_or_blank(request.GET.get("work_order")),
        },
    )


# --- NCRs ------------------------------------------------------------------------------


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
            "value": reads.plain(measurement.value),
            "unit": measurement.unit,
            "lower": reads.plain(measurement.lower_limit),
            "upper": reads.plain(measurement.upper_limit),
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
        measurement = reads.measurement_for_ncr(
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
                attachment_services.ncr_raise_with_attachments(
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
        lambda d: attachment_services.attachments_add(
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
    capa_step = reads.capa_step_get(ncr=ncr, step=step)
    form = CapaStepForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form_run_service(
        form,
        lambda d: attachment_services.capa_step_complete_with_evidence(
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
    earlier = capa_step.capa.steps.filter(step__lt=capa_step.step, completed_at__isnull=True)
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
