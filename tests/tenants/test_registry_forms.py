import pytest

from portal.models import AuditEntry
from tenants.models import Certification, Plant

PLANT = {
    "code": "lyo",
    "name": "Lyon press shop",
    "city": "Lyon",
    "country": "FR",
    "latitude": "45.764",
    "longitude": "4.8357",
    "timezone": "Europe/Paris",
}


def test_network_admin_adds_a_plant(as_user, world):
    response = as_user("netadmin", world.hub).post("/partners/beta/plants/new/", PLANT)
    assert response.status_code == 302
    plant = Plant.objects.get(partner=world.beta, code="LYO")
    assert plant.timezone == "Europe/Paris"
    assert AuditEntry.objects.filter(action="plant.added", partner=world.beta).exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("latitude", "91", "less than or equal to 90"),
        ("longitude", "east", "Enter a number"),
        ("timezone", "Mars/Olympus", "Select a valid choice"),
        ("country", "XX", "Select a valid choice"),
        ("name", "", "This field is required"),
    ],
)
def test_bad_plant_input_is_rejected_on_the_page(as_user, world, field, value, message):
    response = as_user("netadmin", world.hub).post(
        "/partners/beta/plants/new/", {**PLANT, field: value}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Plant.objects.filter(partner=world.beta).exists()


def test_duplicate_plant_code_is_rejected(as_user, world):
    client = as_user("netadmin", world.hub)
    client.post("/partners/beta/plants/new/", PLANT)
    response = client.post("/partners/beta/plants/new/", {**PLANT, "name": "Other"})
    assert b"already has a plant with this code" in response.content
    assert Plant.objects.filter(partner=world.beta).count() == 1


def test_certification_dates_and_plants_are_checked(as_user, world):
    other_plant = Plant.objects.create(
        partner=world.alpha,
        code="X",
        name="Alpha X",
        country="DE",
        latitude=1,
        longitude=1,
        timezone="Europe/Berlin",
    )
    client = as_user("netadmin", world.hub)
    data = {
        "standard": "iso9001",
        "certificate_number": "C-9",
        "issued_by": "TÜV",
        "issued_on": "2026-01-10",
        "expires_on": "2025-01-10",
    }
    response = client.post("/partners/beta/certifications/new/", data)
    assert b"must be after the issue date" in response.content
    response = client.post(
        "/partners/beta/certifications/new/",
        {**data, "expires_on": "2029-01-10", "plant": other_plant.pk},
    )
    assert b"Select a valid choice" in response.content  # another partner's plant
    assert not Certification.objects.filter(partner=world.beta).exists()
    response = client.post(
        "/partners/beta/certifications/new/", {**data, "expires_on": "2029-01-10"}
    )
    assert response.status_code == 302
    assert Certification.objects.get(partner=world.beta).plant is None
