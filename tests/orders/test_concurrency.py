"""Two operators report on the same operation at the same moment, each on its
own database connection (threads). The row locks serialise them: no report is
lost and the operation never takes more than the previous step released."""

import threading
import time

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services
from orders.hub.orders import services as hub_services
from orders.partner import services as partner_services
from orders.partner.models import ProgressReport, WorkOrder, WorkOrderOperation

from ..factories import CertificationFactory, PlantFactory
from .conftest import make_revision


def in_own_connection(fn, *args):
    """Run fn on a fresh connection in another thread; its writes commit."""
    out = {}

    def run():
        try:
            out["value"] = fn(*args)
        except Exception as exc:  # noqa: BLE001  (handed back to the caller)
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def committed_first_operation(world) -> int:
    partner = world.alpha  # committed: later tests expect beta to have no plants
    plant = PlantFactory(partner=partner, code=f"C{timezone.now():%H%M%S%f}"[:20])
    CertificationFactory(partner=partner, plant=plant, standard="iso9001")
    revision = make_revision(f"CONC-{timezone.now():%H%M%S%f}", actor=None)
    order = hub_services.order_create(
        actor=None,
        customer_reference="PO-C",
        revision=revision,
        quantity=10,
        due_date=timezone.localdate() + timezone.timedelta(days=20),
        ship_to_name="DC",
        ship_to_latitude=1,
        ship_to_longitude=1,
    )
    dispatch = services.order_dispatch(order=order, plant=plant, quantity=10, actor=None)
    with schema_context(partner.schema_name):
        work_order = partner_services.work_order_accept(
            partner=partner,
            work_order=WorkOrder.objects.get(hub_dispatch_id=dispatch.pk),
            user=world.user(f"{partner.slug}_operator"),
        )
        return work_order.operations.order_by("sequence").first().pk


def report_together(world, op_pk, quantity):
    barrier = threading.Barrier(2)
    done, refused = [], []

    def report(user_name):
        try:
            with schema_context("alpha"):
                connection.tenant = world.alpha
                operation = WorkOrderOperation.objects.get(pk=op_pk)
                barrier.wait()
                partner_services.progress_report(
                    partner=world.alpha,
                    operation=operation,
                    user=world.user(user_name),
                    good_quantity=quantity,
                    started_at=timezone.now(),
                    finished_at=timezone.now(),
                )
                done.append(user_name)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=report, args=(name,))
        for name in ("alpha_operator", "alpha_quality")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, refused


def totals(op_pk):
    with schema_context("alpha"):
        operation = WorkOrderOperation.objects.get(pk=op_pk)
        return operation.good_quantity, ProgressReport.objects.filter(operation=operation).count()


def test_concurrent_reports_are_serialised_and_none_is_lost(world):
    op_pk = in_own_connection(committed_first_operation, world)
    done, refused = report_together(world, op_pk, 4)
    assert len(done) == 2 and refused == []
    assert in_own_connection(totals, op_pk) == (8, 2)
    # 2 units left: of two simultaneous reports of 2, exactly one fits.
    done, refused = report_together(world, op_pk, 2)
    assert len(done) == 1 and len(refused) == 1
    assert "can take 0 more units" in refused[0]
    assert in_own_connection(totals, op_pk) == (10, 3)


def order_at_two_plants(world) -> tuple[str, list[int]]:
    """One order, half at each of two alpha plants, both accepted; returns the
    order number and each work order's first operation."""
    stamp = f"{timezone.now():%H%M%S%f}"
    revision = make_revision(f"TWO-{stamp}", actor=None)
    order = hub_services.order_create(
        actor=None,
        customer_reference="PO-TWO",
        revision=revision,
        quantity=20,
        due_date=timezone.localdate() + timezone.timedelta(days=20),
        ship_to_name="DC",
        ship_to_latitude=1,
        ship_to_longitude=1,
    )
    firsts = []
    for suffix in "AB":
        plant = PlantFactory(partner=world.alpha, code=f"T{suffix}{stamp}"[:20])
        CertificationFactory(partner=world.alpha, plant=plant, standard="iso9001")
        dispatch = services.order_dispatch(order=order, plant=plant, quantity=10, actor=None)
        with schema_context("alpha"):
            connection.tenant = world.alpha
            work_order = partner_services.work_order_accept(
                partner=world.alpha,
                work_order=WorkOrder.objects.get(hub_dispatch_id=dispatch.pk),
                user=world.user("alpha_admin"),
            )
            firsts.append(work_order.operations.order_by("sequence").first().pk)
    return order.number, firsts


def test_two_reports_on_one_order_both_reach_its_projection(world):
    """Two work orders of one order, reported at the same moment: each report
    recomputes the order's projection from all its dispatches, and the order's
    row lock makes the second wait for the first instead of overwriting it."""
    from orders.hub.models import NetworkOrder

    number, firsts = in_own_connection(order_at_two_plants, world)
    barrier = threading.Barrier(2)
    errors = []

    def report(op_pk, user_name):
        try:
            with schema_context("alpha"):
                connection.tenant = world.alpha
                operation = WorkOrderOperation.objects.get(pk=op_pk)
                barrier.wait()
                partner_services.progress_report(
                    partner=world.alpha,
                    operation=operation,
                    user=world.user(user_name),
                    good_quantity=10,
                    started_at=timezone.now(),
                    finished_at=timezone.now(),
                )
        except Exception as exc:  # noqa: BLE001  (asserted below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=report, args=(op_pk, user))
        for op_pk, user in zip(firsts, ("alpha_operator", "alpha_quality"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    def projection():
        order = NetworkOrder.objects.get(number=number)
        dispatches = list(order.dispatches.all())
        return order.percent_complete, [d.percent_complete for d in dispatches]

    order_percent, dispatch_percents = in_own_connection(projection)
    assert all(p > 0 for p in dispatch_percents), dispatch_percents
    assert order_percent == round(sum(p * 10 for p in dispatch_percents) / 20)


def waiting_advisory_locks() -> int:
    """Requests for the ledger's locks (portal.ledger) waiting in this database."""
    from portal.ledger import LOCK_NAMESPACE

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objsubid = 2"
            " AND l.classid = %s AND d.datname = current_database()",
            [LOCK_NAMESPACE],
        )
        return cursor.fetchone()[0]


def rebuild_while_reporting(world, op_pk, rebuilt, monkeypatch) -> list[str]:
    """A rebuild of `rebuilt`'s read models has read the ledger and not yet
    written the board when an operator of alpha reports progress: the rebuild
    writes once the report waits for it, or is done. Returns who committed first."""
    from orders.hub.projectors import DispatchProjector
    from portal.ledger import ledger_rebuild

    read, reported = threading.Event(), threading.Event()
    finished, errors = [], []
    flush = DispatchProjector.flush

    def flush_once_the_report_waits_or_is_done(self):
        if self.rebuilding:
            read.set()
            for _ in range(200):
                if reported.is_set() or waiting_advisory_locks():
                    break
                time.sleep(0.05)
        flush(self)

    monkeypatch.setattr(DispatchProjector, "flush", flush_once_the_report_waits_or_is_done)

    def rebuild():
        try:
            with transaction.atomic():
                ledger_rebuild(partner_ids=[rebuilt.pk])
                finished.append("rebuild committed")
        except Exception as exc:  # noqa: BLE001  (asserted below)
            errors.append(exc)
        finally:
            connections.close_all()

    def report():
        try:
            read.wait(10)
            with schema_context("alpha"):
                operation = WorkOrderOperation.objects.get(pk=op_pk)
                partner_services.progress_report(
                    partner=world.alpha,
                    operation=operation,
                    user=world.user("alpha_operator"),
                    good_quantity=1,
                    started_at=timezone.now(),
                    finished_at=timezone.now(),
                )
            finished.append("report committed")
            reported.set()
        except Exception as exc:  # noqa: BLE001  (asserted below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rebuild), threading.Thread(target=report)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return finished


def test_a_report_waits_for_a_rebuild_of_its_partner_and_reaches_the_rebuilt_board(
    world, monkeypatch
):
    """A rebuild neither misses an event committed while it runs nor overwrites
    one: the partner's appends wait for it to commit, then project on top."""
    from orders.hub.models import Dispatch
    from portal.ledger import ledger_verify

    op_pk = in_own_connection(committed_first_operation, world)
    assert rebuild_while_reporting(world, op_pk, world.alpha, monkeypatch) == [
        "rebuild committed",
        "report committed",
    ]

    def board():
        with schema_context("alpha"):
            number = WorkOrderOperation.objects.get(pk=op_pk).work_order.number
        return Dispatch.objects.get(work_order_number=number).status, ledger_verify().equal

    assert in_own_connection(board) == ("in_progress", True)


def test_reports_do_not_wait_for_a_rebuild_of_another_partner(world, monkeypatch):
    op_pk = in_own_connection(committed_first_operation, world)
    assert rebuild_while_reporting(world, op_pk, world.beta, monkeypatch) == [
        "report committed",
        "rebuild committed",
    ]
