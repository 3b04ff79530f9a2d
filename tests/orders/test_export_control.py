"""Export-controlled orders are seen only by cleared users (guardian object
permission on the order) and by the network admin, who grants clearance."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders import services
from orders.hub.orders import selectors as hub_selectors
from orders.hub.orders import services as hub_services
from portal.audit import PERMISSION_GRANTED, PERMISSION_REVOKED
from portal.models import AuditEntry

from .test_order_pages import bulk_orders, csv_rows


@pytest.fixture
def secret(world, revision):
    """An export-controlled order created by the planner."""
    return hub_services.order_create(
        actor=world.user("planner"),
        customer_reference="ITAR-1",
        revision=revision,
        quantity=10,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        ship_to_name="Depot",
        ship_to_latitude=Decimal("38.9"),
        ship_to_longitude=Decimal("-77.0"),
        export_controlled=True,
    )


def sees(client, order) -> dict[str, bool]:
    """Every hub surface that names orders, for one client."""
    board = client.get("/orders/").content.decode()
    rows = csv_rows(client.get("/orders/", {"export": "csv"}))
    listing = client.get("/api/orders/").json()
    results = listing["results"] if isinstance(listing, dict) else listing
    return {
        "board": order.number in board,
        "csv": any(r[0] == order.number for r in rows),
        "detail": client.get(f"/orders/{order.number}/").status_code == 200,
        "api list": any(o["number"] == order.number for o in results),
        "api detail": client.get(f"/api/orders/{order.number}/").status_code == 200,
    }


ALL = dict.fromkeys(["board", "csv", "detail", "api list", "api detail"], True)
NONE = dict.fromkeys(ALL, False)


def test_uncleared_hub_members_find_no_trace_of_it(as_user, world, secret, order):
    for persona in ("qe", "auditor"):
        client = as_user(persona, world.hub)
        assert sees(client, secret) == NONE, persona
        assert sees(client, order) == ALL, persona  # ordinary orders stay visible
        response = client.get(f"/api/orders/{secret.number}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_creator_and_network_admin_see_it(as_user, world, secret):
    assert sees(as_user("planner", world.hub), secret) == ALL
    assert sees(as_user("netadmin", world.hub), secret) == ALL


def test_uncleared_planner_cannot_dispatch_or_decide_on_it(as_user, world, revision, alpha_plant):
    other = hub_services.order_create(
        actor=world.user("netadmin"),
        customer_reference="ITAR-2",
        revision=revision,
        quantity=10,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        ship_to_name="Depot",
        ship_to_latitude=1,
        ship_to_longitude=1,
        export_controlled=True,
    )
    client = as_user("planner", world.hub)  # a planner, but not cleared for `other`
    assert sees(client, other) == NONE
    page = client.post(
        f"/orders/{other.number}/dispatch/", {"plant": alpha_plant.pk, "quantity": 5}
    )
    assert page.status_code == 404
    api = client.post(
        f"/api/orders/{other.number}/dispatch/",
        {"plant": alpha_plant.pk, "quantity": 5},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert not other.dispatches.exists()


def test_anonymous_and_partner_users_get_nothing(as_user, world, secret):
    anonymous = as_user(None, world.hub)
    assert anonymous.get(f"/orders/{secret.number}/").status_code == 302
    assert anonymous.get(f"/api/orders/{secret.number}/").status_code == 401
    partner_user = as_user("alpha_admin", world.hub)
    assert partner_user.get(f"/orders/{secret.number}/clearances/").status_code == 403


def test_network_admin_grants_and_revokes_clearance_with_audit(as_user, world, secret):
    qe = world.user("qe")
    admin = as_user("netadmin", world.hub)
    page = admin.get(f"/orders/{secret.number}/clearances/").content.decode()
    assert "planner" in page  # the creator is listed as cleared
    response = admin.post(f"/orders/{secret.number}/clearances/", {"user": qe.pk})
    assert response.status_code == 302
    assert sees(as_user("qe", world.hub), secret) == ALL
    granted = AuditEntry.objects.get(action=PERMISSION_GRANTED)
    assert granted.object_id == str(secret.pk) and granted.detail["user"] == qe.username

    confirm = admin.get(f"/orders/{secret.number}/clearances/{qe.pk}/revoke/")
    assert confirm.status_code == 200 and "Revoke" in confirm.content.decode()
    assert sees(as_user("qe", world.hub), secret) == ALL  # a GET revokes nothing
    admin.post(f"/orders/{secret.number}/clearances/{qe.pk}/revoke/")
    assert sees(as_user("qe", world.hub), secret) == NONE
    assert AuditEntry.objects.filter(action=PERMISSION_REVOKED).count() == 1


def test_planner_cannot_manage_clearances(as_user, world, secret):
    client = as_user("planner", world.hub)
    assert client.get(f"/orders/{secret.number}/clearances/").status_code == 403
    response = client.post(f"/orders/{secret.number}/clearances/", {"user": world.user("qe").pk})
    assert response.status_code == 403
    assert world.user("qe") not in hub_selectors.cleared_users(secret)


def test_grant_refuses_partner_users_and_ordinary_orders(as_user, world, secret, order):
    admin = as_user("netadmin", world.hub)
    response = admin.post(
        f"/orders/{secret.number}/clearances/", {"user": world.user("alpha_admin").pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert world.user("alpha_admin") not in hub_selectors.cleared_users(secret)
    with pytest.raises(ValidationError, match="not export-controlled"):
        hub_services.clearance_grant(
            order=order, user=world.user("qe"), actor=world.user("netadmin")
        )


def test_dispatch_of_a_cleared_order_still_needs_the_itar_registration(world, secret, alpha_plant):
    with pytest.raises(ValidationError, match="ITAR"):
        services.order_dispatch(
            order=secret, plant=alpha_plant, quantity=5, actor=world.user("planner")
        )


def test_board_query_count_does_not_grow_with_controlled_orders(as_user, world, revision):
    client = as_user("qe", world.hub)
    client.get("/orders/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/orders/").status_code == 200
        return len(queries)

    bulk_orders(revision, 10, "XC", export_controlled=True)
    few = count()
    bulk_orders(revision, 500, "XD", export_controlled=True)
    assert count() == few
