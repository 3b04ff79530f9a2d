"""Planning inputs: the capacity partners declare on their hosts (and the hub's copy
of it), the hub's cost model of each plant, products' material cost and approved
plants, and orders' minimum split lot."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from orders.hub.models import PlantCapacity
from orders.partner import capacity
from orders.partner.models import Downtime, PlantCapability, WorkCentre
from portal.models import AuditEntry
from tenants.models import DataSharingAgreement, Plant

from ..factories import PlantFactory

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
    from tenants import sharing

    with schema_context(world.alpha.schema_name):
        capacity.work_centre_save(
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
        capacity.capability_add(plant_id=beta_plant.pk, name="MIG", user=world.user("alpha_admin"))
    assert "Choose one of your plants." in str(refused.value)
    assert rows(world.alpha, WorkCentre) == [] and rows(world.alpha, PlantCapability) == []
    assert not PlantCapacity.objects.exists()


def test_operator_reads_the_capacity_page_but_cannot_change_it(as_user, world, plant):
    with schema_context(world.alpha.schema_name):
        work_centre = capacity.work_centre_save(
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
