"""The main pages under the Content-Security-Policy in real Chromium: the browser
logs no violation (an inline script, handler or style it refused), and the
pages' own scripts and the API docs still run."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from .conftest import chromium_path
from .test_journeys import sign_in

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the Python package playwright is not installed"
)
if chromium_path() is None:
    pytest.skip("browser journeys need Chromium (bin/test installs it)", allow_module_level=True)

expect = playwright_api.expect
pytestmark = pytest.mark.e2e

HUB_PAGES = [
    "/",
    "/partners/",
    "/members/",
    "/orders/",
    "/products/",
    "/planning/",
    "/planning/plants/",
    "/quality/",
    "/quality/use-as-is/",
    "/quality/documents/",
    "/audit/",
    "/accounts/profile/",
]
PARTNER_PAGES = [
    "/",
    "/members/",
    "/work-orders/",
    "/capacity/",
    "/documents/",
    "/quality/",
    "/quality/inspections/",
    "/quality/characteristics/",
    "/quality/ncrs/",
    "/quality/access/",
    "/api-keys/",
    "/sharing/",
]
# A list page's first row leads to a detail page: those are visited too, but
# not files (downloads, CSV exports), which a browser does not render.
ROW_LINK = "main table tbody a[href]:not([download]):not([href*='download']):not([href*='csv'])"


class Violations:
    """Console messages in which Chromium reports a Content-Security-Policy violation."""

    def __init__(self, context):
        self.messages: list[str] = []
        context.on("page", self._watch)

    def _watch(self, page):
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.messages.append(f"{message.page.url if message.page else '?'}: {message.text}")


def visit_all(page, portal, paths, partner=None) -> list[str]:
    """Each page, then the first row of its table if it has one; the URLs seen."""
    seen = []
    for path in paths:
        url = portal.url(path, partner=partner)
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        seen.append(page.url)
        row = page.locator(ROW_LINK).first
        if row.count():
            href = urljoin(page.url, row.get_attribute("href"))
            response = page.goto(href)
            assert response is not None and response.ok, f"{href}: {response and response.status}"
            seen.append(page.url)
    return seen


def test_main_pages_log_no_content_security_policy_violation(browser, portal):
    hub = browser.new_context(viewport={"width": 1280, "height": 860})
    hub_violations = Violations(hub)
    page = hub.new_page()
    page.goto(portal.url("/accounts/login/"))
    sign_in(page, "netadmin")
    seen = visit_all(page, portal, HUB_PAGES)
    # A product revision with its BOM indented by depth (CSS classes, not style=).
    page.goto(portal.url("/products/"))
    page.locator(ROW_LINK).first.click()
    page.locator("main a[href*='/revisions/']").first.click()
    expect(page.get_by_role("heading", name="Bill of materials")).to_be_visible()
    hub.close()

    partner = browser.new_context(viewport={"width": 1280, "height": 860})
    partner_violations = Violations(partner)
    page = partner.new_page()
    page.goto(portal.url("/accounts/login/", partner="acme"))
    sign_in(page, "acme-admin")
    seen += visit_all(page, portal, PARTNER_PAGES, partner="acme")
    # The control chart of a characteristic (inline SVG), and the inspection form,
    # whose own script (quality.js) flags a value out of tolerance as it is typed.
    page.goto(portal.url("/quality/characteristics/", partner="acme"))
    page.locator("main a[href$='/spc/']").first.click()
    expect(page.locator("svg.spc-chart").first).to_be_visible()
    ((number,),) = portal.query(
        "SELECT number FROM acme.orders_partner_workorder "
        "WHERE status = 'shipped' AND product_code = 'BRK-100' ORDER BY number LIMIT 1"
    )
    page.goto(portal.url(f"/quality/work-orders/{number}/inspect/", partner="acme"))
    page.get_by_role("textbox", name=re.compile("^Bore")).fill("20.030")
    expect(page.get_by_text("Out of tolerance: above the upper limit")).to_be_visible()
    partner.close()

    assert len(seen) > len(HUB_PAGES) + len(PARTNER_PAGES), "row links were followed"
    violations = hub_violations.messages + partner_violations.messages
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("partner", [None, "acme"], ids=["hub", "acme"])
def test_the_api_docs_render_under_their_policy(browser, portal, partner):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    violations = Violations(context)
    page = context.new_page()
    page.goto(portal.url("/api/docs/", partner=partner))
    # Swagger UI ran (its script is a file) and drew the operations from the schema.
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.get_by_text("DMN Portal API").first).to_be_visible()
    context.close()
    assert not violations.messages, "\n".join(violations.messages)
