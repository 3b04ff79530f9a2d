from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerWorkspaceConfig(AppConfig):
    """The partner's own workspace, in its own schema (TENANT_APPS)."""

    name = "tenants.partner"
    label = "partner_workspace"
    verbose_name = _("Partner workspace")
