import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services
from orders.hub.models import Dispatch, NetworkOrder
from orders.partner import services as partner_services
from orders.partner.models import WorkOrder
from portal.models import AuditEntry, LedgerEvent
from tenants.models import DataSharingAgreement

from ..factories import CertificationFactory, PlantFactory


def dispatch(world, order, plant, quantity=100):
    return services.order_dispatch(
        order=order, plant=plant, quantity=quantity, actor=world.user("planner")
    )


def work_order_of(d):
    return WorkOrder.objects.get(hub_dispatch_id=d.pk)


def now():
    return timezone.now()


def test_dispatch_writes_the_work_order_into_the_partner_schema(world, order, alpha_plant):
    d = dispatch(world, order, alpha_plant, quantity=60)
    assert d.work_order_number == f"{order.number}-01"
    with schema_context("alpha"):
        wo = work_order_of(d)
        assert wo.quantity == 60 and wo.status == "dispatched"
        assert [op.sequence for op in wo.operations.all()] == [10, 20, 30]
    with schema_context("beta"):
        assert not WorkOrder.objects.filter(number=d.work_order_number).exists()
    order.refresh_from_db()
    assert order.status == "dispatched"
    entered = AuditEntry.objects.get(
        action="schema.entered", reason=f"dispatch {d.work_order_number}"
    )
    assert entered.partner == world.alpha and entered.actor == world.user("planner")
    assert LedgerEvent.objects.get(work_order_number=d.work_order_number).kind == "dispatched"


def test_dispatch_part_of_the_quantity_then_the_rest(world, order, alpha_plant):
    dispatch(world, order, alpha_plant, quantity=60)
    with pytest.raises(ValidationError, match="Only 40 of 100 units are left"):
        dispatch(world, order, alpha_plant, quantity=41)
    second = dispatch(world, order, alpha_plant, quantity=40)
    assert second.work_order_number.endswith("-02")


def test_dispatch_is_refused_with_the_reason(world, order, alpha_plant):
    expired_plant = PlantFactory(partner=world.alpha, code="OLD")
    CertificationFactory(
        partner=world.alpha, plant=expired_plant, standard="iso9001", expires_in_days=-3
    )
    with pytest.raises(ValidationError, match="certification expires on .* before the due date"):
        dispatch(world, order, expired_plant)
    beta_plant = PlantFactory(partner=world.beta, code="LYS")
    with pytest.raises(ValidationError, match="has no ISO 9001 certification"):
        dispatch(world, order, beta_plant)
    world.alpha.status = "suspended"
    world.alpha.save()
    alpha_plant.refresh_from_db()
    with pytest.raises(ValidationError, match="suspended"):
        dispatch(world, order, type(alpha_plant).objects.get(pk=alpha_plant.pk))
    assert not Dispatch.objects.filter(order=order).exists()
    with schema_context("alpha"):
        assert not WorkOrder.objects.filter(order_number=order.number).exists()


def test_accept_progress_ship_and_the_hub_projection(world, order, alpha_plant):
    d = dispatch(world, order, alpha_plant, quantity=100)
    operator = world.user("alpha_operator")
    with schema_context("alpha"):
        connection.tenant = world.alpha
        wo = partner_services.work_order_accept(
            partner=world.alpha, work_order=work_order_of(d), user=operator
        )
        assert wo.status == "accepted" and wo.acknowledgement_seconds >= 0
        ops = list(wo.operations.all())
        start = now() - datetime.timedelta(hours=2)
        for index, op in enumerate(ops):
            partner_services.progress_report(
                partner=world.alpha,
                operation=op,
                user=operator,
                good_quantity=98,
                scrap_quantity=2 if index == 0 else 0,
                started_at=start,
                finished_at=now(),
            )
        with pytest.raises(ValidationError, match="finished units are ready to ship"):
            partner_services.shipment_create(
                partner=world.alpha,
                work_order=wo,
                user=operator,
                quantity=99,
                carrier="DHL",
                tracking_number="1Z",
            )
        partner_services.shipment_create(
            partner=world.alpha,
            work_order=wo,
            user=operator,
            quantity=98,
            carrier="DHL",
            tracking_number="1Z",
            lots="L-1, L-2",
        )
        wo.refresh_from_db()
        assert wo.status == "in_progress"  # 98 of 100 shipped
    d.refresh_from_db()
    order.refresh_from_db()
    assert d.percent_complete == 98 and d.shipped_quantity == 98
    assert order.status == "in_progress"
    kinds = list(
        LedgerEvent.objects.filter(work_order_number=d.work_order_number).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["dispatched", "accepted", "progress", "progress", "progress", "shipped"]


def test_full_shipment_closes_the_work_order_and_the_order(world, order, alpha_plant):
    d = dispatch(world, order, alpha_plant, quantity=100)
    operator = world.user("alpha_operator")
    with schema_context("alpha"):
        connection.tenant = world.alpha
        wo = partner_services.work_order_accept(
            partner=world.alpha, work_order=work_order_of(d), user=operator
        )
        for op in wo.operations.all():
            partner_services.progress_report(
                partner=world.alpha,
                operation=op,
                user=operator,
                good_quantity=100,
                started_at=now(),
                finished_at=now(),
            )
        partner_services.shipment_create(
            partner=world.alpha,
            work_order=wo,
            user=operator,
            quantity=100,
            carrier="UPS",
            tracking_number="T1",
        )
        wo.refresh_from_db()
        assert wo.status == "shipped"
    order.refresh_from_db()
    assert order.status == NetworkOrder.Status.SHIPPED


def test_illegal_transitions_are_refused(world, order, alpha_plant):
    d = dispatch(world, order, alpha_plant, quantity=100)
    operator = world.user("alpha_operator")
    with schema_context("alpha"):
        connection.tenant = world.alpha
        wo = work_order_of(d)
        with pytest.raises(ValidationError, match="Only an accepted work order can ship"):
            partner_services.shipment_create(
                partner=world.alpha,
                work_order=wo,
                user=operator,
                quantity=1,
                carrier="UPS",
                tracking_number="T",
            )
        with pytest.raises(ValidationError, match="only on an accepted work order"):
            partner_services.progress_report(
                partner=world.alpha,
                operation=wo.operations.first(),
                user=operator,
                good_quantity=1,
                started_at=now(),
                finished_at=now(),
            )
        partner_services.work_order_reject(
            partner=world.alpha, work_order=wo, user=operator, reason="no_capacity"
        )
        with pytest.raises(ValidationError, match="only a work order awaiting an answer"):
            partner_services.work_order_accept(partner=world.alpha, work_order=wo, user=operator)
        with pytest.raises(ValidationError, match="Say why"):
            partner_services.work_order_reject(
                partner=world.alpha, work_order=wo, user=operator, reason="other"
            )
    order.refresh_from_db()
    assert order.status == "rejected"


def test_progress_cannot_exceed_what_the_previous_operation_released(world, order, alpha_plant):
    d = dispatch(world, order, alpha_plant, quantity=100)
    operator = world.user("alpha_operator")
    with schema_context("alpha"):
        connection.tenant = world.alpha
        wo = partner_services.work_order_accept(
            partner=world.alpha, work_order=work_order_of(d), user=operator
        )
        first, second, _third = wo.operations.all()
        partner_services.progress_report(
            partner=world.alpha,
            operation=first,
            user=operator,
            good_quantity=30,
            started_at=now(),
            finished_at=now(),
        )
        with pytest.raises(ValidationError, match="can take 30 more units"):
            partner_services.progress_report(
                partner=world.alpha,
                operation=second,
                user=operator,
                good_quantity=31,
                started_at=now(),
                finished_at=now(),
            )
        with pytest.raises(ValidationError, match="can take 70 more units"):
            partner_services.progress_report(
                partner=world.alpha,
                operation=first,
                user=operator,
                good_quantity=71,
                started_at=now(),
                finished_at=now(),
            )
        with pytest.raises(ValidationError, match="negative"):
            partner_services.progress_report(
                partner=world.alpha,
                operation=first,
                user=operator,
                good_quantity=-1,
                started_at=now(),
                finished_at=now(),
            )
        with pytest.raises(ValidationError, match="before the start"):
            partner_services.progress_report(
                partner=world.alpha,
                operation=first,
                user=operator,
                good_quantity=1,
                started_at=now(),
                finished_at=now() - datetime.timedelta(hours=1),
            )


def test_counter_proposal_approved_or_declined_by_the_hub(world, order, alpha_plant):
    d1 = dispatch(world, order, alpha_plant, quantity=50)
    d2 = dispatch(world, order, alpha_plant, quantity=50)
    later = order.due_date + datetime.timedelta(days=7)
    with schema_context("alpha"):
        connection.tenant = world.alpha
        for d in (d1, d2):
            wo = partner_services.work_order_accept(
                partner=world.alpha,
                work_order=work_order_of(d),
                user=world.user("alpha_admin"),
                promised_date=later,
            )
            assert wo.status == "counter_proposed"
    d1.refresh_from_db()
    assert d1.status == "counter_proposed" and d1.promised_date == later
    services.counter_decide(dispatch=d1, approve=True, actor=world.user("planner"))
    services.counter_decide(dispatch=d2, approve=False, actor=world.user("planner"))
    with schema_context("alpha"):
        assert work_order_of(d1).status == "accepted"
        assert work_order_of(d2).status == "rejected"
    with pytest.raises(ValidationError, match="no counter-proposal"):
        services.counter_decide(dispatch=d1, approve=True, actor=world.user("planner"))


def test_a_rolled_back_partner_transaction_leaves_no_ledger_event(world, order, alpha_plant):
    d = dispatch(world, order, alpha_plant)
    before = LedgerEvent.objects.count()

    class Boom(Exception):
        pass

    with schema_context("alpha"):
        connection.tenant = world.alpha
        with pytest.raises(Boom), transaction.atomic():
            partner_services.work_order_accept(
                partner=world.alpha, work_order=work_order_of(d), user=world.user("alpha_operator")
            )
            raise Boom
        assert work_order_of(d).status == "dispatched"
    assert LedgerEvent.objects.count() == before
    d.refresh_from_db()
    assert d.status == "dispatched"


def test_the_ledger_carries_only_what_the_agreement_releases(world, order, alpha_plant):
    d = dispatch(world, order, alpha_plant)
    operator = world.user("alpha_operator")
    with schema_context("alpha"):
        connection.tenant = world.alpha
        wo = partner_services.work_order_accept(
            partner=world.alpha, work_order=work_order_of(d), user=operator
        )
        wo.internal_notes = "Our margin is thin on this one"
        wo.internal_cost = 1234
        wo.save()
        op = wo.operations.first()
        partner_services.progress_report(
            partner=world.alpha,
            operation=op,
            user=operator,
            good_quantity=5,
            started_at=now(),
            finished_at=now(),
            notes="shared remark",
            share_notes=True,
        )
    mine = LedgerEvent.objects.filter(work_order_number=d.work_order_number)
    event = mine.filter(kind="progress").get()
    assert set(event.payload) == {"status", "operation", "good", "scrap", "percent_complete"}
    DataSharingAgreement.objects.create(
        partner=world.alpha, releases=["status", "quantities", "dates", "notes"]
    )
    with schema_context("alpha"):
        connection.tenant = world.alpha
        partner_services.progress_report(
            partner=world.alpha,
            operation=op,
            user=operator,
            good_quantity=5,
            started_at=now(),
            finished_at=now(),
            notes="shared remark",
            share_notes=True,
        )
        partner_services.progress_report(
            partner=world.alpha,
            operation=op,
            user=operator,
            good_quantity=5,
            started_at=now(),
            finished_at=now(),
            notes="private remark",
            share_notes=False,
        )
    shared, private = mine.filter(kind="progress").order_by("id")[1:]
    assert shared.payload["notes"] == "shared remark" and "started_at" in shared.payload
    assert "notes" not in private.payload
    everything = " ".join(str(e.payload) for e in mine)
    assert "margin" not in everything and "1234" not in everything
