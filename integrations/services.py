"""A partner admin's API-key verbs: issuing a key (its secret is returned once,
only its hash is kept) and revoking it, each recorded in the audit log."""

from __future__ import annotations

from django.db import transaction

from integrations.vocabulary import API_KEY_ISSUED, API_KEY_REVOKED
from portal.audit import audit_record

from .models import ApiKey


def api_key_issue(*, partner, name: str, scope: str, actor, request=None) -> tuple[ApiKey, str]:
    """Issue a key for `partner`; return it with the plaintext `prefix.secret`."""
    with transaction.atomic():
        key, plaintext = ApiKey.issue(partner=partner, name=name, scope=scope, created_by=actor)
        audit_record(
            action=API_KEY_ISSUED,
            actor=actor,
            partner=partner,
            obj=key,
            request=request,
            prefix=key.prefix,
            scope=key.scope,
        )
    return key, plaintext


def api_key_revoke(*, key: ApiKey, actor, request=None) -> None:
    """Revoke an active key; a revoked key stays as it is."""
    if not key.is_active:
        return
    with transaction.atomic():
        key.revoke()
        audit_record(
            action=API_KEY_REVOKED,
            actor=actor,
            partner=key.partner,
            obj=key,
            request=request,
            prefix=key.prefix,
        )
