"""A partner's inspection pages: the records and one record, inspecting a piece
of a work order by hand (one row per characteristic of the chosen operation),
importing a CMM's CSV export with a preview, the characteristics measured here
and each one's control chart. Every member may use them (urls.py); everything
here reads and writes this partner's own schema."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from orders.partner import selectors as work_order_selectors
from portal import csv_reading
from portal.forms import form_run_service
from portal.tables import RequestConfig
from quality.publish import capabilities_of
from quality.spc import CPK_TARGET, RECOMMENDED_SUBGROUPS, Status
from quality.spc_charts import chart_summary, control_chart_svg

from ..models import InspectionRecord
from . import csv_import, selectors, services
from .filters import InspectionFilter
from .forms import (
    CsvUploadForm,
    InspectionForm,
)
from .tables import InspectionTable, MeasuredCharacteristicTable

PAGE_SIZE = 25


def _inspectable(work_order) -> bool:
    return work_order.status in services.INSPECTABLE


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
    measurements = selectors.record_measurements(record)
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
                    or selectors.next_sample(operation=operation),
                    "piece": _positive(request.GET.get("piece")) or 1,
                    "instrument": selectors.last_instrument(operation=operation),
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


# --- SPC -------------------------------------------------------------------------------


def characteristic_list(request):
    table = MeasuredCharacteristicTable(selectors.measured_characteristics())
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    table.capabilities = capabilities_of(
        row.record["characteristic_id"] for row in table.page.object_list
    )
    return render(
        request, "quality/partner/characteristics.html", {"table": table, "target": CPK_TARGET}
    )


def spc(request, characteristic_pk):
    characteristic = selectors.characteristic_get(characteristic_id=characteristic_pk)
    if characteristic.kind != characteristic.Kind.VARIABLE:
        result = None
    else:
        result = capabilities_of([characteristic.pk])[characteristic.pk]
    revision = characteristic.operation.revision
    violations = []
    if result is not None and result.location is not None:
        points = result.location.points
        numbers = selectors.work_order_numbers(key[0] for key in (p.subgroup for p in points))
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
            "work_order_number": selectors.work_order_number_or_blank(
                request.GET.get("work_order")
            ),
        },
    )
