from django.utils import timezone

from orders.demo import ORDER_COUNT, seed_demo_orders
from orders.hub.models import NetworkOrder, ProductRevision
from portal.models import LedgerEvent
from tenants.demo import seed_demo_network


def test_demo_seed_has_products_and_orders_in_every_state_and_is_idempotent(world):
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
    events = LedgerEvent.objects.count()
    assert seed_demo_orders(planner=planner) == ORDER_COUNT
    assert LedgerEvent.objects.count() == events
