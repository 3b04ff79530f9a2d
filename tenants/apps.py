from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Partners and plants")

    def ready(self):
        from portal.ledger import release_policy_set

        from . import vocabulary  # noqa: F401  (registers its audit actions)
        from .models import DataSharingAgreement

        # The ledger reads agreements through this policy: the core knows no app.
        release_policy_set(DataSharingAgreement.releases_in_force)
