from django.urls import path

from portal.access import member_required
from tenants.models import PLANNER_ROLES as PLANNERS

from . import views

app_name = "products"

ANY_HUB_ROLE = None
REVISION = "<int:product_pk>/revisions/<int:revision_pk>/"

urlpatterns = [
    path("", member_required(ANY_HUB_ROLE)(views.product_list), name="list"),
    path("new/", member_required(PLANNERS)(views.product_new), name="new"),
    path("import/", member_required(PLANNERS)(views.product_import), name="import"),
    path("<int:product_pk>/", member_required(ANY_HUB_ROLE)(views.product_detail), name="detail"),
    path(
        "<int:product_pk>/planning/",
        member_required(PLANNERS)(views.product_planning),
        name="planning",
    ),
    path(
        "<int:product_pk>/revisions/new/",
        member_required(PLANNERS)(views.revision_new),
        name="revision_new",
    ),
    path(REVISION, member_required(ANY_HUB_ROLE)(views.revision_detail), name="revision"),
    path(
        REVISION + "release/",
        member_required(PLANNERS)(views.revision_release),
        name="release",
    ),
    path(REVISION + "bom/new/", member_required(PLANNERS)(views.bom_line_add), name="bom_add"),
    path(
        REVISION + "operations/new/",
        member_required(PLANNERS)(views.operation_add),
        name="operation_add",
    ),
    path(
        REVISION + "characteristics/new/",
        member_required(PLANNERS)(views.characteristic_add),
        name="characteristic_add",
    ),
    path(
        REVISION + "remove/",
        member_required(PLANNERS)(views.revision_part_remove),
        name="remove",
    ),
]
