from django.urls import path

from portal.access import member_required

from . import product_views as views

app_name = "products"

urlpatterns = [
    path("", member_required()(views.product_list), name="list"),
    path("<int:product_pk>/", member_required()(views.product_detail), name="detail"),
    path(
        "<int:product_pk>/revisions/new/",
        member_required(views.PLANNERS)(views.revision_new),
        name="revision_new",
    ),
    path(
        "<int:product_pk>/revisions/<int:revision_pk>/",
        member_required()(views.revision_detail),
        name="revision",
    ),
    path(
        "<int:product_pk>/revisions/<int:revision_pk>/release/",
        member_required(views.PLANNERS)(views.revision_release),
        name="release",
    ),
]
