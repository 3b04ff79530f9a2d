"""Quality in the browser: Acme's quality engineer records a bore out of
tolerance, raises an NCR with a photo and asks to use the part as is; the hub's
quality engineer approves; Acme issues the shipment's certificate of
conformance and downloads it."""

from __future__ import annotations

import re
import struct
import zlib

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


def png(width=8, height=8) -> bytes:
    """A small real PNG (the upload check reads its magic bytes)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_out_of_tolerance_to_ncr_to_use_as_is_to_certificate(browser, portal, screenshot, tmp_path):
    # A shipped Acme work order of a product with a measured bore, not yet certified.
    ((number,),) = portal.query(
        "SELECT w.number FROM acme.orders_partner_workorder w "
        "WHERE w.status = 'shipped' AND w.product_code = 'BRK-100' "
        "AND NOT EXISTS (SELECT 1 FROM acme.orders_partner_shipment s "
        "  JOIN acme.quality_partner_certificate c ON c.shipment_id = s.id "
        "  WHERE s.work_order_id = w.id) "
        "ORDER BY w.number LIMIT 1"
    )
    photo = tmp_path / "bore.png"
    photo.write_bytes(png())

    partner = browser.new_context(viewport={"width": 1280, "height": 900})
    quality = partner.new_page()
    quality.goto(portal.url(f"/quality/work-orders/{number}/inspect/", partner="acme"))
    sign_in(quality, "acme-quality")
    expect(quality.get_by_role("heading", name="Record inspection")).to_be_visible()
    quality.get_by_label("Instrument").fill("Bore gauge BG-7")
    bore = quality.get_by_role("textbox", name=re.compile("^Bore"))
    bore.fill("20.030")
    # Flagged as typed, in words and not colour alone.
    expect(quality.get_by_text("Out of tolerance: above the upper limit")).to_be_visible()
    screenshot(quality, "q1-out-of-tolerance-as-typed")
    quality.get_by_role("button", name="Save inspection").click()
    expect(quality.get_by_text(re.compile("out of tolerance", re.I)).first).to_be_visible()
    quality.get_by_role("link", name=re.compile("Raise NCR")).first.click()

    expect(quality.get_by_role("heading", name="Raise a non-conformance report")).to_be_visible()
    quality.get_by_label("Defect").select_option("dimensional")
    quality.get_by_label("Quantity affected").fill("1")
    quality.get_by_label("Description").fill("Bore 0.009 mm over the upper limit.")
    quality.get_by_label("Photos and documents").set_input_files(str(photo))
    quality.get_by_role("button", name="Raise NCR").click()
    heading = quality.get_by_role("heading", level=1)
    expect(heading).to_contain_text("NCR-")
    ncr = re.search(r"NCR-\d+", heading.inner_text()).group(0)
    expect(quality.get_by_role("link", name="bore.png")).to_be_visible()
    quality.get_by_role("combobox", name=re.compile("^Disposition")).select_option("use_as_is")
    quality.get_by_label("Justification for use as is").fill(
        "Slip fit: 0.009 mm over keeps the clearance the function needs."
    )
    quality.get_by_role("button", name="Set disposition").click()
    expect(quality.get_by_text(re.compile("hub", re.I)).first).to_be_visible()
    screenshot(quality, "q2-ncr-awaiting-hub")

    hub = browser.new_context(viewport={"width": 1280, "height": 900})
    engineer = hub.new_page()
    engineer.goto(portal.url("/quality/use-as-is/"))
    sign_in(engineer, "qe")
    row = engineer.get_by_role("row").filter(has_text=ncr)
    expect(row).to_be_visible()
    row.get_by_role("link").first.click()
    engineer.get_by_role("link", name="Decide…").click()
    engineer.get_by_role("radio", name=re.compile("^Approve")).check()
    engineer.get_by_role("button", name="Continue…").click()
    engineer.get_by_role("button", name="Approve", exact=True).click()
    expect(engineer.get_by_role("status")).to_contain_text(f"{ncr} of Acme")
    screenshot(engineer, "q3-hub-approved")

    quality.goto(portal.url(f"/quality/ncrs/{ncr}/", partner="acme"))
    expect(quality.get_by_role("heading", level=1)).to_contain_text("Dispositioned")
    quality.goto(portal.url(f"/work-orders/{number}/", partner="acme"))
    quality.get_by_role("link", name=re.compile("Issue certificate", re.I)).first.click()
    quality.get_by_label(re.compile("title", re.I)).fill("Quality manager")
    quality.get_by_role("button", name=re.compile("Issue", re.I)).click()
    expect(quality.get_by_text(re.compile(r"COC-ACME-\d{6}")).first).to_be_visible()
    with quality.expect_download() as download:
        quality.get_by_role("link", name=re.compile("Download certificate", re.I)).first.click()
    saved = tmp_path / "coc.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    screenshot(quality, "q4-certificate-issued")
