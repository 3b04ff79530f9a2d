"""Certificates of conformance: content, hash, PDF text, register, refusals."""

import datetime
import hashlib
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from orders.partner import services as work_order_services
from portal.models import AuditEntry
from quality.hub.models import IssuedDocument
from quality.partner.documents.contents import content_sha256
from quality.partner.documents.services import certificate_issue
from quality.partner.inspections import services
from quality.partner.inspections.services import Reading
from quality.partner.models import Certificate
from quality.partner.ncrs import services as ncr_services

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<img src=file:///etc/passwd> <link rel=attachment href=x> @import url(http://evil.test/x.css);"
)


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def make_shipment(q, world, *, quantity=10, lots="L-1, L-2", carrier="DHL"):
    wo = q.work_order()
    operator = world.user("alpha_operator")
    start = timezone.now() - datetime.timedelta(hours=1)
    for op in wo.operations.order_by("sequence"):
        work_order_services.progress_report(
            partner=world.alpha,
            operation=op,
            user=operator,
            good_quantity=quantity,
            scrap_quantity=0,
            started_at=start,
            finished_at=timezone.now(),
        )
    return work_order_services.shipment_create(
        partner=world.alpha,
        work_order=wo,
        user=operator,
        quantity=quantity,
        carrier=carrier,
        tracking_number="1Z999",
        lots=lots,
    )


def inspect(q, world, bore="10.004"):
    services.inspection_record(
        partner=world.alpha,
        work_order=q.work_order(),
        operation=q.operation(20),
        sample=1,
        instrument="BG-7",
        inspected_at=timezone.now(),
        readings={
            q.bore.pk: Reading(value=Decimal(bore)),
            q.length.pk: Reading(value=Decimal("50.02")),
        },
        user=world.user("alpha_quality"),
    )


def test_a_certificate_states_what_was_shipped_and_is_registered(world, inspected, in_alpha):
    inspect(inspected, world)
    shipment = make_shipment(inspected, world)
    cert = certificate_issue(
        partner=world.alpha,
        shipment=shipment,
        user=world.user("alpha_quality"),
        title="Quality manager",
    )
    assert cert.number == "COC-ALPHA-000001"
    assert cert.content_sha256 == content_sha256(cert.content)
    with cert.pdf.open("rb") as handle:
        pdf = handle.read()
    assert hashlib.sha256(pdf).hexdigest() == cert.pdf_sha256
    text = pdf_text(pdf)
    for expected in (
        "Certificate of conformance",
        "COC-ALPHA-000001",
        cert.content_sha256,
        inspected.work_order_number,
        "QB-100",
        "L-1, L-2",
        "Bore diameter",
        "10.004",
        "Quality manager",
        "We certify that the items listed above",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    registered = IssuedDocument.objects.get(number=cert.number)
    assert (registered.partner, registered.pdf_sha256, registered.content_sha256) == (
        world.alpha,
        cert.pdf_sha256,
        cert.content_sha256,
    )
    assert AuditEntry.objects.filter(action="quality.certificate_issued").count() == 1
    with pytest.raises(ValidationError, match="already has certificate COC-ALPHA-000001"):
        certificate_issue(
            partner=world.alpha, shipment=shipment, user=world.user("alpha_quality"), title="QM"
        )


def test_an_unresolved_ncr_blocks_the_certificate_and_approved_deviations_are_listed(
    world, inspected, in_alpha
):
    shipment = make_shipment(inspected, world)
    ncr = ncr_services.ncr_raise(
        partner=world.alpha,
        work_order=inspected.work_order(),
        user=world.user("alpha_quality"),
        defect_code="surface",
        quantity=2,
        description="Scratches",
    )
    with pytest.raises(ValidationError, match="Resolve NCR-00001 before certifying"):
        certificate_issue(
            partner=world.alpha, shipment=shipment, user=world.user("alpha_quality"), title="QM"
        )
    assert not Certificate.objects.exists() and not IssuedDocument.objects.exists()
    ncr_services.ncr_disposition_set(
        partner=world.alpha,
        ncr=ncr,
        disposition="rework",
        note="Polish",
        user=world.user("alpha_quality"),
    )
    cert = certificate_issue(
        partner=world.alpha, shipment=shipment, user=world.user("alpha_quality"), title="QM"
    )
    assert [d["ncr"] for d in cert.content["deviations"]] == ["NCR-00001"]
    assert "NCR-00001" in pdf_text(cert.pdf.open("rb").read())


def test_hostile_text_in_a_certificate_is_printed_as_text(world, inspected, in_alpha):
    shipment = make_shipment(inspected, world, lots=HOSTILE, carrier=HOSTILE[:100])
    cert = certificate_issue(
        partner=world.alpha, shipment=shipment, user=world.user("alpha_quality"), title=HOSTILE
    )
    text = " ".join(pdf_text(cert.pdf.open("rb").read()).split())
    assert "<img src=file:///etc/passwd>" in text
    assert "root:x:0:0" not in text  # /etc/passwd was not read


def test_a_signatory_title_is_required(world, inspected, in_alpha):
    shipment = make_shipment(inspected, world)
    with pytest.raises(ValidationError, match="signatory's title"):
        certificate_issue(
            partner=world.alpha, shipment=shipment, user=world.user("alpha_quality"), title=" "
        )
