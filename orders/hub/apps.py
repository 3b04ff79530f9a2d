from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersHubConfig(AppConfig):
    name = "orders.hub"
    label = "orders_hub"
    verbose_name = _("Products and network orders")

    def ready(self):
        from orders import vocabulary  # noqa: F401  (registers its ledger kinds and actions)
        from portal.ledger import projector_register

        from . import projectors

        for projector in projectors.PROJECTORS:
            projector_register(projector)
