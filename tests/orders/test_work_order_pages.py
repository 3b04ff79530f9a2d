import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from orders import services
from orders.partner.models import WorkOrder
from portal.models import LedgerEvent
from tenants.models import DataSharingAgreement


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
    from orders.hub.orders import services as hub_services

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
    with schema_context("alpha"):
        second.refresh_from_db()
        assert second.good_quantity == 60 and second.reports.count() == 1
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
    assert response.status_code == 400
    assert "Only an accepted work order can ship" in response.content.decode()
    response = admin.post(f"/work-orders/{number}/reject/", {"reason": "other", "text": ""})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert wo(number).status == "dispatched" and not wo(number).shipments.exists()
    assert not LedgerEvent.objects.filter(work_order_number=number).exclude(kind="dispatched")
    assert admin.post(f"/work-orders/{number}/reject/", {"reason": "technical"}).status_code == 302
    assert wo(number).status == "rejected" and wo(number).reject_reason == "technical"
    response = admin.post(f"/work-orders/{number}/accept/", {})
    assert response.status_code == 400
    assert "only a work order awaiting an answer can be accepted" in response.content.decode()
    assert wo(number).status == "rejected"


def test_internal_notes_stay_private(as_user, world, number):
    admin = as_user("alpha_admin", world.alpha)
    admin.post(
        f"/work-orders/{number}/internal/",
        {"internal_notes": "margin 3%", "internal_cost": "812.50"},
    )
    assert wo(number).internal_notes == "margin 3%"
    admin.post(f"/work-orders/{number}/accept/", {})
    payloads = str(list(LedgerEvent.objects.values_list("payload", flat=True)))
    assert "margin" not in payloads and "812.5" not in payloads
    page = admin.get(f"/work-orders/{number}/").content.decode()
    assert "never published to the network ledger" in page and "margin 3%" in page
    operator = as_user("alpha_operator", world.alpha)
    assert "margin 3%" not in operator.get(f"/work-orders/{number}/").content.decode()
    response = operator.post(f"/work-orders/{number}/internal/", {"internal_notes": "x"})
    assert response.status_code == 403 and wo(number).internal_notes == "margin 3%"


def _report(client, number, op, good, *, started=None, finished=None, **extra):
    now = timezone.now()
    return client.post(
        f"/work-orders/{number}/operations/{op.pk}/report/",
        {
            "good_quantity": good,
            "scrap_quantity": 0,
            "started_at": started or local(now - datetime.timedelta(hours=1)),
            "finished_at": finished or local(now),
            **extra,
        },
    )


def test_shipments_close_the_work_order(as_user, world, number):
    operator = as_user("alpha_operator", world.alpha)
    assert operator.post(f"/work-orders/{number}/accept/", {}).status_code == 302
    with schema_context("alpha"):
        operations = list(wo(number).operations.order_by("sequence"))
    for op in operations:
        assert _report(operator, number, op, 100).status_code == 302
    ship = {"carrier": "DHL", "tracking_number": "JD0001", "lots": "L-1, L-2"}
    response = operator.post(f"/work-orders/{number}/ship/", {"quantity": 101, **ship})
    assert (
        response.status_code == 400 and "100 finished units are ready" in response.content.decode()
    )
    assert not wo(number).shipments.exists()
    assert (
        operator.post(f"/work-orders/{number}/ship/", {"quantity": 60, **ship}).status_code == 302
    )
    assert wo(number).status == "in_progress" and wo(number).shipped_quantity == 60
    assert (
        operator.post(f"/work-orders/{number}/ship/", {"quantity": 40, **ship}).status_code == 302
    )
    assert wo(number).status == "shipped" and wo(number).shipped_quantity == 100
    page = operator.get(f"/work-orders/{number}/").content.decode()
    assert "JD0001" in page and "L-1, L-2" in page and "Record shipment" not in page
    assert "Report progress" not in page
    kinds = list(
        LedgerEvent.objects.filter(work_order_number=number).values_list("kind", flat=True)
    )
    assert kinds.count("shipped") == 2
    quality = as_user("alpha_quality", world.alpha)
    response = quality.post(f"/work-orders/{number}/ship/", {"quantity": 1, **ship})
    assert response.status_code == 403


def test_counter_proposal_is_explained_and_published(as_user, world, number):
    admin = as_user("alpha_admin", world.alpha)
    page = admin.get(f"/work-orders/{number}/").content.decode()
    due = wo(number).due_date
    assert "counter-proposal" in page and "Answered" not in page
    later = due + datetime.timedelta(days=5)
    admin.post(f"/work-orders/{number}/accept/", {"promised_date": later.isoformat()})
    event = LedgerEvent.objects.get(work_order_number=number, kind="counter_proposed")
    assert event.payload["promised_date"] == later.isoformat()
    page = admin.get(f"/work-orders/{number}/").content.decode()
    assert "The hub approves or declines the new date" in page
    assert "acknowledged" in page and "after dispatch" in page
    assert "Accept work order" not in page and "Record shipment" not in page


def test_accept_on_the_due_date_is_plain_acceptance(as_user, world, number):
    admin = as_user("alpha_admin", world.alpha)
    due = wo(number).due_date.isoformat()
    assert admin.post(f"/work-orders/{number}/accept/", {"promised_date": due}).status_code == 302
    assert wo(number).status == "accepted"
    assert LedgerEvent.objects.filter(work_order_number=number, kind="accepted").exists()


@pytest.mark.parametrize(
    "promised, message",
    [("2001-01-01", "The promised date is in the past."), ("31/31/2031", "Enter a valid date")],
)
def test_bad_promised_date_is_refused_and_nothing_written(
    as_user, world, number, promised, message
):
    response = as_user("alpha_admin", world.alpha).post(
        f"/work-orders/{number}/accept/", {"promised_date": promised}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert wo(number).status == "dispatched" and wo(number).answered_at is None
    assert not LedgerEvent.objects.filter(work_order_number=number).exclude(kind="dispatched")


def test_progress_dates_must_be_in_order_and_not_in_the_future(as_user, world, number):
    operator = as_user("alpha_operator", world.alpha)
    operator.post(f"/work-orders/{number}/accept/", {})
    with schema_context("alpha"):
        op = wo(number).operations.order_by("sequence").first()
    now = timezone.now()
    response = _report(
        operator,
        number,
        op,
        5,
        started=local(now),
        finished=local(now - datetime.timedelta(hours=2)),
    )
    assert (
        response.status_code == 400
        and "The finish is before the start." in response.content.decode()
    )
    response = _report(operator, number, op, 5, finished=local(now + datetime.timedelta(days=1)))
    assert (
        response.status_code == 400 and "The finish is in the future." in response.content.decode()
    )
    with schema_context("alpha"):
        assert not op.reports.exists()
    assert not LedgerEvent.objects.filter(work_order_number=number, kind="progress").exists()


def test_progress_times_are_read_in_the_users_time_zone(as_user, world, number):
    user = world.user("alpha_operator")
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    operator = as_user("alpha_operator", world.alpha)
    operator.post(f"/work-orders/{number}/accept/", {})
    with schema_context("alpha"):
        op = wo(number).operations.order_by("sequence").first()
    page = operator.get(f"/work-orders/{number}/operations/{op.pk}/report/").content.decode()
    assert "America/New_York" in page and "can take 100 more units" in page
    response = _report(
        operator,
        number,
        op,
        5,
        started="2025-01-15T08:00",
        finished="2025-01-15T09:30",
        notes="tool change",
        share_notes="on",
    )
    assert response.status_code == 302, response.content
    with schema_context("alpha"):
        report = op.reports.get()
    utc = datetime.UTC
    assert report.started_at == datetime.datetime(2025, 1, 15, 13, 0, tzinfo=utc)
    assert report.finished_at == datetime.datetime(2025, 1, 15, 14, 30, tzinfo=utc)
    page = operator.get(f"/work-orders/{number}/").content.decode()
    assert "tool change" in page and "shared with the hub" in page


def test_shared_notes_reach_the_ledger_only_when_the_agreement_releases_them(
    as_user, world, number
):
    operator = as_user("alpha_operator", world.alpha)
    operator.post(f"/work-orders/{number}/accept/", {})
    with schema_context("alpha"):
        op = wo(number).operations.order_by("sequence").first()
    url = f"/work-orders/{number}/operations/{op.pk}/report/"
    assert "does not release operator notes" in operator.get(url).content.decode()
    _report(operator, number, op, 1, notes="kept here", share_notes="on")
    DataSharingAgreement.objects.create(partner=world.alpha, releases=["status", "notes"])
    assert "does not release operator notes" not in operator.get(url).content.decode()
    _report(operator, number, op, 1, notes="private one")
    _report(operator, number, op, 1, notes="for the hub", share_notes="on")
    payloads = str(
        list(
            LedgerEvent.objects.filter(work_order_number=number, kind="progress").values_list(
                "payload", flat=True
            )
        )
    )
    assert "for the hub" in payloads
    assert "kept here" not in payloads and "private one" not in payloads


def test_report_page_on_an_unaccepted_work_order_offers_no_form(as_user, world, number):
    operator = as_user("alpha_operator", world.alpha)
    with schema_context("alpha"):
        op = wo(number).operations.order_by("sequence").first()
    response = operator.get(f"/work-orders/{number}/operations/{op.pk}/report/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "progress can be reported only once it is accepted" in page
    assert 'name="good_quantity"' not in page
    response = _report(operator, number, op, 5)
    assert response.status_code == 400
    assert "Progress can be reported only on an accepted work order" in response.content.decode()
    with schema_context("alpha"):
        assert not op.reports.exists()


def test_inbox_filters_and_awaiting_answer_first(as_user, world, number):
    operator = as_user("alpha_operator", world.alpha)
    # the committed world work order is due later than `number`; accept `number`
    # so that the default order puts the one still awaiting an answer first
    assert operator.post(f"/work-orders/{number}/accept/", {}).status_code == 302

    def table(query=""):
        response = operator.get(f"/work-orders/{query}")
        assert response.status_code == 200
        return response.content.decode().split("<table", 1)[1]

    rows = table()
    assert rows.index(world.work_order_number) < rows.index(number)
    rows = table("?status=dispatched")
    assert world.work_order_number in rows and number not in rows
    rows = table("?sort=due_date")
    assert rows.index(number) < rows.index(world.work_order_number)
    due = wo(number).due_date.isoformat()
    rows = table(f"?due_from={due}&due_to={due}")
    assert number in rows and world.work_order_number not in rows
    rows = table("?q=BRK-100")
    assert number in rows and world.work_order_number not in rows
    assert "No work orders match" in table("?q=nothing-like-this&due_from=garbage")


def test_detail_query_count_does_not_grow_with_reports(as_user, world, number):
    operator = as_user("alpha_operator", world.alpha)
    operator.post(f"/work-orders/{number}/accept/", {})
    with schema_context("alpha"):
        op = wo(number).operations.order_by("sequence").first()
    _report(operator, number, op, 1)
    with CaptureQueriesContext(connection) as few:
        operator.get(f"/work-orders/{number}/")
    for _ in range(5):
        _report(operator, number, op, 1)
    with CaptureQueriesContext(connection) as many:
        operator.get(f"/work-orders/{number}/")
    assert len(many) == len(few)
