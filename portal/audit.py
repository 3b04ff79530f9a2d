"""Writing to the audit log. Every write goes through `audit_record`.

Each app registers the actions it records (`audit_action`, in its vocabulary
module); these are the core's own: signing in, files, object permissions.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .vocabulary import AUDIT_ACTIONS, audit_action

SIGN_IN = audit_action("auth.sign_in", _("Signed in"))
SIGN_IN_FAILED = audit_action("auth.sign_in_failed", _("Sign-in failed"))
SIGN_OUT = audit_action("auth.sign_out", _("Signed out"))
LOCKED_OUT = audit_action("auth.locked_out", _("Locked out"))
PASSWORD_CHANGED = audit_action("auth.password_changed", _("Password changed"))
FILE_UPLOADED = audit_action("file.uploaded", _("File uploaded"))
FILE_DOWNLOADED = audit_action("file.downloaded", _("File downloaded"))
PERMISSION_GRANTED = audit_action("permission.granted", _("Object permission granted"))
PERMISSION_REVOKED = audit_action("permission.revoked", _("Object permission revoked"))


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor=None,
    partner=None,
    reason: str = "",
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    request=None,
    actor_label: str = "",
    **detail: Any,
) -> AuditEntry:
    """Append one entry. `obj` fills the object type and id from a model instance.
    `action` is a registered audit action."""
    AUDIT_ACTIONS.check(action)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    if partner is None:
        # A request on a partner's host acts on that partner's data; anything
        # else names the partner it touched.
        tenant = getattr(request, "tenant", None)
        if tenant is not None and getattr(tenant, "pk", None) and not tenant.is_hub:
            partner = tenant
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else "system"),
        partner=partner,
        schema_name=partner.schema_name if partner else "public",
        object_type=object_type,
        object_id=str(object_id),
        reason=reason[:500],
        ip_address=_client_ip(request),
        detail=detail,
    )
