from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from portal.api.pagination import MAX_LIMIT, LimitOffsetPagination


def _limit(query: dict) -> int:
    return LimitOffsetPagination().get_limit(Request(APIRequestFactory().get("/", query)))


def test_an_api_limit_past_the_maximum_is_cut_to_it(as_user, world):
    assert _limit({"limit": "9223372036854775808"}) == MAX_LIMIT
    assert _limit({"limit": str(MAX_LIMIT + 1)}) == MAX_LIMIT
    assert _limit({"limit": "5"}) == 5
    response = as_user("planner", world.hub).get("/api/products/?limit=9223372036854775808")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["results"]] == ["SEED-1"]


def test_an_api_limit_or_offset_that_is_no_count_falls_back_to_the_default(as_user, world):
    default = LimitOffsetPagination.default_limit
    assert _limit({"limit": "-1"}) == default
    assert _limit({"limit": "many"}) == default
    client = as_user("planner", world.hub)
    for query in ("offset=-5", "offset=9223372036854775808", "limit=0"):
        response = client.get(f"/api/products/?{query}")
        assert response.status_code == 200, query
