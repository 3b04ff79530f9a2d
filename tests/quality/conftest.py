import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services as order_services
from orders.hub.models import InspectionCharacteristic, Operation, Product, ProductRevision
from orders.hub.orders import services as hub_services
from orders.hub.products import services as product_services
from orders.partner import services as work_order_services
from orders.partner.models import WorkOrder
from tenants.models import Certification

from ..factories import CertificationFactory, PlantFactory


def make_inspected_revision(code="QB-100", revision="A", *, actor=None) -> ProductRevision:
    """Saw, mill and final inspection; the mill has two measured characteristics,
    the final inspection one pass/fail characteristic."""
    product, _ = Product.objects.get_or_create(code=code, defaults={"name": f"Housing {code}"})
    rev = ProductRevision.objects.create(product=product, revision=revision)
    ops = {}
    for sequence, name, centre in (
        (10, "Saw", "saw"),
        (20, "Mill", "cnc_mill"),
        (30, "Final", "qa"),
    ):
        ops[sequence] = Operation.objects.create(
            revision=rev,
            sequence=sequence,
            name=name,
            work_centre_type=centre,
            run_minutes_per_unit=Decimal("1"),
        )
    InspectionCharacteristic.objects.create(
        operation=ops[20],
        name="Bore diameter",
        nominal=Decimal("10.000"),
        lower_limit=Decimal("9.980"),
        upper_limit=Decimal("10.020"),
        unit="mm",
    )
    InspectionCharacteristic.objects.create(
        operation=ops[20],
        name="Length",
        nominal=Decimal("50.0"),
        lower_limit=Decimal("49.9"),
        upper_limit=Decimal("50.1"),
        unit="mm",
    )
    InspectionCharacteristic.objects.create(operation=ops[30], name="Visual", kind="attribute")
    return product_services.revision_release(revision=rev, actor=actor)


@dataclass
class Inspected:
    partner: object
    revision: ProductRevision
    work_order_number: str
    bore: InspectionCharacteristic
    length: InspectionCharacteristic
    visual: InspectionCharacteristic

    def work_order(self) -> WorkOrder:
        return WorkOrder.objects.get(number=self.work_order_number)

    def operation(self, sequence):
        return self.work_order().operations.get(sequence=sequence)


def dispatch_accepted(world, revision, partner, *, quantity=50, code="QP1") -> str:
    plant = PlantFactory(partner=partner, code=code)
    CertificationFactory(
        partner=partner, plant=plant, standard=Certification.Standard.ISO_9001, expires_in_days=500
    )
    order = hub_services.order_create(
        actor=world.user("planner"),
        customer_reference="PO-Q",
        revision=revision,
        quantity=quantity,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        ship_to_name="DC",
        ship_to_latitude=Decimal("45.7"),
        ship_to_longitude=Decimal("4.8"),
    )
    dispatch = order_services.order_dispatch(
        order=order, plant=plant, quantity=quantity, actor=world.user("planner")
    )
    with schema_context(partner.schema_name):
        connection.tenant = partner
        wo = WorkOrder.objects.get(hub_dispatch_id=dispatch.pk)
        work_order_services.work_order_accept(
            partner=partner, work_order=wo, user=world.user("alpha_operator")
        )
        return wo.number


@pytest.fixture
def inspected(world) -> Inspected:
    revision = make_inspected_revision(actor=world.user("planner"))
    number = dispatch_accepted(world, revision, world.alpha)
    chars = {
        c.name: c for c in InspectionCharacteristic.objects.filter(operation__revision=revision)
    }
    return Inspected(
        partner=world.alpha,
        revision=revision,
        work_order_number=number,
        bore=chars["Bore diameter"],
        length=chars["Length"],
        visual=chars["Visual"],
    )


@pytest.fixture
def in_alpha(world):
    """Run the test body in partner alpha's schema, as its requests do."""
    with schema_context("alpha"):
        connection.tenant = world.alpha
        yield
