"""URLs of a partner host (<slug>.<base domain>, the partner's own schema)."""

from django.urls import include, path

from tenants import views as tenant_views

from . import views
from .access import member_required, public_view

urlpatterns = [
    path("", member_required()(tenant_views.partner_home), name="home"),
    path("members/", include("tenants.urls_members")),
    path("work-orders/", include("orders.partner.urls")),
    path("capacity/", include("orders.partner.capacity.urls")),
    path("documents/", include("tenants.partner.urls")),
    path("quality/documents/", include("quality.partner.documents.urls")),
    path("quality/", include("quality.partner.urls")),
    path("api-keys/", include("integrations.urls")),
    path("sharing/", include("tenants.sharing.urls")),
    path("api/work-orders/", include("orders.partner.api_urls")),
    path("api/", include("portal.api_urls")),
    path("accounts/", include("portal.auth_urls")),
    path("health/", public_view(views.health), name="health"),
]

handler400 = "portal.views.bad_request"
