"""Inspections and SPC, under /quality/ on a partner host: every member."""

from django.urls import path

from portal.access import member_required

from ..roles import ALL_ROLES
from . import views

ALL = member_required(ALL_ROLES)

urlpatterns = [
    path("inspections/", ALL(views.inspection_list), name="inspections"),
    path("inspections/<int:record_pk>/", ALL(views.inspection_detail), name="inspection"),
    path("work-orders/<str:number>/inspect/", ALL(views.inspect), name="inspect"),
    path("work-orders/<str:number>/import/", ALL(views.csv_upload), name="import"),
    # SPC
    path("characteristics/", ALL(views.characteristic_list), name="characteristics"),
    path("characteristics/<int:characteristic_pk>/spc/", ALL(views.spc), name="spc"),
]
