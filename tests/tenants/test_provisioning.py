import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from portal.models import AuditEntry
from tenants import services
from tenants.forms import PartnerOnboardForm
from tenants.models import Domain, Membership, Partner


def tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema]
        )
        return {row[0] for row in cursor.fetchall()}


def applied_migrations(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        return set(cursor.fetchall())


@pytest.mark.parametrize("method", ["clone", "migrate"])
def test_provision_creates_schema_domain_and_invites_admin(world, method, mailoutbox):
    partner = services.partner_provision(
        slug=f"gamma-{method}",
        name="Gamma",
        country="IT",
        admin_email="Boss@Gamma.example",
        actor=world.user("netadmin"),
        method=method,
    )
    assert schema_exists(partner.schema_name)
    assert Domain.objects.get(tenant=partner).domain == f"gamma-{method}.localhost"
    # Both ways give the same tables and count as fully migrated.
    assert tables_in(partner.schema_name) == tables_in(world.alpha.schema_name)
    assert applied_migrations(partner.schema_name) == applied_migrations(world.alpha.schema_name)
    membership = Membership.objects.get(partner=partner)
    assert membership.role == "partner_admin"
    assert membership.user.email == "boss@gamma.example"
    assert not membership.user.has_usable_password()
    assert AuditEntry.objects.filter(action="partner.provisioned", partner=partner).exists()
    assert AuditEntry.objects.filter(action="membership.created", partner=partner).exists()


def test_invitation_email_carries_a_set_password_link(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_provision(slug="delta", name="Delta", admin_email="new@delta.example")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "http://delta.localhost:8000/accounts/reset/" in body
    assert mailoutbox[0].to == ["new@delta.example"]


def test_provision_is_safe_to_repeat(world):
    first = services.partner_provision(slug="epsilon", name="Epsilon")
    again = services.partner_provision(slug="epsilon", name="Epsilon")
    assert again.pk == first.pk
    assert Partner.objects.filter(slug="epsilon").count() == 1
    assert Domain.objects.filter(tenant=first).count() == 1


def test_failure_midway_leaves_nothing_behind(world, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "user_invite", explode)
    with pytest.raises(services.ProvisioningError, match="rolled back"):
        services.partner_provision(slug="zeta", name="Zeta", admin_email="a@zeta.example")
    assert not Partner.objects.filter(slug="zeta").exists()
    assert not Domain.objects.filter(domain="zeta.localhost").exists()
    assert not schema_exists("zeta")
    failure = AuditEntry.objects.get(action="partner.provision_failed", object_id="zeta")
    assert "mail server on fire" in failure.detail["error"]


@pytest.mark.parametrize(
    "slug, message",
    [
        ("Alpha", "lowercase"),
        ("public", "reserved"),
        ("select", "PostgreSQL reserved word"),
        ("table", "PostgreSQL reserved word"),
        ("a; drop schema public", "lowercase"),
        ("x", "lowercase"),
        ("ends-", "lowercase"),
        ("pg-temp", "reserved"),
        ("under_score", "lowercase"),
        ("a" * 31, "at most 30 characters"),
    ],
)
def test_onboard_form_rejects_bad_slugs(world, slug, message):
    form = PartnerOnboardForm(
        data={"name": "X", "slug": slug, "country": "DE", "admin_email": "a@b.example"}
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors["slug"])


def test_onboard_form_rejects_duplicate_slug(world):
    form = PartnerOnboardForm(
        data={"name": "X", "slug": "alpha", "country": "DE", "admin_email": "a@b.example"}
    )
    assert not form.is_valid()
    assert "already exists" in form.errors["slug"][0]


def test_service_rejects_reserved_slug_before_touching_the_database(world):
    with pytest.raises(ValidationError):
        services.partner_provision(slug="public", name="Nope")
    assert Partner.objects.filter(slug="public").count() == 0


def test_onboarding_page_creates_partner(as_user, world):
    response = as_user("netadmin", world.hub).post(
        "/partners/new/",
        {"name": "Theta Tools", "slug": "theta", "country": "ES", "admin_email": "a@theta.example"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/partners/theta/"
    partner = Partner.objects.get(slug="theta")
    assert schema_exists(partner.schema_name)
    with schema_context(partner.schema_name):
        assert "partner_workspace_document" in tables_in(partner.schema_name)


def test_onboarding_page_shows_errors_and_creates_nothing(as_user, world):
    before = set(Partner.objects.values_list("slug", flat=True))
    response = as_user("netadmin", world.hub).post(
        "/partners/new/", {"name": "", "slug": "Bad Slug", "country": "", "admin_email": "x"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "lowercase letters" in content
    assert "Enter a valid email address" in content
    assert 'id="id_country_error"' in content  # no country chosen: never a silent default
    assert set(Partner.objects.values_list("slug", flat=True)) == before


def test_onboarding_page_reports_a_failure_midway_and_leaves_nothing(as_user, world, monkeypatch):
    from tenants import provisioning

    def broken_clone(schema_name):
        provisioning.schema_create_by_migrate(schema_name)  # the schema exists for a moment
        raise RuntimeError("disk full")

    monkeypatch.setattr(provisioning, "schema_create_by_clone", broken_clone)
    response = as_user("netadmin", world.hub).post(
        "/partners/new/",
        {"name": "Iota", "slug": "iota", "country": "PT", "admin_email": "a@iota.example"},
    )
    assert response.status_code == 200
    assert "Provisioning “iota” failed and was rolled back: disk full" in response.content.decode()
    assert not Partner.objects.filter(slug="iota").exists()
    assert not Domain.objects.filter(domain="iota.localhost").exists()
    assert not schema_exists("iota")
