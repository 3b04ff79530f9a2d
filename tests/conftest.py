"""Personas and two partners, created once per test session in real schemas.

- hub: planner, quality engineer, auditor, network admin
- partner A (`alpha`): admin, operator, quality
- partner B (`beta`): operator
- anonymous

Each test runs in a transaction that is rolled back; the partners' schemas
and the personas are committed once, before the first test.
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.test.utils import override_settings
from django_tenants.utils import schema_context

from tenants.models import Partner
from tenants.provisioning import template_schema_sync
from tenants.services import partner_provision

from .factories import CertificationFactory, MembershipFactory, PlantFactory, UserFactory

HUB_PERSONAS = {
    "planner": "planner",
    "qe": "quality_engineer",
    "auditor": "auditor",
    "netadmin": "network_admin",
}
PARTNER_PERSONAS = {
    ("alpha", "alpha_admin"): "partner_admin",
    ("alpha", "alpha_operator"): "operator",
    ("alpha", "alpha_quality"): "quality",
    ("beta", "beta_operator"): "operator",
    ("beta", "beta_admin"): "partner_admin",
}


@dataclass
class World:
    hub: Partner
    alpha: Partner
    beta: Partner
    users: dict
    alpha_document_id: int
    beta_document_id: int
    product_id: int
    revision_id: int
    order_number: str
    dispatch_id: int
    work_order_number: str
    operation_id: int
    api_key_id: int

    def user(self, name):
        return self.users[name]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Hashing cost is not under test; the demo seed alone hashes 25 passwords."""
    override = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session", autouse=True)
def _media_root():
    path = tempfile.mkdtemp(prefix="dmn-test-media-")
    override = override_settings(MEDIA_ROOT=path)
    override.enable()
    yield path
    override.disable()
    shutil.rmtree(path, ignore_errors=True)


def _make_user(username: str):
    return UserFactory(username=username, first_name="", last_name="")


def _make_document(partner: Partner, title: str) -> int:
    from tenants.partner.models import Document

    with schema_context(partner.schema_name):
        doc = Document(
            title=title,
            original_name="spec.txt",
            content_type="text/plain",
            size=len(partner.slug),
            sha256="0" * 64,
        )
        doc.file.save("spec.txt", ContentFile(partner.slug.encode()), save=False)
        doc.save()
        return doc.pk


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _media_root):
    with django_db_blocker.unblock():
        template_schema_sync()
        hub = Partner.objects.get(schema_name="public")
        alpha = partner_provision(
            slug="alpha", name="Alpha Machining", country="DE", status="active"
        )
        beta = partner_provision(slug="beta", name="Beta Castings", country="FR", status="active")
        users = {}
        for name, role in HUB_PERSONAS.items():
            users[name] = _make_user(name)
            MembershipFactory(user=users[name], partner=hub, role=role)
        for (slug, name), role in PARTNER_PERSONAS.items():
            users[name] = _make_user(name)
            partner = alpha if slug == "alpha" else beta
            MembershipFactory(user=users[name], partner=partner, role=role)
        pytest.dmn_world = World(
            hub=hub,
            alpha=alpha,
            beta=beta,
            users=users,
            alpha_document_id=_make_document(alpha, "Alpha drawing"),
            beta_document_id=_make_document(beta, "Beta drawing"),
            **_make_dispatched_order(alpha, users["planner"]),
            api_key_id=_make_api_key(alpha, users["alpha_admin"]),
        )


def _make_api_key(partner: Partner, admin) -> int:
    from integrations.models import ApiKey

    key, _plaintext = ApiKey.issue(partner=partner, name="Test MES", scope="read", created_by=admin)
    return key.pk


def _make_dispatched_order(partner: Partner, planner) -> dict:
    """A released product, an order and its work order dispatched to `partner`."""
    from orders.hub.models import Operation, Product, ProductRevision
    from orders.hub.orders.services import order_create
    from orders.hub.products.services import revision_release
    from orders.partner.models import WorkOrder
    from orders.services import order_dispatch

    plant = PlantFactory(partner=partner, code="WLD")
    CertificationFactory(partner=partner, plant=plant, standard="iso9001", expires_in_days=900)
    product = Product.objects.create(code="SEED-1", name="Seed bracket")
    revision = ProductRevision.objects.create(product=product, revision="A")
    for sequence, name in ((10, "Saw"), (20, "Mill")):
        Operation.objects.create(
            revision=revision,
            sequence=sequence,
            name=name,
            work_centre_type=name.lower(),
            run_minutes_per_unit=1,
            required_certification="iso9001" if sequence == 20 else "",
        )
    revision = revision_release(revision=revision, actor=planner)
    order = order_create(
        actor=planner,
        customer_reference="PO-SEED",
        revision=revision,
        quantity=20,
        due_date=datetime.date.today() + datetime.timedelta(days=60),
        ship_to_name="DC",
        ship_to_latitude=1,
        ship_to_longitude=1,
    )
    dispatch = order_dispatch(order=order, plant=plant, quantity=20, actor=planner)
    with schema_context(partner.schema_name):
        work_order = WorkOrder.objects.get(hub_dispatch_id=dispatch.pk)
        operation_id = work_order.operations.order_by("sequence").first().pk
    return {
        "product_id": product.pk,
        "revision_id": revision.pk,
        "order_number": order.number,
        "dispatch_id": dispatch.pk,
        "work_order_number": work_order.number,
        "operation_id": operation_id,
    }


@pytest.fixture(autouse=True)
def _start_in_the_public_schema():
    """A request through the test client leaves the connection in its host's
    schema; every test starts where a fresh request does: in public."""
    from django.db import connection

    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def world(db) -> World:
    world = pytest.dmn_world
    # A test may change these objects in memory; its database changes roll back.
    for partner in (world.hub, world.alpha, world.beta):
        partner.refresh_from_db()
    return world


def host_of(partner: Partner) -> str:
    return partner.host()


def client_for(user, partner: Partner) -> Client:
    """A test client on `partner`'s host, signed in as `user` (None: anonymous).

    Sessions live in each host's own schema, so the sign-in happens there.
    """
    client = Client(HTTP_HOST=host_of(partner))
    if user is not None:
        with schema_context(partner.schema_name):
            client.force_login(user)
    return client


@pytest.fixture
def as_user(world):
    def make(name: str | None, partner: Partner):
        return client_for(world.user(name) if name else None, partner)

    return make
