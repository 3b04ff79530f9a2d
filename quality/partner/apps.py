from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityPartnerConfig(AppConfig):
    """Inspections, NCRs and CAPA, attachments and certificates: the partner's
    quality records, in its own schema (TENANT_APPS)."""

    name = "quality.partner"
    label = "quality_partner"
    verbose_name = _("Quality records")

    def ready(self):
        from quality import vocabulary  # noqa: F401  (registers its ledger kinds and actions)
        from quality.publish import _sharing_changed
        from tenants.sharing import releases_changed

        # The hub's quality summaries follow the partner's data-sharing agreement.
        releases_changed.connect(_sharing_changed, dispatch_uid="quality_release_changed")
