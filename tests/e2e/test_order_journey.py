"""The core loop in the browser: the planner dispatches, the partner operator
accepts and reports two operations, the planner sees status and % complete."""

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


def test_dispatch_accept_report_and_see_it_on_the_board(browser, portal, screenshot):
    # A draft demo order of a product Acme's Detroit plant may make (ISO 9001 only).
    ((number, quantity),) = portal.query(
        "SELECT o.number, o.quantity FROM orders_hub_networkorder o "
        "JOIN orders_hub_productrevision r ON r.id = o.revision_id "
        "JOIN orders_hub_product p ON p.id = r.product_id "
        "WHERE o.status = 'draft' AND p.code = 'BRK-100' AND NOT o.export_controlled "
        "ORDER BY o.number LIMIT 1"
    )
    hub = browser.new_context(viewport={"width": 1280, "height": 860})
    planner = hub.new_page()
    planner.goto(portal.url(f"/orders/{number}/"))
    sign_in(planner, "planner")
    expect(planner.get_by_role("heading", level=1)).to_contain_text(number)
    planner.get_by_role("combobox", name="Plant").select_option(
        label="Detroit machining (DET)"  # in the group "Acme Precision Machining"
    )
    planner.get_by_role("button", name="Dispatch", exact=True).click()
    expect(planner.get_by_text(f"{number}-01 dispatched to Detroit machining.")).to_be_visible()

    partner = browser.new_context(viewport={"width": 1280, "height": 860})
    operator = partner.new_page()
    operator.goto(portal.url("/work-orders/", partner="acme"))
    sign_in(operator, "acme-operator")
    operator.get_by_role("link", name=f"{number}-01").click()
    operator.get_by_role("button", name="Accept work order").click()
    expect(operator.get_by_text(f"Work order {number}-01: accepted.")).to_be_visible()
    for operation in ("Saw", "Mill"):
        operator.get_by_role("link", name=f"Report progress {operation}").click()
        operator.get_by_role("spinbutton", name="Good quantity").fill(str(quantity))
        operator.get_by_role("button", name="Record").click()
        expect(
            operator.get_by_text(re.compile(f"Progress on .*{operation} recorded"))
        ).to_be_visible()
    screenshot(operator, "5-work-order-progress")

    planner.goto(portal.url(f"/orders/?q={number}"))
    row = planner.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("50 %")  # two of four operations done
    screenshot(planner, "6-order-board")
    hub.close()
    partner.close()
