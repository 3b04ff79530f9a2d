"""The hub's network quality pages (mounted at /quality/ in portal.urls_hub)."""

from django.urls import path

from portal.access import member_required

from . import views

app_name = "network_quality"

READERS = None  # every hub role reads; see quality.hub.views

urlpatterns = [
    path("", member_required(READERS)(views.overview), name="overview"),
    path(
        "partners/<slug:slug>/",
        member_required(READERS)(views.partner_quality),
        name="partner",
    ),
    path(
        "partners/<slug:slug>/products/<str:product_code>/",
        member_required(READERS)(views.partner_quality),
        name="partner_product",
    ),
    path(
        "partners/<slug:slug>/characteristics/<int:characteristic_id>/",
        member_required(READERS)(views.characteristic_values),
        name="characteristic",
    ),
    path("use-as-is/", member_required(READERS)(views.use_as_is_list), name="use_as_is"),
    path(
        "use-as-is/<int:use_as_is_pk>/",
        member_required(READERS)(views.use_as_is_detail),
        name="use_as_is_detail",
    ),
    path(
        "use-as-is/<int:use_as_is_pk>/decide/",
        member_required(views.DECIDERS)(views.use_as_is_decide),
        name="use_as_is_decide",
    ),
    path("documents/", member_required(READERS)(views.document_list), name="documents"),
    path(
        "documents/verify/",
        member_required(READERS)(views.document_verify),
        name="document_verify",
    ),
]
