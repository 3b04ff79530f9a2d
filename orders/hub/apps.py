from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersHubConfig(AppConfig):
    name = "orders.hub"
    label = "orders_hub"
    verbose_name = _("Products and network orders")
