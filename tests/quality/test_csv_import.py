"""CSV import of CMM and gauge exports: preview with errors by line, confirm
writes every piece or none, bad files refused with a message."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.hub.models import InspectionCharacteristic, Operation, ProductRevision
from quality.partner.inspections import csv_import, services
from quality.partner.inspections.services import Reading
from quality.partner.models import InspectionRecord, Measurement

pytestmark = pytest.mark.django_db

HEADER = "operation;sample;piece;serial;characteristic;value;unit;instrument;inspected_at"


def when(minutes_ago=30):
    return (timezone.localtime() - datetime.timedelta(minutes=minutes_ago)).strftime(
        "%Y-%m-%d %H:%M"
    )


def good_rows(at=None):
    at = at or when()
    return [
        f"20;1;1;SN-1;Bore diameter;10,004;mm;CMM-1;{at}",
        f"20;1;1;SN-1;Length;50,02;mm;CMM-1;{at}",
        f"20;1;2;SN-2;Bore diameter;10,021;mm;CMM-1;{at}",  # out of tolerance
        f"20;1;2;SN-2;Length;49,95;mm;CMM-1;{at}",
        f"30;1;1;SN-1;Visual;pass;;Eyes;{at}",
    ]


def csv_file(lines, *, name="cmm.csv", encoding="utf-8", header=HEADER):
    text = "\r\n".join([header, *lines]) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding))


def url(q):
    return f"/quality/work-orders/{q.work_order_number}/import/"


def records():
    with schema_context("alpha"):
        return InspectionRecord.objects.count(), Measurement.objects.count()


def upload(client, q, file):
    return client.post(url(q), {"file": file})


def digest_of(response) -> str:
    return re.search(r'name="digest" value="([0-9a-f]+)"', response.content.decode()).group(1)


def errors_of(response) -> str:
    return response.content.decode()


# --- the happy path ---------------------------------------------------------------------


def test_preview_then_confirm_writes_every_piece(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    page = client.get(url(inspected)).content.decode()
    assert "inspected_at" in page and "Bore diameter" in page  # the format is documented
    response = upload(client, inspected, csv_file(good_rows(), encoding="utf-8-sig"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Read as UTF-8 (BOM)" in html and "3 pieces will be recorded" in html
    assert "1 value is out of tolerance" in html and "Out of tolerance" in html
    assert records() == (0, 0)  # nothing written before the confirmation
    response = client.post(url(inspected), {"confirm": "1", "digest": digest_of(response)})
    assert response.status_code == 302
    assert "conforming=no" in response["Location"]
    with schema_context("alpha"):
        pieces = list(InspectionRecord.objects.order_by("operation__sequence", "piece"))
        assert [(r.operation.sequence, r.sample, r.piece, r.serial) for r in pieces] == [
            (20, 1, 1, "SN-1"),
            (20, 1, 2, "SN-2"),
            (30, 1, 1, "SN-1"),
        ]
        assert [r.conforming for r in pieces] == [True, False, True]
        assert all(r.source == "csv" for r in pieces)
        bore = Measurement.objects.get(record=pieces[1], name="Bore diameter")
        assert bore.value == Decimal("10.021") and not bore.conforming
    # the same file again: every piece is already recorded
    response = upload(client, inspected, csv_file(good_rows()))
    assert response.status_code == 400
    assert "Operation 20 sample 1 piece 1 is already recorded" in response.content.decode()
    assert records() == (3, 5)


def test_comma_separated_latin_1_with_extra_columns(as_user, world, inspected):
    header = "Operation,Sample,Characteristic,Value,Instrument,Inspected_at,Deviation"
    at = when()
    lines = [
        f"20,3,Bore diameter,10.001,Prüfgerät Ö,{at},0.001",
        f"20,3,Length,50.0,Prüfgerät Ö,{at},0",
    ]
    client = as_user("alpha_operator", world.alpha)
    response = upload(client, inspected, csv_file(lines, header=header, encoding="latin-1"))
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "Windows-1252" in html and "Prüfgerät Ö" in html and "deviation" in html
    response = client.post(url(inspected), {"confirm": "1", "digest": digest_of(response)})
    assert response.status_code == 302
    with schema_context("alpha"):
        assert InspectionRecord.objects.get().instrument == "Prüfgerät Ö"


def test_times_without_offset_are_read_in_the_users_time_zone(as_user, world, inspected):
    user = world.user("alpha_operator")
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    lines = [
        "20;1;1;;Bore diameter;10;mm;G;2026-01-15 09:00",
        "20;1;1;;Length;50;mm;G;2026-01-15 09:00",
        "20;2;1;;Bore diameter;10;mm;G;2026-01-15T09:30:00+01:00",
        "20;2;1;;Length;50;mm;G;2026-01-15T09:30:00+01:00",
    ]
    client = as_user("alpha_operator", world.alpha)
    response = upload(client, inspected, csv_file(lines))
    client.post(url(inspected), {"confirm": "1", "digest": digest_of(response)})
    with schema_context("alpha"):
        times = list(
            InspectionRecord.objects.order_by("sample").values_list("inspected_at", flat=True)
        )
    utc = datetime.UTC
    assert times == [
        datetime.datetime(2026, 1, 15, 0, 0, tzinfo=utc),
        datetime.datetime(2026, 1, 15, 8, 30, tzinfo=utc),
    ]


# --- bad content: errors by line, nothing written -----------------------------------------


@pytest.fixture
def other_revision(world, inspected):
    """Revision B of the same product has a characteristic revision A lacks."""
    rev = ProductRevision.objects.create(product=inspected.revision.product, revision="B")
    op = Operation.objects.create(
        revision=rev, sequence=20, name="Mill", work_centre_type="cnc_mill", run_minutes_per_unit=1
    )
    InspectionCharacteristic.objects.create(
        operation=op, name="Flatness", nominal=0, lower_limit=0, upper_limit=Decimal("0.05")
    )
    return rev


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("20;1;1;;Bore diameter;ten;mm;G;{at}", "value", "“ten” is not a number"),
        ("20;1;1;;Bore diameter;10.0;in;G;{at}", "unit", "Bore diameter is measured in mm, not in"),
        ("20;1;1;;Roundness;0.01;mm;G;{at}", "characteristic", "has no characteristic “Roundness”"),
        ("20;1;1;;Flatness;0.01;mm;G;{at}", "characteristic", "this work order makes revision A"),
        ("20;1;1;;Visual;pass;;G;{at}", "characteristic", "belongs to operation 30, not 20"),
        ("40;1;1;;Bore diameter;10;mm;G;{at}", "operation", "has no operation 40"),
        ("x;1;1;;Bore diameter;10;mm;G;{at}", "operation", "“x” is not a whole number"),
        ("20;0;1;;Bore diameter;10;mm;G;{at}", "sample", "Must be 1 or more."),
        ("20;1;1;;Bore diameter;10;mm;;{at}", "instrument", "Required."),
        ("20;1;1;;Bore diameter;10;mm;G;yesterday", "inspected_at", "is not a date and time"),
        ("20;1;1;;Bore diameter;10;mm;G;2999-01-01 10:00", "inspected_at", "is in the future"),
        ("30;1;1;;Visual;maybe;;G;{at}", "value", "is not a pass/fail result"),
        ("20;1;1;;Bore diameter;10.1234567;mm;G;{at}", "value", "At most 6 decimal places."),
        ("20;1;1;;Bore diameter;1e12;mm;G;{at}", "value", "out of range"),
        ("20;1;1;;Bore diameter;10;mm;G", "", "The row has 8 cells; the header has 9."),
    ],
)
def test_bad_rows_are_reported_by_line_and_nothing_is_written(
    as_user, world, inspected, other_revision, line, column, message
):
    lines = [*good_rows()[:2], line.format(at=when())]
    client = as_user("alpha_operator", world.alpha)
    response = upload(client, inspected, csv_file(lines))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html, html[html.find("row-errors") : html.find("row-errors") + 1500]
    assert f"<tr><td>4</td><td>{column or '—'}</td>" in html  # line 4: header + two good rows
    assert 'name="confirm"' not in html
    assert records() == (0, 0)


def test_the_same_piece_must_agree_and_not_repeat(as_user, world, inspected):
    at = when()
    lines = [
        f"20;1;1;SN-1;Bore diameter;10;mm;G;{at}",
        f"20;1;1;SN-9;Length;50;mm;G;{at}",
        f"20;2;1;;Bore diameter;10;mm;G;{at}",
        f"20;2;1;;Bore diameter;10.01;mm;G;{at}",
    ]
    response = upload(as_user("alpha_operator", world.alpha), inspected, csv_file(lines))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Differs from line 2, the same piece." in html
    assert "Bore diameter of this piece is already on line 4." in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        (HEADER.encode() + b"\r\n", "header.csv", "The file has a header but no rows."),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "cmm.csv", "not accepted"),
        (b"<html><body>operation;sample</body></html>", "cmm.csv", "not accepted"),
        (b"PK\x03\x04\x14\x00\x00\x00", "cmm.csv", "not accepted"),
        (b"%PDF-1.7\n%%EOF\n", "cmm.csv", "does not match its name"),
        (b"%PDF-1.7\n%%EOF\n", "cmm.pdf", "Upload a CSV file"),
        (b"sample;value\n1;2\n", "cmm.csv", "Missing columns"),
        (b"a;b\n\x001;2\n", "cmm.csv", "not accepted"),
    ],
)
def test_bad_files_are_refused(as_user, world, inspected, content, name, message):
    response = upload(
        as_user("alpha_operator", world.alpha), inspected, SimpleUploadedFile(name, content)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert records() == (0, 0)


def test_too_many_rows_and_too_many_bytes(as_user, world, inspected, monkeypatch):
    client = as_user("alpha_operator", world.alpha)
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    response = upload(client, inspected, csv_file(good_rows()))
    assert response.status_code == 400
    assert (
        "The file has more than 3 rows; split it into smaller files." in response.content.decode()
    )
    monkeypatch.setattr(csv_import, "MAX_BYTES", 100)
    response = upload(client, inspected, csv_file(good_rows()))
    assert response.status_code == 400 and "the limit is 100\xa0bytes" in response.content.decode()
    assert records() == (0, 0)


def test_a_work_order_not_accepted_takes_no_import(as_user, world):
    response = as_user("alpha_operator", world.alpha).post(
        f"/quality/work-orders/{world.work_order_number}/import/",
        {"file": csv_file(["10;1;1;;X;1;;G;2026-01-01 10:00"])},
    )
    assert response.status_code == 400
    assert "inspect it once it is accepted" in response.content.decode()


# --- the confirmation re-checks -------------------------------------------------------------


def test_confirm_needs_the_previewed_file(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    response = client.post(url(inspected), {"confirm": "1", "digest": "0" * 64}, follow=True)
    assert "This preview has expired" in response.content.decode()
    preview = upload(client, inspected, csv_file(good_rows()))
    response = client.post(url(inspected), {"confirm": "1", "digest": "f" * 64}, follow=True)
    assert "This preview has expired" in response.content.decode()
    assert records() == (0, 0)
    # a preview on one work order cannot be confirmed on another
    other = f"/quality/work-orders/{world.work_order_number}/import/"
    response = client.post(other, {"confirm": "1", "digest": digest_of(preview)}, follow=True)
    assert "This preview has expired" in response.content.decode()
    assert records() == (0, 0)


def test_confirm_checks_the_file_again_and_writes_nothing_when_it_fails(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    preview = upload(client, inspected, csv_file(good_rows()))
    assert preview.status_code == 200
    # meanwhile someone records sample 1 piece 2 of operation 20 by hand
    with schema_context("alpha"):
        services.inspection_record(
            partner=world.alpha,
            work_order=inspected.work_order(),
            operation=inspected.operation(20),
            sample=1,
            piece=2,
            instrument="BG",
            inspected_at=timezone.now(),
            readings={
                inspected.bore.pk: Reading(value=Decimal("10")),
                inspected.length.pk: Reading(value=Decimal("50")),
            },
            user=world.user("alpha_quality"),
        )
    response = client.post(url(inspected), {"confirm": "1", "digest": digest_of(preview)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported: the file has errors now." in html
    assert "Operation 20 sample 1 piece 2 is already recorded" in html
    assert records() == (1, 2)


# --- the parser alone -------------------------------------------------------------------------


def test_parse_groups_rows_into_pieces(world, inspected):
    with schema_context("alpha"):
        preview = csv_import.parse(
            "\n".join([HEADER, *good_rows()]), work_order=inspected.work_order()
        )
        assert preview.ok and preview.delimiter == ";"
        assert [(p.line, p.sequence, p.sample, p.piece) for p in preview.pieces] == [
            (2, 20, 1, 1),
            (4, 20, 1, 2),
            (6, 30, 1, 1),
        ]
        pieces = preview.imported()
        assert pieces[0].readings[inspected.bore.pk] == Reading(value=Decimal("10.004"), unit="mm")
        assert pieces[2].readings[inspected.visual.pk].passed is True
        assert preview.out_of_tolerance == 1
