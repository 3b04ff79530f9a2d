"""No query string makes a page or an endpoint answer 500.

Every URL of both URL confs (read from the URL confs, as the permission matrix
does) that answers a plain GET with 200 is asked again with hostile query
strings, signed in as a user the page allows: page sizes and page numbers out of
range or not numbers, an API `limit` past PostgreSQL's bigint, NUL characters,
10,000-character values and unknown sort keys, in the parameters every page
takes and in the fields of the page's own GET forms (its filters). The answer
is 200 or 400; on the API a 400 is problem JSON.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import connection

from tenants.models import Membership

from .conftest import client_for
from .test_permission_matrix import (
    HUB_ROUTES,
    HUB_VIEWERS,
    PARTNER_A,
    PARTNER_ROUTES,
    Route,
    access_of,
    url_for,
)

LONG = "x" * 10_000

# Parameters any list page or list endpoint might read.
HOSTILE = [
    "per_page=-1",
    f"per_page={10**9}",
    "per_page=0",
    "page=-1",
    "page=abc",
    f"page={10**20}",
    "limit=9223372036854775808",
    "limit=-1",
    "offset=-5",
    "offset=9223372036854775808",
    "sort=nonexistent",
    "sort=-__class__",
    f"sort={LONG}",
    "ordering=-__class__",
    "status=%00",
    "q=%00",
    f"q={LONG}",
    "%00=1",
]


def field_values(name: str) -> list[str]:
    """Hostile values for one filter field of a page."""
    return [f"{name}=%00", f"{name}={LONG}", f"{name}={10**20}", f"{name}=-1", f"{name}=%FF"]


class _GetFormFields(HTMLParser):
    """The names of the fields of a page's GET forms (its filters)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and attrs.get("name"):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def filter_fields(route: Route, response) -> set[str]:
    """The fields the page or endpoint filters by: its GET forms, or the filterset
    of an API list."""
    filterset_class = getattr(getattr(route.callback, "cls", None), "filterset_class", None)
    if filterset_class is not None:
        return set(filterset_class.base_filters)
    if "text/html" not in response.get("Content-Type", ""):
        return set()
    parser = _GetFormFields()
    parser.feed(response.content.decode())
    return parser.names


def allowed_persona(world, route: Route, partner) -> str | None:
    """The first persona the page allows (None for a public page)."""
    access = access_of(route)
    if access.public:
        return None
    names = HUB_VIEWERS if route.urlconf == "portal.urls_hub" else PARTNER_A
    for name in names:
        membership = Membership.objects.filter(user=world.user(name), partner=partner).first()
        if membership and (access.roles is None or membership.role in access.roles):
            return name
    raise AssertionError(f"{route.name}: no persona of the test world may open it")


def walk(world, route: Route, partner):
    access = access_of(route)
    persona = allowed_persona(world, route, partner)
    client = client_for(world.user(persona) if persona else None, partner)
    url = url_for(world, route, partner)
    plain = client.get(url)
    connection.set_schema_to_public()
    if plain.status_code != 200:
        # A page that answers GET with a redirect or 405 (forms that only post,
        # sign-out) has no list to page through; the matrix checks its answer.
        assert plain.status_code in (302, 405), f"GET {url}: {plain.status_code}"
        return
    queries = HOSTILE + [
        q for name in sorted(filter_fields(route, plain)) for q in field_values(name)
    ]
    client.raise_request_exception = False
    for query in queries:
        response = client.get(f"{url}?{query}")
        connection.set_schema_to_public()
        where = f"GET {partner.host()}{url}?{query[:40]} as {persona or 'anonymous'}"
        assert response.status_code in (200, 400), f"{where}: {response.status_code}"
        if access.api and response.status_code == 400:
            assert response["Content-Type"] == "application/problem+json", where


@pytest.mark.parametrize("route", HUB_ROUTES, ids=[r.name for r in HUB_ROUTES])
def test_no_query_string_makes_a_hub_page_fail(world, route):
    walk(world, route, world.hub)


@pytest.mark.parametrize("route", PARTNER_ROUTES, ids=[r.name for r in PARTNER_ROUTES])
def test_no_query_string_makes_a_partner_page_fail(world, route):
    walk(world, route, world.alpha)


def test_the_walk_reaches_every_list_page_and_list_endpoint(world):
    """The filter fields are found: the walk does not pass by finding nothing."""
    from rest_framework.mixins import ListModelMixin

    endpoints = [
        r.name
        for r in HUB_ROUTES + PARTNER_ROUTES
        if issubclass(getattr(r.callback, "cls", object), ListModelMixin)
    ]
    assert {"orders_api:list", "orders_api:product_list", "work_orders_api:list"} <= set(endpoints)
    board = next(r for r in HUB_ROUTES if r.name == "orders:board")
    client = client_for(world.user("planner"), world.hub)
    fields = filter_fields(board, client.get(url_for(world, board, world.hub)))
    assert {"q", "status", "partner", "due_from"} <= fields
    products = next(r for r in HUB_ROUTES if r.name == "orders_api:product_list")
    assert "q" in filter_fields(products, None)
