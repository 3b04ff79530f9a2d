import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from integrations.models import ApiKey
from orders import services
from orders.partner.models import WorkOrder
from portal.models import IdempotencyRecord, LedgerEvent


def api_client(partner, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
    return Client(HTTP_HOST=partner.host(), **headers)


@pytest.fixture
def work_order_number(world, order, alpha_plant):
    dispatch = services.order_dispatch(
        order=order, plant=alpha_plant, quantity=100, actor=world.user("planner")
    )
    return dispatch.work_order_number


def issue(world, partner, scope="write", user="alpha_admin"):
    return ApiKey.issue(partner=partner, name="MES", scope=scope, created_by=world.user(user))


@pytest.mark.parametrize("host", ["hub", "alpha"])
def test_openapi_schema_is_public_on_every_host(world, host):
    partner = world.hub if host == "hub" else world.alpha
    response = Client(HTTP_HOST=partner.host()).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    docs = Client(HTTP_HOST=partner.host()).get("/api/docs/")
    assert docs.status_code == 200 and b"cdn." not in docs.content.lower()
    if host == "alpha":
        assert "/api/work-orders/{number}/operations/{sequence}/progress/" in schema["paths"]
        assert "apiKey" in schema["components"]["securitySchemes"]


def test_api_keys_are_hashed_scoped_to_their_partner_and_revocable(world):
    key, plaintext = issue(world, world.alpha, scope="read")
    assert plaintext.split(".")[1] not in key.key_hash
    assert api_client(world.alpha, plaintext).get("/api/work-orders/").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    # The same key on another partner's host is unknown there.
    response = api_client(world.beta, plaintext).get("/api/work-orders/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert api_client(world.alpha, plaintext + "x").get("/api/work-orders/").status_code == 401
    key.revoke()
    response = api_client(world.alpha, plaintext).get("/api/work-orders/")
    assert response.status_code == 401 and "revoked" in response.json()["title"]


def test_read_key_cannot_write(world, work_order_number):
    _key, plaintext = issue(world, world.alpha, scope="read")
    response = api_client(world.alpha, plaintext).post(
        f"/api/work-orders/{work_order_number}/accept/", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["title"] == "This API key may only read."


def test_partner_lists_only_its_own_work_orders(world, work_order_number):
    _key, alpha_key = issue(world, world.alpha)
    numbers = [
        w["number"]
        for w in api_client(world.alpha, alpha_key).get("/api/work-orders/").json()["results"]
    ]
    assert work_order_number in numbers
    _key, beta_key = issue(world, world.beta, user="beta_admin")
    beta = api_client(world.beta, beta_key)
    assert beta.get("/api/work-orders/").json()["results"] == []
    assert beta.get(f"/api/work-orders/{work_order_number}/").status_code == 404


def test_accept_and_report_progress_over_the_api(world, work_order_number):
    _key, plaintext = issue(world, world.alpha)
    client = api_client(world.alpha, plaintext)
    response = client.post(
        f"/api/work-orders/{work_order_number}/accept/", {}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    now = timezone.now()
    body = {
        "good_quantity": 40,
        "scrap_quantity": 1,
        "started_at": (now - datetime.timedelta(hours=1)).isoformat(),
        "finished_at": now.isoformat(),
    }
    response = client.post(
        f"/api/work-orders/{work_order_number}/operations/10/progress/",
        body,
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["operation_good_total"] == 40
    assert (
        LedgerEvent.objects.filter(work_order_number=work_order_number, kind="progress").count()
        == 1
    )


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"good_quantity": -1}, 400, "good_quantity"),
        ({"good_quantity": "ten"}, 400, "good_quantity"),
        ({"good_quantity": 500}, 422, "non_field_errors"),
        ({"good_quantity": 1, "finished_at": "yesterday"}, 400, "finished_at"),
    ],
)
def test_bad_progress_input_gets_problem_json_and_writes_nothing(
    world, work_order_number, body, status, field
):
    _key, plaintext = issue(world, world.alpha)
    client = api_client(world.alpha, plaintext)
    client.post(
        f"/api/work-orders/{work_order_number}/accept/", {}, content_type="application/json"
    )
    now = timezone.now().isoformat()
    full = {"started_at": now, "finished_at": now, **body}
    response = client.post(
        f"/api/work-orders/{work_order_number}/operations/10/progress/",
        full,
        content_type="application/json",
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    with schema_context("alpha"):
        assert (
            WorkOrder.objects.get(number=work_order_number)
            .operations.get(sequence=10)
            .good_quantity
            == 0
        )


def test_illegal_transition_over_the_api_is_422(world, work_order_number):
    _key, plaintext = issue(world, world.alpha)
    response = api_client(world.alpha, plaintext).post(
        f"/api/work-orders/{work_order_number}/shipments/",
        {"quantity": 1, "carrier": "UPS", "tracking_number": "1"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "Only an accepted work order can ship" in response.json()["detail"]


def test_idempotency_key_replays_rejects_other_bodies_and_is_per_partner(world, work_order_number):
    _key, plaintext = issue(world, world.alpha)
    client = api_client(world.alpha, plaintext)
    client.post(
        f"/api/work-orders/{work_order_number}/accept/", {}, content_type="application/json"
    )
    now = timezone.now().isoformat()
    body = {"good_quantity": 5, "started_at": now, "finished_at": now}
    url = f"/api/work-orders/{work_order_number}/operations/10/progress/"
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    with schema_context("alpha"):
        assert (
            WorkOrder.objects.get(number=work_order_number)
            .operations.get(sequence=10)
            .good_quantity
            == 5
        )
    other = client.post(
        url,
        {**body, "good_quantity": 6},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422
    # The same key on another partner is another key.
    assert IdempotencyRecord.objects.filter(key="k-1").count() == 1
    IdempotencyRecord.objects.create(
        partner=world.beta,
        key="k-1",
        fingerprint="x",
        state="done",
        status_code=200,
        response_body={},
    )
    assert IdempotencyRecord.objects.filter(key="k-1").count() == 2


def test_same_key_while_the_first_is_in_flight_gets_409(world, work_order_number):
    _key, plaintext = issue(world, world.alpha)
    client = api_client(world.alpha, plaintext)
    IdempotencyRecord.objects.create(
        partner=world.alpha,
        key="busy",
        state="in_flight",
        fingerprint=_fingerprint_of(work_order_number),
    )
    response = client.post(
        f"/api/work-orders/{work_order_number}/accept/",
        {},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="busy",
    )
    assert response.status_code == 409
    with schema_context("alpha"):
        assert WorkOrder.objects.get(number=work_order_number).status == "dispatched"


def _fingerprint_of(number):
    import hashlib

    return hashlib.sha256(f"POST /api/work-orders/{number}/accept/\n{{}}".encode()).hexdigest()


def test_a_failed_request_can_be_retried_with_the_same_key(world, work_order_number):
    _key, plaintext = issue(world, world.alpha)
    client = api_client(world.alpha, plaintext)
    url = f"/api/work-orders/{work_order_number}/shipments/"
    body = {"quantity": 1, "carrier": "UPS", "tracking_number": "1"}
    assert (
        client.post(
            url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="retry"
        ).status_code
        == 422
    )
    assert not IdempotencyRecord.objects.filter(key="retry").exists()


def test_partner_admin_issues_and_revokes_keys_on_its_host(as_user, world):
    client = as_user("alpha_admin", world.alpha)
    response = client.post("/api-keys/", {"name": "Line-7 bridge", "scope": "write"})
    assert response.status_code == 200
    content = response.content.decode()
    key = ApiKey.objects.get(partner=world.alpha, name="Line-7 bridge")
    assert f"Api-Key {key.prefix}." in content  # shown once
    assert (
        "Line-7 bridge" not in as_user("beta_admin", world.beta).get("/api-keys/").content.decode()
    )
    assert as_user("beta_admin", world.alpha).get("/api-keys/").status_code == 403
    page = client.get(f"/api-keys/{key.pk}/revoke/")
    assert b"cannot be undone" in page.content
    assert client.post(f"/api-keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert not key.is_active
    from portal.models import AuditEntry

    assert AuditEntry.objects.filter(action__in=["api_key.issued", "api_key.revoked"]).count() == 2
    # another partner's key id is not found here
    beta_key, _ = ApiKey.issue(
        partner=world.beta, name="B", scope="read", created_by=world.user("beta_admin")
    )
    assert client.post(f"/api-keys/{beta_key.pk}/revoke/").status_code == 404
