import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.hub.models import Operation, Product, ProductRevision
from orders.hub.orders import services as hub_services
from orders.hub.products import services as product_services
from tenants.models import Certification, Plant

from ..factories import CertificationFactory, PlantFactory


def make_revision(code="BRK-100", *, certification="iso9001", release=True, actor=None):
    product = Product.objects.create(code=code, name=f"Bracket {code}")
    revision = ProductRevision.objects.create(product=product, revision="A")
    for sequence, (name, centre) in enumerate(
        [("Saw", "saw"), ("Mill", "cnc_mill"), ("Deburr", "bench")], start=1
    ):
        Operation.objects.create(
            revision=revision,
            sequence=sequence * 10,
            name=name,
            work_centre_type=centre,
            setup_minutes=Decimal("15"),
            run_minutes_per_unit=Decimal("2.5"),
            required_certification=certification if sequence == 2 else "",
        )
    if release:
        revision = product_services.revision_release(revision=revision, actor=actor)
    return revision


@pytest.fixture
def alpha_plant(world) -> Plant:
    plant = PlantFactory(partner=world.alpha, code="MUC")
    CertificationFactory(
        partner=world.alpha,
        plant=plant,
        standard=Certification.Standard.ISO_9001,
        expires_in_days=400,
    )
    return plant


@pytest.fixture
def revision(world):
    return make_revision(actor=world.user("planner"))


@pytest.fixture
def order(world, revision):
    return hub_services.order_create(
        actor=world.user("planner"),
        customer_reference="PO-4711",
        revision=revision,
        quantity=100,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        ship_to_name="Customer DC Lyon",
        ship_to_latitude=Decimal("45.76"),
        ship_to_longitude=Decimal("4.83"),
    )
