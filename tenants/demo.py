"""The demo network: partners, plants, certifications and a member for every role.

`manage.py seed_demo` loads it; running it again changes nothing but keeps
certification dates relative to today (some expiring within 30 days, one expired).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Certification, Membership, Partner, Plant
from .services import membership_add, partner_provision

DEMO_PASSWORD = "dmn-demo-2026"


@dataclass(frozen=True)
class DemoPlant:
    code: str
    name: str
    city: str
    country: str
    lat: str
    lon: str
    tz: str


@dataclass(frozen=True)
class DemoCert:
    standard: str
    number: str
    expires_in_days: int
    plant_code: str | None = None
    issued_by: str = "TÜV SÜD"


@dataclass(frozen=True)
class DemoPartner:
    slug: str
    name: str
    country: str
    status: str
    plants: list[DemoPlant] = field(default_factory=list)
    certs: list[DemoCert] = field(default_factory=list)


PARTNERS = [
    DemoPartner(
        "acme",
        "Acme Precision Machining",
        "US",
        "active",
        [
            DemoPlant(
                "DET",
                "Detroit machining",
                "Detroit",
                "US",
                "42.33143",
                "-83.04575",
                "America/Detroit",
            ),
            DemoPlant(
                "MTY",
                "Monterrey assembly",
                "Monterrey",
                "MX",
                "25.68661",
                "-100.31611",
                "America/Monterrey",
            ),
        ],
        [
            DemoCert("iso9001", "US-9001-44817", 400),
            DemoCert("iatf16949", "IATF-0412233", 18, "DET", "DNV"),
            DemoCert("itar", "ITAR-M-31877", 250, None, "US DDTC"),
        ],
    ),
    DemoPartner(
        "borealis",
        "Borealis Components Oy",
        "FI",
        "active",
        [
            DemoPlant(
                "TRE", "Tampere works", "Tampere", "FI", "61.49782", "23.76097", "Europe/Helsinki"
            ),
            DemoPlant(
                "GOT",
                "Gothenburg composites",
                "Gothenburg",
                "SE",
                "57.70887",
                "11.97456",
                "Europe/Stockholm",
            ),
        ],
        [
            DemoCert("iso9001", "FI-9001-2231", 600),
            DemoCert("iso14001", "FI-14001-877", 300, "TRE", "Kiwa"),
            DemoCert("as9100", "AS-9100-55120", -12, "GOT", "Bureau Veritas"),
        ],
    ),
    DemoPartner(
        "cobalt",
        "Cobalt Fertigung GmbH",
        "DE",
        "active",
        [
            DemoPlant(
                "STR", "Stuttgart Werk 1", "Stuttgart", "DE", "48.77585", "9.18293", "Europe/Berlin"
            ),
            DemoPlant(
                "PLZ", "Plzeň casting", "Plzeň", "CZ", "49.73843", "13.37364", "Europe/Prague"
            ),
            DemoPlant(
                "GYR", "Győr finishing", "Győr", "HU", "47.68746", "17.65040", "Europe/Budapest"
            ),
        ],
        [
            DemoCert("iatf16949", "IATF-0399120", 500),
            DemoCert("iso9001", "DE-9001-77102", 700),
        ],
    ),
    DemoPartner(
        "delta",
        "Delta Medical Molding Ltd",
        "IE",
        "active",
        [
            DemoPlant(
                "GWY", "Galway cleanroom", "Galway", "IE", "53.27194", "-9.04889", "Europe/Dublin"
            ),
        ],
        [
            DemoCert("iso13485", "IE-13485-0091", 9, "GWY", "NSAI"),
            DemoCert("iso9001", "IE-9001-4410", 365, None, "NSAI"),
        ],
    ),
    DemoPartner(
        "emerald",
        "Emerald Castings Pvt Ltd",
        "IN",
        "active",
        [
            DemoPlant("PNQ", "Pune foundry", "Pune", "IN", "18.52043", "73.85674", "Asia/Kolkata"),
            DemoPlant(
                "MAA", "Chennai machining", "Chennai", "IN", "13.08268", "80.27072", "Asia/Kolkata"
            ),
        ],
        [
            DemoCert("iso9001", "IN-9001-88213", 420, None, "BIS"),
            DemoCert("iatf16949", "IATF-0455871", 200, "MAA"),
        ],
    ),
    DemoPartner(
        "fuji",
        "Fuji Electronics Assembly KK",
        "JP",
        "suspended",
        [
            DemoPlant(
                "NGO", "Nagoya SMT line", "Nagoya", "JP", "35.18147", "136.90641", "Asia/Tokyo"
            ),
        ],
        [
            DemoCert("iso9001", "JP-9001-12034", 150, None, "JQA"),
            DemoCert("iso13485", "JP-13485-3310", 27, "NGO", "JQA"),
        ],
    ),
    DemoPartner(
        "gaucho",
        "Gaúcho Metalúrgica Ltda",
        "BR",
        "onboarding",
        [
            DemoPlant(
                "CXS",
                "Caxias do Sul forge",
                "Caxias do Sul",
                "BR",
                "-29.16778",
                "-51.17944",
                "America/Sao_Paulo",
            ),
        ],
        [
            DemoCert("iso9001", "BR-9001-66710", 25, None, "ABNT"),
        ],
    ),
]

HUB_USERS = [
    ("planner", "Paula", "Planner", "planner"),
    ("qe", "Quentin", "Engineer", "quality_engineer"),
    ("auditor", "Aud", "Itor", "auditor"),
    ("netadmin", "Nadia", "Admin", "network_admin"),
]
PARTNER_ROLES = [("admin", "partner_admin"), ("operator", "operator"), ("quality", "quality")]


def _user(username: str, *, first: str, last: str, email: str, tz: str = "UTC"):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": email, "timezone": tz},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _member(user, partner: Partner, role: str) -> None:
    if not Membership.objects.filter(user=user, partner=partner).exists():
        membership_add(user=user, partner=partner, role=role)


@transaction.atomic
def seed_demo_network(*, today: datetime.date | None = None) -> list[Partner]:
    today = today or timezone.localdate()
    hub = Partner.objects.get(schema_name="public")
    for username, first, last, role in HUB_USERS:
        _member(
            _user(
                username,
                first=first,
                last=last,
                email=f"{username}@hub.dmn.example",
                tz="Europe/Berlin",
            ),
            hub,
            role,
        )

    partners = []
    for spec in PARTNERS:
        partner = partner_provision(
            slug=spec.slug,
            name=spec.name,
            country=spec.country,
            contact_email=f"contact@{spec.slug}.example",
            status=spec.status,
        )
        plants = {}
        for p in spec.plants:
            plants[p.code], _ = Plant.objects.update_or_create(
                partner=partner,
                code=p.code,
                defaults={
                    "name": p.name,
                    "city": p.city,
                    "country": p.country,
                    "latitude": Decimal(p.lat),
                    "longitude": Decimal(p.lon),
                    "timezone": p.tz,
                },
            )
        for c in spec.certs:
            Certification.objects.update_or_create(
                partner=partner,
                certificate_number=c.number,
                defaults={
                    "standard": c.standard,
                    "plant": plants.get(c.plant_code) if c.plant_code else None,
                    "issued_by": c.issued_by,
                    "issued_on": today + datetime.timedelta(days=c.expires_in_days - 3 * 365),
                    "expires_on": today + datetime.timedelta(days=c.expires_in_days),
                },
            )
        tz = spec.plants[0].tz
        for suffix, role in PARTNER_ROLES:
            user = _user(
                f"{spec.slug}-{suffix}",
                first=spec.name.split()[0],
                last=suffix.title(),
                email=f"{suffix}@{spec.slug}.example",
                tz=tz,
            )
            _member(user, partner, role)
        partners.append(partner)
    return partners
