"""Browser journeys in real Chromium against a real server (see conftest.py).

Locators are accessible ones (label, role, name): a journey that finds a field
by its label also proves that the field has one.
"""

from __future__ import annotations

import re

import pytest

from tenants.demo import DEMO_PASSWORD

from .conftest import chromium_path

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the Python package playwright is not installed"
)
if chromium_path() is None:
    pytest.skip(
        "browser journeys need Chromium: set DMN_CHROMIUM or install Debian's chromium "
        "(bin/test does both)",
        allow_module_level=True,
    )

expect = playwright_api.expect
pytestmark = pytest.mark.e2e


def sign_in(page, username: str, password: str = DEMO_PASSWORD):
    """Fill and send the sign-in form on the page shown; returns the POST's response."""
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    return posted.value


def test_partner_operator_signs_in_and_sees_home(page, portal, screenshot):
    page.goto(portal.url("/", partner="acme"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_text("Partner portal of Acme Precision Machining.")).to_be_visible()

    sign_in(page, "acme-operator")

    expect(page).to_have_url(portal.url("/", partner="acme"))
    expect(
        page.get_by_role("heading", level=1, name="Welcome to Acme Precision Machining")
    ).to_be_visible()
    expect(page.get_by_text("You are signed in as Operator.")).to_be_visible()
    plants = page.get_by_role("table", name="Plants")
    expect(plants).to_be_visible()
    expect(plants.get_by_role("cell", name="Detroit machining", exact=True)).to_be_visible()
    expect(plants.get_by_role("cell", name="Monterrey assembly", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    screenshot(page, "1-partner-home")


def test_partner_session_does_not_open_another_partner(page, context, portal, screenshot):
    page.goto(portal.url("/accounts/login/", partner="acme"))
    sign_in(page, "acme-operator")
    expect(page.get_by_role("heading", name="Welcome to Acme Precision Machining")).to_be_visible()
    session_hosts = {c["domain"] for c in context.cookies() if c["name"] == "sessionid"}
    assert session_hosts == {"acme.localhost"}, "the session cookie must stay host-only"

    # Borealis does not know acme's session: it asks for a sign-in ...
    page.goto(portal.url("/", partner="borealis"))
    expect(page).to_have_url(re.compile(r"^http://borealis\.localhost:\d+/accounts/login/"))
    expect(page.get_by_text("Partner portal of Borealis Components Oy.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    screenshot(page, "2a-sign-in-at-other-partner")

    # ... and even with valid credentials, acme's operator is no member there.
    sign_in(page, "acme-operator")
    expect(page.get_by_role("heading", level=1, name="No access")).to_be_visible()
    expect(page.get_by_text("is not a member of Borealis Components Oy")).to_be_visible()
    expect(page.get_by_text("Tampere works")).to_have_count(0)
    response = page.goto(portal.url("/", partner="borealis"))
    assert response.status == 403
    screenshot(page, "2-other-partner-refused")


def test_network_admin_onboards_a_partner(page, portal, screenshot):
    page.goto(portal.url("/partners/new/"))
    sign_in(page, "netadmin")
    expect(page.get_by_role("heading", level=1, name="Onboard a partner")).to_be_visible()

    page.get_by_label("Company name").fill("Hollow Point Tooling BV")
    page.get_by_label("Slug").fill("hollowpoint")
    page.get_by_label("Country").select_option(label="Netherlands")
    page.get_by_label("First admin's e-mail").fill("admin@hollowpoint.example")
    page.get_by_role("button", name="Provision partner").click()

    expect(page).to_have_url(portal.url("/partners/hollowpoint/"))
    expect(page.get_by_role("status")).to_contain_text(
        "Hollow Point Tooling BV is provisioned at hollowpoint.localhost; "
        "an invitation went to admin@hollowpoint.example."
    )
    expect(page.get_by_role("heading", level=1, name="Hollow Point Tooling BV")).to_be_visible()
    expect(page.get_by_text("admin@hollowpoint.example").first).to_be_visible()
    screenshot(page, "3-partner-onboarded")
    assert portal.query("SELECT schema_name FROM tenants_partner WHERE slug = 'hollowpoint'") == [
        ("hollowpoint",)
    ]

    # The new partner's own host answers with its sign-in page.
    page.goto(portal.url("/", partner="hollowpoint"))
    expect(page.get_by_text("Partner portal of Hollow Point Tooling BV.")).to_be_visible()

    # A bad slug: the form says why, on the page, and nothing is created.
    for bad_slug, error in [
        ("public", "“public” is reserved."),
        ("Bad Slug", "Use 2 to 30 lowercase letters, digits and hyphens"),
    ]:
        page.goto(portal.url("/partners/new/"))
        page.get_by_label("Company name").fill("Nowhere Tooling")
        page.get_by_label("Slug").fill(bad_slug)
        page.get_by_label("Country").select_option(label="Netherlands")
        page.get_by_label("First admin's e-mail").fill("admin@nowhere.example")
        page.get_by_role("button", name="Provision partner").click()

        expect(page).to_have_url(portal.url("/partners/new/"))
        slug = page.get_by_label("Slug")
        expect(page.get_by_text(error)).to_be_visible()
        expect(slug).to_have_value(bad_slug)
        expect(slug).to_have_attribute("aria-invalid", "true")
        expect(slug).to_have_accessible_description(re.compile(re.escape(error)))
        expect(page.get_by_label("Company name")).to_have_value("Nowhere Tooling")
    screenshot(page, "3b-onboarding-bad-slug")
    assert portal.query("SELECT slug FROM tenants_partner WHERE name = 'Nowhere Tooling'") == []
    assert portal.query("SELECT 1 FROM portal_user WHERE email = 'admin@nowhere.example'") == []


def test_repeated_failed_sign_ins_lock_the_account(page, portal, screenshot):
    page.goto(portal.url("/accounts/login/", partner="cobalt"))
    for attempt in range(1, 5):
        response = sign_in(page, "cobalt-quality", f"wrong-password-{attempt}")
        assert response.status == 200
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct")

    response = sign_in(page, "cobalt-quality", "wrong-password-5")
    expect(page.get_by_role("heading", level=1, name="Too many failed sign-ins")).to_be_visible()
    assert response.status == 429
    screenshot(page, "4-locked-out")

    # Locked means locked: the right password does not get in either.
    page.goto(portal.url("/accounts/login/", partner="cobalt"))
    response = sign_in(page, "cobalt-quality")
    assert response.status == 429
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    page.goto(portal.url("/", partner="cobalt"))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
