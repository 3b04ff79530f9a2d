"""Planning inputs: the capacity partners declare on their hosts (and the hub's copy
of it), the hub's cost model of each plant, products' material cost and approved
plants, and orders' minimum split lot."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from orders.hub.models import (
    FreightLane,
    NetworkOrder,
    PlantCapacity,
    PlantCost,
    Product,
    WorkCentreRate,
)
from orders.partner.capacity import services as capacity
from orders.partner.models import Downtime, PlantCapability, WorkCentre
from portal.models import AuditEntry
from tenants.models import DataSharingAgreement, Plant

from ..factories import PlantFactory
from .test_order_pages import order_data

WORK_CENTRE = {"work_centre_type": "cnc_mill", "count": "3", "hours_per_day": "16"}
WORK_CENTRE |= {"efficiency": "0.85"}


@pytest.fixture
def plant(world) -> Plant:
    """Alpha's plant from the session's world (WLD)."""
    return Plant.objects.filter(partner=world.alpha).order_by("pk").first()


@pytest.fixture
def beta_plant(world) -> Plant:
    return PlantFactory(partner=world.beta, code="LYO", name="Lyon foundry", country="FR")


def rows(partner, model):
    with schema_context(partner.schema_name):
        return list(model.objects.all())


def declared(action_count_before: int) -> int:
    return AuditEntry.objects.filter(action="capacity.declared").count() - action_count_before


# --- The partner declares; the hub's copy follows -----------------------------------------------


def test_partner_admin_declares_capacity_and_the_hub_copy_follows(as_user, world, plant):
    admin = as_user("alpha_admin", world.alpha)
    audits = AuditEntry.objects.filter(action="capacity.declared").count()
    form = admin.get(f"/capacity/work-centres/new/?plant={plant.pk}").content.decode()
    assert f'<option value="{plant.pk}" selected>' in form
    # Suggestions: the work-centre types of released routings (the world's SEED-1).
    assert '<datalist id="work-centre-types">' in form and '<option value="saw">' in form

    response = admin.post("/capacity/work-centres/new/", {"plant_id": plant.pk, **WORK_CENTRE})
    assert response.status_code == 302 and response["Location"] == f"/capacity/#plant-{plant.pk}"
    admin.post("/capacity/capabilities/new/", {"plant_id": plant.pk, "name": "5-axis"})
    admin.post(
        "/capacity/downtime/new/",
        {"plant_id": plant.pk, "start": "2030-12-24", "end": "2031-01-01", "reason": "Holidays"},
    )
    copy = PlantCapacity.objects.get(plant=plant)
    assert copy.work_centres == [
        {"type": "cnc_mill", "count": 3, "hours_per_day": 16.0, "efficiency": 0.85}
    ]
    assert copy.capabilities == ["5-axis"]
    assert copy.downtime == [{"start": "2030-12-24", "end": "2031-01-01", "reason": "Holidays"}]
    assert copy.declared_by_label == "alpha_admin"
    assert declared(audits) == 3
    entry = AuditEntry.objects.filter(action="capacity.declared").first()
    assert entry.partner == world.alpha and entry.object_id == str(plant.pk)
    assert entry.detail["change"] == "downtime.added" and entry.detail["published"] is True

    # Change a work centre: the copy changes with it.
    (work_centre,) = rows(world.alpha, WorkCentre)
    admin.post(f"/capacity/work-centres/{work_centre.pk}/edit/", {**WORK_CENTRE, "count": "4"})
    copy.refresh_from_db()
    assert copy.work_centres[0]["count"] == 4
    # What the hub holds, and since when, is on the partner's page.
    page = admin.get("/capacity/").content.decode()
    assert "The hub holds" in page and "your declaration of" in page
    assert "cnc_mill 272 h" in page  # 4 × 16 h × 5 days × 0.85

    # Removing asks first; removing everything leaves the hub nothing ("not declared").
    (capability,) = rows(world.alpha, PlantCapability)
    (downtime,) = rows(world.alpha, Downtime)
    url = f"/capacity/work-centres/{work_centre.pk}/remove/"
    assert "The hub's copy of the plant's declaration changes" in admin.get(url).content.decode()
    assert rows(world.alpha, WorkCentre)
    admin.post(url)
    admin.post(f"/capacity/capabilities/{capability.pk}/remove/")
    assert PlantCapacity.objects.filter(plant=plant).exists()  # the downtime is still declared
    admin.post(f"/capacity/downtime/{downtime.pk}/remove/")
    assert not PlantCapacity.objects.filter(plant=plant).exists()
    assert declared(audits) == 7


def test_withdrawing_capacity_from_the_agreement_deletes_the_hub_copies(as_user, world, plant):
    admin = as_user("alpha_admin", world.alpha)
    admin.post("/capacity/work-centres/new/", {"plant_id": plant.pk, **WORK_CENTRE})
    assert PlantCapacity.objects.filter(plant=plant).exists()

    assert admin.post("/sharing/", {"releases": ["dates"]}).status_code == 302
    assert not PlantCapacity.objects.filter(plant__partner=world.alpha).exists()
    assert rows(world.alpha, WorkCentre)  # the partner's own data stays
    page = admin.get("/capacity/").content.decode()
    assert "does not release capacity" in page and "nothing for this plant" in page

    # Releasing it again publishes what is declared, at once.
    admin.post("/sharing/", {"releases": ["dates", "capacity"]})
    assert PlantCapacity.objects.get(plant=plant).work_centres[0]["type"] == "cnc_mill"


def test_withdrawal_rolls_back_with_the_agreement(world, plant, monkeypatch):
    """The copies go in the agreement's transaction: if the agreement fails, they stay."""
    from tenants.sharing import services as sharing

    with schema_context(world.alpha.schema_name):
        capacity.work_centre_save(
            partner=world.alpha,
            plant_id=plant.pk,
            work_centre_type="saw",
            count=1,
            hours_per_day=Decimal(8),
            efficiency=Decimal(1),
            user=world.user("alpha_admin"),
        )

    def audit_fails(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(sharing, "audit_record", audit_fails)
    with pytest.raises(RuntimeError), schema_context(world.alpha.schema_name):
        sharing.agreement_set(partner=world.alpha, releases=[], actor=world.user("alpha_admin"))
    assert PlantCapacity.objects.filter(plant=plant).exists()


def test_nothing_reaches_the_hub_when_the_agreement_does_not_release_capacity(
    as_user, world, plant
):
    DataSharingAgreement.objects.create(partner=world.alpha, releases=["status", "quantities"])
    admin = as_user("alpha_admin", world.alpha)
    response = admin.post("/capacity/work-centres/new/", {"plant_id": plant.pk, **WORK_CENTRE})
    assert response.status_code == 302
    assert rows(world.alpha, WorkCentre)
    assert not PlantCapacity.objects.exists()
    entry = AuditEntry.objects.filter(action="capacity.declared").first()
    assert entry.detail["published"] is False
    page = admin.get("/capacity/").content.decode()
    assert "does not release capacity" in page and 'href="/sharing/"' in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"hours_per_day": "0"}, "hours_per_day", "Enter more than 0 hours"),
        ({"hours_per_day": "25"}, "hours_per_day", "less than or equal to 24"),
        ({"efficiency": "2"}, "efficiency", "less than or equal to 1.5"),
        ({"efficiency": "0.05"}, "efficiency", "greater than or equal to 0.1"),
        ({"count": "0"}, "count", "greater than or equal to 1"),
        ({"work_centre_type": ""}, "work_centre_type", "This field is required"),
        ({"work_centre_type": "x" * 41}, "work_centre_type", "at most 40 characters"),
        ({"plant_id": "abc"}, "plant_id", "Select a valid choice"),
    ],
)
def test_work_centre_validation_writes_nothing(as_user, world, plant, change, field, message):
    admin = as_user("alpha_admin", world.alpha)
    response = admin.post(
        "/capacity/work-centres/new/", {"plant_id": plant.pk, **WORK_CENTRE, **change}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f'id="id_{field}_error"' in content
    assert rows(world.alpha, WorkCentre) == []
    assert not PlantCapacity.objects.exists()
    assert not AuditEntry.objects.filter(action="capacity.declared").exists()


def test_duplicates_and_backwards_downtime_are_refused(as_user, world, plant):
    admin = as_user("alpha_admin", world.alpha)
    admin.post("/capacity/work-centres/new/", {"plant_id": plant.pk, **WORK_CENTRE})
    again = {"plant_id": plant.pk, **WORK_CENTRE, "work_centre_type": "CNC_MILL"}
    response = admin.post("/capacity/work-centres/new/", again)
    assert response.status_code == 400 and "already declares CNC_MILL" in response.content.decode()
    admin.post("/capacity/capabilities/new/", {"plant_id": plant.pk, "name": "MIG"})
    response = admin.post("/capacity/capabilities/new/", {"plant_id": plant.pk, "name": "mig"})
    assert response.status_code == 400
    backwards = {"plant_id": plant.pk, "start": "2030-05-02", "end": "2030-05-01", "reason": "x"}
    response = admin.post("/capacity/downtime/new/", backwards)
    assert response.status_code == 400
    assert "The last day is before the first day." in response.content.decode()
    assert len(rows(world.alpha, WorkCentre)) == 1 and len(rows(world.alpha, PlantCapability)) == 1
    assert rows(world.alpha, Downtime) == []
    # The service says the same to any other caller.
    with schema_context(world.alpha.schema_name), pytest.raises(ValidationError):
        capacity.downtime_save(
            partner=world.alpha,
            plant_id=plant.pk,
            start=datetime.date(2030, 5, 2),
            end=datetime.date(2030, 5, 1),
            reason="x",
            user=world.user("alpha_admin"),
        )


def test_another_partners_plant_is_refused(as_user, world, plant, beta_plant):
    admin = as_user("alpha_admin", world.alpha)
    response = admin.post("/capacity/work-centres/new/", {"plant_id": beta_plant.pk, **WORK_CENTRE})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert (
        f'value="{beta_plant.pk}"' not in admin.get("/capacity/work-centres/new/").content.decode()
    )
    # Not through the service either (an API or an import would call it).
    with schema_context(world.alpha.schema_name), pytest.raises(ValidationError) as refused:
        capacity.capability_add(
            partner=world.alpha, plant_id=beta_plant.pk, name="MIG", user=world.user("alpha_admin")
        )
    assert "Choose one of your plants." in str(refused.value)
    assert rows(world.alpha, WorkCentre) == [] and rows(world.alpha, PlantCapability) == []
    assert not PlantCapacity.objects.exists()


def test_operator_reads_the_capacity_page_but_cannot_change_it(as_user, world, plant):
    with schema_context(world.alpha.schema_name):
        work_centre = capacity.work_centre_save(
            partner=world.alpha,
            plant_id=plant.pk,
            work_centre_type="saw",
            count=2,
            hours_per_day=Decimal(8),
            efficiency=Decimal(1),
            user=world.user("alpha_admin"),
        )
    operator = as_user("alpha_operator", world.alpha)
    page = operator.get("/capacity/").content.decode()
    assert "saw" in page and "Your partner admin declares capacity." in page
    assert "Add a work centre" not in page and "/remove/" not in page
    assert 'href="/capacity/"' in page  # in the navigation
    url = f"/capacity/work-centres/{work_centre.pk}/edit/"
    assert operator.post(url, {**WORK_CENTRE}).status_code == 403
    assert operator.post("/capacity/work-centres/new/", {"plant_id": plant.pk}).status_code == 403
    assert operator.post(f"/capacity/work-centres/{work_centre.pk}/remove/").status_code == 403
    assert len(rows(world.alpha, WorkCentre)) == 1


def test_other_partners_see_nothing_of_alphas_declaration(as_user, world, plant, beta_plant):
    """Alpha's rows and plant ids mean nothing on beta's host."""
    with schema_context(world.alpha.schema_name):
        work_centre = capacity.work_centre_save(
            partner=world.alpha,
            plant_id=plant.pk,
            work_centre_type="saw",
            count=2,
            hours_per_day=Decimal(8),
            efficiency=Decimal(1),
            user=world.user("alpha_admin"),
        )
    beta = as_user("beta_admin", world.beta)
    page = beta.get("/capacity/").content.decode()
    assert "Lyon foundry" in page and plant.name not in page and "saw" not in page
    for url in (
        f"/capacity/work-centres/{work_centre.pk}/edit/",
        f"/capacity/work-centres/{work_centre.pk}/remove/",
    ):
        assert beta.get(url).status_code == 404
        assert beta.post(url, WORK_CENTRE).status_code == 404
    response = beta.post("/capacity/work-centres/new/", {"plant_id": plant.pk, **WORK_CENTRE})
    assert response.status_code == 400
    assert (
        f'value="{plant.pk}"'
        not in beta.get(f"/capacity/work-centres/new/?plant={plant.pk}").content.decode()
    )
    assert rows(world.beta, WorkCentre) == []
    assert len(rows(world.alpha, WorkCentre)) == 1
    # A beta member has no access to alpha's host at all.
    assert as_user("beta_admin", world.alpha).get("/capacity/").status_code == 403


def test_capacity_page_with_no_plants_says_so(as_user, world):
    page = as_user("beta_operator", world.beta).get("/capacity/").content.decode()
    assert "No plants are registered for your company yet." in page


# --- The hub: plants with capacity and costs -------------------------------------------------


def _declare(world, plant, **work_centre):
    with schema_context(plant.partner.schema_name):
        capacity.work_centre_save(
            partner=plant.partner,
            plant_id=plant.pk,
            user=world.user("alpha_admin"),
            **{
                "work_centre_type": "saw",
                "count": 2,
                "hours_per_day": Decimal(8),
                "efficiency": Decimal(1),
                **work_centre,
            },
        )


def test_plant_list_shows_declared_capacity_costs_and_filters(as_user, world, plant, beta_plant):
    _declare(world, plant)
    PlantCost.objects.create(plant=plant, setup_cost=100)
    client = as_user("qe", world.hub)
    page = client.get("/planning/plants/").content.decode()
    assert plant.name in page and beta_plant.name in page
    assert "saw 80" in page  # 2 × 8 h × 5 days
    assert "not declared" in page and "not set" in page
    declared = client.get("/planning/plants/", {"declared": "yes"}).content.decode()
    assert plant.name in declared and beta_plant.name not in declared
    undeclared = client.get("/planning/plants/", {"declared": "no"}).content.decode()
    assert plant.name not in undeclared and beta_plant.name in undeclared
    by_partner = client.get("/planning/plants/", {"partner": world.beta.pk}).content.decode()
    assert plant.name not in by_partner and beta_plant.name in by_partner
    by_country = client.get("/planning/plants/", {"country": "FR"}).content.decode()
    assert beta_plant.name in by_country and plant.name not in by_country
    for sort in ("declared", "-declared", "cost", "country", "-partner"):
        assert client.get("/planning/plants/", {"sort": sort}).status_code == 200


def test_plant_list_query_count_does_not_grow(as_user, world, plant):
    client = as_user("planner", world.hub)
    client.get("/planning/plants/")
    with CaptureQueriesContext(connection) as few:
        client.get("/planning/plants/")
    for i in range(6):
        other = PlantFactory(partner=world.beta)
        PlantCost.objects.create(plant=other)
        WorkCentreRate.objects.create(plant=other, work_centre_type=f"t{i}", hourly_rate=10)
        PlantCapacity.objects.create(
            plant=other,
            declared_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            work_centres=[{"type": "saw", "count": 1, "hours_per_day": 8, "efficiency": 1}],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/planning/plants/")
    assert response.content.decode().count("1 rate, 0 lanes") == 6
    assert len(many) == len(few)


def test_plant_page_shows_the_declaration_read_only(as_user, world, plant):
    _declare(world, plant, efficiency=Decimal("0.5"))
    page = as_user("auditor", world.hub).get(f"/planning/plants/{plant.pk}/").content.decode()
    assert "Declared capacity" in page and "alpha_admin" in page and "saw 40 h" in page
    assert "not set" in page and "Planners and network admins edit" in page
    assert "<form" not in page.split("</header>")[1].split("<footer")[0]
    planner = as_user("planner", world.hub).get(f"/planning/plants/{plant.pk}/").content.decode()
    assert "Set the cost model" in planner and 'list="rate-types"' in planner
    assert as_user("planner", world.hub).get("/planning/plants/999999/").status_code == 404


def test_plant_page_says_why_nothing_is_declared(as_user, world, plant):
    client = as_user("planner", world.hub)
    assert "has not declared" in client.get(f"/planning/plants/{plant.pk}/").content.decode()
    DataSharingAgreement.objects.create(partner=world.alpha, releases=["status", "quantities"])
    page = client.get(f"/planning/plants/{plant.pk}/").content.decode()
    assert "does not release capacity" in page


def test_cost_model_validates_saves_and_audits(as_user, world, plant):
    client = as_user("planner", world.hub)
    url = f"/planning/plants/{plant.pk}/cost/"
    bad = {"setup_cost": "-1", "material_cost_factor": "20", "freight_per_unit_km": "x"}
    response = client.post(url, bad)
    assert response.status_code == 400
    content = response.content.decode()
    assert "greater than or equal to 0" in content and "less than or equal to 10" in content
    assert "Enter a number." in content
    assert not PlantCost.objects.exists()
    assert not AuditEntry.objects.filter(action="plant_cost.changed").exists()

    good = {"setup_cost": "250", "material_cost_factor": "1.05", "freight_per_unit_km": "0.0004"}
    assert client.post(url, good).status_code == 302
    client.post(url, {**good, "setup_cost": "300"})
    cost = PlantCost.objects.get(plant=plant)
    assert cost.setup_cost == 300 and cost.material_cost_factor == Decimal("1.050")
    first, second = AuditEntry.objects.filter(action="plant_cost.changed").order_by("id")
    assert first.partner == world.alpha and first.actor == world.user("planner")
    assert first.detail["old"] is None and first.detail["new"]["setup_cost"] == "250"
    assert second.detail["old"]["setup_cost"] == "250.00"
    assert as_user("qe", world.hub).post(url, good).status_code == 403


def test_hourly_rates_add_edit_remove_with_confirmation(as_user, world, plant, beta_plant):
    client = as_user("netadmin", world.hub)
    base = f"/planning/plants/{plant.pk}/rates/"
    assert client.post(base + "new/", {"rate-work_centre_type": "saw"}).status_code == 400
    assert (
        client.post(
            base + "new/", {"rate-work_centre_type": "saw", "rate-hourly_rate": "-5"}
        ).status_code
        == 400
    )
    assert not WorkCentreRate.objects.exists()
    response = client.post(
        base + "new/", {"rate-work_centre_type": "saw", "rate-hourly_rate": "55"}
    )
    assert response.status_code == 302
    response = client.post(
        base + "new/", {"rate-work_centre_type": "SAW", "rate-hourly_rate": "60"}
    )
    assert response.status_code == 400 and "has a rate for this type" in response.content.decode()
    rate = WorkCentreRate.objects.get(plant=plant)

    edit = f"{base}{rate.pk}/edit/"
    assert 'value="55.00"' in client.get(edit).content.decode()
    assert client.post(edit, {"work_centre_type": "saw", "hourly_rate": "x"}).status_code == 400
    assert client.post(edit, {"work_centre_type": "saw", "hourly_rate": "58.5"}).status_code == 302
    rate.refresh_from_db()
    assert rate.hourly_rate == Decimal("58.50")
    # A rate of this plant is not reachable under another plant's address.
    assert client.get(f"/planning/plants/{beta_plant.pk}/rates/{rate.pk}/edit/").status_code == 404

    remove = f"{base}{rate.pk}/remove/"
    assert "Remove saw (58.50)" in client.get(remove).content.decode()
    assert WorkCentreRate.objects.exists()
    assert client.post(remove).status_code == 302
    assert not WorkCentreRate.objects.exists()
    changes = AuditEntry.objects.filter(action="plant_cost.changed").order_by("id")
    assert [e.detail["change"] for e in changes] == ["rate.added", "rate.changed", "rate.removed"]
    assert changes[1].detail["old"]["hourly_rate"] == "55.00"


def test_freight_lanes_add_edit_remove_with_confirmation(as_user, world, plant):
    client = as_user("planner", world.hub)
    base = f"/planning/plants/{plant.pk}/lanes/"
    response = client.post(base + "new/", {"lane-destination_country": "XX"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    lane = {"lane-destination_country": "FR", "lane-freight_per_unit": "1.80"}
    assert client.post(base + "new/", lane).status_code == 302
    response = client.post(base + "new/", lane)
    assert response.status_code == 400 and "has a lane to this country" in response.content.decode()
    row = FreightLane.objects.get(plant=plant)
    edit = {"destination_country": "FR", "freight_per_unit": "2.10"}
    assert client.post(f"{base}{row.pk}/edit/", edit).status_code == 302
    page = client.get(f"/planning/plants/{plant.pk}/").content.decode()
    assert "France" in page and "2.10" in page
    assert "Remove freight lane" in client.get(f"{base}{row.pk}/remove/").content.decode()
    assert client.post(f"{base}{row.pk}/remove/").status_code == 302
    assert not FreightLane.objects.exists()
    assert AuditEntry.objects.filter(action="plant_cost.changed").count() == 3
    assert as_user("qe", world.hub).post(base + "new/", lane).status_code == 403


# --- Products: material cost and approved plants -----------------------------------------------


def test_planner_sets_material_cost_and_approved_plants_on_the_product_page(
    as_user, world, plant, beta_plant
):
    client = as_user("planner", world.hub)
    url = f"/products/{world.product_id}/"
    page = client.get(url).content.decode()
    assert "Any plant with the certifications" in page
    assert re.search(
        rf'<optgroup label="Alpha Machining">((?!</optgroup>).)*<option value="{plant.pk}"',
        page,
        re.DOTALL,
    )
    response = client.post(
        url + "planning/",
        {"material_cost_per_unit": "-1", "approved_plants": [plant.pk, 999999]},
    )
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    product = Product.objects.get(pk=world.product_id)
    assert product.material_cost_per_unit == 0 and not product.approved_plants.exists()

    response = client.post(
        url + "planning/",
        {"material_cost_per_unit": "12.40", "approved_plants": [plant.pk, beta_plant.pk]},
    )
    assert response.status_code == 302
    assert product.approved_plants.count() == 2
    product.refresh_from_db()
    assert product.material_cost_per_unit == Decimal("12.40")
    page = as_user("qe", world.hub).get(url).content.decode()
    assert "12.40" in page and "Lyon foundry" in page and "Save planning data" not in page
    assert as_user("qe", world.hub).post(url + "planning/", {}).status_code == 403
    # Emptying the list means any qualified plant again.
    client.post(url + "planning/", {"material_cost_per_unit": "12.40"})
    assert not product.approved_plants.exists()


def test_product_api_reads_and_patches_planning_data(as_user, world, plant):
    client = as_user("planner", world.hub)
    url = f"/api/products/{world.product_id}/"
    data = client.get(url).json()
    assert data["material_cost_per_unit"] == "0.00" and data["approved_plants"] == []
    response = client.patch(url, {"approved_plants": [plant.pk]}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["approved_plants"] == [plant.pk]
    response = client.patch(url, {"material_cost_per_unit": "3.5"}, content_type="application/json")
    assert response.json()["material_cost_per_unit"] == "3.50"
    assert response.json()["approved_plants"] == [plant.pk]  # left out: kept
    for body in ({"material_cost_per_unit": "-2"}, {"approved_plants": [999999]}, ["x"]):
        response = client.patch(url, body, content_type="application/json")
        assert response.status_code == 400, body
    assert Product.objects.get(pk=world.product_id).material_cost_per_unit == Decimal("3.50")
    qe = as_user("qe", world.hub)
    assert qe.patch(url, {}, content_type="application/json").status_code == 403
    assert qe.get("/api/products/", {"q": "SEED-1"}).json()["results"][0]["approved_plants"] == [
        plant.pk
    ]


# --- Orders: the minimum lot when planning may split -------------------------------------------


def test_order_form_validates_split_min_lot(as_user, world):
    from orders.hub.models import ProductRevision

    revision = ProductRevision.objects.get(pk=world.revision_id)
    client = as_user("planner", world.hub)
    assert 'name="split_min_lot"' in client.get("/orders/new/").content.decode()
    for value, message in (("0", "greater than or equal to 1"), ("101", "cannot exceed")):
        response = client.post(
            "/orders/new/", order_data(revision, quantity="100", split_min_lot=value)
        )
        assert response.status_code == 400 and message in response.content.decode()
    assert not NetworkOrder.objects.filter(customer_reference="PO-9").exists()
    response = client.post("/orders/new/", order_data(revision, quantity="100", split_min_lot="25"))
    assert response.status_code == 302
    order = NetworkOrder.objects.get(customer_reference="PO-9")
    assert order.split_min_lot == 25
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "each part at least 25 units" in page
    world_order = client.get(f"/orders/{world.order_number}/").content.decode()
    assert "Not split: one plant makes it all" in world_order


def test_order_api_validates_split_min_lot(as_user, world):
    client = as_user("planner", world.hub)
    body = {
        "customer_reference": "API-SPLIT",
        "revision": world.revision_id,
        "quantity": 40,
        "due_date": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
        "ship_to_name": "DC",
        "ship_to_latitude": "1",
        "ship_to_longitude": "1",
    }
    for value in (0, 41):
        response = client.post(
            "/api/orders/", {**body, "split_min_lot": value}, content_type="application/json"
        )
        assert response.status_code == 400 and "split_min_lot" in str(response.json()), value
    response = client.post(
        "/api/orders/", {**body, "split_min_lot": 10}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["split_min_lot"] == 10
    response = client.post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["split_min_lot"] is None
