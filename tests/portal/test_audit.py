import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from portal.audit import SIGN_IN, audit_record
from portal.models import AuditEntry, AuditLogIsAppendOnly
from tenants.door import DoorRefused, partner_schema
from tenants.partner.models import Document
from tenants.vocabulary import SCHEMA_ENTERED


def test_audit_entries_cannot_be_changed_or_deleted(world):
    entry = audit_record(action=SIGN_IN, actor=world.user("planner"))
    entry.reason = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tampered")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_database_refuses_update_and_delete_from_any_client(world):
    entry = audit_record(action=SIGN_IN, actor=world.user("planner"))
    for sql in (
        "UPDATE portal_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM portal_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])


def test_the_door_records_who_which_partner_and_why(world):
    planner = world.user("planner")
    with partner_schema(world.alpha, actor=planner, reason="investigate NCR 42"):
        assert connection.schema_name == "alpha"
        assert Document.objects.filter(pk=world.alpha_document_id).exists()
    assert connection.schema_name == "public"
    entry = AuditEntry.objects.filter(action="schema.entered").first()
    assert entry.actor == planner
    assert entry.partner == world.alpha
    assert entry.reason == "investigate NCR 42"


def test_the_door_needs_a_reason(world):
    before = AuditEntry.objects.filter(action="schema.entered").count()
    with pytest.raises(DoorRefused), partner_schema(world.alpha, actor=None, reason=" "):
        pass
    assert AuditEntry.objects.filter(action="schema.entered").count() == before


def test_sign_in_and_failed_sign_in_are_audited(world):
    from django.test import Client

    client = Client(HTTP_HOST="alpha.localhost")
    client.post("/accounts/login/", {"username": "alpha_operator", "password": "wrong"})
    failed = AuditEntry.objects.get(action="auth.sign_in_failed")
    assert failed.actor_label == "alpha_operator"
    assert failed.actor is None
    from ..factories import PASSWORD

    response = client.post("/accounts/login/", {"username": "alpha_operator", "password": PASSWORD})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="auth.sign_in")
    assert entry.actor == world.user("alpha_operator")
    assert entry.partner == world.alpha


def test_audit_log_page_filters_by_action_and_partner(as_user, world):
    audit_record(action=SIGN_IN, actor=world.user("planner"))
    audit_record(
        action=SCHEMA_ENTERED,
        actor=world.user("planner"),
        partner=world.beta,
        reason="look at beta",
    )
    client = as_user("auditor", world.hub)
    response = client.get("/audit/", {"action": "schema.entered", "partner": world.beta.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "look at beta" in content
    assert "Signed in" not in content.split("<tbody")[1]
