"""A Content-Security-Policy on every HTML page, and nothing inline that it blocks.

The pages are every URL of both URL confs (read from the URL confs, as the
permission matrix does) that answers GET with HTML, signed in as a user the
page allows.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ..conftest import client_for
from ..test_hostile_query_strings import allowed_persona
from ..test_permission_matrix import HUB_ROUTES, PARTNER_ROUTES, url_for

JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def policy_of(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class _Inline(HTMLParser):
    """What a page carries inline: scripts without src, handlers, styles."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.nonces: list[tuple[str, str]] = []  # (directive, nonce)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.found += [f"<{tag} {name}=…>" for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.found.append(f"<{tag} style=…>")
        if "href" in attrs and (attrs["href"] or "").strip().lower().startswith("javascript:"):
            self.found.append(f"<{tag} href=javascript:…>")
        if tag == "style" or (
            tag == "script"
            and not attrs.get("src")
            and (attrs.get("type") or "").lower() in JS_TYPES
        ):
            if attrs.get("nonce"):
                self.nonces.append((f"{tag}-src", attrs["nonce"]))
            else:
                self.found.append(f"<{tag}> inline")


def assert_nothing_inline_is_blocked(response, where: str) -> dict[str, list[str]]:
    policy = policy_of(response)
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy.get(directive, []), f"{where}: {directive}"
    assert policy["script-src"] == ["'self'"], where
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], where
    parser = _Inline()
    parser.feed(response.content.decode())
    assert not parser.found, f"{where}: the policy blocks {parser.found}"
    for directive, nonce in parser.nonces:
        assert f"'nonce-{nonce}'" in policy.get(directive, []), f"{where}: {directive} nonce"
    return policy


def check(world, route, partner):
    persona = allowed_persona(world, route, partner)
    client = client_for(world.user(persona) if persona else None, partner)
    response = client.get(url_for(world, route, partner))
    connection.set_schema_to_public()
    # Every response carries the policy; an HTML one also keeps to it.
    policy_of(response)
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        assert_nothing_inline_is_blocked(response, f"{partner.host()} {route.name}")


@pytest.mark.parametrize("route", HUB_ROUTES, ids=[r.name for r in HUB_ROUTES])
def test_every_hub_page_carries_the_policy_and_nothing_inline(world, route):
    check(world, route, world.hub)


@pytest.mark.parametrize("route", PARTNER_ROUTES, ids=[r.name for r in PARTNER_ROUTES])
def test_every_partner_page_carries_the_policy_and_nothing_inline(world, route):
    check(world, route, world.alpha)


def test_error_pages_carry_the_policy(world):
    from django.test import Client

    forbidden = client_for(world.user("beta_operator"), world.hub).get("/")
    unknown_host = Client(HTTP_HOST=f"nobody.{settings.BASE_DOMAIN}").get("/")
    refused = client_for(world.user("planner"), world.hub).get("/partners/?q=%00")
    for response, status in ((forbidden, 403), (unknown_host, 404), (refused, 400)):
        assert response.status_code == status
        assert_nothing_inline_is_blocked(response, f"{status} page")


INLINE_IN_TEMPLATES = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b|javascript:", re.I
)


def test_no_template_holds_inline_script_handlers_or_styles():
    """Also the templates of pages the walk does not reach (a form with errors,
    an e-mail preview). PDFs are left out: WeasyPrint, not a browser, reads them."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for path in root.rglob("*.html")
        if path.relative_to(root).parts[0] != "pdf"
        for match in INLINE_IN_TEMPLATES.finditer(path.read_text())
    ]
    assert not offenders, offenders


@pytest.mark.parametrize("host", ["hub", "alpha"])
def test_the_api_docs_load_their_script_and_style_from_this_host(world, host):
    partner = world.hub if host == "hub" else world.alpha
    from django.test import Client

    client = Client(HTTP_HOST=partner.host())
    page = client.get("/api/docs/")
    assert page.status_code == 200
    policy = assert_nothing_inline_is_blocked(page, "api docs")
    assert policy["img-src"] == ["'self'", "data:"]  # Swagger UI's icons
    script = re.search(rb'<script src="([^"]*script=[^"]*)"', page.content)
    assert script, "the start-up script is a file of its own"
    started = client.get(script.group(1).decode().replace("&amp;", "&"))
    assert started.status_code == 200
    assert started["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in started.content and b"/api/schema/" in started.content


def test_the_browsable_api_allows_inline_styles_but_no_inline_scripts(world):
    client = client_for(world.user("planner"), world.hub)
    response = client.get("/api/orders/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and "text/html" in response["Content-Type"]
    policy = policy_of(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
