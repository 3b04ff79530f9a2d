import datetime

from django.utils import timezone

from orders.hub.models import NetworkOrder


def body(revision, **extra):
    return {
        "customer_reference": "PO-API-1",
        "revision": revision.pk,
        "quantity": 40,
        "due_date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "ship_to_name": "DC Lyon",
        "ship_to_latitude": "45.76",
        "ship_to_longitude": "4.83",
        **extra,
    }


def test_planner_creates_and_dispatches_an_order(as_user, world, revision, alpha_plant):
    client = as_user("planner", world.hub)
    response = client.post("/api/orders/", body(revision), content_type="application/json")
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    response = client.post(
        f"/api/orders/{number}/dispatch/",
        {"plant": alpha_plant.pk, "quantity": 40},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["partner"] == "alpha"
    detail = client.get(f"/api/orders/{number}/").json()
    assert detail["status"] == "dispatched"
    assert [e["kind"] for e in detail["timeline"]] == ["dispatched"]


def test_bad_orders_get_problem_json_and_nothing_is_written(as_user, world, revision):
    client = as_user("planner", world.hub)
    before = NetworkOrder.objects.count()
    cases = [
        (body(revision, quantity=0), 400, "quantity"),
        (body(revision, quantity="many"), 400, "quantity"),
        (body(revision, due_date="31/02/2026"), 400, "due_date"),
        (body(revision, due_date="2020-01-01"), 422, "due_date"),
    ]
    for payload, status, field in cases:
        response = client.post("/api/orders/", payload, content_type="application/json")
        assert response.status_code == status, (payload, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert field in response.json()["errors"]
    assert NetworkOrder.objects.count() == before


def test_dispatch_refused_with_the_reason(as_user, world, order):
    from tests.factories import CertificationFactory, PlantFactory

    plant = PlantFactory(partner=world.alpha, code="EXP")
    CertificationFactory(partner=world.alpha, plant=plant, standard="iso9001", expires_in_days=-2)
    response = as_user("planner", world.hub).post(
        f"/api/orders/{order.number}/dispatch/",
        {"plant": plant.pk, "quantity": 10},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "before the due date" in response.json()["detail"]


def test_auditor_may_read_but_not_write(as_user, world, revision):
    client = as_user("auditor", world.hub)
    assert client.get("/api/orders/").status_code == 200
    response = client.post("/api/orders/", body(revision), content_type="application/json")
    assert response.status_code == 403
