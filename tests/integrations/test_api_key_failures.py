"""Refused API keys are audited and, per key prefix and client address, throttled.

The counters live in the configured cache (Redis under bin/test). Each test
issues its own key, so its prefix, and the counters, are new.
"""

import secrets
import time

import pytest
from django.test import Client, override_settings

from integrations.models import ApiKey
from integrations.vocabulary import API_KEY_AUTH_FAILED
from portal.models import AuditEntry

LIMIT = 3
WORK_ORDERS = "/api/work-orders/"


@pytest.fixture(autouse=True)
def _small_limit():
    with override_settings(DMN_API_KEY_FAILURE_LIMIT=LIMIT, DMN_API_KEY_FAILURE_WINDOW=600):
        yield


def call(partner, key: str, address: str = "192.0.2.1"):
    client = Client(HTTP_HOST=partner.host(), REMOTE_ADDR=address)
    return client.get(WORK_ORDERS, HTTP_AUTHORIZATION=f"Api-Key {key}")


def issue(world):
    key, plaintext = ApiKey.issue(
        partner=world.alpha, name="MES", scope="read", created_by=world.user("alpha_admin")
    )
    return key, plaintext


def wrong(plaintext: str) -> str:
    return plaintext.split(".")[0] + ".not-the-secret"


def test_a_refused_api_key_is_recorded_in_the_audit_log_without_its_secret(world):
    key, plaintext = issue(world)
    response = call(world.alpha, wrong(plaintext), address="192.0.2.10")
    assert response.status_code == 401
    entry = AuditEntry.objects.filter(action=API_KEY_AUTH_FAILED).order_by("-pk").first()
    assert entry is not None
    assert entry.partner == world.alpha
    assert (entry.object_type, entry.object_id) == ("integrations.ApiKey", str(key.pk))
    assert entry.ip_address == "192.0.2.10"
    assert entry.reason == "invalid"
    assert entry.detail["prefix"] == key.prefix
    assert "not-the-secret" not in str(entry.detail) + entry.actor_label + entry.reason


def test_unknown_and_revoked_keys_are_recorded_too(world):
    unknown = f"{secrets.token_hex(4)}.whatever"
    assert call(world.alpha, unknown).status_code == 401
    entry = AuditEntry.objects.filter(action=API_KEY_AUTH_FAILED).order_by("-pk").first()
    assert entry.detail["prefix"] == unknown.split(".")[0] and entry.object_id == ""
    key, plaintext = issue(world)
    key.revoke()
    assert call(world.alpha, plaintext).status_code == 401
    entry = AuditEntry.objects.filter(action=API_KEY_AUTH_FAILED).order_by("-pk").first()
    assert (entry.object_id, entry.reason) == (str(key.pk), "revoked")


def test_after_the_limit_a_prefix_from_that_address_gets_429_without_a_secret_check(world):
    _key, plaintext = issue(world)
    for _ in range(LIMIT):
        assert call(world.alpha, wrong(plaintext)).status_code == 401
    audited = AuditEntry.objects.filter(action=API_KEY_AUTH_FAILED).count()
    # Even the right secret is not checked now.
    response = call(world.alpha, plaintext)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 600
    assert response.json()["status"] == 429
    # Refusals while throttled are not audited one by one (no log flooding).
    assert AuditEntry.objects.filter(action=API_KEY_AUTH_FAILED).count() == audited


def test_a_throttled_key_keeps_working_from_another_address(world):
    _key, plaintext = issue(world)
    for _ in range(LIMIT):
        call(world.alpha, wrong(plaintext), address="198.51.100.66")
    assert call(world.alpha, plaintext, address="198.51.100.66").status_code == 429
    assert call(world.alpha, plaintext, address="192.0.2.20").status_code == 200
    # ... and the attacker's address may still use another key.
    _other, other_plaintext = issue(world)
    assert call(world.alpha, other_plaintext, address="198.51.100.66").status_code == 200


def test_a_success_before_the_limit_starts_the_count_again(world):
    _key, plaintext = issue(world)
    for _ in range(LIMIT - 1):
        call(world.alpha, wrong(plaintext))
    assert call(world.alpha, plaintext).status_code == 200
    for _ in range(LIMIT - 1):
        assert call(world.alpha, wrong(plaintext)).status_code == 401
    assert call(world.alpha, plaintext).status_code == 200


def test_the_throttle_ends_with_its_window(world):
    _key, plaintext = issue(world)
    with override_settings(DMN_API_KEY_FAILURE_WINDOW=1):
        for _ in range(LIMIT):
            call(world.alpha, wrong(plaintext))
        assert call(world.alpha, plaintext).status_code == 429
        time.sleep(1.2)
        assert call(world.alpha, plaintext).status_code == 200
