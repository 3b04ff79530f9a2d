"""Planning in the browser: the planner runs a plan on the demo network, watches
it solve, approves it, and the orders land in the partners' inboxes."""

from __future__ import annotations

import re

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


def test_planner_runs_a_plan_approves_it_and_partners_see_the_work(browser, portal, screenshot):
    hub = browser.new_context(viewport={"width": 1280, "height": 900})
    planner = hub.new_page()
    planner.goto(portal.url("/planning/"))
    sign_in(planner, "planner")
    planner.get_by_role("link", name="New plan").click()
    planner.get_by_label("Time limit (seconds)").fill("8")
    planner.get_by_role("button", name="Run plan").click()
    expect(planner.get_by_text(re.compile(r"Plan \d+ is queued"))).to_be_visible()
    # While it solves, the page shows the progress bar and the best plan so far.
    expect(planner.get_by_role("heading", name="Solving")).to_be_visible()
    expect(planner.locator("#plan-bar")).to_be_visible()
    screenshot(planner, "planning-1-solving")
    # The page reloads itself when the solve ends.
    expect(planner.get_by_role("heading", name="Summary")).to_be_visible(timeout=60_000)
    expect(planner.locator("svg.load-chart").first).to_be_visible()
    screenshot(planner, "planning-2-plan")
    planner.get_by_role("button", name="Approve and dispatch the checked orders").click()
    expect(planner.get_by_text(re.compile(r"\d+ work orders dispatched"))).to_be_visible()
    screenshot(planner, "planning-3-approved")

    # One of the work orders the plan dispatched to Acme is in Acme's inbox.
    rows = portal.query(
        "SELECT d.work_order_number FROM orders_hub_dispatch d "
        "JOIN tenants_partner p ON p.id = d.partner_id "
        "JOIN orders_hub_planrun r ON r.approved_at IS NOT NULL "
        "WHERE p.slug = 'acme' AND d.dispatched_at >= r.approved_at - interval '5 minutes' "
        "ORDER BY d.work_order_number LIMIT 1"
    )
    assert rows, "the plan dispatched nothing to Acme"
    partner = browser.new_context(viewport={"width": 1280, "height": 860})
    operator = partner.new_page()
    operator.goto(portal.url("/work-orders/", partner="acme"))
    sign_in(operator, "acme-operator")
    expect(operator.get_by_role("link", name=rows[0][0])).to_be_visible()
    screenshot(operator, "planning-4-acme-inbox")
