"""The hub's network quality pages: the overview's figures, the drill-down and
what it shows of raw data, the use-as-is queue and the register of issued
documents. Who may open what (partner users never, anonymous users sign in)."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.hub.models import Dispatch, NetworkOrder, Product, ProductRevision
from portal.models import AuditEntry, LedgerEvent
from quality.hub import selectors
from quality.hub.models import (
    CharacteristicCapability,
    IssuedDocument,
    NcrSummary,
    UseAsIsRequest,
    WorkOrderQuality,
)
from quality.partner.access import services as access_services
from quality.partner.inspections import services
from quality.partner.inspections.services import Reading
from quality.partner.models import MeasurementAccess, NonConformance
from quality.partner.ncrs import services as ncr_services
from tenants.sharing import services as sharing

from ..factories import PlantFactory

pytestmark = pytest.mark.django_db

OVERVIEW = "/quality/"
QUEUE = "/quality/use-as-is/"
DOCUMENTS = "/quality/documents/"
VERIFY = "/quality/documents/verify/"


def now():
    return timezone.now()


# --- rows the hub keeps, made directly ------------------------------------------------------


def dispatched(partner, code, *, work_orders=1, export_controlled=False, suffix=""):
    """A product `code` with one order and `work_orders` dispatches to `partner`:
    hub rows only (what the overview's rows are built on). Returns the work order
    numbers and the order number."""
    product, _ = Product.objects.get_or_create(code=code, defaults={"name": f"Part {code}"})
    revision, _ = ProductRevision.objects.get_or_create(product=product, revision="A")
    order = NetworkOrder.objects.create(
        number=f"NO-{code}{suffix}",
        customer_reference="PO",
        revision=revision,
        quantity=100,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        ship_to_name="DC",
        ship_to_latitude=Decimal("1"),
        ship_to_longitude=Decimal("1"),
        status="dispatched",
        export_controlled=export_controlled,
    )
    plant = PlantFactory(partner=partner)
    numbers = []
    for i in range(work_orders):
        number = f"{partner.slug[:2].upper()}-{code}{suffix}-{i}"
        Dispatch.objects.create(
            order=order,
            partner=partner,
            plant=plant,
            quantity=10,
            work_order_number=number,
            status="accepted",
            dispatched_at=now(),
        )
        numbers.append(number)
    return numbers, order.number


def progress(partner, work_order, order, *, good, scrap, kind="progress"):
    return LedgerEvent.objects.create(
        partner=partner,
        kind=kind,
        order_number=order,
        work_order_number=work_order,
        payload={"good": good, "scrap": scrap, "percent_complete": 10},
    )


def ncr(partner, number, work_order, order, code, *, days_ago, closed=False, **kwargs):
    opened = now() - datetime.timedelta(days=days_ago)
    return NcrSummary.objects.create(
        partner=partner,
        number=number,
        work_order_number=work_order,
        order_number=order,
        product_code=code,
        revision="A",
        defect_code=kwargs.get("defect_code", "dimensional"),
        quantity=kwargs.get("quantity", 2),
        status="closed" if closed else kwargs.get("status", "open"),
        disposition="scrap" if closed else "",
        opened_at=opened,
        closed_at=opened + datetime.timedelta(days=1) if closed else None,
    )


def capability(partner, code, characteristic_id, name, cpk, cp=None):
    return CharacteristicCapability.objects.create(
        partner=partner,
        product_code=code,
        revision="A",
        characteristic_id=characteristic_id,
        name=name,
        sample_size=50,
        cp=cp if cp is not None else cpk + 0.1,
        cpk=cpk,
    )


@pytest.fixture
def published(world):
    """Alpha makes GEAR-1 (two work orders) and beta makes GEAR-1 too."""
    (wo1, wo2), order = dispatched(world.alpha, "GEAR-1", work_orders=2)
    WorkOrderQuality.objects.create(
        partner=world.alpha,
        work_order_number=wo1,
        order_number=order,
        product_code="GEAR-1",
        revision="A",
        pieces_inspected=120,
        pieces_conforming=117,
        first_pass_inspected=100,
        first_pass_conforming=96,
    )
    WorkOrderQuality.objects.create(
        partner=world.alpha,
        work_order_number=wo2,
        order_number=order,
        product_code="GEAR-1",
        revision="A",
        pieces_inspected=80,
        pieces_conforming=78,
        first_pass_inspected=80,
        first_pass_conforming=75,
    )
    # Scrap: (10 + 5) of (90 + 10 + 45 + 5) = 15 of 150 units.
    progress(world.alpha, wo1, order, good=90, scrap=10)
    progress(world.alpha, wo2, order, good=45, scrap=5)
    progress(world.alpha, wo2, order, good=45, scrap=0, kind="shipped")  # not progress
    # Open NCRs: one in each age bucket, and a closed one that does not count.
    ncr(world.alpha, "NCR-00001", wo1, order, "GEAR-1", days_ago=2)
    ncr(world.alpha, "NCR-00002", wo1, order, "GEAR-1", days_ago=7.9)
    ncr(world.alpha, "NCR-00003", wo1, order, "GEAR-1", days_ago=8.1)
    ncr(world.alpha, "NCR-00004", wo2, order, "GEAR-1", days_ago=45)
    ncr(world.alpha, "NCR-00005", wo2, order, "GEAR-1", days_ago=120)
    ncr(world.alpha, "NCR-00006", wo2, order, "GEAR-1", days_ago=3, closed=True)
    capability(world.alpha, "GEAR-1", 901, "Pitch diameter", 1.52)
    capability(world.alpha, "GEAR-1", 902, "Face width", 1.21)
    capability(world.alpha, "GEAR-1", 903, "Runout", 0.87)
    (bwo,), border = dispatched(world.beta, "GEAR-1", suffix="B")
    WorkOrderQuality.objects.create(
        partner=world.beta,
        work_order_number=bwo,
        order_number=border,
        product_code="GEAR-1",
        revision="A",
        pieces_inspected=50,
        pieces_conforming=50,
        first_pass_inspected=50,
        first_pass_conforming=50,
    )
    capability(world.beta, "GEAR-1", 901, "Pitch diameter", 2.0)
    return {"alpha_work_orders": (wo1, wo2), "order": order}


def rows_by_partner(world, user="planner", **filters):
    rows = selectors.network_quality_rows(user=world.user(user)).filter(**filters)
    return {row["partner_slug"]: row for row in rows}


# --- the overview --------------------------------------------------------------------


def test_overview_figures_are_computed_in_the_database(world, published):
    rows = rows_by_partner(world, product_code="GEAR-1")
    alpha = rows["alpha"]
    inspections = alpha["inspections"]
    assert (inspections["pieces_inspected"], inspections["pieces_conforming"]) == (200, 195)
    # First-pass yield: (96 + 75) / (100 + 80)
    assert inspections["fpy"] == pytest.approx(171 / 180)
    # ppm defective: 5 nonconforming of 200 inspected
    assert inspections["ppm"] == pytest.approx(25_000)
    # Scrap rate from the ledger's progress events only
    assert (alpha["ledger"]["good"], alpha["ledger"]["scrap"]) == (135, 15)
    assert alpha["ledger"]["scrap_rate"] == pytest.approx(0.1)
    ncrs = alpha["ncrs"]
    assert (ncrs["opened"], ncrs["open"]) == (6, 5)
    buckets = [ncrs[k] for k in ("age_0_7", "age_8_30", "age_31_90", "age_over_90")]
    assert buckets == [2, 1, 1, 1]
    assert alpha["capability"]["lowest"] == pytest.approx(0.87)
    assert (alpha["capability"]["below"], alpha["capability"]["characteristics"]) == (2, 3)
    assert alpha["work_orders"] == 2
    beta = rows["beta"]
    assert beta["inspections"]["fpy"] == 1.0 and beta["inspections"]["ppm"] == 0
    assert beta["ledger"] is None and beta["ncrs"] is None
    assert beta["capability"]["lowest"] == 2.0 and beta["capability"]["below"] == 0
    # Only partners and products with something published have a row.
    assert not selectors.network_quality_rows(user=world.user("planner")).filter(
        product_code="SEED-1"
    )


def test_overview_page_shows_the_figures_flags_and_definitions(as_user, world, published):
    response = as_user("auditor", world.hub).get(OVERVIEW, {"sort": "partner"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "95.0 %" in html and "171 of 180" in html  # first-pass yield
    assert "25,000" in html  # ppm
    assert "10.0 %" in html and "15 of 150 units" in html  # scrap rate
    assert "0.87" in html and "below 1.33" in html and "2 of 3 characteristics" in html
    assert "⚠" in html  # an icon besides the text, not colour alone
    assert "Nonconforming inspected pieces ÷ pieces inspected × 1,000,000" in html
    assert "/quality/partners/alpha/products/GEAR-1/" in html
    assert "<caption" in html and 'scope="col"' in html


def test_overview_filters(as_user, world, published):
    client = as_user("planner", world.hub)
    below = client.get(OVERVIEW, {"below_target": "on"}).content.decode()
    assert "/quality/partners/alpha/" in below and "/quality/partners/beta/" not in below
    with_ncrs = client.get(OVERVIEW, {"open_ncrs": "on"}).content.decode()
    assert "/quality/partners/beta/" not in with_ncrs
    by_partner = client.get(OVERVIEW, {"partner": world.beta.pk}).content.decode()
    assert "/quality/partners/beta/" in by_partner and "/quality/partners/alpha/" not in by_partner
    product = Product.objects.get(code="GEAR-1")
    assert "GEAR-1" in client.get(OVERVIEW, {"product": product.pk}).content.decode()
    nothing = client.get(OVERVIEW, {"product": world.product_id}).content.decode()
    assert "No partner and product match these filters." in nothing
    bad = client.get(OVERVIEW, {"partner": "999999"})
    assert bad.status_code == 400 and "Partner:" in bad.content.decode()
    for sort in ("first_pass_yield", "-ppm_defective", "scrap_rate", "-lowest_cpk", "age_8_30"):
        assert client.get(OVERVIEW, {"sort": sort}).status_code == 200


def test_overview_empty_state_explains_the_sharing_agreement(as_user, world):
    html = as_user("qe", world.hub).get(OVERVIEW).content.decode()
    assert "No quality data published yet." in html
    assert "data-sharing agreement" in html


def test_export_controlled_orders_leave_no_trace_for_users_not_cleared(as_user, world):
    (wo,), order = dispatched(world.alpha, "SECRET-1", export_controlled=True)
    WorkOrderQuality.objects.create(
        partner=world.alpha,
        work_order_number=wo,
        order_number=order,
        product_code="SECRET-1",
        revision="A",
        pieces_inspected=5,
        pieces_conforming=5,
    )
    ncr(world.alpha, "NCR-00077", wo, order, "SECRET-1", days_ago=1)
    row = "/quality/partners/alpha/products/SECRET-1/"
    assert row not in as_user("qe", world.hub).get(OVERVIEW).content.decode()
    assert row in as_user("netadmin", world.hub).get(OVERVIEW).content.decode()
    drill = as_user("qe", world.hub).get("/quality/partners/alpha/").content.decode()
    assert "NCR-00077" not in drill and wo not in drill


def test_overview_query_count_does_not_grow_with_rows(as_user, world, published):
    client = as_user("planner", world.hub)
    client.get(OVERVIEW)  # warm up: session, content types

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(OVERVIEW, {"sort": "-scrap_rate"})
        assert response.status_code == 200
        return len(queries)

    few = count()
    for i in range(12):
        (wo,), order = dispatched(world.beta, f"BULK-{i}")
        WorkOrderQuality.objects.create(
            partner=world.beta,
            work_order_number=wo,
            order_number=order,
            product_code=f"BULK-{i}",
            revision="A",
            pieces_inspected=10,
            pieces_conforming=9,
            first_pass_inspected=10,
            first_pass_conforming=9,
        )
        progress(world.beta, wo, order, good=9, scrap=1)
        ncr(world.beta, f"NCR-B{i}", wo, order, f"BULK-{i}", days_ago=i * 10)
        capability(world.beta, f"BULK-{i}", 1000 + i, "Width", 1.0)
    assert count() == few
    assert "BULK-11" in client.get(OVERVIEW, {"partner": world.beta.pk}).content.decode()


# --- the drill-down ------------------------------------------------------------------


def test_drill_down_shows_capability_ncrs_and_work_orders(as_user, world, published):
    client = as_user("planner", world.hub)
    response = client.get("/quality/partners/alpha/products/GEAR-1/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Pitch diameter", "Face width", "Runout", "1.52", "0.87"):
        assert text in html
    assert "below 1.33" in html and "capable" in html
    assert "NCR-00005" in html and "120 days" in html and "Dimension out of tolerance" in html
    assert "6 NCRs opened, 1 closed." in html
    wo1, wo2 = published["alpha_work_orders"]
    assert wo1 in html and wo2 in html
    assert "96.0 %" in html and "93.8 %" in html  # FPY per work order: 96/100, 75/80
    # Beta's rows are not on alpha's page.
    assert "2.00" not in html
    # The whole partner, all products:
    assert client.get("/quality/partners/alpha/").status_code == 200


def test_drill_down_404s(as_user, world):
    client = as_user("qe", world.hub)
    assert client.get("/quality/partners/nobody/").status_code == 404
    assert client.get(f"/quality/partners/{world.hub.slug}/").status_code == 404
    assert client.get("/quality/partners/alpha/products/NO-SUCH/").status_code == 404
    assert client.get(f"{QUEUE}999999/").status_code == 404


def test_drill_down_query_count_does_not_grow_with_rows(as_user, world, published):
    client = as_user("auditor", world.hub)
    url = "/quality/partners/alpha/"
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    wo1, _wo2 = published["alpha_work_orders"]
    for i in range(10):
        ncr(world.alpha, f"NCR-1{i:04d}", wo1, published["order"], "GEAR-1", days_ago=i)
        capability(world.alpha, "GEAR-1", 2000 + i, f"Feature {i}", 1.4)
    assert count() == few


# --- raw measurements: only when released or granted, always through the door --------------


def _record_samples(q, world, values):
    """Samples of two pieces each of the bore and length, in alpha's schema."""
    with schema_context("alpha"):
        connection.tenant = world.alpha
        for sample, (bore_1, bore_2) in enumerate(values, start=1):
            for piece, bore in enumerate((bore_1, bore_2), start=1):
                services.inspection_record(
                    partner=world.alpha,
                    work_order=q.work_order(),
                    operation=q.operation(20),
                    sample=sample,
                    piece=piece,
                    instrument="Bore gauge BG-7",
                    inspected_at=now(),
                    readings={
                        q.bore.pk: Reading(value=Decimal(bore)),
                        q.length.pk: Reading(value=Decimal("50.01")),
                    },
                    user=world.user("alpha_quality"),
                )


SAMPLES = [("10.001", "10.004"), ("9.998", "10.002"), ("10.006", "10.000"), ("9.995", "10.003")]


def _doors(world, user):
    return AuditEntry.objects.filter(
        action="schema.entered", partner=world.alpha, actor=world.user(user)
    ).count()


def _grant(world, user, days=2):
    with schema_context("alpha"):
        connection.tenant = world.alpha
        return access_services.measurement_access_grant(
            partner=world.alpha,
            hub_user=world.user(user),
            expires_at=now() + datetime.timedelta(days=days),
            reason="Supplier audit 2026",
            actor=world.user("alpha_admin"),
        )


def test_raw_data_is_withheld_without_release_or_grant(as_user, world, inspected):
    _record_samples(inspected, world, SAMPLES)
    client = as_user("auditor", world.hub)
    before = _doors(world, "auditor")
    html = client.get("/quality/partners/alpha/products/QB-100/").content.decode()
    assert "Raw measurements withheld." in html
    assert (
        "Alpha Machining does not share raw measurements; ask them for time-boxed access." in html
    )
    assert "spc-chart" not in html and "values and chart" not in html
    # The summary is there: capability of the bore and the length.
    assert "Bore diameter" in html and "Length" in html
    values = client.get(
        f"/quality/partners/alpha/characteristics/{inspected.bore.pk}/"
    ).content.decode()
    assert "Raw measurements withheld." in values and "10.004" not in values
    # Checking for a grant means entering alpha's schema: audited, each time.
    assert _doors(world, "auditor") == before + 2


def test_a_running_grant_shows_raw_data_to_that_user_only_until_it_ends(as_user, world, inspected):
    _record_samples(inspected, world, SAMPLES)
    grant = _grant(world, "auditor")
    auditor = as_user("auditor", world.hub)
    before = _doors(world, "auditor")
    html = auditor.get("/quality/partners/alpha/products/QB-100/").content.decode()
    assert "granted you time-boxed access" in html and "Supplier audit 2026" in html
    assert html.count('class="spc-chart"') == 2  # bore and length
    assert "values and chart" in html
    values = auditor.get(f"/quality/partners/alpha/characteristics/{inspected.bore.pk}/")
    page = values.content.decode()
    assert values.status_code == 200 and "10.004 mm" in page and "spc-chart" in page
    assert "9.980 … 10.020" in page and "Bore gauge BG-7" in page
    assert _doors(world, "auditor") == before + 2
    entry = AuditEntry.objects.filter(action="schema.entered", actor=world.user("auditor")).first()
    assert entry.schema_name == "alpha" and "raw measurements" in entry.reason
    # Another hub user has no grant.
    planner = as_user("planner", world.hub).get("/quality/partners/alpha/products/QB-100/")
    assert "Raw measurements withheld." in planner.content.decode()
    # Expired: withheld again.
    with schema_context("alpha"):
        MeasurementAccess.objects.filter(pk=grant.pk).update(
            expires_at=now() - datetime.timedelta(seconds=1)
        )
    html = auditor.get("/quality/partners/alpha/products/QB-100/").content.decode()
    assert "Raw measurements withheld." in html and "spc-chart" not in html
    # Running again, then revoked: withheld again.
    with schema_context("alpha"):
        connection.tenant = world.alpha
        MeasurementAccess.objects.filter(pk=grant.pk).update(
            expires_at=now() + datetime.timedelta(days=1)
        )
        assert (
            "spc-chart" in auditor.get("/quality/partners/alpha/products/QB-100/").content.decode()
        )
    with schema_context("alpha"):
        connection.tenant = world.alpha
        access_services.measurement_access_revoke(
            partner=world.alpha,
            grant=MeasurementAccess.objects.get(pk=grant.pk),
            hub_user=world.user("auditor"),
            actor=world.user("alpha_admin"),
        )
    values = auditor.get(f"/quality/partners/alpha/characteristics/{inspected.bore.pk}/")
    assert "Raw measurements withheld." in values.content.decode()
    assert "10.004" not in values.content.decode()


def test_released_raw_data_is_shown_to_every_hub_user_and_each_read_is_audited(
    as_user, world, inspected
):
    _record_samples(inspected, world, SAMPLES)
    sharing.agreement_set(
        partner=world.alpha,
        releases=["quality_summary", "quality_raw"],
        actor=world.user("alpha_admin"),
    )
    before = _doors(world, "planner")
    client = as_user("planner", world.hub)
    html = client.get("/quality/partners/alpha/").content.decode()
    assert "shares raw measurements with the hub" in html and 'class="spc-chart"' in html
    page = client.get(f"/quality/partners/alpha/characteristics/{inspected.length.pk}/")
    assert "50.01 mm" in page.content.decode()
    assert _doors(world, "planner") == before + 2


# --- the use-as-is queue -------------------------------------------------------------


def _use_as_is(q, world, justification="Bore 0.01 over; the mating pin has clearance"):
    _record_samples(q, world, SAMPLES[:1])
    with schema_context("alpha"):
        connection.tenant = world.alpha
        raised = ncr_services.ncr_raise(
            partner=world.alpha,
            work_order=q.work_order(),
            user=world.user("alpha_quality"),
            defect_code="dimensional",
            quantity=3,
            description="Bore oversize on 3 parts",
        )
        ncr_services.ncr_disposition_set(
            partner=world.alpha,
            ncr=raised,
            disposition="use_as_is",
            note="",
            justification=justification,
            user=world.user("alpha_quality"),
        )
    return UseAsIsRequest.objects.get(partner=world.alpha, ncr_number=raised.number)


def _alpha_ncr(number):
    with schema_context("alpha"):
        return NonConformance.objects.get(number=number)


def test_queue_lists_pending_requests_and_decided_ones_by_status(as_user, world, inspected):
    request = _use_as_is(inspected, world)
    planner = as_user("planner", world.hub)
    html = planner.get(QUEUE).content.decode()
    for text in (
        "Alpha Machining",
        request.ncr_number,
        inspected.work_order_number,
        "QB-100 rev A",
        "Dimension out of tolerance",
        "Bore oversize on 3 parts",
        "mating pin",
        "0 days",
    ):
        assert text in html, text
    assert "A quality engineer or network admin decides" in html
    detail = planner.get(f"{QUEUE}{request.pk}/").content.decode()
    assert "Decide…" not in detail and "mating pin" in detail
    assert "Decide…" in as_user("qe", world.hub).get(f"{QUEUE}{request.pk}/").content.decode()
    # The overview counts what is waiting.
    assert "1 use-as-is request is waiting" in planner.get(OVERVIEW).content.decode()
    UseAsIsRequest.objects.filter(pk=request.pk).update(status="approved")
    assert request.ncr_number not in planner.get(QUEUE).content.decode()
    assert request.ncr_number in planner.get(QUEUE, {"status": "approved"}).content.decode()
    assert request.ncr_number in planner.get(QUEUE, {"status": ""}).content.decode()
    assert planner.get(QUEUE, {"status": "nonsense"}).status_code == 400


def test_quality_engineer_approves_after_confirmation_and_the_ncr_follows(
    as_user, world, inspected
):
    request = _use_as_is(inspected, world)
    client = as_user("qe", world.hub)
    url = f"{QUEUE}{request.pk}/decide/"
    assert client.get(url).status_code == 200
    confirm = client.post(url, {"decision": "approve", "note": "Within fit tolerance"})
    assert confirm.status_code == 200
    assert "Approve using the 3 parts of" in confirm.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"  # nothing decided before the confirmation
    done = client.post(
        url, {"decision": "approve", "note": "Within fit tolerance", "confirm": "yes"}
    )
    assert done.status_code == 302 and done["Location"] == QUEUE
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == world.user("qe")
    ncr_ = _alpha_ncr(request.ncr_number)
    assert (ncr_.status, ncr_.approval, ncr_.approval_note) == (
        "dispositioned",
        "approved",
        "Within fit tolerance",
    )
    assert AuditEntry.objects.filter(
        action="quality.use_as_is_decided", actor=world.user("qe")
    ).exists()
    # Deciding twice: a clear error, nothing changed.
    again = client.post(url, {"decision": "reject", "note": "No", "confirm": "yes"})
    assert again.status_code == 400
    assert "already approved; it cannot be decided again" in again.content.decode()
    request.refresh_from_db()
    assert request.status == "approved"
    page = client.get(url).content.decode()
    assert "already approved" in page and 'name="decision"' not in page


def test_reject_needs_a_note_and_a_rejection_reopens_the_ncr(as_user, world, inspected):
    request = _use_as_is(inspected, world)
    client = as_user("netadmin", world.hub)
    url = f"{QUEUE}{request.pk}/decide/"
    for data in ({"decision": "reject", "note": " "}, {"decision": "reject", "confirm": "yes"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "Say why the parts cannot be used as they are." in response.content.decode()
    assert client.post(url, {"note": "x"}).status_code == 400  # no decision
    request.refresh_from_db()
    assert request.status == "pending"
    assert _alpha_ncr(request.ncr_number).status == "awaiting_approval"
    response = client.post(
        url, {"decision": "reject", "note": "Customer refuses", "confirm": "yes"}
    )
    assert response.status_code == 302
    ncr_ = _alpha_ncr(request.ncr_number)
    assert (ncr_.status, ncr_.approval, ncr_.approval_note) == (
        "open",
        "rejected",
        "Customer refuses",
    )


@pytest.mark.parametrize("persona", ["planner", "auditor"])
def test_planners_and_auditors_may_not_decide(as_user, world, inspected, persona):
    request = _use_as_is(inspected, world)
    client = as_user(persona, world.hub)
    url = f"{QUEUE}{request.pk}/decide/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"decision": "approve", "note": "", "confirm": "yes"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"
    assert _alpha_ncr(request.ncr_number).status == "awaiting_approval"


def test_queue_query_count_does_not_grow_with_rows(as_user, world):
    client = as_user("qe", world.hub)
    client.get(QUEUE)

    def add(n, start):
        UseAsIsRequest.objects.bulk_create(
            UseAsIsRequest(
                partner=world.alpha,
                ncr_number=f"NCR-{start + i:05d}",
                work_order_number=world.work_order_number,
                order_number=world.order_number,
                product_code="SEED-1",
                revision="A",
                defect_code="surface",
                quantity=1,
                description="Scratch",
                justification="Hidden face",
                requested_by_label="alpha_quality",
            )
            for i in range(n)
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries)

    add(2, 1)
    few = count()
    add(20, 100)
    assert count() == few


# --- issued documents ------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _document(world, number="COC-ALP-00001", pdf=PDF_BYTES):
    return IssuedDocument.objects.create(
        partner=world.alpha,
        kind="coc",
        number=number,
        work_order_number=world.work_order_number,
        order_number=world.order_number,
        content_sha256=hashlib.sha256(number.encode()).hexdigest(),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        issued_at=now(),
        signatory_label="alpha_quality",
    )


def test_register_lists_issued_documents(as_user, world):
    client = as_user("auditor", world.hub)
    assert "No document issued yet." in client.get(DOCUMENTS).content.decode()
    document = _document(world)
    html = client.get(DOCUMENTS).content.decode()
    assert document.number in html and document.pdf_sha256 in html
    assert "Certificate of conformance" in html
    assert document.number not in client.get(DOCUMENTS, {"q": "nothing"}).content.decode()


def test_register_query_count_does_not_grow_with_rows(as_user, world):
    client = as_user("auditor", world.hub)
    _document(world)
    client.get(DOCUMENTS)
    with CaptureQueriesContext(connection) as few:
        client.get(DOCUMENTS)
    for i in range(15):
        _document(world, number=f"COC-ALP-1{i:04d}", pdf=PDF_BYTES + str(i).encode())
    with CaptureQueriesContext(connection) as many:
        client.get(DOCUMENTS)
    assert len(many) == len(few)


def test_verify_by_number_and_content_hash(as_user, world):
    document = _document(world)
    client = as_user("planner", world.hub)
    assert client.get(VERIFY).status_code == 200
    match = client.post(
        VERIFY, {"number": document.number, "content_sha256": document.content_sha256.upper()}
    )
    assert match.status_code == 200 and "Matches the register." in match.content.decode()
    wrong = client.post(VERIFY, {"number": document.number, "content_sha256": "0" * 64})
    assert "Does not match the register." in wrong.content.decode()
    assert "with another content SHA-256" in wrong.content.decode()
    unknown = client.post(VERIFY, {"number": "COC-NOPE", "content_sha256": "0" * 64})
    assert "No document numbered COC-NOPE" in unknown.content.decode()


def test_verify_by_uploaded_pdf(as_user, world):
    document = _document(world)
    client = as_user("qe", world.hub)
    match = client.post(VERIFY, {"pdf": SimpleUploadedFile("copy.pdf", PDF_BYTES)})
    assert match.status_code == 200
    html = match.content.decode()
    assert "Matches the register." in html and document.number in html
    changed = client.post(VERIFY, {"pdf": SimpleUploadedFile("copy.pdf", PDF_BYTES + b" ")})
    assert changed.status_code == 200
    assert "Does not match the register." in changed.content.decode()
    other = client.post(
        VERIFY, {"pdf": SimpleUploadedFile("copy.pdf", PDF_BYTES), "number": "COC-OTHER"}
    )
    assert "not COC-OTHER" in other.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Give the document number, or upload the PDF."),
        ({"number": "COC-1", "content_sha256": "xyz"}, "64 hexadecimal characters"),
        ({"pdf": ("notes.txt", b"just text")}, "Upload the document as a PDF file."),
        ({"pdf": ("fake.pdf", b"\x89PNG\r\n\x1a\n0000")}, "does not match its name"),
        ({"pdf": ("empty.pdf", b"")}, "empty"),
        ({"pdf": ("page.pdf", b"<html><script>x</script>")}, "not accepted"),
    ],
)
def test_verify_refuses_bad_input_with_400(as_user, world, data, message):
    data = {
        k: SimpleUploadedFile(v[0], v[1]) if isinstance(v, tuple) else v for k, v in data.items()
    }
    response = as_user("qe", world.hub).post(VERIFY, data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_verify_refuses_an_oversized_upload(as_user, world):
    with override_settings(DMN_UPLOAD_MAX_BYTES=64):
        response = as_user("qe", world.hub).post(
            VERIFY, {"pdf": SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 100)}
        )
    assert response.status_code == 400 and "the limit is" in response.content.decode()


# --- who may open the pages ------------------------------------------------------------


@pytest.fixture
def every_url(world):
    request = UseAsIsRequest.objects.create(
        partner=world.alpha,
        ncr_number="NCR-09999",
        work_order_number=world.work_order_number,
        order_number=world.order_number,
        product_code="SEED-1",
        revision="A",
        defect_code="surface",
        quantity=1,
        description="Scratch",
        justification="Hidden face",
        requested_by_label="alpha_quality",
    )
    return [
        OVERVIEW,
        "/quality/partners/alpha/",
        "/quality/partners/alpha/products/SEED-1/",
        "/quality/partners/alpha/characteristics/1/",
        QUEUE,
        f"{QUEUE}{request.pk}/",
        f"{QUEUE}{request.pk}/decide/",
        DOCUMENTS,
        VERIFY,
    ]


@pytest.mark.parametrize("persona", ["alpha_admin", "alpha_quality", "beta_operator"])
def test_partner_users_get_403_on_every_hub_quality_page(as_user, world, every_url, persona):
    client = as_user(persona, world.hub)
    before = AuditEntry.objects.filter(action="schema.entered").count()
    for url in every_url:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"decision": "approve", "confirm": "yes"}).status_code == 403, url
    assert AuditEntry.objects.filter(action="schema.entered").count() == before
    assert UseAsIsRequest.objects.get(ncr_number="NCR-09999").status == "pending"


def test_anonymous_users_are_sent_to_sign_in(as_user, world, every_url):
    client = as_user(None, world.hub)
    for url in every_url:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        ), url
