"""What a work order's compliance documents say: plain dicts and lists built
from the partner's own records, for the PDF templates of the quality dossier,
the first article inspection report and the certificate of conformance.

Each builder reads with a fixed number of queries (select_related/prefetch),
whatever the number of inspection records, NCRs or attachments, and hands the
template nothing that can query the database. Free text that users typed
(descriptions, notes, serials, lots, instruments, file names) is passed as is:
the templates autoescape it and never mark it safe.

Hub data (routing requirements, BOM, certifications) is read from the public
schema, which every partner schema sees; no other partner's schema is touched.

A certificate's content is a JSON document (`certificate_content`); its SHA-256,
over a canonical encoding, is printed on the PDF and kept with the certificate
and in the hub's register of issued documents, together with the SHA-256 of the
PDF as issued. A copy can be checked against either: the printed hash names the
content, the file hash the exact document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Max, Min, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.hub.models.products import BomLine, Operation
from orders.partner.models import ProgressReport, Shipment, WorkOrder
from orders.partner.services import routing_percent
from tenants.models import Certification, Partner, Plant

from ..inspections import selectors
from ..models import (
    Attachment,
    CapaStep,
    FirstArticle,
    InspectionRecord,
    Measurement,
    NonConformance,
)

Progress = Callable[[int], None]


def _plain(value: Decimal | None) -> Decimal | None:
    """10.015000 → 10.015, 10.000000 → 10 (no exponent), for display."""
    if value is None:
        return None
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def _noop(_percent: int) -> None:
    return None


def _hub_operations(work_order: WorkOrder) -> dict[int, Operation]:
    """The routing as released on the hub (for its required certifications and
    capabilities), by sequence."""
    return {
        op.sequence: op
        for op in Operation.objects.filter(
            revision__product__code=work_order.product_code,
            revision__revision=work_order.revision,
        )
    }


def _header(partner: Partner, work_order: WorkOrder) -> dict:
    return {
        "number": work_order.number,
        "order_number": work_order.order_number,
        "plant": work_order.plant_code,
        "partner": partner.name,
        "partner_slug": partner.slug,
        "product_code": work_order.product_code,
        "product_name": work_order.product_name,
        "revision": work_order.revision,
        "quantity": work_order.quantity,
        "status": work_order.get_status_display(),
        "due_date": work_order.due_date,
        "promised_date": work_order.promised_date,
        "dispatched_at": work_order.dispatched_at,
        "answered_at": work_order.answered_at,
        "shipped_quantity": work_order.shipped_quantity,
    }


def _work_order(work_order: WorkOrder) -> WorkOrder:
    """The work order again, with its operations in sequence (one more query)."""
    return WorkOrder.objects.prefetch_related("operations").get(pk=work_order.pk)


# --- the quality dossier -----------------------------------------------------------------


def dossier_context(
    work_order: WorkOrder, *, partner: Partner, on_progress: Progress = _noop
) -> dict:
    """Everything recorded on one work order, for `pdf/dossier.html`: routing and
    progress, shipments and their certificates, the first article inspection,
    every inspection result, NCRs with disposition and CAPA, and the files
    attached to them (listed, not embedded). `on_progress(percent)` is called
    between the parts, from 10 to 35."""
    work_order = _work_order(work_order)
    operations = sorted(work_order.operations.all(), key=lambda op: op.sequence)
    hub_operations = _hub_operations(work_order)
    routing = []
    for op in operations:
        released = hub_operations.get(op.sequence)
        routing.append(
            {
                "sequence": op.sequence,
                "name": op.name,
                "work_centre_type": op.work_centre_type,
                "required_certification": released.get_required_certification_display()
                if released
                else "",
                "required_capability": released.required_capability if released else "",
                "good": op.good_quantity,
                "scrap": op.scrap_quantity,
            }
        )
    reports = [
        {
            "operation": f"{r.operation.sequence} {r.operation.name}",
            "good": r.good_quantity,
            "scrap": r.scrap_quantity,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
            "reported_by": r.reported_by_label,
            "reported_at": r.reported_at,
        }
        # Operator notes stay out: they are private unless shared, and not quality records.
        for r in ProgressReport.objects.filter(operation__work_order=work_order)
        .select_related("operation")
        .order_by("reported_at", "id")
    ]
    shipments = [
        {
            "shipped_at": s.shipped_at,
            "quantity": s.quantity,
            "lots": s.lots,
            "carrier": s.carrier,
            "tracking_number": s.tracking_number,
            "certificate": getattr(s, "certificate", None) and s.certificate.number,
        }
        for s in Shipment.objects.filter(work_order=work_order)
        .select_related("certificate")
        .order_by("shipped_at", "id")
    ]
    on_progress(15)
    fai = FirstArticle.objects.filter(work_order=work_order).first()
    characteristics = _characteristic_summary(work_order)
    inspections = _inspection_sections(work_order)
    on_progress(25)
    ncrs = _ncrs(work_order)
    on_progress(35)
    attachments = [a for ncr in ncrs for a in ncr["attachments"]]
    pieces = sum(len(section["pieces"]) for section in inspections)
    measurements = sum(len(p["measurements"]) for s in inspections for p in s["pieces"])
    return {
        "work_order": _header(partner, work_order),
        "percent_complete": routing_percent(operations, work_order.quantity),
        "routing": routing,
        "reports": reports,
        "shipments": shipments,
        "first_article": _first_article_summary(fai, work_order),
        "characteristics": characteristics,
        "inspections": inspections,
        "ncrs": ncrs,
        "attachments": attachments,
        "totals": {
            "pieces": pieces,
            "measurements": measurements,
            "nonconforming_pieces": sum(
                1 for s in inspections for p in s["pieces"] if not p["conforming"]
            ),
            "ncrs": len(ncrs),
            "open_ncrs": sum(1 for n in ncrs if n["is_open"]),
            "attachments": len(attachments),
        },
        "nothing_recorded": not (reports or shipments or fai or pieces or ncrs),
    }


def _first_article_summary(fai: FirstArticle | None, work_order: WorkOrder) -> dict | None:
    if fai is None:
        return None
    return {
        "status": fai.get_status_display(),
        "passed": fai.status == FirstArticle.Status.PASSED,
        "serial": fai.serial,
        "inspector": fai.inspector_label,
        "opened_at": fai.opened_at,
        "completed_at": fai.completed_at,
        "report_number": first_article_number(work_order),
    }


def _characteristic_summary(work_order: WorkOrder) -> list[dict]:
    """Per characteristic inspected on the work order: its requirement, pieces,
    lowest and highest value and pieces out of tolerance (one query)."""
    rows = (
        Measurement.objects.filter(record__work_order=work_order)
        .values(
            "characteristic_id",
            "name",
            "kind",
            "nominal",
            "lower_limit",
            "upper_limit",
            "unit",
            "record__operation__sequence",
        )
        .annotate(
            pieces=Count("id"),
            nonconforming=Count("id", filter=Q(conforming=False)),
            lowest=Min("value"),
            highest=Max("value"),
        )
        .order_by("record__operation__sequence", "characteristic_id")
    )
    return [
        {
            "sequence": row["record__operation__sequence"],
            "name": row["name"],
            "attribute": row["kind"] == Measurement.Kind.ATTRIBUTE,
            "nominal": _plain(row["nominal"]),
            "lower_limit": _plain(row["lower_limit"]),
            "upper_limit": _plain(row["upper_limit"]),
            "unit": row["unit"],
            "pieces": row["pieces"],
            "nonconforming": row["nonconforming"],
            "lowest": _plain(row["lowest"]),
            "highest": _plain(row["highest"]),
        }
        for row in rows
    ]


def _measurement(m: Measurement) -> dict:
    return {
        "name": m.name,
        "attribute": m.kind == Measurement.Kind.ATTRIBUTE,
        "value": _plain(m.value),
        "passed": m.passed,
        "unit": m.unit,
        "nominal": _plain(m.nominal),
        "lower_limit": _plain(m.lower_limit),
        "upper_limit": _plain(m.upper_limit),
        "conforming": m.conforming,
    }


def _inspection_sections(work_order: WorkOrder) -> list[dict]:
    """Every inspected piece with every result, grouped by operation (two queries)."""
    records = (
        InspectionRecord.objects.filter(work_order=work_order)
        .select_related("operation")
        .prefetch_related(Prefetch("measurements", queryset=Measurement.objects.order_by("id")))
        .order_by("operation__sequence", "inspected_at", "sample", "piece", "id")
    )
    sections: dict[int, dict] = {}
    for record in records:
        section = sections.setdefault(
            record.operation.sequence,
            {"sequence": record.operation.sequence, "name": record.operation.name, "pieces": []},
        )
        section["pieces"].append(
            {
                "sample": record.sample,
                "piece": record.piece,
                "serial": record.serial,
                "instrument": record.instrument,
                "inspected_at": record.inspected_at,
                "inspector": record.inspector_label,
                "source": record.source,
                "first_article": record.source == InspectionRecord.Source.FIRST_ARTICLE,
                "conforming": record.conforming,
                "measurements": [_measurement(m) for m in record.measurements.all()],
            }
        )
    return list(sections.values())


def _attachment(a: Attachment) -> dict:
    return {
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": a.uploaded_by_label,
        "uploaded_at": a.uploaded_at,
        "step": a.capa_step.get_step_display() if a.capa_step_id else "",
    }


def _ncrs(work_order: WorkOrder) -> list[dict]:
    """The work order's NCRs in number order, each with its CAPA steps and files
    (four queries)."""
    ncrs = (
        NonConformance.objects.filter(work_order=work_order)
        .select_related("operation", "measurement__record__operation", "capa")
        .prefetch_related(
            Prefetch("capa__steps", queryset=CapaStep.objects.order_by("step")),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("capa_step").order_by(
                    "uploaded_at", "id"
                ),
            ),
        )
        .order_by("number")
    )
    out = []
    for ncr in ncrs:
        capa = getattr(ncr, "capa", None)
        measurement = ncr.measurement
        out.append(
            {
                "number": ncr.number,
                "status": ncr.get_status_display(),
                "is_open": ncr.is_open,
                "defect": ncr.get_defect_code_display(),
                "quantity": ncr.quantity,
                "lot": ncr.lot,
                "operation": f"{ncr.operation.sequence} {ncr.operation.name}"
                if ncr.operation
                else "",
                "measurement": {
                    **_measurement(measurement),
                    "sequence": measurement.record.operation.sequence,
                    "sample": measurement.record.sample,
                    "piece": measurement.record.piece,
                    "serial": measurement.record.serial,
                }
                if measurement
                else None,
                "description": ncr.description,
                "containment": ncr.containment,
                "raised_at": ncr.raised_at,
                "raised_by": ncr.raised_by_label,
                "disposition": ncr.get_disposition_display() if ncr.disposition else "",
                "disposition_note": ncr.disposition_note,
                "dispositioned_at": ncr.dispositioned_at,
                "dispositioned_by": ncr.dispositioned_by_label,
                "approval": ncr.get_approval_display() if ncr.approval else "",
                "approval_by": ncr.approval_by_label,
                "approval_at": ncr.approval_at,
                "approval_note": ncr.approval_note,
                "closed_at": ncr.closed_at,
                "closed_by": ncr.closed_by_label,
                "capa": {
                    "opened_at": capa.opened_at,
                    "opened_by": capa.opened_by_label,
                    "closed_at": capa.closed_at,
                    "steps": [
                        {
                            "step": s.get_step_display(),
                            "owner": s.owner,
                            "due_date": s.due_date,
                            "notes": s.notes,
                            "completed_at": s.completed_at,
                            "completed_by": s.completed_by_label,
                        }
                        for s in capa.steps.all()
                    ],
                }
                if capa
                else None,
                "attachments": [
                    {**_attachment(a), "ncr": ncr.number} for a in ncr.attachments.all()
                ],
            }
        )
    return out


def dossier_number(work_order: WorkOrder, render_id: int) -> str:
    """Each rendering is its own document: the work order and the rendering's id."""
    return f"QD-{work_order.number}-{render_id}"


# --- the first article inspection report (AS9102) ----------------------------------------


def first_article_number(work_order: WorkOrder) -> str:
    """One FAI per work order, so one report number."""
    return f"FAI-{work_order.number}"


def _fai_reason(fai: FirstArticle) -> str:
    """AS9102 box 14: why a full FAI was done, from this partner's earlier FAIs."""
    earlier = (
        FirstArticle.objects.filter(
            product_code=fai.product_code, status=FirstArticle.Status.PASSED
        )
        .exclude(pk=fai.pk)
        .order_by("-completed_at")
    )
    same = next((f for f in earlier if f.revision == fai.revision), None)
    if same is not None:
        return _("Repeat: an FAI of this revision passed before (%(wo)s).") % {
            "wo": same.work_order.number
        }
    other = next(iter(earlier), None)
    if other is not None:
        return _("Change of design: revision %(new)s replaces revision %(old)s.") % {
            "new": fai.revision,
            "old": other.revision,
        }
    return _("New part: first production of this part and revision by this organisation.")


def first_article_context(
    work_order: WorkOrder, *, partner: Partner, on_progress: Progress = _noop
) -> dict:
    """The three AS9102 forms for the work order's first article inspection, for
    `pdf/first_article.html`. Every characteristic of the revision is a row of
    Form 3, measured or not; where the portal keeps no record of what a box
    asks for, the row says so instead of leaving the box empty."""
    work_order = _work_order(work_order)
    fai = FirstArticle.objects.select_related("work_order").get(work_order=work_order)
    characteristics = list(selectors.characteristics_for(work_order=work_order))
    records = (
        fai.records.select_related("operation")
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=Measurement.objects.prefetch_related(
                    Prefetch("nonconformances", queryset=NonConformance.objects.order_by("number"))
                ),
            )
        )
        .order_by("recorded_at", "id")
    )
    # The latest result of each characteristic (an FAI that failed is repeated
    # on another piece); the earlier ones are kept as comments.
    results: dict[int, list[tuple[InspectionRecord, Measurement]]] = {}
    for record in records:
        for m in record.measurements.all():
            results.setdefault(m.characteristic_id, []).append((record, m))
    on_progress(20)
    rows = []
    for number, c in enumerate(characteristics, start=1):
        attempts = results.get(c.pk, [])
        record, m = attempts[-1] if attempts else (None, None)
        rows.append(
            {
                "number": number,
                "sequence": c.operation.sequence,
                "operation": c.operation.name,
                "name": c.name,
                "attribute": c.kind == c.Kind.ATTRIBUTE,
                "nominal": _plain(c.nominal),
                "lower_limit": _plain(c.lower_limit),
                "upper_limit": _plain(c.upper_limit),
                "unit": c.unit,
                "measured": m is not None,
                "value": _plain(m.value) if m else None,
                "passed": m.passed if m else None,
                "conforming": m.conforming if m else None,
                "instrument": record.instrument if record else "",
                "serial": record.serial if record else "",
                "inspected_at": record.inspected_at if record else None,
                "ncrs": [n.number for _r, mm in attempts for n in mm.nonconformances.all()],
                "earlier": [
                    {
                        "serial": r.serial,
                        "value": _plain(mm.value),
                        "passed": mm.passed,
                        "attribute": mm.kind == Measurement.Kind.ATTRIBUTE,
                        "conforming": mm.conforming,
                    }
                    for r, mm in attempts[:-1]
                ],
            }
        )
    hub_operations = sorted(_hub_operations(work_order).values(), key=lambda op: op.sequence)
    plant = Plant.objects.filter(partner=partner, code=work_order.plant_code).first()
    held = {
        c.standard: c
        for c in Certification.objects.filter(partner=partner)
        .filter(Q(plant=plant) | Q(plant__isnull=True))
        .order_by("expires_on")
    }
    today = timezone.localdate()
    special = []
    for op in hub_operations:
        if not (op.required_certification or op.required_capability):
            continue
        certificate = held.get(op.required_certification)
        special.append(
            {
                "sequence": op.sequence,
                "name": op.name,
                "work_centre_type": op.work_centre_type,
                "certification": op.get_required_certification_display(),
                "capability": op.required_capability,
                "certificate_number": certificate.certificate_number if certificate else "",
                "certificate_expires": certificate.expires_on if certificate else None,
                "certificate_valid": bool(certificate and certificate.expires_on >= today),
            }
        )
    on_progress(30)
    bom = [
        {
            "position": line.position,
            "component": line.component_code,
            "description": line.description,
            "quantity": _plain(line.quantity),
            "unit": line.unit,
            "level": 1 if line.parent_id is None else 2,
        }
        for line in BomLine.objects.filter(
            revision__product__code=work_order.product_code,
            revision__revision=work_order.revision,
        ).order_by("position")
    ]
    ncrs = sorted({n for row in rows for n in row["ncrs"]})
    nonconforming = [row for row in rows if row["measured"] and not row["conforming"]]
    on_progress(35)
    return {
        "work_order": _header(partner, work_order),
        "supplier_code": f"{partner.slug.upper()}/{work_order.plant_code}",
        "plant_name": plant.name if plant else "",
        "report_number": first_article_number(work_order),
        "fai": {
            "status": fai.get_status_display(),
            "status_code": fai.status,
            "serial": fai.serial,
            "inspector": fai.inspector_label,
            "opened_at": fai.opened_at,
            "completed_at": fai.completed_at,
            "reason": _fai_reason(fai),
        },
        "bom": bom,
        "special_processes": special,
        "characteristics": rows,
        "unmeasured": sum(1 for row in rows if not row["measured"]),
        "nonconforming": nonconforming,
        "ncrs": ncrs,
    }


# --- the certificate of conformance -------------------------------------------------


def content_sha256(content: dict) -> str:
    """SHA-256 of the canonical JSON encoding (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _decimal(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def inspection_summary(work_order) -> list[dict]:
    """Per characteristic of the work order: pieces measured, lowest and highest
    value (measured characteristics) and how many were out of tolerance."""
    rows = (
        Measurement.objects.filter(record__work_order=work_order)
        .values("characteristic_id", "name", "kind", "lower_limit", "upper_limit", "unit")
        .annotate(
            pieces=Count("id"),
            nonconforming=Count("id", filter=Q(conforming=False)),
            lowest=Min("value"),
            highest=Max("value"),
        )
        .order_by("record__operation__sequence", "characteristic_id")
    )
    return [
        {
            "characteristic": row["name"],
            "kind": row["kind"],
            "lower_limit": _decimal(row["lower_limit"]),
            "upper_limit": _decimal(row["upper_limit"]),
            "unit": row["unit"],
            "pieces": row["pieces"],
            "nonconforming": row["nonconforming"],
            "lowest": _decimal(row["lowest"]),
            "highest": _decimal(row["highest"]),
        }
        for row in rows
    ]


def certificate_content(
    *, partner: Partner, shipment: Shipment, number: str, issued_at, signatory, title: str
):
    work_order = shipment.work_order
    fai = FirstArticle.objects.filter(work_order=work_order).first()
    deviations = [
        {
            "ncr": ncr.number,
            "defect": ncr.get_defect_code_display(),
            "quantity": ncr.quantity,
            "disposition": ncr.get_disposition_display(),
            "approved_by_hub": ncr.approval == NonConformance.Approval.APPROVED,
            "status": ncr.get_status_display(),
        }
        for ncr in work_order.nonconformances.exclude(status=NonConformance.Status.CLOSED)
        .exclude(disposition=NonConformance.Disposition.SCRAP)
        .order_by("number")
    ]
    return {
        "document": "certificate_of_conformance",
        "number": number,
        "issued_at": issued_at.isoformat(),
        "supplier": {"partner": partner.name, "plant": work_order.plant_code},
        "order": work_order.order_number,
        "work_order": work_order.number,
        "product": {
            "code": work_order.product_code,
            "name": work_order.product_name,
            "revision": work_order.revision,
        },
        "shipment": {
            "quantity": shipment.quantity,
            "lots": [lot.strip() for lot in shipment.lots.split(",") if lot.strip()],
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "shipped_at": shipment.shipped_at.replace(microsecond=0).isoformat(),
        },
        "statement": _(
            "We certify that the items listed above were manufactured, inspected and "
            "tested in accordance with the order and with the drawings and specifications "
            "of the revision stated, and that they conform to all its requirements, "
            "except for any deviation listed on this certificate."
        ),
        "first_article": fai.get_status_display() if fai else None,
        "inspection_summary": inspection_summary(work_order),
        "deviations": deviations,
        "signatory": {
            "name": signatory.get_full_name() or signatory.get_username(),
            "title": title,
        },
    }
