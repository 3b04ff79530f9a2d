from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.hub.models import BomLine, Product, ProductRevision

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
