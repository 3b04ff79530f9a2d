import re

from portal.models import AuditEntry
from tenants.models import DataSharingAgreement


def test_partner_admin_releases_more_and_the_hub_sees_it(as_user, world):
    admin = as_user("alpha_admin", world.alpha)
    page = admin.get("/sharing/").content.decode()
    assert "Status and answers" in page and "never released" in page
    # capacity is released by default, and can be withdrawn: a ticked box
    assert re.search(r'<input[^>]*value="capacity"[^>]*checked', page)
    assert "Capacity (work centres, capabilities, planned downtime)" in page
    response = admin.post("/sharing/", {"releases": ["notes", "dates"]})
    assert response.status_code == 302
    assert DataSharingAgreement.releases_for(world.alpha) == {
        "status",
        "quantities",
        "notes",
        "dates",
    }
    assert AuditEntry.objects.filter(action="sharing.changed", partner=world.alpha).exists()
    detail = as_user("planner", world.hub).get("/partners/alpha/").content.decode()
    assert "Operator notes marked as shared" in detail


def test_status_and_quantities_cannot_be_withheld(as_user, world):
    admin = as_user("alpha_admin", world.alpha)
    response = admin.post("/sharing/", {"releases": ["status"]})
    assert response.status_code == 400
    assert DataSharingAgreement.releases_for(world.alpha) == set(
        DataSharingAgreement.DEFAULT_RELEASES
    )
    assert as_user("alpha_operator", world.alpha).get("/sharing/").status_code == 403
