"""Order board, partner inbox and API writes at network scale.

`python -m bench.orders` (or `bin/bench orders`): builds its own database with
--partners partners x --orders orders each (bulk-loaded: the figures are about
reading and writing, not about loading), then prints one table:
- the hub order board and a partner inbox through the test client, median and
  p95 ms, and the ratio to running the page's own SQL statements directly;
- progress reports written through the partner API per second;
- then the ledger behind those orders (dispatch, answer, progress and shipment
  events, bulk-loaded), and the time to rebuild every hub read model from it
  (`manage.py ledger_rebuild`) and to check the live ones against a rebuild
  (`--check`).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.orders")
    p.add_argument("--partners", type=int, default=200)
    p.add_argument("--orders", type=int, default=500, help="orders per partner")
    p.add_argument("--requests", type=int, default=50, help="timed requests per page")
    p.add_argument("--writes", type=int, default=300, help="timed API progress reports")
    p.add_argument(
        "--rounds", type=int, default=3, help="timing rounds over the same data (pages interleaved)"
    )
    p.add_argument("--keep", action="store_true")
    return p.parse_args(argv)


def log(message):
    print(f"bench.orders: {message}", file=sys.stderr, flush=True)


def build(partners: int, per_partner: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from orders.hub.models import Dispatch, NetworkOrder, Operation, Product, ProductRevision
    from orders.hub.products.services import revision_release
    from orders.partner.models import WorkOrder, WorkOrderOperation
    from tenants.models import Membership, Partner, Plant
    from tenants.services import partner_provision

    call_command("migrate_network", verbosity=0)
    User = get_user_model()
    hub = Partner.objects.get(schema_name="public")
    planner = User.objects.create(username="bench-planner", email="p@bench.example")
    Membership.objects.create(user=planner, partner=hub, role="planner")
    product = Product.objects.create(code="BENCH-1", name="Bench part")
    revision = ProductRevision.objects.create(product=product, revision="A")
    for seq, name in ((10, "Saw"), (20, "Mill"), (30, "Inspect")):
        Operation.objects.create(
            revision=revision,
            sequence=seq,
            name=name,
            work_centre_type=name.lower(),
            run_minutes_per_unit=1,
        )
    revision = revision_release(revision=revision, actor=planner)
    today = timezone.localdate()
    now = timezone.now()
    statuses = ["dispatched", "accepted", "in_progress", "in_progress", "shipped"]
    members = {}
    started = time.perf_counter()
    for p in range(partners):
        partner = partner_provision(
            slug=f"bp{p:03d}", name=f"Bench partner {p:03d}", status="active"
        )
        plant = Plant.objects.create(
            partner=partner,
            code="P1",
            name="Plant 1",
            country="DE",
            latitude=48,
            longitude=11,
            timezone="Europe/Berlin",
        )
        user = User.objects.create(username=f"bp{p:03d}-op", email=f"op@bp{p:03d}.example")
        Membership.objects.create(user=user, partner=partner, role="operator")
        members[partner.slug] = (partner, user)
        orders = NetworkOrder.objects.bulk_create(
            NetworkOrder(
                number=f"B{p:03d}-{i:05d}",
                customer_reference=f"C{i}",
                revision=revision,
                quantity=100,
                due_date=today + datetime.timedelta(days=i % 90 - 10),
                ship_to_name="DC",
                ship_to_latitude=1,
                ship_to_longitude=1,
                status=statuses[i % 5],
                good_quantity=(i % 5) * 20,
                percent_complete=(i % 5) * 20,
            )
            for i in range(per_partner)
        )
        dispatches = Dispatch.objects.bulk_create(
            Dispatch(
                order=o,
                partner=partner,
                plant=plant,
                quantity=100,
                work_order_number=f"{o.number}-01",
                status=statuses[i % 5],
                dispatched_at=now,
                good_quantity=(i % 5) * 20,
                percent_complete=(i % 5) * 20,
            )
            for i, o in enumerate(orders)
        )
        with schema_context(partner.schema_name):
            work_orders = WorkOrder.objects.bulk_create(
                WorkOrder(
                    number=d.work_order_number,
                    hub_dispatch_id=d.pk,
                    order_number=d.order.number,
                    plant_code="P1",
                    product_code="BENCH-1",
                    product_name="Bench part",
                    revision="A",
                    quantity=100,
                    due_date=d.order.due_date,
                    dispatched_at=now,
                    status=d.status,
                )
                for d in dispatches
            )
            WorkOrderOperation.objects.bulk_create(
                WorkOrderOperation(
                    work_order=w, sequence=seq, name=name, work_centre_type=name.lower()
                )
                for w in work_orders
                for seq, name in ((10, "Saw"), (20, "Mill"), (30, "Inspect"))
            )
        if (p + 1) % 25 == 0:
            log(f"{p + 1} partners loaded ({time.perf_counter() - started:.0f} s)")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return planner, members


def page_figures(client, path, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    # Server-side cursor plumbing (DECLARE/FETCH/CLOSE) cannot be replayed as is.
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].lstrip().upper().startswith(("DECLARE", "FETCH", "CLOSE"))
    ]
    sql_times = []
    with connection.cursor() as cursor:
        for _ in range(requests):
            start = time.perf_counter()
            for statement in statements:
                cursor.execute(statement)
                if cursor.description:
                    cursor.fetchall()
            sql_times.append(time.perf_counter() - start)
    return times, sql_times, len(statements)


def ledger_load(members) -> int:
    """The events a real history would have left for the bulk-loaded dispatches:
    dispatched, then accepted, progress on each operation and the shipment as
    far as each dispatch's status goes."""
    from django.utils import timezone

    from orders.hub.models import Dispatch
    from portal.models import LedgerEvent

    now = timezone.now().isoformat()
    today = timezone.localdate().isoformat()
    depth = {"dispatched": 0, "accepted": 1, "in_progress": 2, "shipped": 3}
    events, total = [], 0
    dispatches = Dispatch.objects.order_by("pk").values_list(
        "partner_id", "order__number", "work_order_number", "status", "good_quantity"
    )
    for partner_id, order_number, number, status, good in dispatches.iterator(chunk_size=5000):
        of_dispatch = {
            "partner_id": partner_id,
            "order_number": order_number,
            "work_order_number": number,
        }

        def event(kind, of_dispatch=of_dispatch, **groups):
            events.append(
                LedgerEvent(
                    kind=kind,
                    actor_label="bench",
                    payload={k: v for fields in groups.values() for k, v in fields.items()},
                    groups={group: sorted(fields) for group, fields in groups.items()},
                    **of_dispatch,
                )
            )

        event("dispatched", decision={"plant": "P1", "quantity": 100, "due_date": today})
        if depth[status] >= 1:
            event(
                "accepted",
                status={"status": "accepted", "promised_date": today, "answered_at": now},
            )
        if depth[status] >= 2:
            made = 100 if status == "shipped" else good
            for step, sequence in enumerate((10, 20, 30), start=1):
                event(
                    "progress",
                    status={"status": "in_progress", "operation": sequence},
                    quantities={"good": made, "scrap": 0, "percent_complete": made * step // 3},
                )
        if status == "shipped":
            event(
                "shipped",
                status={"status": "shipped"},
                quantities={"shipped": 100, "shipped_total": 100},
            )
        if len(events) >= 20000:
            total += len(LedgerEvent.objects.bulk_create(events))
            events.clear()
    total += len(LedgerEvent.objects.bulk_create(events))
    return total


def api_writes(partner, user, writes):
    from django.test import Client
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from integrations.models import ApiKey
    from orders.partner.models import WorkOrder, WorkOrderOperation

    with schema_context(partner.schema_name):
        work_order = WorkOrder.objects.filter(status="dispatched").first()
        WorkOrder.objects.filter(pk=work_order.pk).update(status="accepted", quantity=10**6)
        WorkOrderOperation.objects.filter(work_order=work_order).update(good_quantity=0)
    _key, plaintext = ApiKey.issue(partner=partner, name="bench", scope="write", created_by=user)
    client = Client(HTTP_HOST=partner.host(), HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    url = f"/api/work-orders/{work_order.number}/operations/10/progress/"
    now = timezone.now().isoformat()
    body = {"good_quantity": 1, "started_at": now, "finished_at": now}
    start = time.perf_counter()
    for _ in range(writes):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 201, response.content
    return writes / (time.perf_counter() - start)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DMN_BENCH_DB", "dmn_bench_orders")
    from .database import BenchDatabase
    from .stats import Table, ms, p95

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
    version = db.create()
    try:
        import django

        django.setup()
        from django.test import Client
        from django_tenants.utils import schema_context

        log(f"loading {args.partners} partners x {args.orders} orders into {db.name}")
        planner, members = build(args.partners, args.orders)
        hub = Client(HTTP_HOST="localhost")
        hub.force_login(planner)
        partner, user = members["bp000"]
        inbox = Client(HTTP_HOST=partner.host())
        with schema_context(partner.schema_name):
            inbox.force_login(user)
        pages = (
            ("hub order board /orders/", hub, "/orders/"),
            ("hub board, partner filter", hub, f"/orders/?partner={partner.pk}"),
            ("hub board, late only", hub, "/orders/?late=on"),
            ("partner inbox /work-orders/", inbox, "/work-orders/"),
        )
        figures = {label: ([], [], []) for label, _client, _path in pages}
        rates = []
        for round_ in range(1, args.rounds + 1):
            for label, client, path in pages:
                log(f"round {round_}/{args.rounds}: timing {label}")
                times, sql_times, queries = page_figures(client, path, args.requests)
                all_times, all_sql, round_medians = figures[label]
                all_times.extend(times)
                all_sql.extend(sql_times)
                round_medians.append((statistics.median(times), queries))
            log(f"round {round_}/{args.rounds}: timing API writes")
            rates.append(api_writes(partner, user, args.writes))
        table = Table(
            f"Orders at {args.partners} partners x {args.orders} orders "
            f"({args.partners * args.orders:,} orders), ms per request, "
            f"{args.rounds} rounds of {args.requests} (PostgreSQL {version.split()[0]})",
            [
                "page",
                "median",
                "p95",
                "round medians",
                "own SQL median",
                "ratio",
                "queries",
            ],
        )
        for label, (times, sql_times, round_medians) in figures.items():
            med, sql_med = statistics.median(times), statistics.median(sql_times)
            table.add(
                label,
                ms(med),
                ms(p95(times)),
                " / ".join(ms(m) for m, _q in round_medians),
                ms(sql_med),
                f"{med / sql_med:.1f}x",
                round_medians[-1][1],
            )
        table.notes.append(
            f"API progress reports (POST .../operations/10/progress/, API key, one client): "
            f"median {statistics.median(rates):.0f} writes/s over {args.rounds} rounds of "
            f"{args.writes} writes ({' / '.join(f'{r:.0f}' for r in rates)})"
        )
        table.notes.append(
            "ratio: page time over the time to run the same SQL statements "
            "directly on the same connection"
        )
        log("loading the ledger behind the orders")
        from portal.ledger import ledger_rebuild, ledger_verify

        events = ledger_load(members)
        rebuilds, checks = [], []
        for round_ in range(1, args.rounds + 1):
            log(f"round {round_}/{args.rounds}: rebuilding the read models from the ledger")
            rebuilds.append(ledger_rebuild().seconds)
            started = time.perf_counter()
            report = ledger_verify()
            checks.append(time.perf_counter() - started)
            assert report.equal, list(report.differences)
        table.notes.append(
            f"rebuild of every hub read model from {events:,} ledger events "
            f"(manage.py ledger_rebuild): median {statistics.median(rebuilds):.1f} s "
            f"({' / '.join(f'{r:.1f}' for r in rebuilds)}); with the comparison against the "
            f"live read models (--check): median {statistics.median(checks):.1f} s "
            f"({' / '.join(f'{c:.1f}' for c in checks)})"
        )
        print(table.render())
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            db.drop()
        media.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
