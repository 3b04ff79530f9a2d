"""/planning/plants/: every hub member reads; planners and network admins edit costs."""

from django.urls import path

from portal.access import member_required
from tenants.models import PLANNER_ROLES as PLANNERS

from . import views

app_name = "plant_inputs"

ANY_HUB_ROLE = None
PLANT = "<int:plant_pk>/"
PLANNER = member_required(PLANNERS)


def _rows(prefix: str, kind: str):
    """Add (POST from the plant page), change and remove an hourly rate or a freight
    lane, named by `<kind>_pk`."""
    row = f"{PLANT}{prefix}/<int:{kind}_pk>/"
    return [
        path(f"{PLANT}{prefix}/new/", PLANNER(views.row_add), {"kind": kind}, name=f"{kind}_add"),
        path(f"{row}edit/", PLANNER(views.row_edit), {"kind": kind}, name=f"{kind}_edit"),
        path(f"{row}remove/", PLANNER(views.row_remove), {"kind": kind}, name=f"{kind}_remove"),
    ]


urlpatterns = [
    path("", member_required(ANY_HUB_ROLE)(views.plant_list), name="list"),
    path(PLANT, member_required(ANY_HUB_ROLE)(views.plant_detail), name="detail"),
    path(f"{PLANT}cost/", PLANNER(views.plant_cost), name="cost"),
    *_rows("rates", "rate"),
    *_rows("lanes", "lane"),
]
