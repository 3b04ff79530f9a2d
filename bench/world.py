"""Partners with realistic registry data, and signed-in test clients.

Each bench partner gets 1-3 plants, 2 certifications (some expiring, some
expired, so every badge of the registry renders) and one operator. Users get
no usable password: hashing one costs ~0.3 s and the bench signs in with
`force_login`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from http.cookies import SimpleCookie

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Certification, Membership, Partner, Plant

PLANT_SITES = [
    ("DE", "Stuttgart", "48.77585", "9.18293", "Europe/Berlin"),
    ("FR", "Lyon", "45.76404", "4.83566", "Europe/Paris"),
    ("US", "Detroit", "42.33143", "-83.04575", "America/Detroit"),
    ("JP", "Nagoya", "35.18147", "136.90641", "Asia/Tokyo"),
    ("IN", "Pune", "18.52043", "73.85674", "Asia/Kolkata"),
]
STANDARDS = ["iso9001", "iatf16949", "as9100", "iso13485", "iso14001"]


def _user(username: str):
    User = get_user_model()
    user = User(username=username, email=f"{username}@bench.example")
    user.set_unusable_password()
    user.save()
    return user


def partner_populate(partner: Partner, index: int) -> None:
    """Plants, certifications and an operator for the `index`-th bench partner."""
    today = timezone.localdate()
    plants = []
    for n in range(1 + index % 3):
        country, city, lat, lon, tz = PLANT_SITES[(index + n) % len(PLANT_SITES)]
        plants.append(
            Plant.objects.create(
                partner=partner,
                code=f"P{n + 1}",
                name=f"{city} plant {n + 1}",
                city=city,
                country=country,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                timezone=tz,
            )
        )
    # Days to expiry: most valid, every 5th expiring within 30 days, every 7th expired.
    expires_in = 10 if index % 5 == 0 else (-20 if index % 7 == 0 else 400)
    for n, (plant, days) in enumerate([(None, 500), (plants[0], expires_in)]):
        Certification.objects.create(
            partner=partner,
            plant=plant,
            standard=STANDARDS[(index + n) % len(STANDARDS)],
            certificate_number=f"{partner.slug.upper()}-{n + 1}",
            issued_by="Bench Cert GmbH",
            issued_on=today + datetime.timedelta(days=days - 3 * 365),
            expires_on=today + datetime.timedelta(days=days),
        )
    operator = _user(f"{partner.slug}-operator")
    Membership.objects.create(user=operator, partner=partner, role="operator")


def hub_planner():
    hub = Partner.objects.get(schema_name="public")
    planner = _user("bench-planner")
    Membership.objects.create(user=planner, partner=hub, role="planner")
    return planner


@dataclass
class Visitor:
    """A signed-in user on one host: the host name and that host's session cookie."""

    host: str
    cookies: SimpleCookie


def visitor_for(user, partner: Partner) -> Visitor:
    """Sign `user` in on `partner`'s host (sessions live in each schema, so the
    sign-in happens there)."""
    client = Client(HTTP_HOST=partner.host())
    with schema_context(partner.schema_name):
        client.force_login(user)
    return Visitor(host=partner.host(), cookies=client.cookies)


def partner_member(partner: Partner) -> Visitor:
    membership = Membership.objects.select_related("user").get(partner=partner, role="operator")
    return visitor_for(membership.user, partner)


class Browser:
    """One django.test.Client for every visitor.

    A Client loads the middleware on its first request (WhiteNoise then scans
    every static file, ~30 ms), as a server process does once at start; one
    Client per visitor would count that in each visitor's first request.
    """

    def __init__(self):
        self.client = Client()

    def get(self, visitor: Visitor, path: str):
        self.client.cookies = visitor.cookies
        return self.client.get(path, HTTP_HOST=visitor.host)
