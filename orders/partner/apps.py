from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersPartnerConfig(AppConfig):
    name = "orders.partner"
    label = "orders_partner"
    verbose_name = _("Work orders")
