import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.hub.models import BomLine, InspectionCharacteristic, Operation, ProductRevision
from orders.hub.orders import services as order_services
from orders.hub.products import services

from .conftest import make_revision


def test_release_makes_the_revision_immutable(world):
    revision = make_revision(actor=world.user("planner"))
    assert revision.status == "released"
    with pytest.raises(ValidationError, match="cannot be changed"):
        BomLine.objects.create(
            revision=revision,
            position=1,
            component_code="STEEL-S235",
            quantity=Decimal("1.2"),
            unit="kg",
        )
    operation = revision.operations.first()
    operation.name = "Changed"
    with pytest.raises(ValidationError, match="cannot be changed"):
        operation.save()
    with pytest.raises(ValidationError):
        operation.delete()


def test_only_one_released_revision_per_product(world):
    first = make_revision(actor=world.user("planner"))
    second = ProductRevision.objects.create(product=first.product, revision="B")
    Operation.objects.create(
        revision=second, sequence=10, name="Saw", work_centre_type="saw", run_minutes_per_unit=1
    )
    services.revision_release(revision=second, actor=world.user("planner"))
    first.refresh_from_db()
    assert first.status == "obsolete"
    assert ProductRevision.objects.filter(product=first.product, status="released").count() == 1
    # The database refuses two released revisions too, whatever writes them.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductRevision.objects.filter(pk=first.pk).update(status="released")


def test_release_needs_a_routing_and_a_draft(world):
    revision = make_revision(release=False)
    Operation.objects.filter(revision=revision).delete()
    with pytest.raises(ValidationError, match="routing"):
        services.revision_release(revision=revision, actor=world.user("planner"))
    released = make_revision("BRK-200", actor=world.user("planner"))
    with pytest.raises(ValidationError, match="Only a draft"):
        services.revision_release(revision=released, actor=world.user("planner"))


def test_multi_level_bom(world):
    revision = make_revision(release=False)
    frame = BomLine.objects.create(
        revision=revision, position=1, component_code="FRAME", quantity=1
    )
    weld = BomLine.objects.create(
        revision=revision, parent=frame, position=2, component_code="WELDMENT", quantity=2
    )
    tube = BomLine.objects.create(
        revision=revision,
        parent=weld,
        position=3,
        component_code="TUBE-20",
        quantity=Decimal("0.75"),
        unit="m",
    )
    assert [frame.level, weld.level, tube.level] == [1, 2, 3]
    with pytest.raises(IntegrityError), transaction.atomic():
        BomLine.objects.create(revision=revision, position=4, component_code="X", quantity=0)


def test_characteristic_limits_must_surround_the_nominal(world):
    revision = make_revision(release=False)
    operation = revision.operations.first()
    InspectionCharacteristic.objects.create(
        operation=operation,
        name="Bore Ø",
        nominal=Decimal("10"),
        lower_limit=Decimal("9.98"),
        upper_limit=Decimal("10.02"),
        unit="mm",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionCharacteristic.objects.create(
            operation=operation,
            name="Bad",
            nominal=Decimal("10"),
            lower_limit=Decimal("10.1"),
            upper_limit=Decimal("10.2"),
            unit="mm",
        )


def test_orders_need_a_released_revision_and_a_future_due_date(world):
    draft = make_revision(release=False)
    common = {
        "customer_reference": "PO-1",
        "quantity": 5,
        "ship_to_name": "DC",
        "ship_to_latitude": 1,
        "ship_to_longitude": 1,
    }
    future = timezone.localdate() + datetime.timedelta(days=10)
    with pytest.raises(ValidationError, match="not released"):
        order_services.order_create(actor=None, revision=draft, due_date=future, **common)
    released = make_revision("BRK-300", actor=world.user("planner"))
    with pytest.raises(ValidationError, match="in the past"):
        order_services.order_create(
            actor=None,
            revision=released,
            due_date=timezone.localdate() - datetime.timedelta(days=1),
            **common,
        )
    with pytest.raises(ValidationError):
        order_services.order_create(
            actor=None, revision=released, due_date=future, **{**common, "quantity": 0}
        )
    order = order_services.order_create(actor=None, revision=released, due_date=future, **common)
    assert order.number.startswith(f"NO-{timezone.now().year}-")
    assert order.status == "draft"


def test_a_product_code_taken_between_check_and_write_is_a_validation_error(world):
    """The form checks the code first; a create that loses the race to another
    gets a message for the code field, not a database error."""
    services.product_create(code="RACE-1", name="First")
    with pytest.raises(ValidationError) as caught:
        services.product_create(code="RACE-1", name="Second")
    assert "exists already" in caught.value.message_dict["code"][0]
    assert ProductRevision.objects.filter(product__code="RACE-1").count() == 1
