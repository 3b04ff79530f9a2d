import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services
from orders.hub.models import NetworkOrder
from orders.partner import services as partner_services
from orders.partner.models import WorkOrder

from ..factories import CertificationFactory, PlantFactory


def bulk_orders(revision, count, prefix):
    due = timezone.localdate() + datetime.timedelta(days=30)
    NetworkOrder.objects.bulk_create(
        NetworkOrder(
            number=f"{prefix}-{i:05d}",
            customer_reference=f"C{i}",
            revision=revision,
            quantity=10,
            due_date=due,
            ship_to_name="DC",
            ship_to_latitude=1,
            ship_to_longitude=1,
        )
        for i in range(count)
    )


def test_board_query_count_is_the_same_for_10_or_1000_orders(as_user, world, revision):
    client = as_user("planner", world.hub)
    bulk_orders(revision, 10, "TEN")
    client.get("/orders/")
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/orders/").status_code == 200
    bulk_orders(revision, 990, "MORE")
    with CaptureQueriesContext(connection) as thousand:
        response = client.get("/orders/")
    assert response.status_code == 200
    assert len(thousand) == len(ten), [q["sql"][:120] for q in thousand.captured_queries]


def test_board_shows_status_partner_and_percent_and_filters(as_user, world, order, alpha_plant):
    d = services.order_dispatch(
        order=order, plant=alpha_plant, quantity=100, actor=world.user("planner")
    )
    with schema_context("alpha"):
        wo = partner_services.work_order_accept(
            work_order=WorkOrder.objects.get(hub_dispatch_id=d.pk), user=world.user("alpha_admin")
        )
        for op in wo.operations.all():
            partner_services.progress_report(
                operation=op,
                user=world.user("alpha_operator"),
                good_quantity=40,
                started_at=timezone.now(),
                finished_at=timezone.now(),
            )
    client = as_user("planner", world.hub)
    content = client.get("/orders/", {"partner": world.alpha.pk}).content.decode()
    assert order.number in content and "40 %" in content and "In progress" in content
    assert order.number not in client.get("/orders/", {"status": "draft"}).content.decode()
    assert order.number not in client.get("/orders/", {"late": "on"}).content.decode()
    NetworkOrder.objects.filter(pk=order.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    late = client.get("/orders/", {"late": "on"}).content.decode()
    assert order.number in late and "late" in late


def test_board_exports_the_filtered_rows_as_csv(as_user, world, order):
    response = as_user("auditor", world.hub).get("/orders/", {"q": order.number, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("order,customer_reference")
    assert len(lines) == 2 and lines[1].startswith(order.number)


def test_planner_dispatches_from_the_order_page_or_sees_why_not(as_user, world, order, alpha_plant):
    client = as_user("planner", world.hub)
    expired = PlantFactory(partner=world.alpha, code="EXP")
    CertificationFactory(partner=world.alpha, plant=expired, standard="iso9001", expires_in_days=-5)
    response = client.post(
        f"/orders/{order.number}/dispatch/", {"plant": expired.pk, "quantity": 10}
    )
    assert response.status_code == 400
    assert "before the due date" in response.content.decode()
    response = client.post(
        f"/orders/{order.number}/dispatch/", {"plant": alpha_plant.pk, "quantity": 0}
    )
    assert response.status_code == 400
    assert not order.dispatches.exists()
    response = client.post(
        f"/orders/{order.number}/dispatch/", {"plant": alpha_plant.pk, "quantity": 100}
    )
    assert response.status_code == 302
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "Dispatched" in page and f"{order.number}-01" in page


def test_counter_proposal_is_approved_from_the_order_page(as_user, world, order, alpha_plant):
    d = services.order_dispatch(
        order=order, plant=alpha_plant, quantity=100, actor=world.user("planner")
    )
    with schema_context("alpha"):
        partner_services.work_order_accept(
            work_order=WorkOrder.objects.get(hub_dispatch_id=d.pk),
            user=world.user("alpha_admin"),
            promised_date=order.due_date + datetime.timedelta(days=4),
        )
    client = as_user("planner", world.hub)
    assert "Approve" in client.get(f"/orders/{order.number}/").content.decode()
    response = client.post(
        f"/orders/{order.number}/dispatches/{d.pk}/decision/", {"decision": "approve"}
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "accepted"


def test_new_order_form_validates(as_user, world, revision):
    client = as_user("planner", world.hub)
    data = {
        "customer_reference": "PO-9",
        "revision": revision.pk,
        "quantity": "-4",
        "due_date": "2020-01-01",
        "ship_to_name": "DC",
        "ship_to_latitude": "95",
        "ship_to_longitude": "4",
        "priority": 2,
    }
    response = client.post("/orders/new/", data)
    content = response.content.decode()
    assert response.status_code == 400
    assert "greater than or equal to 1" in content or "greater than or equal to 0" in content
    assert "less than or equal to 90" in content
    before = NetworkOrder.objects.count()
    data.update(quantity="12", ship_to_latitude="45", due_date="2020-01-01")
    response = client.post("/orders/new/", data)
    assert "The due date is in the past." in response.content.decode()
    assert NetworkOrder.objects.count() == before
    data["due_date"] = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    assert client.post("/orders/new/", data).status_code == 302
