"""URLs of the hub (the public schema, at the base domain)."""

from django.urls import include, path

from tenants import views as tenant_views

from . import views
from .access import member_required, public_view

urlpatterns = [
    path("", member_required()(tenant_views.hub_home), name="home"),
    path("partners/", include("tenants.urls_hub")),
    path("members/", include("tenants.urls_members")),
    path("products/", include("orders.hub.products.urls")),
    path("orders/", include("orders.hub.orders.urls")),
    path("planning/plants/", include("orders.hub.plants.urls")),
    path("planning/", include("orders.hub.plans.urls")),
    path("quality/", include("quality.hub.urls")),
    path(
        "audit/",
        member_required(["auditor", "network_admin"])(views.audit_log),
        name="audit_log",
    ),
    path("api/", include("orders.hub.api_urls")),
    path("api/", include("portal.api_urls")),
    path("accounts/", include("portal.auth_urls")),
    path("health/", public_view(views.health), name="health"),
]

handler400 = "portal.views.bad_request"
