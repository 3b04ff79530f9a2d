from django.urls import path

from portal.access import member_required

from . import views

app_name = "tenants"

ANY_HUB_ROLE = None
NETWORK_ADMIN = ["network_admin"]

urlpatterns = [
    path("", member_required(ANY_HUB_ROLE)(views.partner_registry), name="registry"),
    path("new/", member_required(NETWORK_ADMIN)(views.partner_onboard), name="onboard"),
    path(
        "<slug:slug>/", member_required(ANY_HUB_ROLE)(views.partner_detail), name="partner_detail"
    ),
    path(
        "<slug:slug>/status/",
        member_required(NETWORK_ADMIN)(views.partner_status),
        name="partner_status",
    ),
    path(
        "<slug:slug>/plants/new/",
        member_required(NETWORK_ADMIN)(views.partner_plant_add),
        name="plant_add",
    ),
    path(
        "<slug:slug>/certifications/new/",
        member_required(NETWORK_ADMIN)(views.partner_certification_add),
        name="certification_add",
    ),
]
