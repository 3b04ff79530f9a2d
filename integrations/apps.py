from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from . import vocabulary  # noqa: F401  (registers its audit actions)
        from .api import schema  # noqa: F401  (registers the API-key scheme)
