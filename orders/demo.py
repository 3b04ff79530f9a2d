"""Demo products and 300+ network orders in every state, for `manage.py seed_demo`.

Orders go through the real services (dispatch through the audited door,
partner answers, progress and shipments publishing to the ledger), so every
page has realistic data. Deterministic (seeded random) and idempotent: it
does nothing once the demo orders exist.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Membership, Partner, Plant

from . import services
from .demo_inputs import plants_making, seed_demo_planning_inputs
from .hub.models import (
    BomLine,
    InspectionCharacteristic,
    NetworkOrder,
    Operation,
    Product,
    ProductRevision,
)
from .hub.orders import services as hub_services
from .hub.products import services as product_services
from .partner import services as partner_services
from .partner.models import WorkOrder

DEMO_PREFIX = "DEMO-"
ORDER_COUNT = 310
SPLIT_FROM = 200  # orders of this many units or more may be split, in parts of a fifth

# code, name, BOM as (level, component, quantity, unit), routing as
# (operation, work-centre type, setup min, run min/unit, capability, certification)
PRODUCTS = [
    (
        "BRK-100",
        "Mounting bracket",
        [
            (1, "PLATE-S235-6", "0.8", "kg"),
            (1, "BUSH-M8", "4", "pcs"),
            (2, "ZINC-COAT", "0.02", "kg"),
        ],
        [
            ("Saw", "saw", 10, "0.5", "", ""),
            ("Mill", "cnc_mill", 30, "3.2", "3-axis", "iso9001"),
            ("Deburr", "bench", 0, "0.8", "", ""),
            ("Powder coat", "paint", 45, "0.6", "powder", ""),
        ],
    ),
    (
        "HSG-220",
        "Gearbox housing",
        [
            (1, "CASTING-HSG220", "1", "pcs"),
            (2, "ALLOY-A356", "4.2", "kg"),
            (3, "SAND-CORE-7", "2", "pcs"),
            (1, "SEAL-KIT-22", "1", "pcs"),
        ],
        [
            ("Rough mill", "cnc_mill", 60, "6.5", "5-axis", "iatf16949"),
            ("Bore", "cnc_lathe", 40, "4.0", "", "iatf16949"),
            ("Wash", "wash", 5, "0.4", "", ""),
            ("Leak test", "test", 15, "1.5", "pressure", ""),
            ("Final inspection", "inspection", 0, "1.2", "cmm", ""),
        ],
    ),
    (
        "SHF-310",
        "Drive shaft",
        [
            (1, "BAR-42CRMO4-40", "1.6", "kg"),
            (2, "CERT-MAT-3.1", "1", "pcs"),
        ],
        [
            ("Saw", "saw", 10, "0.4", "", ""),
            ("Turn", "cnc_lathe", 35, "5.5", "", "iso9001"),
            ("Heat treat", "heat_treat", 120, "0.3", "induction", ""),
            ("Grind", "grinder", 40, "3.0", "", ""),
            ("Inspection", "inspection", 0, "1.0", "", ""),
        ],
    ),
    (
        "FRM-400",
        "Welded frame",
        [
            (1, "WELDMENT-400", "1", "pcs"),
            (2, "TUBE-40X40", "6.5", "m"),
            (3, "STEEL-S355", "14", "kg"),
            (4, "MILL-CERT", "1", "pcs"),
            (1, "PAINT-RAL7016", "0.4", "l"),
        ],
        [
            ("Cut tubes", "saw", 20, "2.0", "", ""),
            ("Tack weld", "weld", 30, "6.0", "MIG", "iso9001"),
            ("Full weld", "weld", 15, "12.0", "MIG", "iso9001"),
            ("Straighten", "press", 20, "3.0", "", ""),
            ("Paint", "paint", 45, "4.0", "wet", ""),
            ("Inspection", "inspection", 0, "3.0", "", ""),
        ],
    ),
    (
        "PCB-510",
        "Controller board",
        [
            (1, "PCB-BARE-510", "1", "pcs"),
            (1, "BOM-SMD-510", "1", "set"),
            (2, "MCU-STM32", "1", "pcs"),
            (3, "FIRMWARE-510", "1", "pcs"),
        ],
        [
            ("SMT placement", "smt", 60, "0.9", "01005", "iso9001"),
            ("Reflow", "reflow", 20, "0.2", "", ""),
            ("AOI", "aoi", 10, "0.3", "", ""),
            ("Functional test", "test", 15, "1.5", "ICT", ""),
        ],
    ),
    (
        "VLV-620",
        "Valve body",
        [
            (1, "BAR-316L-60", "2.1", "kg"),
            (2, "MILL-CERT-316L", "1", "pcs"),
            (1, "SEAL-KIT-620", "1", "set"),
            (2, "ORING-VITON-20", "2", "pcs"),
        ],
        [
            ("Turn", "cnc_lathe", 40, "4.5", "", "iso9001"),
            ("Mill ports", "cnc_mill", 45, "5.0", "5-axis", ""),
            ("Passivate", "chemical", 30, "0.5", "", ""),
            ("Pressure test", "test", 10, "2.0", "hydro", ""),
            ("Assemble seals", "assembly", 5, "1.0", "", ""),
            ("Inspection", "inspection", 0, "1.5", "cmm", ""),
        ],
    ),
    (
        "MED-730",
        "Catheter hub",
        [
            (1, "RESIN-PC-MED", "0.015", "kg"),
            (2, "COLORANT-BLUE", "0.0002", "kg"),
        ],
        [
            ("Injection mould", "moulding", 90, "0.25", "cleanroom", "iso9001"),
            ("Trim", "bench", 0, "0.1", "", ""),
            ("Visual inspection", "inspection", 0, "0.2", "", ""),
        ],
    ),
    (
        "ACT-840",
        "Linear actuator",
        [
            (1, "HSG-220", "1", "pcs"),
            (2, "CASTING-HSG220", "1", "pcs"),
            (1, "SHF-310", "1", "pcs"),
            (1, "PCB-510", "1", "pcs"),
            (2, "PCB-BARE-510", "1", "pcs"),
            (1, "MOTOR-BLDC-80", "1", "pcs"),
            (1, "FASTENER-KIT-8", "1", "set"),
        ],
        [
            ("Kitting", "logistics", 10, "2.0", "", ""),
            ("Sub-assembly", "assembly", 20, "8.0", "", "iso9001"),
            ("Final assembly", "assembly", 20, "12.0", "", ""),
            ("Run-in test", "test", 30, "10.0", "", ""),
            ("Calibrate", "test", 10, "4.0", "", ""),
            ("Label", "bench", 0, "0.5", "", ""),
            ("Pack", "logistics", 5, "1.0", "", ""),
            ("Final inspection", "inspection", 0, "2.0", "", ""),
        ],
    ),
]

SHIP_TO = [
    ("Customer DC Chicago", "41.87811", "-87.62980"),
    ("Customer DC Lyon", "45.76404", "4.83566"),
    ("Customer DC Rotterdam", "51.92442", "4.47773"),
    ("Customer DC Shanghai", "31.23039", "121.47370"),
    ("Customer DC São Paulo", "-23.55052", "-46.63331"),
    ("Customer DC Munich", "48.13513", "11.58198"),
]

# How many orders end in each state, in this order.
PLAN = [
    ("draft", 60),
    ("dispatched", 45),
    ("counter_proposed", 10),
    ("accepted", 40),
    ("rejected", 25),
    ("in_progress", 80),
    ("shipped", 50),
]


def _products(planner) -> list[ProductRevision]:
    revisions = []
    for code, name, bom, routing in PRODUCTS:
        product, _ = Product.objects.get_or_create(code=code, defaults={"name": name})
        revision = product.revisions.filter(status=ProductRevision.Status.RELEASED).first()
        if revision is None:
            revision = ProductRevision.objects.create(product=product, revision="A")
            parents: dict[int, BomLine] = {}
            for position, (level, component, quantity, unit) in enumerate(bom, start=1):
                parents[level] = BomLine.objects.create(
                    revision=revision,
                    parent=parents.get(level - 1) if level > 1 else None,
                    position=position,
                    component_code=component,
                    quantity=Decimal(quantity),
                    unit=unit,
                )
            for sequence, (op_name, centre, setup, run, capability, cert) in enumerate(
                routing, start=1
            ):
                operation = Operation.objects.create(
                    revision=revision,
                    sequence=sequence * 10,
                    name=op_name,
                    work_centre_type=centre,
                    setup_minutes=setup,
                    run_minutes_per_unit=Decimal(run),
                    required_capability=capability,
                    required_certification=cert,
                )
                if centre in ("cnc_mill", "cnc_lathe", "grinder"):
                    InspectionCharacteristic.objects.create(
                        operation=operation,
                        name="Bore Ø 20 H7",
                        nominal=Decimal("20.0105"),
                        lower_limit=Decimal("20.000"),
                        upper_limit=Decimal("20.021"),
                        unit="mm",
                    )
                if centre == "test":
                    InspectionCharacteristic.objects.create(
                        operation=operation,
                        name=f"{op_name} passed",
                        kind=InspectionCharacteristic.Kind.ATTRIBUTE,
                    )
            revision = product_services.revision_release(revision=revision, actor=planner)
        revisions.append(revision)
    return revisions


def _dispatch(order, plants, planner, rng) -> object | None:
    """To a random plant, those that make the product first (see demo_inputs)."""
    makers = plants_making(order.revision.product.code)
    for plant in sorted(rng.sample(plants, len(plants)), key=lambda p: p.code not in makers):
        try:
            return services.order_dispatch(
                order=order, plant=plant, quantity=order.quantity, actor=planner
            )
        except ValidationError:
            continue
    return None


def _member(partner: Partner, role: str):
    """A member with `role` (or, failing that, any member) acts for the partner."""
    membership = (
        Membership.objects.filter(partner=partner, role=role).select_related("user").first()
        or Membership.objects.filter(partner=partner).select_related("user").first()
    )
    return membership.user if membership else get_user_model().objects.get(username="planner")


def _advance(dispatch, state: str, rng) -> None:
    """Take a dispatched work order to `state` through the partner's own services."""
    partner = dispatch.partner
    operator = _member(partner, "operator")
    admin = _member(partner, "partner_admin")
    with schema_context(partner.schema_name):
        work_order = WorkOrder.objects.get(hub_dispatch_id=dispatch.pk)
        if state == "rejected":
            reason = rng.choice(["no_capacity", "no_material", "technical", "commercial"])
            partner_services.work_order_reject(
                partner=partner, work_order=work_order, user=admin, reason=reason
            )
            return
        if state == "counter_proposed":
            later = work_order.due_date + datetime.timedelta(days=rng.randint(3, 21))
            partner_services.work_order_accept(
                partner=partner, work_order=work_order, user=admin, promised_date=later
            )
            return
        work_order = partner_services.work_order_accept(
            partner=partner, work_order=work_order, user=admin
        )
        if state == "accepted":
            return
        operations = list(work_order.operations.order_by("sequence"))
        done = len(operations) if state == "shipped" else rng.randint(1, len(operations))
        good = work_order.quantity
        now = timezone.now()
        for index, operation in enumerate(operations[:done]):
            scrap = rng.randint(0, max(0, good // 50)) if state != "shipped" else 0
            started = now - datetime.timedelta(hours=2 * (done - index) + 1)
            partner_services.progress_report(
                partner=partner,
                operation=operation,
                user=operator,
                good_quantity=good - scrap,
                scrap_quantity=scrap,
                started_at=started,
                finished_at=started + datetime.timedelta(minutes=50),
            )
            good -= scrap
        if state == "shipped":
            partner_services.shipment_create(
                partner=partner,
                work_order=work_order,
                user=operator,
                quantity=work_order.quantity,
                carrier=rng.choice(["DHL", "UPS", "DB Schenker", "Kuehne+Nagel"]),
                tracking_number=f"TRK{rng.randint(10**8, 10**9)}",
                lots=f"LOT-{dispatch.pk:05d}",
            )


def _make_late(order, dispatch, due: datetime.date) -> None:
    """History for the demo: an order whose due date has passed while in progress
    (the services refuse past due dates for new orders)."""
    NetworkOrder.objects.filter(pk=order.pk).update(due_date=due)
    with schema_context(dispatch.partner.schema_name):
        WorkOrder.objects.filter(hub_dispatch_id=dispatch.pk).update(due_date=due)


def seed_demo_orders(*, planner) -> int:
    """Create the demo orders once; return how many demo orders exist."""
    existing = NetworkOrder.objects.filter(customer_reference__startswith=DEMO_PREFIX).count()
    if existing >= ORDER_COUNT:
        seed_demo_planning_inputs(planner=planner)
        return existing
    rng = random.Random(20261124)  # noqa: S311  (demo data, not security)
    with transaction.atomic():
        revisions = _products(planner)
        plants = list(
            Plant.objects.filter(partner__status=Partner.Status.ACTIVE).select_related("partner")
        )
        states = [state for state, count in PLAN for _ in range(count)]
        today = timezone.localdate()
        for index, state in enumerate(states):
            revision = rng.choice(revisions)
            name, lat, lon = rng.choice(SHIP_TO)
            quantity = rng.choice([10, 25, 50, 100, 120, 200, 250, 500])
            order = hub_services.order_create(
                actor=planner,
                customer_reference=f"{DEMO_PREFIX}{index + 1:04d}",
                revision=revision,
                quantity=quantity,
                due_date=today + datetime.timedelta(days=rng.randint(7, 90)),
                ship_to_name=name,
                ship_to_latitude=Decimal(lat),
                ship_to_longitude=Decimal(lon),
                priority=rng.choice([1, 2, 2, 2, 3, 4]),
                export_controlled=revision.product.code == "ACT-840" and rng.random() < 0.3,
                split_min_lot=quantity // 5 if quantity >= SPLIT_FROM else None,
            )
            if state == "draft":
                continue
            dispatch = _dispatch(order, plants, planner, rng)
            if dispatch is not None and state != "dispatched":
                _advance(dispatch, state, rng)
            if dispatch is not None and state == "in_progress" and index % 5 == 0:
                _make_late(order, dispatch, today - datetime.timedelta(days=rng.randint(1, 12)))
        seed_demo_planning_inputs(planner=planner, today=today)
    return NetworkOrder.objects.filter(customer_reference__startswith=DEMO_PREFIX).count()
