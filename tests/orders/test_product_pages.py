import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.hub.models import (
    BomLine,
    InspectionCharacteristic,
    Operation,
    Product,
    ProductRevision,
)

from .conftest import make_revision


def test_product_list_and_query_count(as_user, world):
    client = as_user("qe", world.hub)
    make_revision("LST-1")
    client.get("/products/")
    with CaptureQueriesContext(connection) as few:
        client.get("/products/")
    for i in range(6):
        make_revision(f"LST-{i + 2}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/products/", {"q": "LST"})
    assert response.status_code == 200 and "LST-7" in response.content.decode()
    assert len(many) == len(few)


def test_revision_page_shows_bom_levels_routing_and_characteristics(as_user, world):
    revision = make_revision("PG-1", release=False)
    top = BomLine.objects.create(revision=revision, position=1, component_code="TOP", quantity=1)
    BomLine.objects.create(
        revision=revision, parent=top, position=2, component_code="CHILD", quantity=2
    )
    content = (
        as_user("planner", world.hub)
        .get(f"/products/{revision.product_id}/revisions/{revision.pk}/")
        .content.decode()
    )
    assert "CHILD" in content and "cnc_mill" in content and "ISO 9001" in content
    assert "Release…" in content


def test_release_with_confirmation_then_read_only_and_new_draft_copies(as_user, world):
    revision = make_revision("PG-2", release=False)
    client = as_user("planner", world.hub)
    url = f"/products/{revision.product_id}/revisions/{revision.pk}/release/"
    assert b"can no longer be changed" in client.get(url).content
    assert client.post(url).status_code == 302
    revision.refresh_from_db()
    assert revision.status == "released"
    page = client.get(f"/products/{revision.product_id}/revisions/{revision.pk}/").content
    assert b"read-only" in page and b"Release\xe2\x80\xa6" not in page
    response = client.post(f"/products/{revision.product_id}/revisions/new/")
    assert response.status_code == 302
    draft = ProductRevision.objects.get(product=revision.product, revision="B")
    assert draft.status == "draft" and draft.operations.count() == 3


def test_releasing_twice_is_refused_on_the_page(as_user, world):
    revision = make_revision("PG-3")
    response = as_user("planner", world.hub).post(
        f"/products/{revision.product_id}/revisions/{revision.pk}/release/"
    )
    assert response.status_code == 400 and b"Only a draft" in response.content
    assert Product.objects.filter(code="PG-3").count() == 1


# --- Products, rows of a draft revision ------------------------------------------------


def _revision_url(revision, suffix=""):
    return f"/products/{revision.product_id}/revisions/{revision.pk}/{suffix}"


def test_empty_state_and_filters(as_user, world):
    client = as_user("planner", world.hub)
    assert b"New product" in client.get("/products/").content
    response = client.get("/products/", {"q": "no-such-product"})
    assert b"No products match" in response.content
    assert b"SEED-1" in client.get("/products/", {"released": "yes"}).content
    assert b"SEED-1" not in client.get("/products/", {"released": "no"}).content
    assert b"New product" not in as_user("qe", world.hub).get("/products/").content


def test_product_create_starts_with_a_draft_revision(as_user, world):
    client = as_user("planner", world.hub)
    response = client.post("/products/new/", {"code": "NEW-1", "name": "New one"})
    assert response.status_code == 302
    revision = ProductRevision.objects.get(product__code="NEW-1")
    assert revision.revision == "A" and revision.status == "draft"
    again = client.post("/products/new/", {"code": "NEW-1", "name": "Again"})
    assert again.status_code == 400 and Product.objects.filter(code="NEW-1").count() == 1


def test_add_and_remove_rows_on_a_draft_then_release(as_user, world):
    revision = make_revision("ED-1", release=False)
    client = as_user("planner", world.hub)
    page = client.get(_revision_url(revision)).content.decode()
    assert "Add a BOM line" in page and "csrfmiddlewaretoken" in page
    assert (
        client.post(
            _revision_url(revision, "bom/new/"),
            {"bom-component_code": "FRAME", "bom-quantity": "1", "bom-unit": "pcs"},
        ).status_code
        == 302
    )
    top = revision.bom_lines.get()
    client.post(
        _revision_url(revision, "bom/new/"),
        {
            "bom-parent": top.pk,
            "bom-component_code": "BOLT",
            "bom-quantity": "4",
            "bom-unit": "pcs",
        },
    )
    bolt = revision.bom_lines.get(component_code="BOLT")
    assert bolt.parent_id == top.pk and bolt.level == 2
    bad = client.post(
        _revision_url(revision, "bom/new/"),
        {"bom-component_code": "X", "bom-quantity": "-1", "bom-unit": "pcs"},
    )
    assert bad.status_code == 400 and revision.bom_lines.count() == 2
    op = {
        "op-sequence": "40",
        "op-name": "Paint",
        "op-work_centre_type": "paint",
        "op-setup_minutes": "5",
        "op-run_minutes_per_unit": "1.5",
        "op-required_certification": "iso9001",
    }
    assert client.post(_revision_url(revision, "operations/new/"), op).status_code == 302
    assert client.post(_revision_url(revision, "operations/new/"), op).status_code == 400
    paint = revision.operations.get(sequence=40)
    ch = {
        "ch-operation": paint.pk,
        "ch-name": "Coat thickness",
        "ch-kind": "variable",
        "ch-nominal": "80",
        "ch-lower_limit": "90",
        "ch-upper_limit": "120",
        "ch-unit": "µm",
    }
    bad = client.post(_revision_url(revision, "characteristics/new/"), ch)
    assert bad.status_code == 400 and "lie around the nominal" in bad.content.decode()
    ch["ch-lower_limit"] = "60"
    assert client.post(_revision_url(revision, "characteristics/new/"), ch).status_code == 302
    assert paint.characteristics.count() == 1
    content = client.get(_revision_url(revision)).content.decode()
    assert "BOLT" in content and "Coat thickness" in content
    # Removing the top line takes its child with it
    client.post(_revision_url(revision, "remove/"), {"kind": "bom", "id": top.pk})
    assert revision.bom_lines.count() == 0
    client.post(_revision_url(revision, "release/"))
    revision.refresh_from_db()
    assert revision.status == "released"


def test_released_revision_refuses_changes_with_a_message(as_user, world):
    revision = make_revision("RO-1")
    op = revision.operations.first()
    client = as_user("planner", world.hub)
    page = client.get(_revision_url(revision)).content.decode()
    assert "read-only" in page and "Add a BOM line" not in page and "Remove" not in page
    response = client.post(
        _revision_url(revision, "operations/new/"),
        {
            "op-sequence": "90",
            "op-name": "Sneak",
            "op-work_centre_type": "bench",
            "op-run_minutes_per_unit": "1",
        },
        follow=True,
    )
    assert response.status_code == 200 and "read-only" in response.content.decode()
    response = client.post(
        _revision_url(revision, "remove/"), {"kind": "op", "id": op.pk}, follow=True
    )
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    assert revision.operations.count() == 3


def test_removing_a_row_of_another_revision_is_not_found(as_user, world):
    draft = make_revision("RM-1", release=False)
    other = make_revision("RM-2", release=False)
    response = as_user("planner", world.hub).post(
        _revision_url(draft, "remove/"), {"kind": "op", "id": other.operations.first().pk}
    )
    assert response.status_code == 404 and other.operations.count() == 3


# --- CSV import -------------------------------------------------------------------------------

HEADER = (
    "record,product_code,product_name,revision,position,parent_position,component,quantity,"
    "unit,sequence,operation,work_centre_type,setup_minutes,run_minutes_per_unit,"
    "certification,characteristic,nominal,lower_limit,upper_limit\n"
)
GOOD = HEADER + (
    "bom,CSV-1,Bracket CSV,A,10,,PLATE,1,pcs,,,,,,,,,,\n"
    "bom,CSV-1,,A,20,10,SCREW-M6,4,pcs,,,,,,,,,,\n"
    "operation,CSV-1,,A,,,,,,10,Laser cut,laser,15,0.8,ISO 9001,,,,\n"
    "characteristic,CSV-1,,A,,,,,mm,10,,,,,,Hole Ø 6,6.05,6.0,6.1\n"
)


def _upload(client, text, *, encoding="utf-8", name="defs.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = text.encode(encoding) if isinstance(text, str) else text
    return client.post("/products/import/", {"file": SimpleUploadedFile(name, content)})


def _confirm(client, preview_response):
    digest = preview_response.context["digest"]
    return client.post("/products/import/", {"confirm": "1", "digest": digest})


def test_csv_import_happy_path_preview_then_confirm(as_user, world):
    client = as_user("planner", world.hub)
    assert b"product_code" in client.get("/products/import/").content
    preview = _upload(client, GOOD)
    content = preview.content.decode()
    assert preview.status_code == 200 and "Import 4 rows" in content and "Hole Ø 6" in content
    assert not Product.objects.filter(code="CSV-1").exists()  # a preview writes nothing
    response = _confirm(client, preview)
    assert response.status_code == 302
    revision = ProductRevision.objects.get(product__code="CSV-1", revision="A")
    assert revision.status == "draft" and revision.product.name == "Bracket CSV"
    screw = revision.bom_lines.get(position=20)
    assert screw.parent.component_code == "PLATE" and screw.quantity == 4
    op = revision.operations.get()
    assert op.required_certification == "iso9001" and op.setup_minutes == 15
    assert op.characteristics.get().name == "Hole Ø 6"
    # The preview is used up: confirming twice writes nothing more
    assert _confirm(client, preview).status_code == 302
    assert revision.bom_lines.count() == 2


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8-sig", "UTF-8 (BOM)"), ("latin-1", "Windows-1252"), ("cp1252", "Windows-1252")],
)
def test_csv_import_encodings(as_user, world, encoding, expected):
    client = as_user("planner", world.hub)
    text = GOOD.replace("Bracket CSV", "Bügel Größe")
    preview = _upload(client, text.replace("Hole Ø 6", "Bohrung Ø 6"), encoding=encoding)
    content = preview.content.decode()
    assert preview.status_code == 200 and expected in content
    assert ("not UTF-8" in content) == (encoding != "utf-8-sig")
    assert "CSV-1 (Bügel Größe)" in content  # new products are listed with their names
    assert "Bohrung Ø 6" in content
    assert _confirm(client, preview).status_code == 302
    assert Product.objects.get(code="CSV-1").name == "Bügel Größe"


def test_csv_import_semicolons(as_user, world):
    client = as_user("planner", world.hub)
    preview = _upload(client, GOOD.replace(",", ";"))
    assert preview.status_code == 200 and b"Import 4 rows" in preview.content


def test_csv_import_wrong_columns_named(as_user, world):
    client = as_user("planner", world.hub)
    text = "kind_of_row,product,revision,qty\nbom,X,A,1\n"
    response = _upload(client, text)
    assert response.status_code == 400
    unknown, missing = response.context["preview"].header_errors
    assert unknown.startswith("Unknown columns: “kind_of_row”, “product”, “qty”.")
    assert missing == "Missing columns: “record”, “product_code”."
    content = response.content.decode()
    assert missing in content and 'name="confirm"' not in content
    assert not Product.objects.filter(code="X").exists()


def test_csv_import_reports_row_errors_and_writes_nothing(as_user, world):
    released = make_revision("CSV-REL")
    client = as_user("planner", world.hub)
    text = GOOD + (
        "bom,CSV-1,,A,20,,SCREW-M6,4,pcs,,,,,,,,,,\n"  # row 6: duplicate position
        "bom,CSV-1,,A,30,,NUT,abc,pcs,,,,,,,,,,\n"  # 7: non-numeric
        "bom,CSV-1,,A,40,,WASHER,-2,pcs,,,,,,,,,,\n"  # 8: negative
        "bom,CSV-1,,A,50,,GLUE,1,barrel,,,,,,,,,,\n"  # 9: unknown unit
        "operation,CSV-1,,A,,,,,,20,Weld,weld,0,1,ISO 9999,,,,\n"  # 10: unknown standard
        "characteristic,CSV-1,,A,,,,,mm,10,,,,,,Width,5,6,7\n"  # 11: limits
        "operation,CSV-REL,,A,,,,,,90,Late,bench,0,1,,,,,\n"  # 12: released
        "widget,CSV-1,,A,,,,,,,,,,,,,,,\n"  # 13: unknown record
    )
    response = _upload(client, text)
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["preview"].errors}
    assert errors == {
        (6, "position"),
        (7, "quantity"),
        (8, "quantity"),
        (9, "unit"),
        (10, "certification"),
        (11, "nominal"),
        (12, "revision"),
        (13, "record"),
    }
    content = response.content.decode()
    assert "Duplicate of row 3" in content and "is already released" in content
    assert "Import 4 rows" not in content and "Unknown unit" in content
    # Confirming anyway (no stored preview) writes nothing
    client.post("/products/import/", {"confirm": "1", "digest": "x"})
    assert not Product.objects.filter(code="CSV-1").exists()
    assert released.operations.count() == 3


def test_csv_import_duplicate_rows(as_user, world):
    client = as_user("planner", world.hub)
    response = _upload(client, GOOD + GOOD.splitlines(keepends=True)[3])
    errors = response.context["preview"].errors
    assert response.status_code == 400
    assert [(e.row, e.column, e.message) for e in errors] == [
        (6, "sequence", "Duplicate of row 4.")
    ]


def test_csv_import_confirm_rechecks_and_writes_all_or_nothing(as_user, world):
    client = as_user("planner", world.hub)
    preview = _upload(client, GOOD)
    assert preview.status_code == 200
    # Between preview and confirm, someone adds operation 10 to the same draft revision.
    product = Product.objects.create(code="CSV-1", name="Made meanwhile")
    revision = ProductRevision.objects.create(product=product, revision="A")
    Operation.objects.create(
        revision=revision, sequence=10, name="Saw", work_centre_type="saw", run_minutes_per_unit=1
    )
    response = _confirm(client, preview)
    assert response.status_code == 400 and b"Nothing was imported" in response.content
    assert revision.bom_lines.count() == 0 and revision.operations.count() == 1


def test_csv_import_write_failure_rolls_back_everything(as_user, world, monkeypatch):
    from orders.hub.products import csv_import

    client = as_user("planner", world.hub)
    preview = _upload(client, GOOD)
    original = InspectionCharacteristic.save

    def failing_save(self, *args, **kwargs):
        from django.db import IntegrityError

        raise IntegrityError("simulated")

    monkeypatch.setattr(InspectionCharacteristic, "save", failing_save)
    response = _confirm(client, preview)
    monkeypatch.setattr(InspectionCharacteristic, "save", original)
    assert response.status_code == 400 and b"simulated" in response.content
    assert not Product.objects.filter(code="CSV-1").exists()
    assert csv_import.SESSION_KEY not in client.session


def test_csv_import_refuses_non_text_and_planners_only(as_user, world):
    client = as_user("planner", world.hub)
    response = _upload(client, b"\x00\x01binary", name="defs.csv")
    assert response.status_code == 400 and b"not a text file" in response.content
    response = _upload(client, GOOD, name="defs.pdf")
    assert response.status_code == 400
    assert as_user("qe", world.hub).get("/products/import/").status_code == 403
    assert as_user("alpha_admin", world.hub).get("/products/import/").status_code == 403
