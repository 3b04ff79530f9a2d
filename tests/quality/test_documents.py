"""Quality dossier and first article report PDFs (rendered in the background),
and the certificate of conformance pages: what the PDFs say, the request → task
→ done flow with its progress, failures, downloads and who may do what."""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.partner import services as work_order_services
from portal.audit import FILE_DOWNLOADED
from portal.models import AuditEntry
from portal.pdf import PdfTimeout
from quality.partner.documents import contents
from quality.partner.documents import services as document_services
from quality.partner.first_article import services as fai_services
from quality.partner.inspections import services
from quality.partner.inspections.services import Reading
from quality.partner.models import Certificate, DocumentRender, InspectionRecord, Measurement
from quality.partner.ncrs import services as ncr_services

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<img src=file:///etc/passwd> <link rel=attachment href=file:///etc/hostname> "
    "@import url(http://evil.test/x.css);"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LOGIN = "/accounts/login/"
BASE = "/quality/documents"


def pdf_text(data: bytes, *, layout=True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


def pages_of(data: bytes) -> list[str]:
    return pdf_text(data).split("\f")


def flat(text: str) -> str:
    return " ".join(text.split())


def in_alpha(world, fn):
    with schema_context("alpha"):
        connection.tenant = world.alpha
        return fn()


# --- records to put in the documents -----------------------------------------------------


def checked_upload(name, content):
    from portal.uploads import upload_check

    uploaded = SimpleUploadedFile(name, content)
    return uploaded, upload_check(uploaded)


def record_everything(q, world, *, text="Burr on the bore edge", lot="LOT-7", serial="SN-001"):
    """A first article (passed), production pieces at op 20 (one out of tolerance)
    and op 30 (one fail), an NCR from the bad bore with disposition, a CAPA with
    three steps done and a file, progress and a shipment."""
    wo = q.work_order()
    quality = world.user("alpha_quality")
    start = timezone.now() - datetime.timedelta(hours=3)
    fai_services.first_article_record(
        partner=world.alpha,
        work_order=wo,
        serial=serial,
        instrument=f"CMM {text[:40]}",
        inspected_at=start,
        readings={
            q.bore.pk: Reading(value=Decimal("10.001")),
            q.length.pk: Reading(value=Decimal("50.03")),
            q.visual.pk: Reading(passed=True),
        },
        user=quality,
    )
    bores = ["10.004", "10.012", "10.031", "9.995"]
    records = []
    for i, bore in enumerate(bores):
        records.append(
            services.inspection_record(
                partner=world.alpha,
                work_order=wo,
                operation=q.operation(20),
                sample=1,
                piece=i + 1,
                serial=f"SN-10{i}",
                instrument="BG-7 bore gauge",
                inspected_at=start + datetime.timedelta(minutes=i + 1),
                readings={
                    q.bore.pk: Reading(value=Decimal(bore)),
                    q.length.pk: Reading(value=Decimal("50.02")),
                },
                user=quality,
            )
        )
    services.inspection_record(
        partner=world.alpha,
        work_order=wo,
        operation=q.operation(30),
        sample=1,
        serial="SN-100",
        instrument="Eye",
        inspected_at=start + datetime.timedelta(minutes=10),
        readings={q.visual.pk: Reading(passed=False)},
        user=quality,
    )
    bad = Measurement.objects.get(record=records[2], characteristic_id=q.bore.pk)
    ncr = ncr_services.ncr_raise(
        partner=world.alpha,
        work_order=wo,
        user=quality,
        defect_code="dimensional",
        quantity=1,
        description=text,
        lot=lot,
        containment=f"Quarantined: {text}",
        measurement=bad,
    )
    ncr_services.ncr_disposition_set(
        partner=world.alpha, ncr=ncr, disposition="rework", note=f"Ream: {text}", user=quality
    )
    today = timezone.localdate()
    capa = ncr_services.capa_open(
        ncr=ncr,
        user=quality,
        owners=dict.fromkeys(range(1, 9), f"Owner {text[:20]}"),
        due_dates={s: today + datetime.timedelta(days=s) for s in range(1, 9)},
    )
    for step in capa.steps.order_by("step")[:3]:
        ncr_services.capa_step_complete(step=step, notes=f"D{step.step} done: {text}", user=quality)
    uploaded, checked = checked_upload("bore-photo.png", PNG)
    ncr_services.attachment_add(
        partner=world.alpha, ncr=ncr, uploaded=uploaded, checked=checked, user=quality
    )
    operator = world.user("alpha_operator")
    for op in wo.operations.order_by("sequence"):
        work_order_services.progress_report(
            partner=world.alpha,
            operation=op,
            user=operator,
            good_quantity=5,
            scrap_quantity=0,
            started_at=start,
            finished_at=timezone.now(),
        )
    shipment = work_order_services.shipment_create(
        partner=world.alpha,
        work_order=wo,
        user=operator,
        quantity=5,
        carrier="DHL",
        tracking_number="1Z9",
        lots=lot,
    )
    return {"ncr": ncr, "shipment": shipment}


def bulk_pieces(q, world, count: int) -> None:
    """`count` more pieces at op 20, written directly (fast) for long dossiers."""
    wo = q.work_order()
    operation = q.operation(20)
    user = world.user("alpha_quality")
    now = timezone.now() - datetime.timedelta(days=1)
    records = InspectionRecord.objects.bulk_create(
        InspectionRecord(
            work_order=wo,
            operation=operation,
            sample=100 + i // 5,
            piece=i % 5 + 1,
            serial=f"BULK-{i:04d}",
            instrument="BG-7 bore gauge",
            inspected_at=now + datetime.timedelta(minutes=i),
            inspector_id=user.pk,
            inspector_label=user.username,
            conforming=True,
        )
        for i in range(count)
    )
    Measurement.objects.bulk_create(
        Measurement(
            record=r,
            characteristic_id=c.pk,
            name=c.name,
            kind="variable",
            nominal=c.nominal,
            lower_limit=c.lower_limit,
            upper_limit=c.upper_limit,
            unit=c.unit,
            value=c.nominal,
            conforming=True,
        )
        for r in records
        for c in (q.bore, q.length)
    )


def render(world, q, kind, *, user="alpha_quality") -> DocumentRender:
    """Request and run a rendering as the task would (the queueing is recorded)."""
    requested = document_services.document_render_request(
        kind=kind, work_order=q.work_order(), user=world.user(user)
    )
    return document_services.document_render_run(partner=world.alpha, render_id=requested.pk)


def pdf_of(rendered: DocumentRender) -> bytes:
    with rendered.pdf.open("rb") as handle:
        return handle.read()


@pytest.fixture
def queued(monkeypatch):
    """Renderings queued after commit, recorded instead of sent to a broker."""
    sent = []
    monkeypatch.setattr(document_services, "_queue", sent.append)
    return sent


# --- what the PDFs say ---------------------------------------------------------------------


def test_the_dossier_has_routing_every_result_ncrs_with_capa_and_attachments(
    world, inspected, in_alpha
):
    made = record_everything(inspected, world)
    rendered = render(world, inspected, "dossier")
    assert (rendered.status, rendered.progress, rendered.stage) == ("done", 100, "done")
    pdf = pdf_of(rendered)
    assert hashlib.sha256(pdf).hexdigest() == rendered.sha256
    assert rendered.finished_at is not None and rendered.error == ""
    text = pdf_text(pdf)
    assert rendered.pages == len(pages_of(pdf)) - 1  # pdftotext ends every page with \f
    # table cells wrap: their text reads in one piece in pdftotext's reading order
    cells = flat(pdf_text(pdf, layout=False))
    for expected in (
        "Quality dossier",
        f"QD-{inspected.work_order_number}-{rendered.pk}",
        "Alpha Machining",
        # routing and progress
        "Saw",
        "Mill",
        "Final",
        "cnc_mill",
        # first article, shipment
        "Passed",
        f"FAI-{inspected.work_order_number}",
        "1Z9",
        # NCR, disposition, CAPA steps and what was done
        "NCR-00001",
        "Dimension out of tolerance",
        "Burr on the bore edge",
        "Quarantined: Burr on the bore edge",
        "Ream: Burr on the bore edge",
        "D1 done: Burr on the bore edge",
        "D3 done: Burr on the bore edge",
        # attachments, listed with their hash
        "bore-photo.png",
        hashlib.sha256(PNG).hexdigest()[:32],
        f"Page 1 of {rendered.pages}",
    ):
        assert expected in cells, expected
    for step in ("D1 Team", "D2 Problem", "D4 Root cause", "D5 Corrective action", "D8 Closure"):
        assert step in text, step
    # every inspection result, with its piece
    flat_text = cells
    for m in Measurement.objects.filter(record__work_order=inspected.work_order()).select_related(
        "record"
    ):
        shown = (
            "pass" if m.passed else "fail" if m.kind == "attribute" else f"{m.value.normalize()}"
        )
        assert f"{m.name}: {shown}" in flat_text, (m.name, shown)
        if m.record.serial:
            assert m.record.serial in text
    assert "10.031 mm – NOT OK" in flat_text and "Visual: fail – NOT OK" in flat_text
    assert made["ncr"].number in text


def test_the_dossier_reads_with_a_fixed_number_of_queries(world, inspected, in_alpha):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            contents.dossier_context(inspected.work_order(), partner=world.alpha)
        return len(captured.captured_queries)

    record_everything(inspected, world)
    few = queries()
    bulk_pieces(inspected, world, 60)
    ncr_services.ncr_raise(
        partner=world.alpha,
        work_order=inspected.work_order(),
        user=world.user("alpha_quality"),
        defect_code="surface",
        quantity=1,
        description="Second",
    )
    assert queries() == few


def test_a_long_dossier_repeats_table_headers_numbers_pages_and_cuts_no_row(
    world, inspected, in_alpha
):
    record_everything(inspected, world)
    bulk_pieces(inspected, world, 150)
    rendered = render(world, inspected, "dossier")
    pages = pages_of(pdf_of(rendered))
    assert rendered.pages >= 5 and len(pages) - 1 == rendered.pages  # read from the PDF
    pages = pages[: rendered.pages]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {rendered.pages}" in page
        assert f"QD-{inspected.work_order_number}-{rendered.pk}" in page  # running footer
    continued = [p for p in pages[3:] if "BULK-" in p]
    assert continued, "the results table goes on over later pages"
    for page in continued:
        # the table's header is repeated on the page...
        assert "Sample/" in page and "Instrument" in page and "Inspector" in page
        # ...and the page starts with a whole row (its first result line), never the
        # second line of a row cut at the bottom of the page before
        lines = [
            line for line in page.splitlines() if "Bore diameter:" in line or "Length:" in line
        ]
        assert "Bore diameter:" in lines[0], lines[:2]
    serials = re.findall(r"BULK-\d{4}", "\n".join(pages))
    assert sorted(set(serials)) == [f"BULK-{i:04d}" for i in range(150)]


def test_the_fai_report_has_the_three_as9102_forms_with_every_characteristic(
    world, inspected, in_alpha
):
    record_everything(inspected, world)
    rendered = render(world, inspected, "fai")
    assert rendered.status == "done", rendered.error
    pdf = pdf_of(rendered)
    flat_text = flat(pdf_text(pdf, layout=False))
    rows = pdf_text(pdf)  # Form 3 rows, laid out as printed
    for expected in (
        "First article inspection report",
        "AS9102 Form 1 – Part number accountability",
        "AS9102 Form 2 – Product accountability",
        "AS9102 Form 3 – Characteristic accountability",
        f"FAI-{inspected.work_order_number}",
        "QB-100",
        "Housing QB-100",
        "SN-001",
        "Alpha Machining",
        "Full FAI",
        "New part: first production",
        "FAI complete",
        "not recorded",
        "Functional test procedure number",
    ):
        assert expected in flat_text, expected
    # Form 3: one row per characteristic, numbered, with requirement, result, tooling
    for number, name, requirement, result in (
        (1, "Bore diameter", "10 mm (9.98 – 10.02)", "10.001 mm"),
        (2, "Length", "50 mm (49.9 – 50.1)", "50.03 mm"),
        (3, "Visual", "pass/fail", "pass"),
    ):
        assert re.search(rf"^\s*{number}\s+Op \d+ \w+\s+–\s+{name}", rows, re.M), number
        assert name in flat_text and requirement in flat_text and result in flat_text
    assert "CMM Burr on the bore edge" in flat_text
    # Form 3 is on landscape pages
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(rendered.pages), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert float(sizes[0][0]) < float(sizes[0][1])  # Form 1: portrait
    assert float(sizes[-1][0]) > float(sizes[-1][1])  # Form 3: landscape


def test_fai_report_lists_nonconformances_and_unmeasured_characteristics(
    world, inspected, in_alpha
):
    wo = inspected.work_order()
    quality = world.user("alpha_quality")
    fai = fai_services.first_article_record(
        partner=world.alpha,
        work_order=wo,
        serial="SN-BAD",
        instrument="CMM",
        inspected_at=timezone.now(),
        readings={
            inspected.bore.pk: Reading(value=Decimal("10.5")),
            inspected.length.pk: Reading(value=Decimal("50")),
            inspected.visual.pk: Reading(passed=True),
        },
        user=quality,
    )
    bad = Measurement.objects.get(record__first_article=fai, characteristic_id=inspected.bore.pk)
    ncr_services.ncr_raise(
        partner=world.alpha,
        work_order=wo,
        user=quality,
        defect_code="dimensional",
        quantity=1,
        description="x",
        measurement=bad,
    )
    text = flat(pdf_text(pdf_of(render(world, inspected, "fai")), layout=False))
    assert "FAI not complete: characteristics out of tolerance" in text
    assert "Yes: NCR-00001" in text
    assert "10.5 mm NOT conforming" in text


def test_a_work_order_with_nothing_recorded_gives_a_short_valid_dossier(world, inspected, in_alpha):
    rendered = render(world, inspected, "dossier")
    assert rendered.status == "done" and rendered.pages <= 2
    text = flat(pdf_text(pdf_of(rendered)))
    assert "Nothing has been recorded on this work order yet" in text
    assert "No inspection results were recorded on this work order." in text
    assert "No non-conformances were raised on this work order." in text
    assert "Mill" in text  # the routing is still there


def test_free_text_is_printed_as_text_and_nothing_is_fetched_or_embedded(
    world, inspected, in_alpha, caplog
):
    record_everything(inspected, world, text=HOSTILE, lot=HOSTILE[:60], serial=HOSTILE[:60])
    for kind in ("dossier", "fai"):
        with caplog.at_level("DEBUG", logger="portal.pdf"):
            rendered = render(world, inspected, kind)
        assert rendered.status == "done", rendered.error
        pdf = pdf_of(rendered)
        text = flat(pdf_text(pdf))
        assert "<img src=file:///etc/passwd>" in text, kind
        assert "root:x:0:0" not in text
        if kind == "dossier":
            assert "<link rel=attachment href=file:///etc/hostname>" in text
            assert "@import url(http://evil.test/x.css);" in text
        attached = subprocess.run(
            ["pdfdetach", "-list", "-"], input=pdf, capture_output=True, check=False
        )
        assert b"0 embedded files" in attached.stdout or attached.stdout.strip() == b""
        assert b"/EmbeddedFile" not in pdf
        images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True)
        assert len(images.stdout.decode().strip().splitlines()) <= 2  # the header only
    # nothing was even asked for: only the project's own static files were served
    asked = [r.getMessage() for r in caplog.records if "PDF resource" in r.getMessage()]
    assert not [m for m in asked if "refused" in m], asked


# --- the background flow -------------------------------------------------------------------


def test_a_request_queues_after_commit_and_two_requests_make_two_renderings(
    world, inspected, in_alpha, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        one = document_services.document_render_request(
            kind="dossier",
            work_order=inspected.work_order(),
            user=world.user("alpha_operator"),
        )
        two = document_services.document_render_request(
            kind="dossier",
            work_order=inspected.work_order(),
            user=world.user("alpha_quality"),
        )
    assert queued == [one.pk, two.pk]
    for row in (one, two):
        row.refresh_from_db()
        assert (row.status, row.progress, row.stage) == ("queued", 0, "queued")
    assert (one.requested_by_label, two.requested_by_label) == ("alpha_operator", "alpha_quality")
    # run twice: the second run of the same rendering finds it taken and does nothing
    done = document_services.document_render_run(partner=world.alpha, render_id=one.pk)
    again = document_services.document_render_run(partner=world.alpha, render_id=one.pk)
    assert done.status == again.status == "done" and again.sha256 == done.sha256
    assert DocumentRender.objects.get(pk=two.pk).status == "queued"


def test_the_fai_report_needs_a_first_article_and_the_kind_must_be_known(
    world, inspected, in_alpha
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="has no first article inspection"):
        document_services.document_render_request(
            kind="fai",
            work_order=inspected.work_order(),
            user=world.user("alpha_quality"),
        )
    with pytest.raises(ValidationError, match="Choose a document"):
        document_services.document_render_request(
            kind="nope",
            work_order=inspected.work_order(),
            user=world.user("alpha_quality"),
        )
    assert not DocumentRender.objects.exists()


def test_progress_and_stage_are_written_as_the_rendering_goes(
    world, inspected, in_alpha, monkeypatch
):
    record_everything(inspected, world)
    requested = document_services.document_render_request(
        kind="dossier",
        work_order=inspected.work_order(),
        user=world.user("alpha_quality"),
    )
    seen = []
    real_progress, real_render = document_services._progress, document_services.render_pdf

    def spy_progress(render_id, percent, stage):
        real_progress(render_id, percent, stage)
        row = DocumentRender.objects.get(pk=render_id)
        seen.append((row.status, row.progress, row.stage))

    def spy_render(*args, **kwargs):
        row = DocumentRender.objects.get(pk=requested.pk)
        seen.append(("render_pdf", row.progress, row.stage))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(document_services, "_progress", spy_progress)
    monkeypatch.setattr(document_services, "render_pdf", spy_render)
    done = document_services.document_render_run(partner=world.alpha, render_id=requested.pk)
    stages = [s for _status, _p, s in seen]
    assert stages[0] == "collecting" and "layout" in stages and stages[-1] == "saving"
    percents = [p for _status, p, _s in seen]
    assert percents == sorted(percents) and percents[0] >= 5 and percents[-1] == 90
    assert ("render_pdf", 40, "layout") in seen
    assert all(status in ("running", "render_pdf") for status, _p, _s in seen)
    assert (done.status, done.progress, done.stage) == ("done", 100, "done")


def test_the_celery_task_renders_in_the_partner_schema(
    world, inspected, in_alpha, django_capture_on_commit_callbacks, monkeypatch
):
    """The real task, run eagerly (as tests and a broker-less dev run do)."""
    from portal.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    with django_capture_on_commit_callbacks(execute=True):
        requested = document_services.document_render_request(
            kind="dossier",
            work_order=inspected.work_order(),
            user=world.user("alpha_quality"),
        )
    requested.refresh_from_db()
    assert requested.status == "done" and requested.pages >= 1
    assert requested.pdf.name.startswith("renders/")


def test_the_worker_knows_the_document_task_by_its_name():
    """A worker imports its task modules at start-up; the rendering task is among
    them, under the name that queued messages and worker routes use."""
    code = (
        "import django; django.setup()\n"
        "from portal.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('quality.partner.tasks.document_render' in app.tasks)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stdout + result.stderr


def test_a_rendering_over_the_time_limit_fails_with_a_message(world, inspected, in_alpha, settings):
    record_everything(inspected, world)
    settings.DMN_PDF_TIME_LIMIT = 0.0001  # the layout is killed at once
    rendered = render(world, inspected, "dossier")
    assert rendered.status == "failed" and rendered.stage == "failed"
    assert "took too long" in rendered.error
    assert not rendered.pdf and rendered.sha256 == "" and rendered.finished_at


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PdfTimeout("slow"), "took too long"),
        (RuntimeError("secret detail in a traceback"), "could not be produced (reference"),
    ],
)
def test_a_failure_says_what_happened_without_details(
    world, inspected, in_alpha, monkeypatch, error, message
):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(document_services, "render_pdf", broken)
    rendered = render(world, inspected, "dossier")
    assert rendered.status == "failed" and message in rendered.error
    assert "secret detail" not in rendered.error and "Traceback" not in rendered.error


def test_a_page_count_not_found_is_none():
    assert document_services.pdf_page_count(b"not a pdf") is None
    assert document_services.pdf_page_count(b"%PDF-1.7 /Type /ObjStm stream\nxx") is None


# --- the pages -------------------------------------------------------------------------------


def docs_url(number, *rest):
    return "/".join([f"{BASE}/work-orders/{number}", *map(str, rest)]) + "/"


def body(response) -> bytes:
    # Reading it all closes the file (the test client's wrapper closes the response).
    return b"".join(response.streaming_content)


def assert_download_headers(response, filename):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_request_progress_and_download_through_the_pages(
    as_user, world, inspected, queued, django_capture_on_commit_callbacks
):
    in_alpha(world, lambda: record_everything(inspected, world))
    number = inspected.work_order_number
    client = as_user("alpha_operator", world.alpha)
    page = client.get(docs_url(number))
    assert page.status_code == 200
    assert (
        b"Quality dossier (PDF)" in page.content and b"First article report (PDF)" in page.content
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(docs_url(number, "request"), {"kind": "dossier"})
    row = in_alpha(world, lambda: DocumentRender.objects.get())
    assert queued == [row.pk]
    assert response.status_code == 302 and response["Location"] == docs_url(
        number, "renders", row.pk
    )
    # while it waits: the bar, the stage, the polling script and a fallback for no JS
    waiting = client.get(response["Location"])
    assert waiting.status_code == 200
    for expected in (b'id="render-progress"', b"Waiting for a worker", b"documents.js", b"refresh"):
        assert expected in waiting.content, expected
    status = client.get(docs_url(number, "renders", row.pk, "status")).json()
    assert status["finished"] is False and status["download_url"] is None
    assert (status["status"], status["progress"], status["stage"]) == ("queued", 0, "queued")
    # the worker renders it
    in_alpha(
        world, lambda: document_services.document_render_run(partner=world.alpha, render_id=row.pk)
    )
    status = client.get(docs_url(number, "renders", row.pk, "status")).json()
    assert status["finished"] is True and status["progress"] == 100
    assert status["download_url"] == docs_url(number, "renders", row.pk, "download")
    done = client.get(docs_url(number, "renders", row.pk))
    assert b"Download PDF" in done.content and b"render-progress" not in done.content
    assert b"documents.js" not in done.content
    download = client.get(status["download_url"])
    assert_download_headers(download, f"quality-dossier-{number}-{row.pk}.pdf")
    data = body(download)
    assert hashlib.sha256(data).hexdigest() == in_alpha(
        world, lambda: DocumentRender.objects.get().sha256
    )
    entry = AuditEntry.objects.get(action=FILE_DOWNLOADED)
    assert (entry.actor, entry.partner, entry.object_type, entry.object_id) == (
        world.user("alpha_operator"),
        world.alpha,
        "quality_partner.DocumentRender",
        str(row.pk),
    )
    # the list on the documents page links to it
    listed = client.get(docs_url(number))
    assert status["download_url"].encode() in listed.content


def test_bad_requests_are_form_errors_on_the_page(as_user, world, inspected, queued):
    client = as_user("alpha_quality", world.alpha)
    number = inspected.work_order_number
    for data, message in (
        ({"kind": "fai"}, b"has no first article inspection to report"),
        ({"kind": "bogus"}, b"Select a valid choice"),
        ({}, b"This field is required"),
    ):
        response = client.post(docs_url(number, "request"), data)
        assert response.status_code == 400, data
        assert message in response.content, data
    assert client.get(docs_url(number, "request")).status_code == 405
    assert in_alpha(world, lambda: DocumentRender.objects.count()) == 0 and queued == []


def test_a_failed_rendering_shows_its_message_and_offers_a_new_request(as_user, world, inspected):
    def make():
        return DocumentRender.objects.create(
            kind="dossier",
            work_order=inspected.work_order(),
            status="failed",
            stage="failed",
            error="The document took too long to lay out",
            requested_by_id=world.user("alpha_quality").pk,
            requested_by_label="alpha_quality",
        )

    row = in_alpha(world, make)
    client = as_user("alpha_quality", world.alpha)
    url = docs_url(inspected.work_order_number, "renders", row.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert b"took too long" in page.content and b"Request it again" in page.content
    assert b"Traceback" not in page.content and b"documents.js" not in page.content
    # an unfinished file is not downloaded: back to its page
    download = client.get(url + "download/")
    assert download.status_code == 302 and download["Location"] == url


def test_a_rendering_whose_worker_vanished_says_so(as_user, world, inspected):
    def make():
        row = DocumentRender.objects.create(
            kind="dossier",
            work_order=inspected.work_order(),
            status="running",
            stage="layout",
            progress=40,
            requested_by_id=1,
            requested_by_label="x",
        )
        DocumentRender.objects.filter(pk=row.pk).update(
            requested_at=timezone.now() - datetime.timedelta(hours=1)
        )
        return row

    row = in_alpha(world, make)
    client = as_user("alpha_quality", world.alpha)
    url = docs_url(inspected.work_order_number, "renders", row.pk)
    assert b"worker seems to have stopped" in client.get(url).content
    assert client.get(url + "status/").json()["finished"] is True


def test_renderings_are_found_only_under_their_own_work_order_and_partner(
    as_user, world, inspected
):
    row = in_alpha(world, lambda: render(world, inspected, "dossier"))
    own = inspected.work_order_number
    other = world.work_order_number  # another work order of alpha
    alpha = as_user("alpha_admin", world.alpha)
    assert alpha.get(docs_url(own, "renders", row.pk)).status_code == 200
    for tail in ("", "status/", "download/"):
        assert alpha.get(docs_url(other, "renders", row.pk) + tail).status_code == 404, tail
        assert alpha.get(docs_url(own, "renders", row.pk + 1000) + tail).status_code == 404, tail
    assert alpha.get(docs_url("NO-SUCH-WO")).status_code == 404
    # another partner's user on alpha's host: refused before any lookup
    beta_user = as_user("beta_admin", world.alpha)
    for url in (
        docs_url(own),
        docs_url(own, "renders", row.pk),
        docs_url(own, "renders", row.pk, "status"),
        docs_url(own, "renders", row.pk, "download"),
    ):
        assert beta_user.get(url).status_code == 403, url
        assert beta_user.post(docs_url(own, "request"), {"kind": "dossier"}).status_code == 403
        anonymous = as_user(None, world.alpha).get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN), url
    # the same ids on beta's own host (its own schema) find nothing
    beta = as_user("beta_admin", world.beta)
    for url in (docs_url(own), docs_url(own, "renders", row.pk, "download")):
        assert beta.get(url).status_code == 404, url
    assert AuditEntry.objects.filter(action=FILE_DOWNLOADED).count() == 0


def test_the_work_order_page_links_to_the_documents(as_user, world, inspected):
    made = in_alpha(world, lambda: record_everything(inspected, world))
    number = inspected.work_order_number
    quality = as_user("alpha_quality", world.alpha).get(f"/work-orders/{number}/")
    for expected in (
        b"Quality dossier (PDF)",
        b"First article report (PDF)",
        b"Issue certificate of conformance",
        docs_url(number, "shipments", made["shipment"].pk, "certificate").encode(),
    ):
        assert expected in quality.content, expected
    operator = as_user("alpha_operator", world.alpha).get(f"/work-orders/{number}/")
    assert b"Quality dossier (PDF)" in operator.content
    assert b"Issue certificate of conformance" not in operator.content
    # no first article: no link to its report
    plain = as_user("alpha_quality", world.alpha).get(f"/work-orders/{world.work_order_number}/")
    assert b"Quality dossier (PDF)" in plain.content
    assert b"First article report (PDF)" not in plain.content


# --- certificates of conformance ---------------------------------------------------------------


def test_certificate_issue_page_roles_errors_download_and_audit(as_user, world, inspected):
    made = in_alpha(world, lambda: record_everything(inspected, world))
    number, shipment = inspected.work_order_number, made["shipment"]
    url = docs_url(number, "shipments", shipment.pk, "certificate")
    download_url = url + "download/"
    # operators download certificates but do not issue them
    operator = as_user("alpha_operator", world.alpha)
    assert operator.get(url).status_code == 403
    assert operator.post(url, {"title": "QM"}).status_code == 403
    none_yet = operator.get(download_url)
    assert none_yet.status_code == 302 and none_yet["Location"] == url
    quality = as_user("alpha_quality", world.alpha)
    page = quality.get(url)
    assert page.status_code == 200 and b"Sign and issue" in page.content
    # the NCR is dispositioned (rework), so nothing blocks; a blank title does
    blank = quality.post(url, {"title": "  "})
    assert blank.status_code == 400 and b"This field is required" in blank.content
    # an open NCR blocks it, and the page says so before and after the attempt
    in_alpha(
        world,
        lambda: ncr_services.ncr_raise(
            partner=world.alpha,
            work_order=inspected.work_order(),
            user=world.user("alpha_quality"),
            defect_code="surface",
            quantity=1,
            description="Scratch",
        ),
    )
    assert b"Open NCRs on this work order: NCR-00002" in quality.get(url).content
    refused = quality.post(url, {"title": "Quality manager"})
    assert refused.status_code == 400
    assert b"Resolve NCR-00002 before certifying this shipment." in refused.content
    assert in_alpha(world, lambda: Certificate.objects.count()) == 0

    def disposition():
        from quality.partner.models import NonConformance

        ncr_services.ncr_disposition_set(
            partner=world.alpha,
            ncr=NonConformance.objects.get(number="NCR-00002"),
            disposition="scrap",
            note="",
            user=world.user("alpha_quality"),
        )

    in_alpha(world, disposition)
    issued = quality.post(url, {"title": "Quality manager"})
    assert issued.status_code == 302 and issued["Location"] == url
    certificate = in_alpha(world, lambda: Certificate.objects.get())
    shown = quality.get(url).content
    assert certificate.number.encode() in shown and certificate.pdf_sha256.encode() in shown
    assert b"Sign and issue" not in shown
    again = quality.post(url, {"title": "QM"})
    assert again.status_code == 400 and b"already has certificate" in again.content
    # download: as an attachment, with the headers of every download, audited
    download = operator.get(download_url)
    assert_download_headers(download, f"{certificate.number}.pdf")
    data = body(download)
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert "Quality manager" in pdf_text(data)
    entry = AuditEntry.objects.get(action=FILE_DOWNLOADED)
    assert (entry.actor, entry.object_type, entry.detail["number"]) == (
        world.user("alpha_operator"),
        "quality_partner.Certificate",
        certificate.number,
    )
    # and the work order's page now offers the download
    detail = operator.get(f"/work-orders/{number}/").content
    assert b"Download certificate" in detail and download_url.encode() in detail


def test_certificates_are_found_only_under_their_work_order_and_partner(as_user, world, inspected):
    made = in_alpha(world, lambda: record_everything(inspected, world))
    shipment = made["shipment"]
    quality = as_user("alpha_quality", world.alpha)
    wrong = docs_url(world.work_order_number, "shipments", shipment.pk, "certificate")
    assert quality.get(wrong).status_code == 404
    assert quality.get(wrong + "download/").status_code == 404
    url = docs_url(inspected.work_order_number, "shipments", shipment.pk, "certificate")
    assert as_user("beta_admin", world.alpha).get(url).status_code == 403
    assert as_user("beta_admin", world.beta).get(url).status_code == 404
    anonymous = as_user(None, world.alpha).get(url + "download/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN)


def test_a_broker_that_refuses_the_task_leaves_a_failed_rendering_not_an_error(
    world, inspected, in_alpha, monkeypatch, django_capture_on_commit_callbacks
):
    from quality.partner.documents import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.document_render, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        requested = document_services.document_render_request(
            kind="dossier",
            work_order=inspected.work_order(),
            user=world.user("alpha_quality"),
        )
    requested.refresh_from_db()
    assert requested.status == "failed" and "could not be queued" in requested.error


def test_the_documents_page_reads_with_a_fixed_number_of_queries(as_user, world, inspected):
    client = as_user("alpha_quality", world.alpha)
    url = docs_url(inspected.work_order_number)

    def add_rendering():
        DocumentRender.objects.create(
            kind="dossier",
            work_order=inspected.work_order(),
            status="done",
            requested_by_id=1,
            requested_by_label="x",
        )

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    in_alpha(world, add_rendering)
    one = count()
    for _ in range(4):
        in_alpha(world, add_rendering)
    assert count() == one


def test_a_lost_file_is_not_found_not_an_error(as_user, world, inspected):
    row = in_alpha(world, lambda: render(world, inspected, "dossier"))
    in_alpha(world, lambda: row.pdf.storage.delete(row.pdf.name))
    client = as_user("alpha_quality", world.alpha)
    url = docs_url(inspected.work_order_number, "renders", row.pk)
    assert client.get(url).status_code == 200
    assert client.get(url + "download/").status_code == 404
