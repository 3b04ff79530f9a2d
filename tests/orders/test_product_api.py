"""The product-definition API on the hub: reads for every hub member, writes for
planners and network admins, through the same forms and services as the pages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orders.hub.models import (
    BomLine,
    InspectionCharacteristic,
    Operation,
    Product,
    ProductRevision,
)
from orders.hub.products import services
from orders.vocabulary import PRODUCT_RELEASED
from portal.models import AuditEntry, IdempotencyRecord

from .conftest import make_revision

PROBLEM = "application/problem+json"


def _url(revision, suffix=""):
    return f"/api/products/{revision.product_id}/revisions/{revision.pk}/{suffix}"


def _post(client, url, body=None, **headers):
    return client.post(url, body or {}, content_type="application/json", **headers)


def _rows(revision) -> tuple[int, int, int]:
    return (
        BomLine.objects.filter(revision=revision).count(),
        Operation.objects.filter(revision=revision).count(),
        InspectionCharacteristic.objects.filter(operation__revision=revision).count(),
    )


BOM = {"component_code": "FRAME", "quantity": "1.5", "unit": "kg"}
OPERATION = {
    "sequence": 40,
    "name": "Paint",
    "work_centre_type": "paint",
    "setup_minutes": "5",
    "run_minutes_per_unit": "1.5",
    "required_capability": "powder coat",
    "required_certification": "iso9001",
}


def _characteristic(op, **extra):
    return {
        "operation": op.pk,
        "name": "Coat thickness",
        "kind": "variable",
        "nominal": "80",
        "lower_limit": "60",
        "upper_limit": "120",
        "unit": "µm",
        **extra,
    }


# --- Reads ------------------------------------------------------------------------------------


def test_product_list_and_detail_shape(as_user, world):
    client = as_user("qe", world.hub)
    response = client.get("/api/products/", {"q": "SEED"})
    assert response.status_code == 200
    (product,) = response.json()["results"]
    assert product["code"] == "SEED-1" and product["id"] == world.product_id
    assert product["revisions"] == [
        {
            "id": world.revision_id,
            "revision": "A",
            "status": "released",
            "created_at": product["revisions"][0]["created_at"],
            "released_at": product["revisions"][0]["released_at"],
        }
    ]
    detail = client.get(f"/api/products/{world.product_id}/").json()
    assert detail == product
    assert client.get("/api/products/", {"q": "SEED", "released": "no"}).json()["results"] == []
    response = client.get("/api/products/", {"released": "maybe"})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert client.get("/api/products/999999/").status_code == 404


def test_product_list_query_count_does_not_grow(as_user, world):
    client = as_user("auditor", world.hub)
    make_revision("QC-1")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/products/", {"q": "QC-"})
    for i in range(5):
        revision = make_revision(f"QC-{i + 2}")
        ProductRevision.objects.create(product=revision.product, revision="B")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/products/", {"q": "QC-"})
    assert len(response.json()["results"]) == 6
    assert len(many) == len(few)


def test_revision_has_its_multi_level_bom_routing_and_characteristics(as_user, world):
    revision = make_revision("RD-1", release=False)
    top = BomLine.objects.create(revision=revision, position=10, component_code="TOP", quantity=1)
    child = BomLine.objects.create(
        revision=revision, parent=top, position=20, component_code="CHILD", quantity=2
    )
    BomLine.objects.create(
        revision=revision, parent=child, position=30, component_code="GRAND", quantity="0.25"
    )
    BomLine.objects.create(revision=revision, position=40, component_code="LABEL", quantity=1)
    mill = revision.operations.get(sequence=20)
    InspectionCharacteristic.objects.create(
        operation=mill, name="Bore", nominal=10, lower_limit="9.98", upper_limit="10.02", unit="mm"
    )
    InspectionCharacteristic.objects.create(operation=mill, name="Burr-free", kind="attribute")
    client = as_user("auditor", world.hub)
    with CaptureQueriesContext(connection) as queries:
        data = client.get(_url(revision)).json()
    assert data["product_code"] == "RD-1" and data["status"] == "draft"
    assert [(b["component_code"], b["level"]) for b in data["bom"]] == [
        ("TOP", 1),
        ("CHILD", 2),
        ("GRAND", 3),
        ("LABEL", 1),
    ]
    assert data["bom"][2] == {
        "id": data["bom"][2]["id"],
        "parent": child.pk,
        "position": 30,
        "level": 3,
        "component_code": "GRAND",
        "description": "",
        "quantity": "0.2500",
        "unit": "pcs",
    }
    assert [o["sequence"] for o in data["operations"]] == [10, 20, 30]
    operation = data["operations"][1]
    assert operation["work_centre_type"] == "cnc_mill"
    assert operation["setup_minutes"] == "15.00" and operation["run_minutes_per_unit"] == "2.500"
    assert operation["required_certification"] == "iso9001"
    bore, burr = operation["characteristics"]
    assert (bore["nominal"], bore["lower_limit"], bore["upper_limit"], bore["unit"]) == (
        "10.000000",
        "9.980000",
        "10.020000",
        "mm",
    )
    assert burr["kind"] == "attribute" and burr["nominal"] is None
    # More operations and lines cost no more queries.
    for sequence in (40, 50):
        op = Operation.objects.create(
            revision=revision,
            sequence=sequence,
            name="Extra",
            work_centre_type="bench",
            run_minutes_per_unit=1,
        )
        InspectionCharacteristic.objects.create(operation=op, name="Look", kind="attribute")
    with CaptureQueriesContext(connection) as more:
        client.get(_url(revision))
    assert len(more) == len(queries)
    other = make_revision("RD-2", release=False)
    wrong = f"/api/products/{other.product_id}/revisions/{revision.pk}/"
    assert client.get(wrong).status_code == 404


# --- Writes by a planner ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["planner", "netadmin"])
def test_create_a_product_with_draft_revision_a(as_user, world, persona):
    client = as_user(persona, world.hub)
    response = _post(client, "/api/products/", {"code": "API-1", "name": "Bracket API"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["code"] == "API-1" and data["description"] == ""
    assert [(r["revision"], r["status"]) for r in data["revisions"]] == [("A", "draft")]
    assert Product.objects.get(code="API-1").revisions.get().revision == "A"
    again = _post(client, "/api/products/", {"code": "API-1", "name": "Again"})
    assert again.status_code == 400 and again["Content-Type"] == PROBLEM
    assert "code" in again.json()["errors"]
    assert Product.objects.filter(code="API-1").count() == 1


def test_planner_adds_and_removes_rows_then_releases(as_user, world):
    revision = make_revision("WR-1", release=False)
    client = as_user("planner", world.hub)
    top = _post(client, _url(revision, "bom-lines/"), BOM)
    assert top.status_code == 201, top.content
    top = top.json()
    assert (top["position"], top["level"], top["parent"], top["quantity"]) == (
        10,
        1,
        None,
        "1.5000",
    )
    child = _post(
        client,
        _url(revision, "bom-lines/"),
        {"parent": top["id"], "component_code": "BOLT", "quantity": 4, "unit": "pcs"},
    ).json()
    assert (child["position"], child["level"], child["parent"]) == (20, 2, top["id"])
    op = _post(client, _url(revision, "operations/"), OPERATION)
    assert op.status_code == 201, op.content
    assert op.json()["characteristics"] == [] and op.json()["required_capability"] == "powder coat"
    paint = revision.operations.get(sequence=40)
    ch = _post(client, _url(revision, "characteristics/"), _characteristic(paint))
    assert ch.status_code == 201, ch.content
    assert ch.json()["lower_limit"] == "60.000000" and ch.json()["operation"] == paint.pk
    attribute = _post(
        client,
        _url(revision, "characteristics/"),
        _characteristic(paint, name="Colour", kind="attribute", nominal="1"),
    ).json()
    assert attribute["nominal"] is None  # a pass/fail check keeps no values, as on the page
    assert _rows(revision) == (2, 4, 2)

    response = client.delete(_url(revision, f"characteristics/{attribute['id']}/"))
    assert response.status_code == 204
    # Removing the top line takes its child; removing an operation its characteristics.
    assert client.delete(_url(revision, f"bom-lines/{top['id']}/")).status_code == 204
    assert client.delete(_url(revision, f"operations/{paint.pk}/")).status_code == 204
    assert _rows(revision) == (0, 3, 0)
    assert client.delete(_url(revision, f"operations/{paint.pk}/")).status_code == 404
    other = make_revision("WR-2", release=False).operations.first()
    assert client.delete(_url(revision, f"operations/{other.pk}/")).status_code == 404
    assert Operation.objects.filter(pk=other.pk).exists()

    released = _post(client, _url(revision, "release/"))
    assert released.status_code == 200, released.content
    assert released.json()["status"] == "released"
    assert released.json()["released_by"] == "planner"
    entry = AuditEntry.objects.get(action=PRODUCT_RELEASED, object_id=str(revision.pk))
    assert entry.actor == world.user("planner")


def test_release_makes_the_previous_revision_obsolete_and_new_ones_copy(as_user, world):
    first = make_revision("RL-1", actor=world.user("planner"))
    client = as_user("planner", world.hub)
    url = f"/api/products/{first.product_id}/revisions/"
    second = _post(client, url)
    assert second.status_code == 201, second.content
    second = second.json()
    assert (second["revision"], second["status"]) == ("B", "draft")
    assert [o["sequence"] for o in second["operations"]] == [10, 20, 30]  # copied from A
    released = _post(client, f"{url}{second['id']}/release/")
    assert released.status_code == 200
    first.refresh_from_db()
    assert first.status == "obsolete"
    statuses = client.get(f"/api/products/{first.product_id}/").json()["revisions"]
    assert [(r["revision"], r["status"]) for r in statuses] == [
        ("A", "obsolete"),
        ("B", "released"),
    ]
    # A new revision may copy a named one of the same product, not another product's.
    third = _post(client, url, {"source": first.pk}).json()
    assert (third["revision"], third["status"]) == ("C", "draft")
    foreign = _post(client, url, {"source": world.revision_id})
    assert foreign.status_code == 400 and "source" in foreign.json()["errors"]
    assert first.product.revisions.count() == 3


def test_release_needs_a_routing(as_user, world):
    revision = make_revision("RL-2", release=False)
    Operation.objects.filter(revision=revision).delete()
    response = _post(as_user("planner", world.hub), _url(revision, "release/"))
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert "needs a routing" in response.json()["detail"]
    revision.refresh_from_db()
    assert revision.status == "draft"


# --- Refusals ---------------------------------------------------------------------------------


def _row_writes(revision):
    """Adding and removing each kind of row of a draft `revision`, as a planner could."""
    op = revision.operations.first()
    ch = InspectionCharacteristic.objects.create(operation=op, name="Look", kind="attribute")
    line = BomLine.objects.create(revision=revision, position=5, component_code="X", quantity=1)
    return [
        ("post", _url(revision, "bom-lines/"), BOM),
        ("post", _url(revision, "operations/"), OPERATION),
        ("post", _url(revision, "characteristics/"), _characteristic(op)),
        ("delete", _url(revision, f"bom-lines/{line.pk}/"), None),
        ("delete", _url(revision, f"operations/{op.pk}/"), None),
        ("delete", _url(revision, f"characteristics/{ch.pk}/"), None),
    ]


def _writes(revision):
    """Every write endpoint, with a body that a planner could send successfully."""
    return [
        ("post", "/api/products/", {"code": "NOPE-1", "name": "Nope"}),
        ("post", f"/api/products/{revision.product_id}/revisions/", {}),
        *_row_writes(revision),
        ("post", _url(revision, "release/"), {}),
    ]


def _send(client, method, url, body):
    if method == "delete":
        return client.delete(url)
    return _post(client, url, body)


def _snapshot(revision):
    revision.refresh_from_db()
    return (
        Product.objects.count(),
        ProductRevision.objects.count(),
        revision.status,
        _rows(revision),
    )


@pytest.mark.parametrize(
    ("persona", "host", "reads", "writes"),
    [
        ("qe", "hub", 200, 403),
        ("auditor", "hub", 200, 403),
        (None, "hub", 401, 401),
        ("alpha_admin", "hub", 403, 403),
        # On a partner host the hub API does not exist, whoever asks.
        ("alpha_admin", "alpha", 404, 404),
        ("planner", "alpha", 404, 404),
    ],
)
def test_only_planners_write_and_only_on_the_hub(as_user, world, persona, host, reads, writes):
    revision = make_revision("NO-1", release=False)
    requests = _writes(revision)
    before = _snapshot(revision)
    client = as_user(persona, world.hub if host == "hub" else world.alpha)
    for url in ("/api/products/", _url(revision)):
        assert client.get(url).status_code == reads, url
    for method, url, body in requests:
        response = _send(client, method, url, body)
        assert response.status_code == writes, (method, url, response.content)
        if host == "hub":
            assert response["Content-Type"] == PROBLEM
    assert _snapshot(revision) == before


def test_released_revision_refuses_every_change_with_a_message(as_user, world):
    revision = make_revision("IM-1", release=False)
    writes = _row_writes(revision)
    writes.append(("post", _url(revision, "bom-lines/"), {"quantity": "-1"}))  # even bad ones
    revision = services.revision_release(revision=revision, actor=world.user("planner"))
    before = _snapshot(revision)
    client = as_user("planner", world.hub)
    for method, url, body in writes:
        response = _send(client, method, url, body)
        assert response.status_code == 422, (method, url, response.content)
        assert response["Content-Type"] == PROBLEM
        assert response.json()["detail"] == (
            "IM-1 rev A is released and cannot be changed; create a new revision."
        )
    again = _post(client, _url(revision, "release/"))
    assert again.status_code == 422
    assert again.json()["detail"] == "Only a draft revision can be released."
    assert _snapshot(revision) == before


@pytest.mark.parametrize(
    ("part", "body", "field"),
    [
        ("bom-lines/", {**BOM, "quantity": "-1"}, "quantity"),
        ("bom-lines/", {**BOM, "quantity": 0}, "quantity"),
        ("bom-lines/", {**BOM, "quantity": "many"}, "quantity"),
        ("bom-lines/", {**BOM, "quantity": None}, "quantity"),
        ("bom-lines/", {**BOM, "component_code": ""}, "component_code"),
        ("bom-lines/", {**BOM, "parent": 999999}, "parent"),
        ("bom-lines/", {**BOM, "unit": "barrel"}, "unit"),
        ("bom-lines/", {**BOM, "position": 10}, "position"),
        ("operations/", {**OPERATION, "sequence": 20}, "sequence"),
        ("operations/", {**OPERATION, "run_minutes_per_unit": "-2"}, "run_minutes_per_unit"),
        (
            "operations/",
            {**OPERATION, "required_certification": "iso9999"},
            "required_certification",
        ),
        ("characteristics/", {"lower_limit": "130"}, "non_field_errors"),
        ("characteristics/", {"lower_limit": "130", "upper_limit": "100"}, "non_field_errors"),
        ("characteristics/", {"upper_limit": None}, "upper_limit"),
        ("characteristics/", {"operation": 999999}, "operation"),
    ],
)
def test_bad_input_gets_400_with_field_errors_and_writes_nothing(as_user, world, part, body, field):
    revision = make_revision("BAD-1", release=False)
    BomLine.objects.create(revision=revision, position=10, component_code="TOP", quantity=1)
    if part == "characteristics/":
        body = _characteristic(revision.operations.first(), **body)
    before = _snapshot(revision)
    response = _post(as_user("planner", world.hub), _url(revision, part), body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert field in response.json()["errors"], response.json()
    assert _snapshot(revision) == before


def test_rows_of_another_revision_are_unknown_here(as_user, world):
    revision = make_revision("UN-1", release=False)
    other = make_revision("UN-2", release=False)
    line = BomLine.objects.create(revision=other, position=10, component_code="TOP", quantity=1)
    client = as_user("planner", world.hub)
    response = _post(client, _url(revision, "bom-lines/"), {**BOM, "parent": line.pk})
    assert response.status_code == 400 and "parent" in response.json()["errors"]
    body = _characteristic(other.operations.first())
    response = _post(client, _url(revision, "characteristics/"), body)
    assert response.status_code == 400 and "operation" in response.json()["errors"]
    assert _rows(revision) == (0, 3, 0) and _rows(other) == (1, 3, 0)


def test_a_body_that_is_not_an_object_is_refused(as_user, world):
    revision = make_revision("NO-1", release=False)
    response = _post(as_user("planner", world.hub), _url(revision, "bom-lines/"), [BOM])
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert _rows(revision) == (0, 3, 0)


def test_a_row_that_lost_a_race_is_refused_with_a_message(world):
    """Two planners take the same sequence: the form passed both, the database stops one."""
    revision = make_revision("RC-1", release=False)
    fields = {**OPERATION, "sequence": 10}
    with pytest.raises(ValidationError, match="at the same time"):
        services.revision_part_add(revision=revision, part="op", fields=fields)
    assert _rows(revision) == (0, 3, 0)


# --- Idempotency and schema -------------------------------------------------------------------


def _key(key):
    return {"HTTP_IDEMPOTENCY_KEY": key}


def test_idempotent_replay_returns_the_first_response(as_user, world):
    revision = make_revision("ID-1", release=False)
    client = as_user("planner", world.hub)
    url = _url(revision, "bom-lines/")
    first = _post(client, url, BOM, **_key("bom-1"))
    again = _post(client, url, BOM, **_key("bom-1"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert revision.bom_lines.count() == 1
    other = _post(client, url, {**BOM, "quantity": 2}, **_key("bom-1"))
    assert other.status_code == 422 and revision.bom_lines.count() == 1

    created = _post(client, "/api/products/", {"code": "ID-2", "name": "Once"}, **_key("p-1"))
    replayed = _post(client, "/api/products/", {"code": "ID-2", "name": "Once"}, **_key("p-1"))
    assert created.status_code == replayed.status_code == 201
    assert replayed.json() == created.json() and Product.objects.filter(code="ID-2").count() == 1

    line = revision.bom_lines.get()
    removed = client.delete(_url(revision, f"bom-lines/{line.pk}/"), **_key("rm-1"))
    replayed = client.delete(_url(revision, f"bom-lines/{line.pk}/"), **_key("rm-1"))
    assert removed.status_code == replayed.status_code == 204
    assert replayed["Idempotent-Replayed"] == "true"


def test_a_refused_write_can_be_retried_with_the_same_key(as_user, world):
    revision = make_revision("ID-3", release=False)
    client = as_user("planner", world.hub)
    url = _url(revision, "operations/")
    bad = _post(client, url, {**OPERATION, "sequence": 10}, **_key("op-1"))
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="op-1").exists()
    assert _post(client, url, OPERATION, **_key("op-1")).status_code == 201


def _hub_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator(urlconf="portal.urls_hub").get_schema(request=None, public=True)


def test_schema_describes_the_product_endpoints():
    schema = _hub_schema()
    paths = schema["paths"]
    revision = "/api/products/{product_pk}/revisions/{revision_pk}/"
    bodies = {
        "/api/products/": "ProductInput",
        "/api/products/{product_pk}/revisions/": "RevisionNewInput",
        revision + "bom-lines/": "BomLineInput",
        revision + "operations/": "OperationInput",
        revision + "characteristics/": "CharacteristicInput",
    }
    for path, body in bodies.items():
        post = paths[path]["post"]
        assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
            f"/{body}"
        ), path
        assert "201" in post["responses"], path
    for path in ("/api/products/", "/api/products/{product_pk}/", revision):
        assert "200" in paths[path]["get"]["responses"], path
    assert "200" in paths[revision + "release/"]["post"]["responses"]
    for part in ("bom-lines", "operations", "characteristics"):
        assert "204" in paths[f"{revision}{part}/{{id}}/"]["delete"]["responses"]
    components = schema["components"]["schemas"]
    assert {"bom", "operations"} <= components["Revision"]["properties"].keys()
    assert "lower_limit" in components["Characteristic"]["properties"]


def test_each_host_serves_the_schema_of_its_own_api(world):
    hub = Client(HTTP_HOST=world.hub.host()).get("/api/schema/", {"format": "json"}).json()
    assert "/api/products/" in hub["paths"] and "/api/orders/" in hub["paths"]
    assert not any(p.startswith("/api/work-orders/") for p in hub["paths"])
    partner = Client(HTTP_HOST=world.alpha.host()).get("/api/schema/", {"format": "json"}).json()
    assert any(p.startswith("/api/work-orders/") for p in partner["paths"])
    assert "/api/products/" not in partner["paths"] and "/api/orders/" not in partner["paths"]
