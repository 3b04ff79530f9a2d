import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services
from orders.partner.models import WorkOrder
from portal.models import LedgerEvent


@pytest.fixture
def number(world, order, alpha_plant):
    return services.order_dispatch(
        order=order, plant=alpha_plant, quantity=100, actor=world.user("planner")
    ).work_order_number


def wo(number):
    with schema_context("alpha"):
        return WorkOrder.objects.get(number=number)


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_inbox_shows_this_partners_work_orders_awaiting_first(as_user, world, number):
    content = as_user("alpha_operator", world.alpha).get("/work-orders/").content.decode()
    assert number in content and world.work_order_number in content
    assert number not in as_user("beta_operator", world.beta).get("/work-orders/").content.decode()
    assert as_user("beta_operator", world.alpha).get("/work-orders/").status_code == 403


def test_inbox_query_count_does_not_grow(as_user, world, order, alpha_plant, revision):
    client = as_user("alpha_operator", world.alpha)
    client.get("/work-orders/")
    with CaptureQueriesContext(connection) as few:
        client.get("/work-orders/")
    from orders.hub import services as hub_services

    for _ in range(8):
        o = hub_services.order_create(
            actor=None,
            customer_reference="X",
            revision=revision,
            quantity=5,
            due_date=order.due_date,
            ship_to_name="DC",
            ship_to_latitude=1,
            ship_to_longitude=1,
        )
        services.order_dispatch(order=o, plant=alpha_plant, quantity=5, actor=None)
    with CaptureQueriesContext(connection) as many:
        client.get("/work-orders/")
    assert len(many) == len(few)


def test_accept_report_two_operations_and_ship_through_the_pages(as_user, world, number):
    quality = as_user("alpha_quality", world.alpha)
    assert quality.post(f"/work-orders/{number}/accept/", {"promised_date": ""}).status_code == 302
    assert wo(number).status == "accepted"
    operator = as_user("alpha_operator", world.alpha)
    now = timezone.now()
    with schema_context("alpha"):
        first, second, _ = wo(number).operations.order_by("sequence")
    for op, good in ((first, 100), (second, 60)):
        response = operator.post(
            f"/work-orders/{number}/operations/{op.pk}/report/",
            {
                "good_quantity": good,
                "scrap_quantity": 0,
                "started_at": local(now - datetime.timedelta(hours=1)),
                "finished_at": local(now),
                "notes": "private remark",
            },
        )
        assert response.status_code == 302, response.content
    response = operator.post(
        f"/work-orders/{number}/operations/{second.pk}/report/",
        {
            "good_quantity": 41,
            "scrap_quantity": 0,
            "started_at": local(now),
            "finished_at": local(now),
        },
    )
    assert response.status_code == 400
    assert "can take 40 more units" in response.content.decode()
    page = operator.get(f"/work-orders/{number}/").content.decode()
    assert "private remark" in page
    events = LedgerEvent.objects.filter(work_order_number=number, kind="progress")
    assert events.count() == 2 and "private remark" not in str(list(events.values("payload")))


def test_counter_proposal_then_reject_is_refused(as_user, world, number):
    later = (wo(number).due_date + datetime.timedelta(days=5)).isoformat()
    admin = as_user("alpha_admin", world.alpha)
    assert admin.post(f"/work-orders/{number}/accept/", {"promised_date": later}).status_code == 302
    assert wo(number).status == "counter_proposed"
    response = admin.post(f"/work-orders/{number}/reject/", {"reason": "no_capacity"})
    assert response.status_code == 400
    assert "only a work order awaiting an answer" in response.content.decode()


def test_only_shop_floor_roles_answer_report_and_ship(as_user, world, number):
    # alpha's members all may; a hub planner on alpha's host may not.
    response = as_user("planner", world.alpha).post(f"/work-orders/{number}/accept/", {})
    assert response.status_code == 403
    assert wo(number).status == "dispatched"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"good_quantity": "ten"}, "Enter a whole number"),
        ({"good_quantity": -3}, "greater than or equal to 0"),
        ({"good_quantity": 0, "scrap_quantity": 0}, "at least one good or scrapped unit"),
        ({"good_quantity": 1, "finished_at": "yesterday"}, "Enter a valid date/time"),
    ],
)
def test_bad_progress_input_is_shown_and_nothing_written(as_user, world, number, data, message):
    as_user("alpha_admin", world.alpha).post(f"/work-orders/{number}/accept/", {})
    with schema_context("alpha"):
        op = wo(number).operations.order_by("sequence").first()
    now = local(timezone.now())
    response = as_user("alpha_operator", world.alpha).post(
        f"/work-orders/{number}/operations/{op.pk}/report/",
        {"scrap_quantity": 0, "started_at": now, "finished_at": now, **data},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    with schema_context("alpha"):
        op.refresh_from_db()
        assert op.good_quantity == 0


def test_shipping_before_accept_is_refused_and_reject_with_other_needs_text(as_user, world, number):
    admin = as_user("alpha_admin", world.alpha)
    response = admin.post(
        f"/work-orders/{number}/ship/", {"quantity": 1, "carrier": "UPS", "tracking_number": "1"}
    )
    assert response.status_code == 403 or "Only an accepted" in response.content.decode()
    response = admin.post(f"/work-orders/{number}/reject/", {"reason": "other", "text": ""})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert admin.post(f"/work-orders/{number}/reject/", {"reason": "technical"}).status_code == 302
    assert wo(number).status == "rejected"


def test_internal_notes_stay_private(as_user, world, number):
    admin = as_user("alpha_admin", world.alpha)
    admin.post(
        f"/work-orders/{number}/internal/",
        {"internal_notes": "margin 3%", "internal_cost": "812.50"},
    )
    assert wo(number).internal_notes == "margin 3%"
    assert "margin" not in str(list(LedgerEvent.objects.values_list("payload", flat=True)))
