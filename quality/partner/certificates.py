"""Certificates of conformance: what a shipment certifies, hashed, rendered and
registered with the hub.

The certified content is a JSON document built from the partner's own records
(`certificate_content`); its SHA-256, over a canonical encoding, is printed on the
PDF and kept with the certificate and in the hub's register of issued documents,
together with the SHA-256 of the PDF as issued. A copy can be checked against
either: the printed hash names the content, the file hash the exact document.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.partner.models import Shipment
from portal.audit import audit_record
from portal.pdf import render_pdf
from quality import publish
from quality.vocabulary import CERTIFICATE_ISSUED
from tenants.models import Partner

from .models import Certificate, FirstArticle, Measurement, NonConformance
from .services import sequence_lock

UNRESOLVED = (NonConformance.Status.OPEN, NonConformance.Status.AWAITING_APPROVAL)


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


def certificate_issue(
    *, partner: Partner, shipment: Shipment, user, title: str, request=None
) -> Certificate:
    """Issue the certificate of conformance of one shipment: refused while an NCR
    of its work order is still open or waiting for the hub's decision."""
    if not title.strip():
        raise ValidationError({"title": _("Give the signatory's title, e.g. Quality manager.")})
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update().select_related("work_order").get(pk=shipment.pk)
        )
        if Certificate.objects.filter(shipment=shipment).exists():
            raise ValidationError(
                _("This shipment already has certificate %(number)s.")
                % {"number": shipment.certificate.number},
                code="invalid_transition",
            )
        unresolved = list(
            shipment.work_order.nonconformances.filter(status__in=UNRESOLVED).values_list(
                "number", flat=True
            )
        )
        if unresolved:
            raise ValidationError(
                _("Resolve %(ncrs)s before certifying this shipment.")
                % {"ncrs": ", ".join(unresolved)},
                code="invalid_transition",
            )
        sequence_lock("coc")
        serial = Certificate.objects.count() + 1
        number = f"COC-{partner.slug.upper()}-{serial:06d}"
        issued_at = timezone.now().replace(microsecond=0)
        content = certificate_content(
            partner=partner,
            shipment=shipment,
            number=number,
            issued_at=issued_at,
            signatory=user,
            title=title,
        )
        digest = content_sha256(content)
        pdf = render_pdf(
            "pdf/certificate_of_conformance.html",
            {
                "content": content,
                "document_number": number,
                "document_sha256": digest,
                # The content's times, for display in the reader's time zone.
                "issued_at": issued_at,
                "shipped_at": shipment.shipped_at,
            },
            request=request,
        )
        certificate = Certificate(
            shipment=shipment,
            number=number,
            content=content,
            content_sha256=digest,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            signatory_id=user.pk,
            signatory_label=user.get_username(),
            signatory_title=title,
            issued_at=issued_at,
        )
        certificate.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
        try:
            certificate.save()
            publish.certificate_register(partner=partner, certificate=certificate)
            audit_record(
                action=CERTIFICATE_ISSUED,
                actor=user,
                partner=partner,
                obj=certificate,
                request=request,
                number=number,
                content_sha256=digest,
                pdf_sha256=certificate.pdf_sha256,
            )
        except Exception:
            certificate.pdf.delete(save=False)
            raise
    return certificate
