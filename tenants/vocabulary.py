"""What the partner registry records in the audit log."""

from django.utils.translation import gettext_lazy as _

from portal.vocabulary import audit_action

PARTNER_PROVISIONED = audit_action("partner.provisioned", _("Partner provisioned"))
PARTNER_PROVISION_FAILED = audit_action(
    "partner.provision_failed", _("Partner provisioning failed")
)
PARTNER_STATUS_CHANGED = audit_action("partner.status_changed", _("Partner status changed"))
PLANT_ADDED = audit_action("plant.added", _("Plant added"))
CERTIFICATION_ADDED = audit_action("certification.added", _("Certification added"))
MEMBERSHIP_CREATED = audit_action("membership.created", _("Membership created"))
MEMBERSHIP_CHANGED = audit_action("membership.changed", _("Membership changed"))
MEMBERSHIP_REMOVED = audit_action("membership.removed", _("Membership removed"))
USER_INVITED = audit_action("user.invited", _("User invited"))
SCHEMA_ENTERED = audit_action("schema.entered", _("Hub entered a partner schema"))
SHARING_CHANGED = audit_action("sharing.changed", _("Data-sharing agreement changed"))
