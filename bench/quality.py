"""Compliance PDFs: a certificate of conformance and a ~50-page quality dossier.

`python -m bench.quality` (or `bin/bench quality`): builds its own database
(`dmn_bench_quality`, dropped at the end unless --keep) with one partner, a
released revision with 6 characteristics over 2 operations, an accepted work
order with --pieces inspected pieces (bulk-loaded), --ncrs NCRs each with a full
8D CAPA and two attached files, a first article inspection and --runs + 1
shipments; then times, --runs times each after one warm-up:

- a certificate of conformance issued end to end (`certificate_issue`: content,
  hash, PDF, file, register, audit), split into building the content and
  rendering the PDF;
- the quality dossier rendered as the Celery task does (`document_render_run`:
  collect the records, lay out the pages, save the file), split into building the
  context and rendering the PDF (Django template to HTML, then WeasyPrint in a
  forked child), with the HTML template alone timed apart.

Prints one table (pages, median, min, max, the split); see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal

from .stats import Table, s

CHARACTERISTICS = (  # operation, name, nominal, lower, upper, unit
    (20, "Bore diameter", "10.000", "9.980", "10.020", "mm"),
    (20, "Length", "50.0", "49.9", "50.1", "mm"),
    (20, "Flatness", "0.00", "0.00", "0.05", "mm"),
    (20, "Surface roughness Ra", "0.8", "0.4", "1.6", "µm"),
    (30, "Thread gauge M8", None, None, None, ""),
    (30, "Visual", None, None, None, ""),
)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n")[0])
    p.add_argument("--pieces", type=int, default=370, help="inspected pieces (about 50 pages)")
    p.add_argument("--ncrs", type=int, default=8, help="NCRs, each with a full CAPA")
    p.add_argument("--runs", type=int, default=5, help="timed runs of each document")
    p.add_argument("--keep", action="store_true", help="keep the bench database at the end")
    return p.parse_args(argv)


def log(message):
    print(f"bench.quality: {message}", file=sys.stderr, flush=True)


class Timers:
    """Seconds spent in wrapped functions, per label, during one run."""

    def __init__(self):
        self.spent: dict[str, float] = {}

    @contextmanager
    def wrap(self, module, name, label):
        real = getattr(module, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)
        try:
            yield
        finally:
            setattr(module, name, real)


def build(pieces: int, ncrs: int, shipments: int):
    """The bench world; returns (work order number, quality user, shipment ids)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from orders.hub.models import (
        BomLine,
        InspectionCharacteristic,
        Operation,
        Product,
        ProductRevision,
    )
    from orders.hub.orders.services import order_create
    from orders.hub.products.services import revision_release
    from orders.partner import services as work_order_services
    from orders.partner.models import Shipment, WorkOrder
    from orders.services import order_dispatch
    from quality.partner.first_article import services as fai_services
    from quality.partner.inspections.services import Reading
    from quality.partner.models import (
        Attachment,
        Capa,
        CapaStep,
        InspectionRecord,
        Measurement,
        NonConformance,
    )
    from tenants.models import Certification, Membership, Partner, Plant
    from tenants.services import partner_provision

    call_command("migrate_network", verbosity=0)
    User = get_user_model()
    hub = Partner.objects.get(schema_name="public")
    planner = User.objects.create(username="bench-planner", email="p@bench.example")
    Membership.objects.create(user=planner, partner=hub, role="planner")
    partner = partner_provision(slug="bq", name="Bench Precision GmbH", status="active")
    plant = Plant.objects.create(
        partner=partner,
        code="P1",
        name="Plant 1",
        country="DE",
        latitude=48,
        longitude=11,
        timezone="Europe/Berlin",
    )
    today = timezone.localdate()
    Certification.objects.create(
        partner=partner,
        plant=plant,
        standard="as9100",
        certificate_number="AS-0001",
        issued_on=today - datetime.timedelta(days=300),
        expires_on=today + datetime.timedelta(days=700),
    )
    quality = User.objects.create(username="bq-quality", email="q@bq.example")
    Membership.objects.create(user=quality, partner=partner, role="quality")
    product = Product.objects.create(code="BQ-100", name="Actuator housing")
    revision = ProductRevision.objects.create(product=product, revision="C")
    operations = {}
    for sequence, name, centre, certification in (
        (10, "Saw", "saw", ""),
        (20, "Mill", "cnc_mill", "as9100"),
        (30, "Inspect", "qa", ""),
    ):
        operations[sequence] = Operation.objects.create(
            revision=revision,
            sequence=sequence,
            name=name,
            work_centre_type=centre,
            run_minutes_per_unit=1,
            required_certification=certification,
        )
    for sequence, name, nominal, lower, upper, unit in CHARACTERISTICS:
        InspectionCharacteristic.objects.create(
            operation=operations[sequence],
            name=name,
            kind="variable" if nominal is not None else "attribute",
            nominal=nominal,
            lower_limit=lower,
            upper_limit=upper,
            unit=unit,
        )
    BomLine.objects.create(
        revision=revision, position=10, component_code="AL-6061", description="Bar", quantity=1
    )
    revision = revision_release(revision=revision, actor=planner)
    order = order_create(
        actor=planner,
        customer_reference="PO-BENCH",
        revision=revision,
        quantity=pieces + 100,
        due_date=today + datetime.timedelta(days=60),
        ship_to_name="DC",
        ship_to_latitude=1,
        ship_to_longitude=1,
    )
    dispatch = order_dispatch(order=order, plant=plant, quantity=pieces + 100, actor=planner)
    characteristics = list(
        InspectionCharacteristic.objects.filter(operation__revision=revision).select_related(
            "operation"
        )
    )
    now = timezone.now() - datetime.timedelta(days=2)
    with schema_context(partner.schema_name):
        connection.tenant = partner
        wo = WorkOrder.objects.get(hub_dispatch_id=dispatch.pk)
        work_order_services.work_order_accept(partner=partner, work_order=wo, user=quality)
        wo_ops = {op.sequence: op for op in wo.operations.all()}
        fai_services.first_article_record(
            partner=partner,
            work_order=wo,
            serial="FA-0001",
            instrument="CMM Zeiss Contura",
            inspected_at=now,
            readings={
                c.pk: Reading(value=c.nominal) if c.kind == "variable" else Reading(passed=True)
                for c in characteristics
            },
            user=quality,
        )
        # Production pieces, alternating between the two inspected operations.
        records = InspectionRecord.objects.bulk_create(
            InspectionRecord(
                work_order=wo,
                operation=wo_ops[20 if i % 4 else 30],
                sample=1 + i // 5,
                piece=1 + i % 5,
                serial=f"SN-{i:06d}",
                instrument="Bore gauge BG-7" if i % 4 else "Thread gauge TG-8",
                inspected_at=now + datetime.timedelta(minutes=i),
                inspector_id=quality.pk,
                inspector_label=quality.username,
                conforming=i % 97 != 0,
            )
            for i in range(pieces)
        )
        Measurement.objects.bulk_create(
            Measurement(
                record=r,
                characteristic_id=c.pk,
                name=c.name,
                kind=c.kind,
                nominal=c.nominal,
                lower_limit=c.lower_limit,
                upper_limit=c.upper_limit,
                unit=c.unit,
                value=(c.nominal + Decimal(i % 4) / 1000) if c.kind == "variable" else None,
                passed=None if c.kind == "variable" else i % 97 != 0,
                conforming=i % 97 != 0 or c.kind == "variable",
            )
            for i, r in enumerate(records)
            for c in characteristics
            if c.operation.sequence == r.operation.sequence
        )
        raised = now + datetime.timedelta(hours=1)
        for n in range(ncrs):
            ncr = NonConformance.objects.create(
                number=f"NCR-{n + 1:05d}",
                work_order=wo,
                operation=wo_ops[20],
                defect_code="dimensional",
                quantity=1 + n % 3,
                lot=f"LOT-{n:03d}",
                description="Bore oversize on the second setup; the tool wear offset was "
                "not updated after the insert change. " * 2,
                containment="Parts of the lot quarantined and 100 % re-measured.",
                status="closed",
                disposition="rework",
                disposition_note="Re-bore to the next size and re-inspect.",
                dispositioned_at=raised,
                dispositioned_by_label=quality.username,
                raised_by_id=quality.pk,
                raised_by_label=quality.username,
                closed_at=raised,
                closed_by_label=quality.username,
            )
            capa = Capa.objects.create(ncr=ncr, opened_by_label=quality.username, closed_at=raised)
            steps = CapaStep.objects.bulk_create(
                CapaStep(
                    capa=capa,
                    step=step,
                    owner="A. Engineer",
                    due_date=today,
                    notes=f"Step {step}: analysed, acted and verified; evidence attached.",
                    completed_at=raised,
                    completed_by_label=quality.username,
                )
                for step in range(1, 9)
            )
            Attachment.objects.bulk_create(
                Attachment(
                    ncr=ncr,
                    capa_step=steps[k * 4],
                    file=f"quality/bench-{n}-{k}",
                    original_name=f"evidence-{n}-{k}.pdf",
                    content_type="application/pdf",
                    size=120_000 + n,
                    sha256=f"{n:032x}{k:032x}",
                    uploaded_by_id=quality.pk,
                    uploaded_by_label=quality.username,
                )
                for k in range(2)
            )
        shipment_ids = [
            Shipment.objects.create(
                work_order=wo,
                quantity=10,
                lots=f"LOT-{k:03d}",
                carrier="DHL",
                tracking_number=f"1Z{k:08d}",
                shipped_by_id=quality.pk,
                shipped_by_label=quality.username,
            ).pk
            for k in range(shipments)
        ]
        number = wo.number
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return number, quality, shipment_ids, partner


def measure(args, number, quality, shipment_ids, partner):
    from django.db import connection
    from django.template.loader import render_to_string
    from django_tenants.utils import schema_context

    from orders.partner.models import Shipment, WorkOrder
    from portal.pdf import page_counter_css
    from quality.partner.documents import contents
    from quality.partner.documents import services as document_services

    coc, dossier = [], []
    # The bench runs each rendering itself, as the worker would: nothing is sent
    # to a broker (REDIS_URL may name a real one).
    document_services._queue = lambda render_id: None
    with schema_context(partner.schema_name):
        connection.tenant = partner
        wo = WorkOrder.objects.get(number=number)
        for i, shipment_id in enumerate(shipment_ids):
            timers = Timers()
            shipment = Shipment.objects.get(pk=shipment_id)
            with (
                timers.wrap(contents, "certificate_content", "context"),
                timers.wrap(document_services, "render_pdf", "render"),
            ):
                start = time.perf_counter()
                document_services.certificate_issue(
                    partner=partner, shipment=shipment, user=quality, title="QM"
                )
                total = time.perf_counter() - start
            if i:  # the first run warms up
                coc.append((total, timers.spent, 1))
            log(f"certificate {i}/{len(shipment_ids) - 1}: {total:.2f} s")
        for i in range(args.runs + 1):
            requested = document_services.document_render_request(
                kind="dossier", work_order=wo, user=quality
            )
            timers = Timers()
            with (
                timers.wrap(contents, "dossier_context", "context"),
                timers.wrap(document_services, "render_pdf", "render"),
            ):
                start = time.perf_counter()
                done = document_services.document_render_run(
                    partner=partner, render_id=requested.pk
                )
                total = time.perf_counter() - start
            if done.status != "done":
                raise SystemExit(f"bench.quality: the dossier failed: {done.error}")
            # The HTML template alone (the first part of "render"), timed apart.
            context = contents.dossier_context(wo, partner=partner)
            context.update(
                title="Quality dossier",
                document_number="QD-BENCH",
                requested_by="bench",
                time_zone="UTC",
                pdf_page_counter=page_counter_css(),
            )
            start = time.perf_counter()
            html = render_to_string("pdf/dossier.html", context)
            timers.spent["template"] = time.perf_counter() - start
            if i:
                dossier.append((total, timers.spent, done.pages))
            log(
                f"dossier {i}/{args.runs}: {done.pages} pages, {total:.2f} s "
                f"(HTML {len(html) // 1024} KiB)"
            )
    return coc, dossier


def report(args, coc, dossier, version) -> str:
    from django.conf import settings

    table = Table(
        f"Compliance PDFs, seconds, {args.runs} runs each after one warm-up "
        f"(PostgreSQL {version.split()[0]}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs)",
        [
            "document",
            "pages",
            "median",
            "min",
            "max",
            "context (median)",
            "render (median)",
            "of which HTML template",
            "rest (median)",
        ],
    )
    for label, runs in (
        ("certificate of conformance (certificate_issue)", coc),
        (f"quality dossier (document_render_run), {args.pieces} pieces", dossier),
    ):
        totals = [t for t, _spent, _pages in runs]
        context = [spent.get("context", 0.0) for _t, spent, _p in runs]
        render = [spent.get("render", 0.0) for _t, spent, _p in runs]
        template = [spent["template"] for _t, spent, _p in runs if "template" in spent]
        rest = [t - spent.get("context", 0) - spent.get("render", 0) for t, spent, _p in runs]
        table.add(
            label,
            runs[-1][2],
            s(statistics.median(totals)),
            s(min(totals)),
            s(max(totals)),
            s(statistics.median(context)),
            s(statistics.median(render)),
            s(statistics.median(template)) if template else "-",
            s(statistics.median(rest)),
        )
    table.notes += [
        "context: building what the document says from the records (ORM queries, dicts);",
        "render: portal.pdf.render_pdf, the Django template to HTML then WeasyPrint's layout "
        "in a forked child;",
        "of which HTML template: render_to_string of the same context, timed apart;",
        "rest: the service around them (claims, progress writes, hashing, saving the file; "
        "for the CoC also locks, register and audit).",
        f"PDF time limit: {settings.DMN_PDF_TIME_LIMIT:g} s in a request, "
        f"{settings.DMN_PDF_TIME_LIMIT * 4:g} s in the background.",
    ]
    return table.render()


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DMN_BENCH_DB", "dmn_bench_quality")
    from .database import BenchDatabase

    db = BenchDatabase.from_environment()
    media = tempfile.TemporaryDirectory(prefix="dmn-bench-media-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": db.url,
            "DMN_MEDIA_ROOT": media.name,
            "LOG_LEVEL": "WARNING",
        }
    )
    log(f"creating database {db.name} (DATABASE_URL's {db.dev_name} is not used)")
    version = db.create()
    try:
        import django

        django.setup()
        log(f"loading {args.pieces} pieces and {args.ncrs} NCRs")
        number, quality, shipment_ids, partner = build(args.pieces, args.ncrs, args.runs + 1)
        coc, dossier = measure(args, number, quality, shipment_ids, partner)
        print(report(args, coc, dossier, version))
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            log(f"kept database {db.name}")
        else:
            db.drop()
        media.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
