from django.utils import timezone
from django_tenants.utils import schema_context

from orders.demo import ORDER_COUNT, seed_demo_orders
from orders.demo_inputs import APPROVED_PLANTS, demo_capacity_figures
from orders.hub.models import (
    FreightLane,
    NetworkOrder,
    PlantCapacity,
    PlantCost,
    Product,
    ProductRevision,
    WorkCentreRate,
)
from orders.partner.models import WorkCentre
from portal.ledger import ledger_verify
from portal.models import AuditEntry, LedgerEvent
from tenants.demo import seed_demo_network
from tenants.models import Plant


def test_demo_seed_has_products_orders_and_planning_inputs_and_is_idempotent(world):
    seed_demo_network()
    planner = type(world.user("planner")).objects.get(username="planner")
    assert seed_demo_orders(planner=planner) == ORDER_COUNT
    demo = NetworkOrder.objects.filter(customer_reference__startswith="DEMO-")
    assert set(demo.values_list("status", flat=True)) == {
        "draft",
        "dispatched",
        "accepted",
        "rejected",
        "in_progress",
        "shipped",
    }
    assert demo.filter(due_date__lt=timezone.localdate()).exclude(status="shipped").exists()
    released = ProductRevision.objects.filter(
        status="released",
        product__code__in=[
            "BRK-100",
            "HSG-220",
            "SHF-310",
            "FRM-400",
            "PCB-510",
            "VLV-620",
            "MED-730",
            "ACT-840",
        ],
    )
    assert released.count() == 8
    for revision in released:
        assert 3 <= revision.operations.count() <= 8
        levels = {line.level for line in revision.bom_lines.all()}
        assert 2 <= max(levels) <= 4
    assert LedgerEvent.objects.filter(kind="counter_proposed").exists()
    _assert_plants_declare_capacity_and_have_cost_models()
    events = LedgerEvent.objects.count()
    audits = AuditEntry.objects.count()
    declared = dict(PlantCapacity.objects.values_list("plant_id", "declared_at"))
    assert seed_demo_orders(planner=planner) == ORDER_COUNT
    assert LedgerEvent.objects.count() == events
    assert AuditEntry.objects.count() == audits
    assert dict(PlantCapacity.objects.values_list("plant_id", "declared_at")) == declared
    _assert_quality_demo()
    _assert_the_ledger_rebuilds_every_read_model()


def _assert_the_ledger_rebuilds_every_read_model():
    """The demo network's hub read models are what its ledger makes of them."""
    report = ledger_verify()
    assert report.equal, report.differences
    assert report.rows["orders"] > ORDER_COUNT
    assert report.rows["quality summary"] > 0 and report.rows["use-as-is requests"] > 0
    assert report.rows["capacity"] == PlantCapacity.objects.count() > 0


def _assert_quality_demo():
    """Acme's quality records: charts with enough samples, one piece out of
    tolerance whose NCR waits for the hub, a CAPA under way, an FAI, a certificate."""
    from quality.demo import seed_demo_quality
    from quality.hub.models import CharacteristicCapability, IssuedDocument, UseAsIsRequest
    from quality.partner.models import Capa, FirstArticle, InspectionRecord, Measurement
    from quality.publish import capability_of

    pieces = seed_demo_quality()
    assert pieces > 200
    with schema_context("acme"):
        # A drift the rules catch, not a run of scrap: few pieces out of tolerance.
        assert 1 <= InspectionRecord.objects.filter(conforming=False).count() <= 10
        measured = Measurement.objects.filter(kind="variable").values_list(
            "characteristic_id", flat=True
        )
        assert any(capability_of(pk).violations for pk in set(measured))
        assert FirstArticle.objects.filter(status="passed").count() == 1
        assert Capa.objects.get().steps.filter(completed_at__isnull=False).count() == 3
    assert UseAsIsRequest.objects.filter(partner__slug="acme", status="pending").count() == 1
    assert IssuedDocument.objects.filter(partner__slug="acme").count() == 1
    assert CharacteristicCapability.objects.filter(
        partner__slug="acme", sample_size__gte=90, cpk__isnull=False
    ).exists()
    assert seed_demo_quality() == pieces  # idempotent


def _assert_plants_declare_capacity_and_have_cost_models():
    active = Plant.objects.filter(
        partner__slug__in=["acme", "borealis", "cobalt", "delta", "emerald"]
    )
    assert active.count() == 10
    for plant in active.select_related("partner"):
        # Declared on the partner's side, published through the service, priced by the hub.
        with schema_context(plant.partner.schema_name):
            assert WorkCentre.objects.filter(plant_id=plant.pk).exists(), plant
        copy = PlantCapacity.objects.get(plant=plant)
        assert copy.work_centres and copy.capabilities
        assert copy.declared_by_label == f"{plant.partner.slug}-admin"
        assert PlantCost.objects.filter(plant=plant).exists()
        rates = set(
            WorkCentreRate.objects.filter(plant=plant).values_list("work_centre_type", flat=True)
        )
        assert rates == {wc["type"] for wc in copy.work_centres}
    assert sum(bool(c.downtime) for c in PlantCapacity.objects.filter(plant__in=active)) >= 2
    assert FreightLane.objects.filter(plant__in=active).count() >= 5
    # Rates differ by country: Detroit's milling costs more than Chennai's.
    mill = WorkCentreRate.objects.filter(work_centre_type="cnc_mill")
    assert mill.get(plant__code="DET").hourly_rate > 2 * mill.get(plant__code="MAA").hourly_rate
    assert not Product.objects.filter(code__in=["BRK-100", "ACT-840"], material_cost_per_unit=0)
    ((code, plants),) = APPROVED_PLANTS.items()
    approved = Product.objects.get(code=code).approved_plants.values_list("code", flat=True)
    assert set(approved) == set(plants)
    # Capacity over the next eight weeks leaves about 1.2-1.5 times the hours the
    # undispatched orders need, once the accepted and in-progress work is counted.
    figures = demo_capacity_figures()
    assert 1.2 <= figures["ratio"] <= 1.5, figures
    assert NetworkOrder.objects.filter(
        customer_reference__startswith="DEMO-", split_min_lot__isnull=False
    ).exists()
