"""A work order's compliance documents: the quality dossier and the first
article inspection report (AS9102 forms), rendered in the background, and each
shipment's certificate of conformance, issued in the request.

`document_render_request` records a `DocumentRender` row and queues the Celery
task once the row is committed; the task calls `document_render_run`, which
builds the document's content (quality.partner.documents.contents), lays it out through
portal.pdf and stores the file, writing its progress and stage to the row as it
goes so that the waiting page can show them. A failure leaves the row `failed`
with a message for the user; the details go to the log, never to the page.

`certificate_issue` certifies one shipment: the certified content
(`contents.certificate_content`) is hashed, laid out on one page, stored,
registered with the hub (quality.publish) and audited, in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import time
import zlib
import zoneinfo
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.partner.models import Shipment, WorkOrder
from portal.audit import FILE_DOWNLOADED, audit_record
from portal.pdf import PdfRenderError, PdfTimeout, render_pdf
from quality import publish
from quality.vocabulary import CERTIFICATE_ISSUED
from tenants.models import Partner

from ..models import Certificate, DocumentRender, FirstArticle
from ..numbering import sequence_lock
from . import contents
from .selectors import UNRESOLVED

logger = logging.getLogger(__name__)

Kind = DocumentRender.Kind
Status = DocumentRender.Status

TEMPLATES = {Kind.DOSSIER: "pdf/dossier.html", Kind.FIRST_ARTICLE: "pdf/first_article.html"}

# The stages a rendering goes through, as kept in `DocumentRender.stage` (a key,
# so that each reader sees it in their own language) with their labels.
STAGES = {
    "queued": gettext_lazy("Waiting for a worker"),
    "collecting": gettext_lazy("Collecting records"),
    "layout": gettext_lazy("Laying out pages"),
    "saving": gettext_lazy("Saving"),
    "done": gettext_lazy("Ready"),
    "failed": gettext_lazy("Failed"),
}

# A background rendering may take this many times the in-request limit
# (settings.DMN_PDF_TIME_LIMIT) before it is stopped.
BACKGROUND_TIME_FACTOR = 4
# A rendering still queued or running this long after the request has lost its worker.
STALLED_AFTER = datetime.timedelta(minutes=15)


def time_limit() -> float:
    return settings.DMN_PDF_TIME_LIMIT * BACKGROUND_TIME_FACTOR


def stage_label(render: DocumentRender) -> str:
    return str(STAGES.get(render.stage, render.stage))


def is_stalled(render: DocumentRender, now: datetime.datetime | None = None) -> bool:
    """Queued or running long past any time limit: its worker is gone."""
    if render.status not in (Status.QUEUED, Status.RUNNING):
        return False
    return (now or timezone.now()) - render.requested_at > STALLED_AFTER


def document_render_request(*, kind: str, work_order: WorkOrder, user) -> DocumentRender:
    """Record a rendering of `kind` for `work_order` and queue it. Two requests
    make two renderings; each is its own document."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a document from the list.")})
    if (
        kind == Kind.FIRST_ARTICLE
        and not FirstArticle.objects.filter(work_order=work_order).exists()
    ):
        raise ValidationError(
            _("Work order %(wo)s has no first article inspection to report.") % {"wo": work_order},
            code="invalid_transition",
        )
    with transaction.atomic():
        render = DocumentRender.objects.create(
            kind=kind,
            work_order=work_order,
            stage="queued",
            requested_by_id=user.pk,
            requested_by_label=user.get_username(),
        )
        transaction.on_commit(lambda: _queue(render.pk))
    return render


def _queue(render_id: int) -> None:
    from .tasks import document_render

    try:
        document_render.delay(render_id)
    except Exception:  # the broker is down: say so on the row instead of a 500
        logger.exception("Could not queue document rendering %s", render_id)
        DocumentRender.objects.filter(pk=render_id, status=Status.QUEUED).update(
            status=Status.FAILED,
            stage="failed",
            error=_("The rendering could not be queued. Try again in a few minutes."),
            finished_at=timezone.now(),
        )


def _progress(render_id: int, percent: int, stage: str) -> None:
    DocumentRender.objects.filter(pk=render_id, status=Status.RUNNING).update(
        progress=percent, stage=stage
    )


@contextmanager
def _as_requester(user_id: int):
    """Render in the time zone and language of the user who asked, as their pages are."""
    user = get_user_model().objects.filter(pk=user_id).first()
    try:
        tz = zoneinfo.ZoneInfo(user.timezone) if user else datetime.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = datetime.UTC
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with timezone.override(tz), translation.override(language):
        yield


def _build(partner: Partner, render: DocumentRender, on_progress) -> tuple[dict, str]:
    """The template context and document number of a rendering."""
    work_order = render.work_order
    if render.kind == Kind.DOSSIER:
        context = contents.dossier_context(work_order, partner=partner, on_progress=on_progress)
        number = contents.dossier_number(work_order, render.pk)
        title = _("Quality dossier")
    else:
        context = contents.first_article_context(
            work_order, partner=partner, on_progress=on_progress
        )
        number = context["report_number"]
        title = _("First article inspection report")
    context.update(
        title=title,
        document_number=number,
        requested_by=render.requested_by_label,
        time_zone=timezone.get_current_timezone_name(),
    )
    return context, number


def document_render_run(*, partner: Partner, render_id: int) -> DocumentRender:
    """Render a queued document (in the Celery worker): collect the records, lay
    out the pages, save the file. Progress and stage are written to the row at
    each step; the outcome is `done` with the file, its pages and SHA-256, or
    `failed` with a message that says what to do."""
    claimed = DocumentRender.objects.filter(pk=render_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=5, stage="collecting"
    )
    render = DocumentRender.objects.select_related("work_order").get(pk=render_id)
    if not claimed:
        return render  # already taken or finished
    started = time.monotonic()
    try:
        with _as_requester(render.requested_by_id):
            context, number = _build(
                partner, render, lambda p: _progress(render_id, p, "collecting")
            )
            built = time.monotonic()
            _progress(render_id, 40, "layout")
            pdf = render_pdf(TEMPLATES[render.kind], context, time_limit=time_limit())
        laid_out = time.monotonic()
        _progress(render_id, 90, "saving")
        render.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
        updated = DocumentRender.objects.filter(pk=render_id, status=Status.RUNNING).update(
            status=Status.DONE,
            progress=100,
            stage="done",
            pdf=render.pdf.name,
            pages=pdf_page_count(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            finished_at=timezone.now(),
        )
        if not updated:  # the row went away or changed meanwhile: keep no orphan file
            render.pdf.delete(save=False)
        logger.info(
            "Rendered %s %s: records %.2f s, layout %.2f s, save %.2f s",
            render.kind,
            number,
            built - started,
            laid_out - built,
            time.monotonic() - laid_out,
        )
    except Exception as exc:
        _fail(render, exc)
    render.refresh_from_db()
    return render


def _fail(render: DocumentRender, exc: Exception) -> None:
    if isinstance(exc, PdfTimeout):
        message = _(
            "The document took too long to lay out (more than %(seconds)s seconds) and was "
            "stopped. Try again when the system is less busy, or ask your administrator."
        ) % {"seconds": f"{time_limit():g}"}
        logger.warning("Document rendering %s timed out", render.pk)
    elif isinstance(exc, PdfRenderError):
        message = _("The PDF could not be laid out. The error was logged; try again later.")
        logger.error("Document rendering %s failed: %s", render.pk, exc)
    else:
        message = _(
            "The document could not be produced (reference %(id)s). The error was logged; "
            "try again later."
        ) % {"id": render.pk}
        logger.exception("Document rendering %s failed", render.pk)
    if render.pdf:
        render.pdf.delete(save=False)
    DocumentRender.objects.filter(pk=render.pk).update(
        status=Status.FAILED,
        stage="failed",
        error=message[:300],
        pdf="",
        finished_at=timezone.now(),
    )


def download_name(render: DocumentRender) -> str:
    """The file name a downloaded rendering gets (ASCII: it goes into a header)."""
    stem = "quality-dossier" if render.kind == Kind.DOSSIER else "first-article-report"
    return f"{stem}-{render.work_order.number}-{render.pk}.pdf"


def document_downloaded(*, partner: Partner, render: DocumentRender, user, request=None) -> None:
    audit_record(
        action=FILE_DOWNLOADED,
        actor=user,
        partner=partner,
        obj=render,
        request=request,
        name=download_name(render),
        document=render.kind,
        work_order=render.work_order.number,
        sha256=render.sha256,
    )


def certificate_downloaded(
    *, partner: Partner, certificate: Certificate, user, request=None
) -> None:
    audit_record(
        action=FILE_DOWNLOADED,
        actor=user,
        partner=partner,
        obj=certificate,
        request=request,
        name=f"{certificate.number}.pdf",
        document="certificate_of_conformance",
        number=certificate.number,
        sha256=certificate.pdf_sha256,
    )


_PAGES_DICT = re.compile(rb"<<(?:(?!<<|>>).)*?/Type\s*/Pages\b(?:(?!<<|>>).)*>>", re.S)
_COUNT = re.compile(rb"/Count\s+(\d+)")


def pdf_page_count(pdf: bytes) -> int | None:
    """Pages of a PDF that WeasyPrint wrote: the /Count of its page tree, found in
    the file or in its compressed object streams. None if not found."""
    blobs = [pdf]
    for match in re.finditer(rb"/Type\s*/ObjStm\b", pdf):
        start = pdf.find(b"stream", match.end())
        if start < 0:
            continue
        start += len(b"stream")
        start += 2 if pdf[start : start + 2] == b"\r\n" else 1
        try:
            blobs.append(zlib.decompressobj().decompress(pdf[start:]))
        except zlib.error:
            continue
    counts = [
        int(count)
        for blob in blobs
        for pages in _PAGES_DICT.findall(blob)
        for count in _COUNT.findall(pages)
    ]
    return max(counts) if counts else None


# --- certificates of conformance ---------------------------------------------------------


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
        content = contents.certificate_content(
            partner=partner,
            shipment=shipment,
            number=number,
            issued_at=issued_at,
            signatory=user,
            title=title,
        )
        digest = contents.content_sha256(content)
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
