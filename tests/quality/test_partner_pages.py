"""The partner's quality pages: who may open them, inspection entry, first
article, SPC, NCRs with files and CAPA, downloads, the hub's measurement access."""

from __future__ import annotations

import datetime
import os
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.models import AuditEntry
from quality.hub.models import UseAsIsRequest
from quality.partner.access import services as access_services
from quality.partner.inspections import services
from quality.partner.inspections.services import Reading
from quality.partner.models import (
    Attachment,
    CapaStep,
    FirstArticle,
    InspectionRecord,
    Measurement,
    MeasurementAccess,
    NonConformance,
)
from quality.partner.ncrs import services as ncr_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20
LOGIN = "/accounts/login/"


# --- helpers ---------------------------------------------------------------------------


def in_alpha(fn):
    with schema_context("alpha"):
        return fn()


def op_pk(q, sequence):
    return in_alpha(lambda: q.operation(sequence).pk)


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def counts():
    def read():
        return (
            InspectionRecord.objects.count(),
            Measurement.objects.count(),
            NonConformance.objects.count(),
            Attachment.objects.count(),
        )

    return in_alpha(read)


def stored_files() -> set[str]:
    found = set()
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found.update(os.path.join(root, f) for f in files)
    return found


def entry(q, *, bore="10.001", length="50.00", sample=1, piece=1, **extra):
    data = {
        "operation": op_pk(q, 20),
        "sample": sample,
        "piece": piece,
        "serial": "SN-1",
        "instrument": "Bore gauge BG-7",
        "inspected_at": local(timezone.now() - datetime.timedelta(minutes=1)),
        f"c_{q.bore.pk}": bore,
        f"c_{q.length.pk}": length,
    }
    data.update(extra)
    return data


def inspect_url(q):
    return f"/quality/work-orders/{q.work_order_number}/inspect/"


def record_directly(q, world, *, bore="10.001", length="50.00", sample=1, piece=1):
    def write():
        return services.inspection_record(
            partner=world.alpha,
            work_order=q.work_order(),
            operation=q.operation(20),
            sample=sample,
            piece=piece,
            instrument="BG",
            inspected_at=timezone.now() - datetime.timedelta(minutes=5),
            readings={
                q.bore.pk: Reading(value=Decimal(bore)),
                q.length.pk: Reading(value=Decimal(length)),
            },
            user=world.user("alpha_quality"),
        )

    return in_alpha(write)


def raise_ncr(q, world, **fields):
    def write():
        return ncr_services.ncr_raise(
            partner=world.alpha,
            work_order=q.work_order(),
            user=world.user("alpha_operator"),
            defect_code=fields.pop("defect_code", "dimensional"),
            quantity=fields.pop("quantity", 2),
            description=fields.pop("description", "Bore oversize"),
            **fields,
        )

    return in_alpha(write)


def ncr_data(**extra):
    data = {
        "defect_code": "dimensional",
        "quantity": "2",
        "operation": "",
        "lot": "L-7",
        "description": "Bore oversize on two pieces",
        "containment": "Quarantined",
        "measurement": "",
    }
    data.update(extra)
    return data


def multipart(fields: dict, files: list[tuple[str, bytes]], field="files"):
    """A hand-made multipart body, so that file names reach the server as sent
    (the test client would strip their directories)."""
    boundary = "dmn-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for name, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- who may open what -----------------------------------------------------------------

MEMBER_PAGES = [
    "/quality/",
    "/quality/inspections/",
    "/quality/ncrs/",
    "/quality/characteristics/",
    "/quality/work-orders/{wo}/inspect/",
    "/quality/work-orders/{wo}/import/",
    "/quality/work-orders/{wo}/first-article/",
    "/quality/work-orders/{wo}/ncr/",
]


@pytest.mark.parametrize("page", MEMBER_PAGES)
def test_member_pages_open_for_every_partner_role_and_no_one_else(as_user, world, inspected, page):
    url = page.format(wo=inspected.work_order_number)
    for name in ("alpha_operator", "alpha_quality", "alpha_admin"):
        response = as_user(name, world.alpha).get(url)
        assert response.status_code == 200, (name, url)
    # another partner's user on alpha's host, and hub users: no membership here
    for name in ("beta_operator", "beta_admin", "qe"):
        assert as_user(name, world.alpha).get(url).status_code == 403, (name, url)
    anonymous = as_user(None, world.alpha).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN)


def test_quality_decisions_need_the_quality_role_or_admin(as_user, world, inspected):
    ncr = raise_ncr(inspected, world)
    operator = as_user("alpha_operator", world.alpha)
    for url, data in (
        (f"/quality/ncrs/{ncr.number}/disposition/", {"disposition": "scrap"}),
        (f"/quality/ncrs/{ncr.number}/capa/", {}),
        (f"/quality/ncrs/{ncr.number}/close/", {}),
        (f"/quality/work-orders/{inspected.work_order_number}/first-article/record/", {}),
    ):
        assert operator.post(url, data).status_code == 403, url
    assert in_alpha(lambda: NonConformance.objects.get(pk=ncr.pk).status) == "open"
    # the NCR page shows the operator no disposition form, the quality member one
    assert b"Set disposition" not in operator.get(f"/quality/ncrs/{ncr.number}/").content
    quality = as_user("alpha_quality", world.alpha)
    assert b"Set disposition" in quality.get(f"/quality/ncrs/{ncr.number}/").content


def test_measurement_access_pages_are_for_partner_admins(as_user, world):
    for name in ("alpha_operator", "alpha_quality"):
        client = as_user(name, world.alpha)
        assert client.get("/quality/access/").status_code == 403
        assert client.post("/quality/access/grant/", {}).status_code == 403
    assert as_user("alpha_admin", world.alpha).get("/quality/access/").status_code == 200


def test_another_partners_objects_are_not_found(as_user, world, inspected):
    """Alpha's NCR number, record id and attachment id asked for on beta's host
    by beta's own user find nothing: beta's schema has none of them."""
    record = record_directly(inspected, world)
    ncr = raise_ncr(inspected, world)
    attachment = in_alpha(
        lambda: ncr_services.attachments_add(
            partner=world.alpha,
            ncr=ncr,
            files=[_checked("photo.png", PNG)],
            user=world.user("alpha_operator"),
        )[0]
    )
    beta = as_user("beta_admin", world.beta)
    for url in (
        f"/quality/ncrs/{ncr.number}/",
        f"/quality/ncrs/{ncr.number}/close/",
        f"/quality/ncrs/{ncr.number}/capa/1/",
        f"/quality/ncrs/{ncr.number}/attachments/{attachment.pk}/",
        f"/quality/inspections/{record.pk}/",
        f"/quality/work-orders/{inspected.work_order_number}/inspect/",
        f"/quality/work-orders/{inspected.work_order_number}/ncr/",
        f"/quality/characteristics/{inspected.bore.pk}/spc/",
    ):
        assert beta.get(url).status_code == 404, url
    assert b"NCR-" not in beta.get("/quality/ncrs/").content
    # ...and beta's users on alpha's host are refused before any lookup
    assert (
        as_user("beta_operator", world.alpha).get(f"/quality/ncrs/{ncr.number}/").status_code == 403
    )


def test_anonymous_is_sent_to_sign_in(as_user, world, inspected):
    ncr = raise_ncr(inspected, world)
    client = as_user(None, world.alpha)
    for url in (
        f"/quality/ncrs/{ncr.number}/",
        f"/quality/ncrs/{ncr.number}/attachments/1/",
        "/quality/access/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url


# --- inspection entry ------------------------------------------------------------------


def test_entry_form_has_one_row_per_characteristic_of_the_operation(as_user, world, inspected):
    record_directly(inspected, world, sample=4)
    content = as_user("alpha_operator", world.alpha).get(inspect_url(inspected)).content.decode()
    # operations with characteristics only: 20 and 30, not the saw (10)
    assert "20 · Mill" in content and "30 · Final" in content and "10 · Saw" not in content
    assert "Bore diameter" in content and "Length" in content and "Visual" not in content
    assert f'name="c_{inspected.bore.pk}"' in content
    assert 'data-lower="9.980000" data-upper="10.020000"' in content
    assert content.index("autofocus") < content.index(f'name="c_{inspected.length.pk}"')
    assert 'name="sample" value="5"' in content  # the next sample
    assert 'name="instrument" value="BG"' in content  # the last instrument used here
    assert "portal/quality.js" in content and 'aria-live="polite"' in content


def test_attribute_operation_shows_pass_fail_radios(as_user, world, inspected):
    url = f"{inspect_url(inspected)}?operation={op_pk(inspected, 30)}"
    content = as_user("alpha_operator", world.alpha).get(url).content.decode()
    assert 'type="radio"' in content and "Visual" in content and "Bore diameter" not in content
    assert (
        as_user("alpha_operator", world.alpha)
        .get(f"{inspect_url(inspected)}?operation=999999")
        .status_code
        == 404
    )


def test_recording_a_conforming_piece(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    response = client.post(inspect_url(inspected), entry(inspected))
    assert response.status_code == 302
    record = in_alpha(lambda: InspectionRecord.objects.get())
    assert response["Location"] == f"/quality/inspections/{record.pk}/"
    assert (
        record.conforming and record.serial == "SN-1" and record.inspector_label == "alpha_operator"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Conforming" in page and "conforms" in page


def test_an_out_of_tolerance_value_is_flagged_and_offers_an_ncr(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    response = client.post(inspect_url(inspected), entry(inspected, bore="10.025"), follow=True)
    assert response.status_code == 200
    bad = in_alpha(lambda: Measurement.objects.get(conforming=False))
    assert bad.name == "Bore diameter" and bad.value == Decimal("10.025")
    page = response.content.decode()
    assert "1 characteristic is out of tolerance" in page
    assert "Bore diameter is out of tolerance: 10.025 mm, limits 9.98 to 10.02 mm." in page
    assert f"/quality/work-orders/{inspected.work_order_number}/ncr/?measurement={bad.pk}" in page
    # the NCR form comes prefilled from that measurement
    form = client.get(
        f"/quality/work-orders/{inspected.work_order_number}/ncr/?measurement={bad.pk}"
    ).content.decode()
    assert "Bore diameter measured 10.025 mm; limits 9.98 to 10.02 mm." in form
    assert '<option value="dimensional" selected>' in form
    assert f'name="measurement" value="{bad.pk}"' in form


def test_pass_fail_result(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    data = {
        "operation": op_pk(inspected, 30),
        "sample": 1,
        "piece": 1,
        "instrument": "Eyes",
        "inspected_at": local(timezone.now()),
        f"c_{inspected.visual.pk}": "fail",
    }
    response = client.post(inspect_url(inspected), data, follow=True)
    assert "Failed" in response.content.decode()
    assert in_alpha(lambda: Measurement.objects.get().passed) is False


def test_decimal_comma_under_german(as_user, world, inspected):
    user = world.user("alpha_operator")
    user.language = "de"
    user.save(update_fields=["language"])
    response = as_user("alpha_operator", world.alpha).post(
        inspect_url(inspected), entry(inspected, bore="10,015", length="50,05")
    )
    assert response.status_code == 302
    values = in_alpha(lambda: set(Measurement.objects.values_list("value", flat=True)))
    assert values == {Decimal("10.015"), Decimal("50.05")}


def test_inspection_time_is_read_in_the_users_time_zone(as_user, world, inspected):
    user = world.user("alpha_operator")
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    when = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=2)
    typed = when.astimezone(zoneinfo.ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M")
    response = as_user("alpha_operator", world.alpha).post(
        inspect_url(inspected), entry(inspected, inspected_at=typed)
    )
    assert response.status_code == 302
    assert in_alpha(lambda: InspectionRecord.objects.get().inspected_at) == when


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bore": "abc"}, "Enter a number."),
        ({"bore": ""}, "Enter the measured value."),
        ({"bore": "10.0000001"}, "no more than 6 decimal places"),
        ({"bore": "123456789"}, "no more than 8 digits before the decimal point"),
        ({"sample": "0"}, "greater than or equal to 1"),
        ({"instrument": ""}, "This field is required."),
        ({"inspected_at": "2999-01-01T10:00"}, "The inspection time is in the future."),
        ({"operation": "999999"}, "Choose one of the operations listed."),
    ],
)
def test_bad_entries_are_refused_with_a_message_and_nothing_written(
    as_user, world, inspected, change, message
):
    data = entry(inspected, **{k: v for k, v in change.items() if k not in ("bore",)})
    if "bore" in change:
        data[f"c_{inspected.bore.pk}"] = change["bore"]
    before = counts()
    response = as_user("alpha_operator", world.alpha).post(inspect_url(inspected), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_entry_on_a_work_order_not_yet_accepted_is_refused(as_user, world):
    client = as_user("alpha_operator", world.alpha)
    url = f"/quality/work-orders/{world.work_order_number}/inspect/"
    assert "inspections can be recorded once it is accepted" in client.get(url).content.decode()
    assert client.post(url, {"sample": 1}).status_code == 400


# --- first article ---------------------------------------------------------------------


def fai_data(q, *, bore="10.000", visual="pass"):
    return {
        "serial": "FA-1",
        "instrument": "CMM",
        "inspected_at": local(timezone.now() - datetime.timedelta(minutes=1)),
        f"c_{q.bore.pk}": bore,
        f"c_{q.length.pk}": "50.0",
        f"c_{q.visual.pk}": visual,
    }


def test_first_article_lists_every_characteristic_by_operation_and_passes(
    as_user, world, inspected
):
    url = f"/quality/work-orders/{inspected.work_order_number}/first-article/"
    quality = as_user("alpha_quality", world.alpha)
    page = quality.get(url).content.decode()
    assert "Yes: no earlier first article inspection" in page
    assert page.index("Operation 20 · Mill") < page.index("Operation 30 · Final")
    for name in ("Bore diameter", "Length", "Visual"):
        assert name in page
    # an operator sees the status but not the form
    assert (
        "Record first article inspection"
        not in as_user("alpha_operator", world.alpha).get(url).content.decode()
    )
    response = quality.post(f"{url}record/", fai_data(inspected))
    assert response.status_code == 302
    assert in_alpha(lambda: FirstArticle.objects.get().status) == "passed"
    detail = quality.get(f"/work-orders/{inspected.work_order_number}/").content.decode()
    assert "badge-fai-passed" in detail and "Record inspection" in detail


def test_first_article_failure_and_missing_values(as_user, world, inspected):
    url = f"/quality/work-orders/{inspected.work_order_number}/first-article/record/"
    quality = as_user("alpha_quality", world.alpha)
    data = fai_data(inspected)
    del data[f"c_{inspected.length.pk}"]
    response = quality.post(url, data)
    assert response.status_code == 400 and "Enter the measured value." in response.content.decode()
    assert not in_alpha(lambda: FirstArticle.objects.exists())
    response = quality.post(url, fai_data(inspected, bore="10.5"), follow=True)
    assert "First article inspection failed" in response.content.decode()
    assert in_alpha(lambda: FirstArticle.objects.get().status) == "failed"


def test_work_order_page_says_whether_an_fai_is_needed(as_user, world, inspected):
    page = (
        as_user("alpha_operator", world.alpha)
        .get(f"/work-orders/{inspected.work_order_number}/")
        .content.decode()
    )
    assert "First article inspection:" in page and "needed" in page
    for label in ("Record inspection", "Import CSV", "First article", "Raise NCR"):
        assert label in page


# --- SPC -------------------------------------------------------------------------------


def spread(q, world, samples=12):
    """Samples of two, spread wide within the tolerance: a Cpk well below 1.33."""
    values = ["9.985", "10.012", "10.003", "9.992", "10.016", "9.988"]
    for sample in range(1, samples + 1):
        for piece in (1, 2):
            bore = values[(sample * 2 + piece) % len(values)]
            record_directly(q, world, bore=bore, sample=sample, piece=piece)


def test_spc_page_shows_chart_capability_and_rules(as_user, world, inspected):
    spread(inspected, world)
    client = as_user("alpha_operator", world.alpha)
    page = client.get(f"/quality/characteristics/{inspected.bore.pk}/spc/").content.decode()
    assert "<svg" in page and "spc-chart" in page
    assert "Cpk" in page and "below 1.33" in page
    assert "24</span>" in page  # n
    assert "Rule violations" in page
    listing = client.get("/quality/characteristics/").content.decode()
    assert "Bore diameter" in listing and "below 1.33" in listing
    home = client.get("/quality/").content.decode()
    assert "Characteristics below Cpk 1.33" in home and "Bore diameter" in home


def test_spc_page_without_enough_data_says_so(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    url = f"/quality/characteristics/{inspected.bore.pk}/spc/"
    assert "No values measured yet" in client.get(url).content.decode()
    record_directly(inspected, world)
    page = client.get(url).content.decode()
    assert "Not enough data for a control chart" in page and "<svg" not in page
    assert client.get("/quality/characteristics/999999/spc/").status_code == 404


# --- NCRs ------------------------------------------------------------------------------


def ncr_url(q):
    return f"/quality/work-orders/{q.work_order_number}/ncr/"


def test_raise_an_ncr_with_photos_and_documents(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    files = [SimpleUploadedFile("photo.png", PNG), SimpleUploadedFile("report.pdf", PDF)]
    response = client.post(ncr_url(inspected), {**ncr_data(), "files": files})
    assert response.status_code == 302
    ncr = in_alpha(lambda: NonConformance.objects.get())
    assert response["Location"] == f"/quality/ncrs/{ncr.number}/"
    assert (ncr.quantity, ncr.lot, ncr.defect_code) == (2, "L-7", "dimensional")
    attachments = in_alpha(lambda: list(Attachment.objects.order_by("original_name")))
    assert [a.original_name for a in attachments] == ["photo.png", "report.pdf"]
    assert [a.content_type for a in attachments] == ["image/png", "application/pdf"]
    assert all(
        a.file.name.startswith("quality/") and "photo" not in a.file.name for a in attachments
    )
    assert AuditEntry.objects.filter(action="file.uploaded").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "photo.png" in page and f"/quality/ncrs/{ncr.number}/attachments/" in page


def test_ncr_from_a_measurement_records_it(as_user, world, inspected):
    record = record_directly(inspected, world, bore="10.03")
    bad = in_alpha(lambda: record.measurements.get(conforming=False))
    response = as_user("alpha_operator", world.alpha).post(
        ncr_url(inspected), ncr_data(measurement=bad.pk)
    )
    assert response.status_code == 302
    ncr = in_alpha(lambda: NonConformance.objects.get())
    assert ncr.measurement_id == bad.pk and ncr.operation_id == record.operation_id


def test_a_measurement_of_another_work_order_is_not_found(as_user, world, inspected):
    record_directly(inspected, world, bore="10.03")
    bad = in_alpha(lambda: Measurement.objects.get(conforming=False))
    url = f"/quality/work-orders/{world.work_order_number}/ncr/?measurement={bad.pk}"
    assert as_user("alpha_operator", world.alpha).get(url).status_code == 404
    response = as_user("alpha_operator", world.alpha).post(
        f"/quality/work-orders/{world.work_order_number}/ncr/", ncr_data(measurement=bad.pk)
    )
    assert response.status_code == 400 and not in_alpha(lambda: NonConformance.objects.exists())


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("report.pdf", HTML)], "“report.pdf”: This kind of file is not accepted."),
        ([("bundle.zip", ZIP)], "“bundle.zip”: This kind of file is not accepted."),
        (
            [
                (
                    "sketch.png",
                    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                )
            ],
            "“sketch.png”: This kind of file is not accepted.",
        ),
        (
            [("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00")],
            "“setup.pdf”: This kind of file is not accepted.",
        ),
        ([("photo.pdf", PNG)], "does not match its name"),
        ([("empty.txt", b"")], "empty"),
        (
            [(f"p{i}.png", PNG) for i in range(10)],
            "Attach at most 10 files at a time; you chose 11.",
        ),
    ],
)
def test_one_bad_file_and_no_ncr_is_raised(as_user, world, inspected, files, message):
    before, on_disk = counts(), stored_files()
    uploads = [SimpleUploadedFile("good.png", PNG)] + [SimpleUploadedFile(n, c) for n, c in files]
    response = as_user("alpha_operator", world.alpha).post(
        ncr_url(inspected), {**ncr_data(), "files": uploads}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before and stored_files() == on_disk


def test_two_hundred_files_in_one_request_are_refused_and_nothing_is_written(
    as_user, world, inspected
):
    before, on_disk = counts(), stored_files()
    uploads = [SimpleUploadedFile(f"p{i}.png", PNG) for i in range(200)]
    response = as_user("alpha_operator", world.alpha).post(
        ncr_url(inspected), {**ncr_data(), "files": uploads}
    )
    assert response.status_code == 400
    assert "Too many files in one request: send at most 20 at a time." in response.content.decode()
    assert counts() == before and stored_files() == on_disk


def test_a_file_over_the_limit_is_refused_and_no_ncr_is_raised(as_user, world, inspected):
    before = counts()
    with override_settings(DMN_UPLOAD_MAX_BYTES=1024):
        response = as_user("alpha_operator", world.alpha).post(
            ncr_url(inspected),
            {**ncr_data(), "files": [SimpleUploadedFile("big.txt", b"a" * 2048)]},
        )
    assert response.status_code == 400
    assert "“big.txt”: The file is 2.0\xa0KB; the limit is 1.0\xa0KB." in response.content.decode()
    assert counts() == before


def test_a_failure_while_storing_the_files_leaves_nothing(as_user, world, inspected, monkeypatch):
    """All-or-nothing also when the second file fails at write time: no NCR, no
    attachment rows, and the first file is gone from storage too."""
    real = ncr_services.attachment_add
    calls = []

    def second_fails(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(ncr_services, "attachment_add", second_fails)
    before, on_disk = counts(), stored_files()
    client = as_user("alpha_operator", world.alpha)
    client.raise_request_exception = False
    files = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.pdf", PDF)]
    response = client.post(ncr_url(inspected), {**ncr_data(), "files": files})
    assert response.status_code == 500
    assert counts() == before and stored_files() == on_disk


def test_hostile_file_names_are_kept_as_data_only(as_user, world, inspected):
    """Django's parser strips directories and control characters (a NUL) from
    names and drops a file named only "../"; what remains is a name, never a path."""
    client = as_user("alpha_operator", world.alpha)
    body, content_type = multipart(
        ncr_data(),
        [("../../etc/passwd.pdf", PDF), ("bad\x00name.png", PNG), ("..\\..\\win.txt", b"x")],
    )
    response = client.post(ncr_url(inspected), body, content_type=content_type)
    assert response.status_code == 302
    attachments = in_alpha(lambda: list(Attachment.objects.all()))
    names = sorted(a.original_name for a in attachments)
    assert names == ["badname.png", "passwd.pdf", "win.txt"]
    assert all(a.file.name.startswith("quality/") and ".." not in a.file.name for a in attachments)
    # a name of 300 characters arrives cut to 255, its extension kept
    long_name = "n" * 296 + ".pdf"
    response = client.post(
        ncr_url(inspected), {**ncr_data(), "files": [SimpleUploadedFile(long_name, PDF)]}
    )
    assert response.status_code == 302
    kept = in_alpha(lambda: Attachment.objects.order_by("-id").first().original_name)
    assert len(kept) == 255 and kept.endswith(".pdf")
    body, content_type = multipart(ncr_data(), [("../", PDF)])
    response = client.post(ncr_url(inspected), body, content_type=content_type)
    assert response.status_code == 302
    assert in_alpha(lambda: Attachment.objects.count()) == 4  # the nameless file never arrived


def test_download_is_an_audited_attachment_with_strict_headers(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    client.post(ncr_url(inspected), {**ncr_data(), "files": [SimpleUploadedFile("r.pdf", PDF)]})
    ncr, attachment = in_alpha(lambda: (NonConformance.objects.get(), Attachment.objects.get()))
    response = client.get(f"/quality/ncrs/{ncr.number}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="r.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(action="file.downloaded", partner=world.alpha).exists()
    # the attachment under another NCR's number, or an unknown id: not found
    other = raise_ncr(inspected, world)
    assert (
        client.get(f"/quality/ncrs/{other.number}/attachments/{attachment.pk}/").status_code == 404
    )
    assert client.get(f"/quality/ncrs/{ncr.number}/attachments/999999/").status_code == 404


def test_disposition_rework_and_use_as_is(as_user, world, inspected):
    quality = as_user("alpha_quality", world.alpha)
    ncr = raise_ncr(inspected, world)
    url = f"/quality/ncrs/{ncr.number}/disposition/"
    response = quality.post(url, {"disposition": "use_as_is", "justification": ""})
    assert response.status_code == 400
    assert "Say why the parts can be used as they are" in response.content.decode()
    response = quality.post(
        url, {"disposition": "use_as_is", "justification": "Within functional limits"}, follow=True
    )
    page = response.content.decode()
    assert "waits for the hub" in page and "Awaiting hub approval" in page
    assert UseAsIsRequest.objects.filter(ncr_number=ncr.number, partner=world.alpha).exists()
    other = raise_ncr(inspected, world)
    response = quality.post(f"/quality/ncrs/{other.number}/disposition/", {"disposition": "rework"})
    assert response.status_code == 302
    assert in_alpha(lambda: NonConformance.objects.get(pk=other.pk).status) == "dispositioned"


def test_capa_opens_with_owners_and_steps_complete_in_order(as_user, world, inspected):
    quality = as_user("alpha_quality", world.alpha)
    ncr = raise_ncr(inspected, world)
    today = timezone.localdate()
    plan = {}
    for step in range(1, 9):
        plan[f"owner_{step}"] = f"Owner {step}"
        plan[f"due_{step}"] = (today + datetime.timedelta(days=step)).isoformat()
    bad = {**plan, "due_3": (today - datetime.timedelta(days=9)).isoformat()}
    response = quality.post(f"/quality/ncrs/{ncr.number}/capa/", bad)
    assert response.status_code == 400
    assert (
        "Each step&#x27;s due date must be on or after the one before." in response.content.decode()
    )
    assert quality.post(f"/quality/ncrs/{ncr.number}/capa/", plan).status_code == 302
    assert in_alpha(lambda: CapaStep.objects.count()) == 8
    # step 2 before step 1: refused
    response = quality.post(f"/quality/ncrs/{ncr.number}/capa/2/", {"notes": "Described"})
    assert response.status_code == 400 and "Complete D1 Team first." in response.content.decode()
    # a bad evidence file: the step stays open, nothing stored
    response = quality.post(
        f"/quality/ncrs/{ncr.number}/capa/1/",
        {"notes": "Team named", "files": [SimpleUploadedFile("x.pdf", HTML)]},
    )
    assert response.status_code == 400
    assert in_alpha(lambda: CapaStep.objects.get(step=1).completed_at) is None
    response = quality.post(
        f"/quality/ncrs/{ncr.number}/capa/1/",
        {"notes": "Team named", "files": [SimpleUploadedFile("team.pdf", PDF)]},
    )
    assert response.status_code == 302
    step, evidence = in_alpha(lambda: (CapaStep.objects.get(step=1), Attachment.objects.get()))
    assert step.completed_at is not None and evidence.capa_step_id == step.pk
    page = quality.get(f"/quality/ncrs/{ncr.number}/").content.decode()
    assert "team.pdf" in page and f"/quality/ncrs/{ncr.number}/capa/2/" in page


def test_close_behind_a_confirmation(as_user, world, inspected):
    quality = as_user("alpha_quality", world.alpha)
    ncr = raise_ncr(inspected, world)
    url = f"/quality/ncrs/{ncr.number}/close/"
    response = quality.post(url)
    assert response.status_code == 400 and "it can be closed once it is dispositioned" in (
        response.content.decode()
    )
    quality.post(f"/quality/ncrs/{ncr.number}/disposition/", {"disposition": "scrap"})
    confirm = quality.get(url)
    assert confirm.status_code == 200 and b'class="danger"' in confirm.content
    assert in_alpha(lambda: NonConformance.objects.get(pk=ncr.pk).status) == "dispositioned"
    assert quality.post(url).status_code == 302
    assert in_alpha(lambda: NonConformance.objects.get(pk=ncr.pk).status) == "closed"
    # a closed NCR takes no more files
    response = quality.post(
        f"/quality/ncrs/{ncr.number}/attachments/", {"files": [SimpleUploadedFile("a.png", PNG)]}
    )
    assert response.status_code == 400 and "is closed" in response.content.decode()


def test_attach_more_files_to_an_open_ncr(as_user, world, inspected):
    ncr = raise_ncr(inspected, world)
    client = as_user("alpha_operator", world.alpha)
    url = f"/quality/ncrs/{ncr.number}/attachments/"
    assert client.post(url, {}).status_code == 400
    files = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.txt", b"notes")]
    assert client.post(url, {"files": files}).status_code == 302
    assert in_alpha(lambda: Attachment.objects.count()) == 2


# --- the hub's access to raw measurements ----------------------------------------------


def test_grant_and_revoke_measurement_access(as_user, world):
    admin = as_user("alpha_admin", world.alpha)
    until = local(timezone.now() + datetime.timedelta(days=3))
    response = admin.post(
        "/quality/access/grant/",
        {"email": "qe@example.test", "expires_at": until, "reason": "Audit"},
    )
    assert response.status_code == 302
    grant = in_alpha(lambda: MeasurementAccess.objects.get())
    assert grant.user_id == world.user("qe").pk
    from quality.partner.access import selectors

    assert in_alpha(lambda: selectors.measurement_access_active(user=world.user("qe"))) == grant
    listing = admin.get("/quality/access/").content.decode()
    assert "Active" in listing and f"/quality/access/{grant.pk}/revoke/" in listing
    confirm = admin.get(f"/quality/access/{grant.pk}/revoke/")
    assert confirm.status_code == 200 and b"Revoke access" in confirm.content
    assert in_alpha(lambda: MeasurementAccess.objects.get().revoked_at) is None
    assert admin.post(f"/quality/access/{grant.pk}/revoke/").status_code == 302
    assert in_alpha(lambda: selectors.measurement_access_active(user=world.user("qe"))) is None
    assert "Revoked" in admin.get("/quality/access/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "beta_operator@example.test"}, "No member of the network hub has this e-mail."),
        ({"email": "nobody@example.test"}, "No member of the network hub has this e-mail."),
        ({"days": 120}, "Grant access for at most 90 days."),
        ({"days": -1}, "The access must end in the future."),
        ({"reason": ""}, "This field is required."),
    ],
)
def test_bad_grants_are_refused(as_user, world, fields, message):
    data = {
        "email": fields.get("email", "auditor@example.test"),
        "expires_at": local(timezone.now() + datetime.timedelta(days=fields.get("days", 3))),
        "reason": fields.get("reason", "Audit"),
    }
    response = as_user("alpha_admin", world.alpha).post("/quality/access/grant/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not in_alpha(lambda: MeasurementAccess.objects.exists())


# --- lists: filters, sorting, query counts ---------------------------------------------


def test_inspection_list_filters_and_sorts(as_user, world, inspected):
    record_directly(inspected, world, sample=1)
    record_directly(inspected, world, bore="10.05", sample=2)
    client = as_user("alpha_operator", world.alpha)

    def rows(query=""):
        return client.get(f"/quality/inspections/{query}").content.decode()

    assert rows().count("badge-q-bad") == 1 and rows().count("badge-q-ok") == 1
    assert rows("?conforming=no").count("badge-q-ok") == 0
    assert rows("?conforming=yes").count("badge-q-bad") == 0
    assert "No inspections match" in rows("?operation=30")
    assert "No inspections match" in rows("?work_order=nothing-like-this")
    today = timezone.localdate().isoformat()
    assert rows(f"?inspected_from={today}&inspected_to={today}").count("badge-q-") == 2
    assert "No inspections match" in rows("?inspected_to=2000-01-01")
    assert client.get("/quality/inspections/?sort=-out_of_tolerance").status_code == 200
    assert client.get("/quality/inspections/?inspected_from=garbage").status_code == 200


def test_ncr_list_filters(as_user, world, inspected):
    first = raise_ncr(inspected, world, defect_code="weld")
    second = raise_ncr(inspected, world)
    client = as_user("alpha_operator", world.alpha)
    page = client.get("/quality/ncrs/?defect_code=weld").content.decode()
    assert first.number in page and second.number not in page
    page = client.get("/quality/ncrs/?status=closed").content.decode()
    assert "No NCRs match" in page
    page = client.get(f"/quality/ncrs/?work_order={inspected.work_order_number}&sort=number")
    assert page.status_code == 200 and second.number in page.content.decode()


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_counts_do_not_grow_with_rows(as_user, world, inspected):
    client = as_user("alpha_admin", world.alpha)
    urls = [
        "/quality/",
        "/quality/inspections/",
        "/quality/ncrs/",
        "/quality/characteristics/",
        "/quality/access/",
        f"/work-orders/{inspected.work_order_number}/",
    ]

    def more(offset):
        for i in range(3):
            record_directly(inspected, world, bore="10.05", sample=offset + i)
            ncr = raise_ncr(inspected, world)
            in_alpha(
                lambda ncr=ncr: ncr_services.attachments_add(
                    partner=world.alpha,
                    ncr=ncr,
                    files=[_checked("p.png", PNG)],
                    user=world.user("alpha_operator"),
                )
            )
            in_alpha(
                lambda: access_services.measurement_access_grant(
                    partner=world.alpha,
                    hub_user=world.user("qe"),
                    expires_at=timezone.now() + datetime.timedelta(days=2),
                    reason="Audit",
                    actor=world.user("alpha_admin"),
                )
            )

    more(1)
    few = {url: _queries(client, url) for url in urls}
    more(10)
    many = {url: _queries(client, url) for url in urls}
    assert many == few


def _checked(name, content):
    from portal.uploads import upload_check

    uploaded = SimpleUploadedFile(name, content)
    return uploaded, upload_check(uploaded)


def test_odd_query_strings_and_ids_never_break_a_page(as_user, world, inspected):
    client = as_user("alpha_operator", world.alpha)
    huge = 10**20
    for url, status in (
        (f"/quality/inspections/{huge}/", 404),
        (f"/quality/characteristics/{huge}/spc/", 404),
        (f"/quality/ncrs/NCR-00001/attachments/{huge}/", 404),
        (f"/quality/ncrs/{'x' * 300}/", 404),
        (f"/quality/inspections/?operation={huge}&page=abc", 200),
        ("/quality/inspections/?inspected_from=2026-13-45&conforming=maybe", 200),
        ("/quality/ncrs/?status=nonsense&sort=nonsense", 200),
        (f"/quality/characteristics/{inspected.bore.pk}/spc/?work_order=a/b", 200),
        (f"{inspect_url(inspected)}?sample=-4&piece=x", 200),
        (f"{inspect_url(inspected)}?operation=abc", 404),
        (f"/quality/work-orders/{inspected.work_order_number}/ncr/?measurement=abc", 404),
    ):
        assert client.get(url).status_code == status, url
