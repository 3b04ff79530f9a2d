from portal.models import AuditEntry
from tenants.models import Membership


def test_partner_admin_invites_a_member(
    as_user, world, mailoutbox, django_capture_on_commit_callbacks
):
    client = as_user("alpha_admin", world.alpha)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/members/invite/", {"email": "New.Person@alpha.example", "role": "quality"}
        )
    assert response.status_code == 302
    membership = Membership.objects.get(partner=world.alpha, user__email="new.person@alpha.example")
    assert membership.role == "quality"
    assert "http://alpha.localhost:8000/accounts/reset/" in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="membership.created", partner=world.alpha).exists()


def test_invite_rejects_hub_roles_and_duplicates(as_user, world):
    client = as_user("alpha_admin", world.alpha)
    response = client.post("/members/invite/", {"email": "x@alpha.example", "role": "planner"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    response = client.post(
        "/members/invite/", {"email": "alpha_operator@example.test", "role": "operator"}
    )
    assert response.status_code == 400
    assert b"already a member" in response.content
    assert not Membership.objects.filter(user__email="x@alpha.example").exists()


def test_members_page_lists_only_this_partners_members(as_user, world):
    content = as_user("alpha_admin", world.alpha).get("/members/").content.decode()
    assert "alpha_operator" in content
    assert "beta_operator" not in content


def test_change_role_and_audit(as_user, world):
    membership = Membership.objects.get(user=world.user("alpha_operator"), partner=world.alpha)
    response = as_user("alpha_admin", world.alpha).post(
        f"/members/{membership.pk}/", {"role": "quality"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "quality"
    entry = AuditEntry.objects.get(action="membership.changed")
    assert entry.detail["old"] == "operator" and entry.detail["new"] == "quality"


def test_last_admin_cannot_be_demoted_or_removed(as_user, world):
    admin = Membership.objects.get(user=world.user("alpha_admin"), partner=world.alpha)
    client = as_user("alpha_admin", world.alpha)
    response = client.post(f"/members/{admin.pk}/", {"role": "operator"})
    assert b"last admin" in response.content
    response = client.post(f"/members/{admin.pk}/remove/")
    assert response.status_code == 400
    assert b"last admin" in response.content
    admin.refresh_from_db()
    assert admin.role == "partner_admin"


def test_remove_asks_for_confirmation_then_removes(as_user, world):
    membership = Membership.objects.get(user=world.user("alpha_quality"), partner=world.alpha)
    client = as_user("alpha_admin", world.alpha)
    page = client.get(f"/members/{membership.pk}/remove/")
    assert b"will no longer be able to sign in" in page.content
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(f"/members/{membership.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="membership.removed").exists()


def test_another_partners_membership_is_not_found(as_user, world):
    beta_membership = Membership.objects.get(user=world.user("beta_operator"))
    client = as_user("alpha_admin", world.alpha)
    assert client.get(f"/members/{beta_membership.pk}/").status_code == 404
    assert client.post(f"/members/{beta_membership.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=beta_membership.pk).exists()


def test_network_admin_manages_hub_members_with_hub_roles(as_user, world):
    client = as_user("netadmin", world.hub)
    response = client.post("/members/invite/", {"email": "p2@hub.example", "role": "planner"})
    assert response.status_code == 302
    assert Membership.objects.get(user__email="p2@hub.example").partner == world.hub
    response = client.post("/members/invite/", {"email": "p3@hub.example", "role": "operator"})
    assert response.status_code == 400
