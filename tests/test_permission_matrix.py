"""Every URL of both URL confs, for every persona.

The list of URLs is read from the URL confs themselves, so a new view joins
the matrix without anyone editing this file. A view that declares no access
rule (`member_required` or `public_view`) fails here, and so does a view
whose behaviour does not match its declaration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from portal.access import Access

from .conftest import HUB_PERSONAS, PARTNER_PERSONAS, client_for

LOGIN_PATH = "/accounts/login/"


@dataclass(frozen=True)
class Route:
    urlconf: str
    name: str
    route: str
    callback: object


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p.callback


def routes(urlconf: str) -> list[Route]:
    return [
        Route(urlconf, name, route, cb)
        for route, name, cb in _walk(get_resolver(urlconf).url_patterns)
    ]


HUB_ROUTES = routes("portal.urls_hub")
PARTNER_ROUTES = routes("portal.urls_partner")


# Sample values for URL parameters, by parameter name. A new parameter name
# fails the matrix until a sample is added here.
def sample_kwargs(world, route: Route, partner) -> dict:
    """Sample values for URL parameters, by parameter name (and URL conf where the
    same name means different things on the hub and on a partner host)."""
    from tenants.models import Membership

    hub = route.urlconf == "portal.urls_hub"
    samples = {
        "slug": lambda: world.beta.slug,
        "pk": lambda: (
            world.alpha_document_id
            if route.name.startswith("documents:")
            else world.api_key_id
            if route.name.startswith("api_keys:")
            else Membership.objects.filter(partner=partner).order_by("pk").first().pk
        ),
        "uidb64": lambda: "MQ",
        "token": lambda: "set-password",
        # orders: hub URLs name orders by number, partner URLs work orders by number
        "product_pk": lambda: world.product_id,
        "revision_pk": lambda: world.revision_id,
        "number": lambda: world.order_number if hub else world.work_order_number,
        "dispatch_pk": lambda: world.dispatch_id,
        # planning inputs: rows made for the test (rolled back with it)
        "plant_pk": lambda: planning_input_sample(world, "plant").pk,
        "rate_pk": lambda: planning_input_sample(world, "rate").pk,
        "lane_pk": lambda: planning_input_sample(world, "lane").pk,
        "work_centre_pk": lambda: planning_input_sample(world, "work_centre").pk,
        "capability_pk": lambda: planning_input_sample(world, "capability").pk,
        "downtime_pk": lambda: planning_input_sample(world, "downtime").pk,
        "operation_pk": lambda: world.operation_id,
        "sequence": lambda: 10,
        "user_pk": lambda: world.user("planner").pk,
        "run_pk": lambda: plan_run_sample().pk,
        # network quality (hub): a product code, a characteristic id, a use-as-is request
        "product_code": lambda: "SEED-1",
        "characteristic_id": lambda: 1,
        "use_as_is_pk": lambda: use_as_is_sample(world).pk,
        # quality (partner host): rows made in alpha's schema for the test
        "record_pk": lambda: quality_sample(world, "record").pk,
        "characteristic_pk": lambda: quality_sample(world, "characteristic").pk,
        "ncr_number": lambda: quality_sample(world, "ncr").number,
        "attachment_pk": lambda: quality_sample(world, "attachment").pk,
        "step": lambda: 1,
        "grant_pk": lambda: quality_sample(world, "grant").pk,
        # quality documents (partner host): a finished rendering, a shipment with its CoC
        "render_pk": lambda: document_sample(world, "render").pk,
        "shipment_pk": lambda: document_sample(world, "shipment").pk,
    }
    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route.route))
    missing = names - samples.keys()
    assert not missing, f"{route.name}: add sample values for URL parameters {missing}"
    return {n: samples[n]() for n in names}


def use_as_is_sample(world):
    """A pending use-as-is request from alpha (hub row; rolled back with the test)."""
    from quality.hub.models import UseAsIsRequest

    return UseAsIsRequest.objects.create(
        partner=world.alpha,
        ncr_number="NCR-99999",
        work_order_number=world.work_order_number,
        order_number=world.order_number,
        product_code="SEED-1",
        revision="A",
        defect_code="surface",
        quantity=1,
        description="Scratch",
        justification="Hidden face",
        requested_by_label="alpha_quality",
    )


def plan_run_sample():
    """A finished plan with no placements: its pages render without a solve."""
    from orders.hub.models import PlanRun

    return PlanRun.objects.first() or PlanRun.objects.create(
        status=PlanRun.Status.NO_SOLUTION, problem={}, time_limit=5
    )


def quality_sample(world, kind: str):
    """A characteristic of the seed revision (hub data), or rows in alpha's schema:
    an inspection record, an NCR with its CAPA and a file, a measurement grant."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from orders.hub.models import InspectionCharacteristic, Operation
    from orders.partner.models import WorkOrder
    from quality.partner.models import (
        Attachment,
        Capa,
        CapaStep,
        InspectionRecord,
        MeasurementAccess,
        NonConformance,
    )

    if kind == "characteristic":
        operation = Operation.objects.get(revision_id=world.revision_id, sequence=20)
        # bulk_create: a released revision refuses save(), as it should for users
        found = InspectionCharacteristic.objects.filter(operation=operation).first()
        if found is not None:
            return found
        sample = InspectionCharacteristic(
            operation=operation, name="Matrix bore", nominal=10, lower_limit=9, upper_limit=11
        )
        return InspectionCharacteristic.objects.bulk_create([sample])[0]
    user = world.user("alpha_quality")
    with schema_context(world.alpha.schema_name):
        work_order = WorkOrder.objects.get(number=world.work_order_number)
        if kind == "record":
            return InspectionRecord.objects.create(
                work_order=work_order,
                operation=work_order.operations.order_by("sequence").first(),
                sample=1,
                instrument="Gauge",
                inspected_at=timezone.now(),
                inspector_id=user.pk,
                inspector_label=user.username,
                conforming=True,
            )
        if kind == "grant":
            return MeasurementAccess.objects.create(
                user_id=world.user("qe").pk,
                user_label="qe",
                reason="Audit",
                expires_at=timezone.now() + datetime.timedelta(days=7),
                granted_by_label="alpha_admin",
            )
        ncr, created = NonConformance.objects.get_or_create(
            number="NCR-MATRIX",
            defaults={
                "work_order": work_order,
                "defect_code": "other",
                "quantity": 1,
                "description": "Matrix",
                "raised_by_id": user.pk,
                "raised_by_label": user.username,
            },
        )
        if created:
            capa = Capa.objects.create(ncr=ncr, opened_by_label=user.username)
            CapaStep.objects.bulk_create(
                CapaStep(capa=capa, step=step, owner="Q", due_date=timezone.localdate())
                for step in range(1, 9)
            )
        if kind == "ncr":
            return ncr
        attachment = Attachment(
            ncr=ncr,
            original_name="note.txt",
            content_type="text/plain",
            size=4,
            sha256="0" * 64,
            uploaded_by_id=user.pk,
            uploaded_by_label=user.username,
        )
        attachment.file.save("note.txt", ContentFile(b"note"), save=False)
        attachment.save()
        return attachment


def document_sample(world, kind: str):
    """In alpha's schema, on the sample work order: a finished dossier rendering,
    or a shipment with a certificate of conformance (files written directly)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from orders.partner.models import Shipment, WorkOrder
    from quality.partner.models import Certificate, DocumentRender

    pdf = b"%PDF-1.7\n%%EOF\n"
    with schema_context(world.alpha.schema_name):
        work_order = WorkOrder.objects.get(number=world.work_order_number)
        if kind == "render":
            row = DocumentRender(
                kind="dossier", work_order=work_order, status="done", requested_by_id=1
            )
            row.pdf.save("matrix.pdf", ContentFile(pdf), save=False)
            row.save()
            return row
        shipment = Shipment.objects.create(
            work_order=work_order,
            quantity=1,
            carrier="DHL",
            tracking_number="1Z",
            shipped_by_id=1,
            shipped_by_label="alpha_operator",
        )
        certificate = Certificate(
            shipment=shipment,
            number=f"COC-MATRIX-{shipment.pk}",
            content={},
            content_sha256="0" * 64,
            pdf_sha256="0" * 64,
            signatory_id=1,
            signatory_label="alpha_quality",
            signatory_title="QM",
            issued_at=timezone.now(),
        )
        certificate.pdf.save("matrix.pdf", ContentFile(pdf), save=False)
        certificate.save()
        return shipment


def url_for(world, route: Route, partner) -> str:
    from django.urls import reverse

    return reverse(route.name, urlconf=route.urlconf, kwargs=sample_kwargs(world, route, partner))


def access_of(route: Route) -> Access:
    access = getattr(route.callback, "dmn_access", None)
    assert isinstance(access, Access), (
        f"{route.name} ({route.route}) declares no access rule: wrap it in "
        "portal.access.member_required(...) or public_view(...)"
    )
    return access


def planning_input_sample(world, kind: str):
    """Alpha's plant, a rate and a lane of it on the hub, or a row of its capacity
    declaration in alpha's schema."""
    import datetime

    from django_tenants.utils import schema_context

    from orders.hub.models import FreightLane, WorkCentreRate
    from orders.partner.models import Downtime, PlantCapability, WorkCentre
    from tenants.models import Plant

    plant = Plant.objects.filter(partner=world.alpha).order_by("pk").first()
    if kind == "plant":
        return plant
    if kind == "rate":
        return WorkCentreRate.objects.get_or_create(
            plant=plant, work_centre_type="saw", defaults={"hourly_rate": 50}
        )[0]
    if kind == "lane":
        return FreightLane.objects.get_or_create(
            plant=plant, destination_country="FR", defaults={"freight_per_unit": 2}
        )[0]
    rows = {
        "work_centre": (WorkCentre, {"work_centre_type": "saw", "count": 1, "hours_per_day": 8}),
        "capability": (PlantCapability, {"name": "MIG"}),
        "downtime": (
            Downtime,
            {"start": datetime.date(2030, 1, 1), "end": datetime.date(2030, 1, 2), "reason": "x"},
        ),
    }
    model, fields = rows[kind]
    with schema_context(world.alpha.schema_name):
        return model.objects.get_or_create(plant_id=plant.pk, **fields)[0]


HUB_VIEWERS = list(HUB_PERSONAS)  # each has a hub membership
PARTNER_A = [name for (slug, name) in PARTNER_PERSONAS if slug == "alpha"]


def _role(world, name, partner):
    from tenants.models import Membership

    m = Membership.objects.filter(user=world.user(name), partner=partner).first()
    return m.role if m else None


def check(world, route: Route, partner, persona: str | None):
    access = access_of(route)
    client = client_for(world.user(persona) if persona else None, partner)
    url = url_for(world, route, partner)
    role = _role(world, persona, partner) if persona else None
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        where = f"{method.upper()} {partner.host()}{url} as {persona or 'anonymous'}"
        if access.public:
            assert response.status_code not in (403, 500), where
            continue
        if persona is None and access.api:
            assert response.status_code == 401, where
            assert response["Content-Type"] == "application/problem+json", where
        elif persona is None:
            assert response.status_code == 302, where
            assert response["Location"].startswith(LOGIN_PATH), where
        elif role is None or (access.roles is not None and role not in access.roles):
            assert response.status_code == 403, f"{where}: expected 403, got {response.status_code}"
        elif method == "get":
            # Allowed: the page answers (only GET: a POST could change data).
            assert response.status_code in (200, 302, 405), f"{where}: got {response.status_code}"
            if response.status_code == 302:
                assert not response["Location"].startswith(LOGIN_PATH), where
            break
        else:
            break


@pytest.mark.parametrize("route", HUB_ROUTES, ids=[r.name for r in HUB_ROUTES])
@pytest.mark.parametrize("persona", [None, *HUB_VIEWERS, "alpha_admin", "beta_operator"])
def test_hub_url(world, route, persona):
    check(world, route, world.hub, persona)


@pytest.mark.parametrize("route", PARTNER_ROUTES, ids=[r.name for r in PARTNER_ROUTES])
@pytest.mark.parametrize(
    "persona", [None, *PARTNER_A, "beta_operator", "beta_admin", "planner", "netadmin"]
)
def test_partner_url(world, route, persona):
    check(world, route, world.alpha, persona)


def test_matrix_covers_every_view():
    """Both URL confs are non-empty and every view declares its access rule."""
    assert len(HUB_ROUTES) > 5 and len(PARTNER_ROUTES) > 5
    for route in HUB_ROUTES + PARTNER_ROUTES:
        access_of(route)
