"""The hub's order pages: board, CSV export, new order, detail with the ledger
timeline, dispatch and counter-proposal decisions."""

import csv
import datetime
import io
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services
from orders.hub.models import Dispatch, NetworkOrder
from orders.hub.projectors import order_projection_refresh
from orders.partner import services as partner_services
from orders.partner.models import WorkOrder
from portal.models import LedgerEvent
from tenants.models import Partner

from ..factories import CertificationFactory, PlantFactory
from .conftest import make_revision


def bulk_orders(revision, count, prefix, *, plant=None, **fields):
    """`count` orders in one INSERT; with a plant, each gets a live dispatch
    (hub rows only: the board never reads partner schemas)."""
    due = timezone.localdate() + datetime.timedelta(days=30)
    orders = NetworkOrder.objects.bulk_create(
        NetworkOrder(
            **{
                "number": f"{prefix}-{i:05d}",
                "customer_reference": f"C{i}",
                "revision": revision,
                "quantity": 10,
                "due_date": due,
                "ship_to_name": "DC",
                "ship_to_latitude": 1,
                "ship_to_longitude": 1,
                "status": NetworkOrder.Status.IN_PROGRESS if plant else NetworkOrder.Status.DRAFT,
                # The projection the ledger would have kept for the dispatch below.
                "good_quantity": 5 if plant else 0,
                "percent_complete": 50 if plant else 0,
                **fields,
            }
        )
        for i in range(count)
    )
    if plant is not None:
        Dispatch.objects.bulk_create(
            Dispatch(
                order=order,
                partner=plant.partner,
                plant=plant,
                quantity=10,
                work_order_number=f"{order.number}-01",
                status=Dispatch.Status.IN_PROGRESS,
                dispatched_at=timezone.now(),
                good_quantity=5,
                percent_complete=50,
            )
            for order in orders
        )
    return orders


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def accept(dispatch, world, **kwargs):
    with schema_context("alpha"):
        return partner_services.work_order_accept(
            partner=world.alpha,
            work_order=WorkOrder.objects.get(hub_dispatch_id=dispatch.pk),
            user=world.user("alpha_admin"),
            **kwargs,
        )


def report_progress(work_order, world, good):
    with schema_context("alpha"):
        for op in work_order.operations.all():
            partner_services.progress_report(
                partner=world.alpha,
                operation=op,
                user=world.user("alpha_operator"),
                good_quantity=good,
                started_at=timezone.now(),
                finished_at=timezone.now(),
            )


# ---- the board ------------------------------------------------------------


def test_board_query_count_is_the_same_for_10_or_1000_orders(as_user, world, revision, alpha_plant):
    client = as_user("planner", world.hub)
    pages = [
        {},
        {"sort": "-complete"},
        {"partner": world.alpha.pk, "plant": alpha_plant.pk, "q": "0", "status": "in_progress"},
    ]

    def count_queries() -> list[int]:
        counts = []
        for params in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/orders/", params)
            assert response.status_code == 200
            assert "50 %" in response.content.decode()  # rows with dispatches are on the page
            counts.append(len(queries))
        return counts

    bulk_orders(revision, 10, "TEN", plant=alpha_plant)
    client.get("/orders/")  # warm up: session, content types
    ten = count_queries()
    bulk_orders(revision, 990, "MORE", plant=alpha_plant)
    with CaptureQueriesContext(connection) as last:
        client.get("/orders/")
    assert count_queries() == ten, [q["sql"][:120] for q in last.captured_queries]


def test_board_shows_status_partner_and_percent_and_filters(as_user, world, order, alpha_plant):
    d = services.order_dispatch(
        order=order, plant=alpha_plant, quantity=100, actor=world.user("planner")
    )
    report_progress(accept(d, world), world, good=40)
    client = as_user("planner", world.hub)
    content = client.get("/orders/", {"partner": world.alpha.pk}).content.decode()
    assert order.number in content and "40 %" in content and "In progress" in content
    assert "MUC" in content  # the plant
    assert "Alpha Machining · Plant MUC" in content  # the plant filter names the partner
    assert order.number not in client.get("/orders/", {"partner": world.beta.pk}).content.decode()
    assert order.number in client.get("/orders/", {"plant": alpha_plant.pk}).content.decode()
    assert order.number not in client.get("/orders/", {"status": "draft"}).content.decode()
    assert order.number in client.get("/orders/", {"status": "in_progress"}).content.decode()
    assert order.number not in client.get("/orders/", {"late": "on"}).content.decode()
    NetworkOrder.objects.filter(pk=order.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    late = client.get("/orders/", {"late": "on"}).content.decode()
    assert order.number in late and "badge-late" in late
    assert world.order_number not in late  # due in 60 days


def test_board_filters_by_product_due_window_and_search(as_user, world, order):
    other = make_revision("HNG-200", actor=world.user("planner"))
    today = timezone.localdate()
    (soon,) = bulk_orders(other, 1, "SOON", customer_reference="ACME-77")
    NetworkOrder.objects.filter(pk=soon.pk).update(due_date=today + datetime.timedelta(days=3))
    client = as_user("auditor", world.hub)

    def numbers(**params):
        return client.get("/orders/", params).content.decode()

    page = numbers(product=other.product.pk)
    assert soon.number in page and order.number not in page
    window = {"due_from": today.isoformat(), "due_to": (today + datetime.timedelta(days=7))}
    page = numbers(**window)
    assert soon.number in page and order.number not in page  # `order` is due in 30 days
    page = numbers(q="acme-7")
    assert soon.number in page and order.number not in page
    page = numbers(q=order.number)
    assert order.number in page and soon.number not in page
    response = client.get("/orders/", {"due_from": "not a date"})
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()


def test_partner_filter_does_not_repeat_orders(as_user, world, order, alpha_plant):
    """Two dispatches to one partner: filtering by it must not join dispatches twice,
    and the order's projection weighs each dispatch by its quantity."""
    second = PlantFactory(partner=world.alpha, code="AUG")
    CertificationFactory(partner=world.alpha, plant=second, standard="iso9001")
    planner = world.user("planner")
    one = services.order_dispatch(order=order, plant=alpha_plant, quantity=50, actor=planner)
    two = services.order_dispatch(order=order, plant=second, quantity=50, actor=planner)
    Dispatch.objects.filter(pk=one.pk).update(percent_complete=20, shipped_quantity=3)
    Dispatch.objects.filter(pk=two.pk).update(percent_complete=40, shipped_quantity=4)
    order_projection_refresh(order=order)  # what the ledger does after each change
    client = as_user("planner", world.hub)
    for params in ({}, {"partner": world.alpha.pk}, {"plant": second.pk}):
        rows = {r[0]: r for r in csv_rows(client.get("/orders/", {**params, "export": "csv"}))[1:]}
        assert rows[order.number][9] == "30", params  # (20 × 50 + 40 × 50) / 100
        assert rows[order.number][10] == "7", params
        assert rows[order.number][11] == "0", params  # good units at the last operation


def test_board_sorts_by_columns_and_paginates(as_user, world, revision):
    orders = bulk_orders(revision, 60, "SRT")
    NetworkOrder.objects.filter(pk=orders[7].pk).update(quantity=999)
    client = as_user("planner", world.hub)
    page = client.get("/orders/", {"sort": "-quantity"}).content.decode()
    assert page.index("SRT-00007") < page.index("SRT-00059")
    page = client.get("/orders/", {"sort": "quantity"}).content.decode()
    assert "SRT-00007" not in page  # on page 2 of 61 orders, 50 per page
    assert "SRT-00007" in client.get("/orders/", {"sort": "quantity", "page": 2}).content.decode()
    page = client.get("/orders/", {"sort": "-number"}).content.decode()
    assert page.index("SRT-00059") < page.index("SRT-00058")


def test_board_exports_the_filtered_rows_as_csv(as_user, world, order, revision):
    bulk_orders(revision, 3, "XTRA", customer_reference="=HYPERLINK(1)")
    response = as_user("auditor", world.hub).get("/orders/", {"q": order.number, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(response)
    assert rows[0][:2] == ["order", "customer_reference"]
    assert len(rows) == 2 and rows[1][:2] == [order.number, "PO-4711"]
    assert rows[1][6:8] == ["draft", "no"]
    rows = csv_rows(as_user("auditor", world.hub).get("/orders/", {"q": "XTRA", "export": "csv"}))
    assert len(rows) == 4
    assert all(r[1] == "'=HYPERLINK(1)" for r in rows[1:])  # no formula reaches a spreadsheet


# ---- new order ------------------------------------------------------------


def order_data(product_revision, **changes):
    data = {
        "customer_reference": "PO-9",
        "revision": product_revision.pk,
        "quantity": "12",
        "due_date": (timezone.localdate() + datetime.timedelta(days=9)).isoformat(),
        "ship_to_name": "DC",
        "ship_to_latitude": "45",
        "ship_to_longitude": "4",
        "priority": 2,
    }
    return {**data, **changes}


def test_new_order_form_refuses_bad_input_and_writes_nothing(as_user, world, revision):
    client = as_user("planner", world.hub)
    draft = make_revision("DRF-1", release=False)
    before = NetworkOrder.objects.count()
    cases = [
        ({"quantity": "-4"}, "greater than or equal to"),
        ({"quantity": "0"}, "greater than or equal to 1"),
        ({"quantity": "twelve"}, "Enter a whole number."),
        ({"due_date": "2020-01-01"}, "The due date is in the past."),
        ({"due_date": "31/31/2031"}, "Enter a valid date."),
        ({"revision": draft.pk}, "Choose a released product revision"),
        ({"ship_to_latitude": "95"}, "less than or equal to 90"),
    ]
    for change, message in cases:
        response = client.post("/orders/new/", order_data(revision, **change))
        assert response.status_code == 400, change
        assert message in response.content.decode(), change
    assert NetworkOrder.objects.count() == before


def test_new_order_form_creates_the_order(as_user, world, revision):
    client = as_user("planner", world.hub)
    page = client.get("/orders/new/").content.decode()
    assert "csrfmiddlewaretoken" in page and str(revision) in page
    response = client.post("/orders/new/", order_data(revision, export_controlled="on"))
    assert response.status_code == 302
    order = NetworkOrder.objects.get(customer_reference="PO-9")
    assert response["Location"] == f"/orders/{order.number}/"
    assert order.export_controlled and order.created_by == world.user("planner")
    assert order.status == NetworkOrder.Status.DRAFT


# ---- dispatch -------------------------------------------------------------


def test_dispatch_form_groups_plants_by_partner_and_defaults_to_the_remaining_quantity(
    as_user, world, order, alpha_plant
):
    services.order_dispatch(
        order=order, plant=alpha_plant, quantity=30, actor=world.user("planner")
    )
    page = as_user("planner", world.hub).get(f"/orders/{order.number}/").content.decode()
    assert '<optgroup label="Alpha Machining">' in page
    assert 'name="quantity" value="70"' in page
    assert (
        "Dispatch to a plant"
        not in as_user("auditor", world.hub).get(f"/orders/{order.number}/").content.decode()
    )


def test_planner_dispatches_from_the_order_page_or_sees_why_not(as_user, world, order, alpha_plant):
    client = as_user("planner", world.hub)
    expired = PlantFactory(partner=world.alpha, code="EXP")
    cert = CertificationFactory(
        partner=world.alpha, plant=expired, standard="iso9001", expires_in_days=-5
    )
    beta_plant = PlantFactory(partner=world.beta, code="BTA")
    CertificationFactory(partner=world.beta, plant=beta_plant, standard="iso9001")
    Partner.objects.filter(pk=world.beta.pk).update(status=Partner.Status.SUSPENDED)
    with schema_context("alpha"):
        work_orders = WorkOrder.objects.count()
    events = LedgerEvent.objects.count()
    url = f"/orders/{order.number}/dispatch/"
    refusals = [
        ({"plant": expired.pk, "quantity": 10}, f"expires on {cert.expires_on.isoformat()}"),
        ({"plant": beta_plant.pk, "quantity": 10}, "Beta Castings is suspended."),
        ({"plant": alpha_plant.pk, "quantity": 101}, "Only 100 of 100 units are left"),
        ({"plant": alpha_plant.pk, "quantity": 0}, "greater than or equal to 1"),
        ({"plant": alpha_plant.pk, "quantity": "lots"}, "Enter a whole number."),
        ({"plant": 999999, "quantity": 10}, "Select a valid choice"),
    ]
    for data, message in refusals:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not order.dispatches.exists()
    assert LedgerEvent.objects.count() == events
    with schema_context("alpha"):
        assert WorkOrder.objects.count() == work_orders
    response = client.post(url, {"plant": alpha_plant.pk, "quantity": 100})
    assert response.status_code == 302
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "Dispatched" in page and f"{order.number}-01" in page
    assert "Dispatch to a plant" not in page  # nothing left to dispatch


def test_only_planners_dispatch(as_user, world, order, alpha_plant):
    response = as_user("auditor", world.hub).post(
        f"/orders/{order.number}/dispatch/", {"plant": alpha_plant.pk, "quantity": 10}
    )
    assert response.status_code == 403
    assert not order.dispatches.exists()


# ---- detail and timeline --------------------------------------------------


def test_detail_shows_the_ledger_timeline_in_the_viewers_time_zone(
    as_user, world, order, alpha_plant
):
    planner = world.user("planner")
    planner.timezone = "Asia/Tokyo"
    planner.save(update_fields=["timezone"])
    d = services.order_dispatch(order=order, plant=alpha_plant, quantity=100, actor=planner)
    report_progress(accept(d, world), world, good=25)
    page = as_user("planner", world.hub).get(f"/orders/{order.number}/").content.decode()
    events = list(LedgerEvent.objects.filter(order_number=order.number))
    assert [e.kind for e in events][:2] == ["dispatched", "accepted"]
    for event in events:
        local = timezone.localtime(event.at, zoneinfo.ZoneInfo("Asia/Tokyo"))
        assert f'datetime="{local:%Y-%m-%dT%H:%M:%S}' in page
    assert '+09:00"' in page
    assert "Dispatched</strong>" in page and "Progress reported</strong>" in page
    assert "Plant: MUC" in page and "Quantity: 100" in page
    assert "% complete: 25 %" in page and "Status: In progress" in page
    assert "{&#x27;" not in page and "answered_at" not in page  # no raw payload


# ---- counter-proposals ----------------------------------------------------


def counter_proposed(order, world, alpha_plant, days=4):
    d = services.order_dispatch(
        order=order, plant=alpha_plant, quantity=100, actor=world.user("planner")
    )
    accept(d, world, promised_date=order.due_date + datetime.timedelta(days=days))
    return d


def test_counter_proposal_is_approved_from_the_order_page(as_user, world, order, alpha_plant):
    d = counter_proposed(order, world, alpha_plant)
    client = as_user("planner", world.hub)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "Approve" in page and "4 days later" in page
    promised = (order.due_date + datetime.timedelta(days=4)).isoformat()
    assert promised in page and order.due_date.isoformat() in page
    response = client.post(
        f"/orders/{order.number}/dispatches/{d.pk}/decision/", {"decision": "approve"}
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "accepted"
    assert LedgerEvent.objects.filter(work_order_number=d.work_order_number).last().kind == (
        "counter_approved"
    )


def test_counter_proposal_is_declined_after_confirmation(as_user, world, order, alpha_plant):
    d = counter_proposed(order, world, alpha_plant)
    client = as_user("planner", world.hub)
    url = f"/orders/{order.number}/dispatches/{d.pk}/decision/"
    confirm = client.get(url, {"decision": "decline"})
    assert confirm.status_code == 200
    assert "Decline the counter-proposal" in confirm.content.decode()
    assert client.post(url, {"decision": "decline"}).status_code == 200  # asks again
    assert client.post(url, {"decision": "maybe", "confirm": "yes"}).status_code == 302
    d.refresh_from_db()
    assert d.status == "counter_proposed"  # nothing decided yet
    response = client.post(url, {"decision": "decline", "confirm": "yes"})
    assert response.status_code == 302
    d.refresh_from_db()
    order.refresh_from_db()
    assert d.status == "rejected" and order.status == "rejected"
    with schema_context("alpha"):
        assert WorkOrder.objects.get(hub_dispatch_id=d.pk).status == "rejected"
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "Counter-proposal declined" in page
    assert "Dispatch to a plant" in page  # the quantity can go out again
    # deciding twice is refused with a message, nothing changes
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "has no open counter-proposal" in response.content.decode()


def test_auditor_sees_the_counter_proposal_but_cannot_decide(as_user, world, order, alpha_plant):
    d = counter_proposed(order, world, alpha_plant)
    client = as_user("auditor", world.hub)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "Counter-proposals to decide" in page and 'value="approve"' not in page
    url = f"/orders/{order.number}/dispatches/{d.pk}/decision/"
    assert client.post(url, {"decision": "approve"}).status_code == 403
    d.refresh_from_db()
    assert d.status == "counter_proposed"
