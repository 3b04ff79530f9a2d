from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityHubConfig(AppConfig):
    """What the hub keeps of quality: the summaries partners publish, the
    use-as-is approval queue and the register of issued documents (SHARED_APPS)."""

    name = "quality.hub"
    label = "quality_hub"
    verbose_name = _("Network quality")

    def ready(self):
        from portal.ledger import projector_register
        from quality import vocabulary  # noqa: F401  (registers its ledger kinds and actions)

        from . import projectors

        for projector in projectors.PROJECTORS:
            projector_register(projector)
