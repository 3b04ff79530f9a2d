"""What the integrations record in the audit log."""

from django.utils.translation import gettext_lazy as _

from portal.vocabulary import audit_action

API_KEY_ISSUED = audit_action("api_key.issued", _("API key issued"))
API_KEY_REVOKED = audit_action("api_key.revoked", _("API key revoked"))
API_KEY_AUTH_FAILED = audit_action("api_key.auth_failed", _("API key refused"))
