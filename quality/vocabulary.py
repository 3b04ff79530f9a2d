"""Quality's words on the network ledger and in the audit log.

Ledger events carry what a partner's quality records publish to the hub (the
quality summary group, when released), a partner's requests to the hub, and the
hub's decisions on them; the projectors in `quality.hub.projectors` keep the
hub's quality read models from them.
"""

from django.utils.translation import gettext_lazy as _

from portal.vocabulary import audit_action, ledger_kind

# Ledger event kinds
INSPECTED = ledger_kind("quality.inspected", _("Inspections recorded"))
NCR_CHANGED = ledger_kind("quality.ncr", _("Non-conformance changed"))
USE_AS_IS_REQUESTED = ledger_kind("quality.use_as_is_requested", _("Use as is requested"))
USE_AS_IS_DECIDED = ledger_kind("quality.use_as_is_decided", _("Use as is decided"))
CERTIFICATE_REGISTERED = ledger_kind("quality.certificate", _("Certificate of conformance issued"))

# Audit actions
USE_AS_IS_DECISION = audit_action("quality.use_as_is_decided", _("Use-as-is request decided"))
CERTIFICATE_ISSUED = audit_action(
    "quality.certificate_issued", _("Certificate of conformance issued")
)
