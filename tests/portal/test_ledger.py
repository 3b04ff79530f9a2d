"""The network ledger is the truth: every hub read model is a function of it.

Random histories of partner and hub actions (dispatch, answers, progress,
shipments, capacity declarations, inspections, NCRs, use-as-is decisions and
changes of the sharing agreement) are played through the real services; after
each, rebuilding every read model from the ledger alone gives the live rows.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services as order_services
from orders.hub.models import Dispatch, InspectionCharacteristic, NetworkOrder, PlantCapacity
from orders.hub.orders import services as hub_services
from orders.partner import services as partner_services
from orders.partner.capacity import services as capacity
from orders.partner.models import WorkOrder
from portal.audit import audit_record
from portal.ledger import ledger_append, ledger_rebuild, ledger_verify, projectors
from portal.models import AuditEntry, LedgerEvent
from portal.vocabulary import AUDIT_ACTIONS, Vocabulary
from quality import services as quality_hub_services
from quality.hub.models import (
    CharacteristicCapability,
    NcrSummary,
    UseAsIsRequest,
    WorkOrderQuality,
)
from quality.partner.inspections import services as quality_services
from quality.partner.inspections.services import Reading
from quality.partner.models import NonConformance
from quality.partner.ncrs import services as ncr_services
from tenants.models import Certification
from tenants.sharing.services import agreement_set

from ..factories import CertificationFactory, PlantFactory
from ..quality.conftest import make_inspected_revision

OPTIONAL = ["dates", "notes", "shipping", "capacity", "quality_summary"]
QUALITY_MODELS = (WorkOrderQuality, CharacteristicCapability, NcrSummary)


class History:
    """Plays random actions of the hub and two partners through the services."""

    def __init__(self, world, seed: int):
        self.world = world
        self.rng = random.Random(seed)  # noqa: S311  (test data)
        self.planner = world.user("planner")
        self.done, self.refused = [], 0
        self.qe = world.user("qe")
        self.people = {
            world.alpha.pk: (world.user("alpha_admin"), world.user("alpha_quality")),
            world.beta.pk: (world.user("beta_admin"), world.user("beta_admin")),
        }
        self.revision = make_inspected_revision(code=f"LG-{seed}", actor=self.planner)
        self.characteristics = {
            c.name: c
            for c in InspectionCharacteristic.objects.filter(operation__revision=self.revision)
        }
        self.plants = []
        for partner in (world.alpha, world.beta):
            plant = PlantFactory(partner=partner, code=f"L{seed % 100:02d}{partner.slug[0]}")
            CertificationFactory(
                partner=partner,
                plant=plant,
                standard=Certification.Standard.ISO_9001,
                expires_in_days=900,
            )
            self.plants.append(plant)
        self.orders = [
            hub_services.order_create(
                actor=self.planner,
                customer_reference=f"LG-{seed}-{i}",
                revision=self.revision,
                quantity=self.rng.randint(4, 30),
                due_date=timezone.localdate() + datetime.timedelta(days=40),
                ship_to_name="DC",
                ship_to_latitude=Decimal("48.1"),
                ship_to_longitude=Decimal("11.5"),
            )
            for i in range(5)
        ]
        # Only this history's work: other tests may have committed work orders.
        self.order_numbers = [order.number for order in self.orders]

    # --- what can happen next ----------------------------------------------------------

    def step(self) -> None:
        action = self.rng.choice(
            [
                self.dispatch,
                self.dispatch,
                self.answer,
                self.answer,
                self.decide_counter,
                self.progress,
                self.progress,
                self.progress,
                self.ship,
                self.inspect,
                self.inspect,
                self.ncr,
                self.decide_use_as_is,
                self.declare_capacity,
                self.change_agreement,
            ]
        )
        try:
            with transaction.atomic():
                action()
        except ValidationError:
            self.refused += 1  # refused with a message, nothing written: real histories have those
        else:
            self.done.append(action.__name__)

    def _pick(self, *statuses):
        """A work order in one of `statuses` at either partner, with that partner."""
        found = []
        for partner in (self.world.alpha, self.world.beta):
            with schema_context(partner.schema_name):
                found += [
                    (partner, wo)
                    for wo in WorkOrder.objects.filter(
                        status__in=statuses, order_number__in=self.order_numbers
                    ).order_by("number")
                ]
        return self.rng.choice(found) if found else (None, None)

    def _partner(self):
        return self.rng.choice([self.world.alpha, self.world.beta])

    def dispatch(self):
        order = self.rng.choice(self.orders)
        plant = self.rng.choice(self.plants)
        order_services.order_dispatch(
            order=order,
            plant=plant,
            quantity=self.rng.randint(1, order.quantity),
            actor=self.planner,
        )

    def answer(self):
        partner, work_order = self._pick(WorkOrder.Status.DISPATCHED)
        if work_order is None:
            return
        admin = self.people[partner.pk][0]
        with schema_context(partner.schema_name):
            choice = self.rng.random()
            if choice < 0.15:
                partner_services.work_order_reject(
                    partner=partner, work_order=work_order, user=admin, reason="no_capacity"
                )
            elif choice < 0.3:
                later = work_order.due_date + datetime.timedelta(days=self.rng.randint(1, 9))
                partner_services.work_order_accept(
                    partner=partner, work_order=work_order, user=admin, promised_date=later
                )
            else:
                partner_services.work_order_accept(
                    partner=partner, work_order=work_order, user=admin
                )

    def decide_counter(self):
        pending = list(
            Dispatch.objects.filter(
                status=Dispatch.Status.COUNTER_PROPOSED, order__number__in=self.order_numbers
            )
        )
        if pending:
            order_services.counter_decide(
                dispatch=self.rng.choice(pending),
                approve=self.rng.random() < 0.6,
                actor=self.planner,
            )

    def progress(self):
        partner, work_order = self._pick(WorkOrder.Status.ACCEPTED, WorkOrder.Status.IN_PROGRESS)
        if work_order is None:
            return
        admin, _quality = self.people[partner.pk]
        with schema_context(partner.schema_name):
            operations = list(work_order.operations.order_by("sequence"))
            index = self.rng.randrange(len(operations))
            released = work_order.quantity if index == 0 else operations[index - 1].good_quantity
            operation = operations[index]
            left = released - operation.good_quantity - operation.scrap_quantity
            if left < 1:
                return
            good = self.rng.randint(1, left)
            scrap = self.rng.randint(0, left - good)
            now = timezone.now()
            partner_services.progress_report(
                partner=partner,
                operation=operation,
                user=admin,
                good_quantity=good,
                scrap_quantity=scrap,
                started_at=now - datetime.timedelta(hours=1),
                finished_at=now,
                notes="shared remark" if self.rng.random() < 0.5 else "",
                share_notes=True,
            )

    def ship(self):
        partner, work_order = self._pick(WorkOrder.Status.ACCEPTED, WorkOrder.Status.IN_PROGRESS)
        if work_order is None:
            return
        admin, _quality = self.people[partner.pk]
        with schema_context(partner.schema_name):
            last = work_order.operations.order_by("-sequence").first()
            ready = last.good_quantity - work_order.shipped_quantity
            if ready < 1:
                return
            partner_services.shipment_create(
                partner=partner,
                work_order=work_order,
                user=admin,
                quantity=self.rng.randint(1, ready),
                carrier="DHL",
                tracking_number="1Z1",
                lots="L-1",
            )

    def inspect(self):
        partner, work_order = self._pick(WorkOrder.Status.ACCEPTED, WorkOrder.Status.IN_PROGRESS)
        if work_order is None:
            return
        _admin, quality = self.people[partner.pk]
        bore, length = self.characteristics["Bore diameter"], self.characteristics["Length"]
        with schema_context(partner.schema_name):
            operation = work_order.operations.get(sequence=20)
            quality_services.inspection_record(
                partner=partner,
                work_order=work_order,
                operation=operation,
                sample=self.rng.randint(1, 10**6),
                instrument="CMM-1",
                inspected_at=timezone.now(),
                readings={
                    bore.pk: Reading(
                        value=Decimal("10") + Decimal(self.rng.randint(-25, 25)) / 1000
                    ),
                    length.pk: Reading(
                        value=Decimal("50") + Decimal(self.rng.randint(-9, 9)) / 100
                    ),
                },
                user=quality,
            )

    def ncr(self):
        partner, work_order = self._pick(WorkOrder.Status.ACCEPTED, WorkOrder.Status.IN_PROGRESS)
        if work_order is None:
            return
        _admin, quality = self.people[partner.pk]
        with schema_context(partner.schema_name):
            ncr = ncr_services.ncr_raise(
                partner=partner,
                work_order=work_order,
                user=quality,
                defect_code="dimensional",
                quantity=1,
                description="Bore oversize",
            )
            disposition = self.rng.choice(["use_as_is", "rework", None])
            if disposition:
                ncr_services.ncr_disposition_set(
                    partner=partner,
                    ncr=ncr,
                    disposition=disposition,
                    note="checked",
                    user=quality,
                    justification="Within the assembly's float",
                )
            ncr = NonConformance.objects.get(pk=ncr.pk)
            if ncr.status == NonConformance.Status.DISPOSITIONED and self.rng.random() < 0.5:
                ncr_services.ncr_close(partner=partner, ncr=ncr, user=quality)

    def decide_use_as_is(self):
        pending = list(
            UseAsIsRequest.objects.filter(
                status=UseAsIsRequest.Status.PENDING, order_number__in=self.order_numbers
            )
        )
        if pending:
            approve = self.rng.random() < 0.5
            quality_hub_services.use_as_is_decide(
                use_as_is=self.rng.choice(pending),
                approve=approve,
                note="" if approve else "Not in this assembly",
                actor=self.qe,
            )

    def declare_capacity(self):
        plant = self.rng.choice(self.plants)
        partner = plant.partner
        with schema_context(partner.schema_name):
            capacity.work_centre_save(
                partner=partner,
                plant_id=plant.pk,
                work_centre_type=self.rng.choice(["saw", "cnc_mill", "qa"]),
                count=self.rng.randint(1, 4),
                hours_per_day=Decimal(self.rng.choice([8, 16])),
                efficiency=Decimal("0.85"),
                user=self.people[partner.pk][0],
            )

    def change_agreement(self):
        partner = self._partner()
        releases = [group for group in OPTIONAL if self.rng.random() < 0.6]
        with schema_context(partner.schema_name):  # the sharing page runs on its host
            agreement_set(partner=partner, releases=releases, actor=self.people[partner.pk][0])


def assert_nothing_withheld_is_kept(world):
    from tenants.models import DataSharingAgreement

    for partner in (world.alpha, world.beta):
        releases = DataSharingAgreement.releases_in_force(partner)
        if "quality_summary" not in releases:
            for model in QUALITY_MODELS:
                assert not model.objects.filter(partner=partner).exists(), model
        if "capacity" not in releases:
            assert not PlantCapacity.objects.filter(plant__partner=partner).exists()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_histories_rebuild_from_the_ledger_alone_into_the_live_read_models(world, seed):
    history = History(world, seed)
    for _ in range(90):
        history.step()
    kinds = set(LedgerEvent.objects.values_list("kind", flat=True))
    assert {"dispatched", "accepted", "progress"} <= kinds, (kinds, history.done, history.refused)
    report = ledger_verify()
    assert report.equal, report.differences
    assert report.events == LedgerEvent.objects.count()
    assert_nothing_withheld_is_kept(world)
    # A rebuild that is kept (not rolled back) changes nothing either.
    before = {cls.name: cls().rows(None) for cls in projectors()}
    ledger_rebuild()
    assert {cls.name: cls().rows(None) for cls in projectors()} == before


def test_a_withdrawn_group_leaves_nothing_behind_and_a_new_release_publishes_it_again(world):
    history = History(world, 11)
    alpha, admin = world.alpha, world.user("alpha_admin")
    with schema_context("alpha"):
        agreement_set(partner=alpha, releases=OPTIONAL, actor=admin)
    for action in (history.dispatch, history.answer, history.inspect, history.ncr) * 6:
        try:
            with transaction.atomic():
                action()
        except ValidationError:
            pass
    history.declare_capacity()
    for plant in history.plants:
        with schema_context(plant.partner.schema_name):
            capacity.capability_add(
                partner=plant.partner,
                plant_id=plant.pk,
                name="TIG",
                user=history.people[plant.partner.pk][0],
            )
    assert WorkOrderQuality.objects.filter(partner=alpha).exists()
    assert CharacteristicCapability.objects.filter(partner=alpha).exists()
    assert PlantCapacity.objects.filter(plant__partner=alpha).exists()
    events = LedgerEvent.objects.count()

    with schema_context("alpha"):
        agreement_set(partner=alpha, releases=["dates"], actor=admin)
    for model in QUALITY_MODELS:
        assert not model.objects.filter(partner=alpha).exists(), model
    assert not PlantCapacity.objects.filter(plant__partner=alpha).exists()
    # The ledger keeps its history (append-only); the read models follow the agreement.
    assert LedgerEvent.objects.count() == events
    assert ledger_verify().equal
    ledger_rebuild()
    assert not WorkOrderQuality.objects.filter(partner=alpha).exists()
    assert PlantCapacity.objects.filter(plant__partner=world.beta).exists()

    with schema_context("alpha"):
        agreement_set(partner=alpha, releases=["capacity", "quality_summary"], actor=admin)
    assert WorkOrderQuality.objects.filter(partner=alpha).exists()
    assert PlantCapacity.objects.filter(plant__partner=alpha).exists()
    assert ledger_verify().equal


def test_the_board_projection_rebuilds_after_it_was_damaged(world):
    order = NetworkOrder.objects.get(number=world.order_number)
    with schema_context("alpha"):
        work_order = WorkOrder.objects.get(number=world.work_order_number)
        partner_services.work_order_accept(
            partner=world.alpha, work_order=work_order, user=world.user("alpha_operator")
        )
    NetworkOrder.objects.filter(pk=order.pk).update(status="shipped", percent_complete=99)
    report = ledger_verify()
    assert not report.equal and "orders" in report.differences
    live_only, rebuilt_only = report.differences["orders"]
    assert any(row[0] == "order" and row[2] == "shipped" for row in live_only)
    assert any(row[0] == "order" and row[2] == "accepted" for row in rebuilt_only)
    ledger_rebuild()
    order.refresh_from_db()
    assert (order.status, order.percent_complete) == ("accepted", 0)
    assert ledger_verify().equal


def test_the_rebuild_command_checks_and_says_what_differs(world, capsys):
    call_command("ledger_rebuild", "--check")
    out = capsys.readouterr().out
    assert "Every read model equals its rebuild." in out and "orders:" in out
    Dispatch.objects.filter(work_order_number=world.work_order_number).update(status="shipped")
    with pytest.raises(CommandError) as failed:
        call_command("ledger_rebuild", "--check", "--partner", "alpha")
    assert failed.value.returncode == 1
    assert "orders differs from its rebuild" in capsys.readouterr().out
    call_command("ledger_rebuild", "--partner", "alpha")
    assert Dispatch.objects.get(work_order_number=world.work_order_number).status == "dispatched"
    with pytest.raises(CommandError, match="No partner nobody"):
        call_command("ledger_rebuild", "--partner", "nobody")


def test_an_event_records_the_group_of_each_field_and_keeps_only_what_is_released(world):
    with transaction.atomic():
        event = ledger_append(
            partner=world.alpha,
            kind="progress",
            order_number=world.order_number,
            work_order_number=world.work_order_number,
            actor_label="someone",
            groups={
                "status": {"status": "in_progress", "operation": 10},
                "quantities": {"good": 0, "scrap": 0, "percent_complete": 0},
                "notes": {"notes": "not released by default"},
            },
        )
    assert event.groups == {
        "status": ["operation", "status"],
        "quantities": ["good", "percent_complete", "scrap"],
    }
    assert "notes" not in event.payload
    assert event.released_payload({"status"}) == {"status": "in_progress", "operation": 10}


def test_an_event_with_nothing_released_is_not_appended(world):
    with transaction.atomic():
        event = ledger_append(
            partner=world.alpha,
            kind="quality.inspected",
            actor_label="someone",
            groups={"quality_raw": {"values": [1, 2]}},
        )
    assert event is None


def test_the_ledger_is_written_only_inside_the_transaction_of_the_change(world, monkeypatch):
    # Tests run inside a transaction; this one plays a caller in autocommit.
    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="inside the"):
        patched.setattr(connection, "in_atomic_block", False)
        ledger_append(
            partner=world.alpha,
            kind="progress",
            actor_label="someone",
            groups={"status": {"status": "in_progress"}},
        )


def test_unregistered_event_kinds_and_audit_actions_are_refused(world):
    with pytest.raises(ValueError, match="unknown ledger event kind"), transaction.atomic():
        ledger_append(
            partner=world.alpha,
            kind="orders.teleported",
            actor_label="x",
            groups={"status": {"status": "x"}},
        )
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(action="order.teleported", actor_label="x")
    assert not AuditEntry.objects.filter(action="order.teleported").exists()


def test_each_app_registers_its_vocabulary_once(world):
    assert AUDIT_ACTIONS.label("order.dispatched") == "Order dispatched"
    assert "quality.use_as_is_decided" in AUDIT_ACTIONS
    words = Vocabulary("word")
    assert words.register("a.b", "A B") == "a.b"
    assert words.register("a.b", "A B") == "a.b"  # the same again is harmless
    with pytest.raises(ValueError, match="already registered"):
        words.register("a.b", "Something else")
