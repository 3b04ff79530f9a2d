"""What a page does with the paging, sorting and filter values in its address."""

from portal.audit import SIGN_IN, audit_record
from portal.models import AuditEntry
from portal.tables import MAX_PER_PAGE
from portal.views import PAGE_SIZE as AUDIT_PAGE_SIZE

from ..conftest import client_for


def _audit_log(world, query: str):
    client = client_for(world.user("auditor"), world.hub)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    return response.context["table"]


def test_a_page_size_from_the_address_stays_between_one_and_the_maximum(world):
    AuditEntry.objects.bulk_create(
        AuditEntry(action=SIGN_IN, actor_label=f"user{i}", schema_name="public")
        for i in range(MAX_PER_PAGE + 5)
    )
    assert _audit_log(world, "per_page=7").paginator.per_page == 7
    assert _audit_log(world, "per_page=-1").paginator.per_page == AUDIT_PAGE_SIZE
    assert _audit_log(world, "per_page=0").paginator.per_page == AUDIT_PAGE_SIZE
    assert _audit_log(world, "per_page=many").paginator.per_page == AUDIT_PAGE_SIZE
    table = _audit_log(world, f"per_page={10**9}")
    assert table.paginator.per_page == MAX_PER_PAGE
    assert len(table.page.object_list) == MAX_PER_PAGE


def test_a_page_number_out_of_range_shows_the_first_or_the_last_page(world):
    AuditEntry.objects.bulk_create(
        AuditEntry(action=SIGN_IN, actor_label=f"user{i}", schema_name="public")
        for i in range(AUDIT_PAGE_SIZE * 2)
    )
    last = _audit_log(world, "").paginator.num_pages
    assert last >= 2
    assert _audit_log(world, "page=-1").page.number == 1
    assert _audit_log(world, "page=abc").page.number == 1
    assert _audit_log(world, "page=2").page.number == 2
    assert _audit_log(world, f"page={10**20}").page.number == last


def test_an_unknown_sort_key_is_ignored(world):
    audit_record(action=SIGN_IN, actor=world.user("planner"))
    table = _audit_log(world, "sort=-__class__")
    assert list(table.order_by) in ([], ["-at"])
    assert len(table.page.object_list) >= 1


def test_a_nul_character_in_the_address_is_refused_with_a_message(world):
    client = client_for(world.user("planner"), world.hub)
    for url in ("/partners/?q=%00", "/partners/?%00=1", f"/orders/{world.order_number}%00/"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert b"NUL character" in response.content, url


def test_a_nul_character_in_an_api_address_is_refused_as_problem_json(world):
    client = client_for(world.user("planner"), world.hub)
    response = client.get("/api/orders/?status=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and "NUL character" in problem["detail"]
