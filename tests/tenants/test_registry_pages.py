from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.services import partner_provision

from ..factories import CertificationFactory, PlantFactory


def _plant(partner, code):
    return PlantFactory(partner=partner, code=code)


def test_registry_lists_partners_with_plants_and_certification_states(as_user, world):
    plant = _plant(world.alpha, "MUC")
    CertificationFactory(partner=world.alpha, plant=plant, expires_in_days=10)
    CertificationFactory(partner=world.alpha, standard="as9100", expires_in_days=-1)
    response = as_user("planner", world.hub).get("/partners/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Alpha Machining" in content and "Beta Castings" in content
    assert "Plant MUC" in content
    assert "1 expiring" in content and "1 expired" in content


def test_registry_filters_and_sorts(as_user, world):
    client = as_user("planner", world.hub)
    response = client.get("/partners/", {"q": "beta"})
    assert "Beta Castings" in response.content.decode()
    assert "Alpha Machining" not in response.content.decode()
    response = client.get("/partners/", {"sort": "-name"})
    content = response.content.decode()
    assert content.index("Beta Castings") < content.index("Alpha Machining")
    response = client.get("/partners/", {"status": "suspended"})
    assert "No partners match these filters." in response.content.decode()


def test_registry_query_count_does_not_grow_with_partners(as_user, world):
    client = as_user("planner", world.hub)
    client.get("/partners/")
    with CaptureQueriesContext(connection) as few:
        client.get("/partners/")
    for i in range(12):
        partner = partner_provision(slug=f"bulk-{i}", name=f"Bulk {i}")
        _plant(partner, "P1")
        _plant(partner, "P2")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/partners/")
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_partner_detail_shows_plants_certifications_members(as_user, world):
    _plant(world.beta, "LYS")
    response = as_user("auditor", world.hub).get("/partners/beta/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Plant LYS" in content and "Europe/Berlin" in content
    assert "beta_operator" in content


def test_unknown_partner_slug_is_404(as_user, world):
    assert as_user("planner", world.hub).get("/partners/nope/").status_code == 404


def test_status_change_by_network_admin_is_audited(as_user, world):
    from portal.models import AuditEntry

    response = as_user("netadmin", world.hub).post(
        "/partners/beta/status/", {"status": "suspended"}
    )
    assert response.status_code == 302
    world.beta.refresh_from_db()
    assert world.beta.status == "suspended"
    entry = AuditEntry.objects.get(action="partner.status_changed", partner=world.beta)
    assert entry.detail == {"old": "active", "new": "suspended"}


def test_country_filter_offers_only_countries_with_plants(as_user, world):
    PlantFactory(partner=world.alpha, code="OPO", country="PT")
    client = as_user("planner", world.hub)
    content = client.get("/partners/").content.decode()
    assert '<option value="PT">Portugal</option>' in content
    assert "Afghanistan" not in content
    content = client.get("/partners/", {"country": "PT"}).content.decode()
    assert "Alpha Machining" in content and "Beta Castings" not in content
