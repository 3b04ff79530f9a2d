from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersPartnerConfig(AppConfig):
    name = "orders.partner"
    label = "orders_partner"
    verbose_name = _("Work orders")

    def ready(self):
        from orders import vocabulary  # noqa: F401  (registers its ledger kinds and actions)
        from tenants.sharing import releases_changed

        from .capacity.services import _sharing_changed

        # The hub's copies of capacity follow the partner's data-sharing agreement.
        releases_changed.connect(_sharing_changed, dispatch_uid="capacity_release_changed")
