"""NCRs and their CAPA, under /quality/ on a partner host: every member reads,
raises NCRs and attaches files; disposition, CAPA and closing an NCR need the
quality role or partner admin."""

from django.urls import path

from portal.access import member_required

from ..roles import ALL_ROLES, QUALITY_ROLES
from . import views

ALL = member_required(ALL_ROLES)
QUALITY = member_required(QUALITY_ROLES)

urlpatterns = [
    path("ncrs/", ALL(views.ncr_list), name="ncrs"),
    path("work-orders/<str:number>/ncr/", ALL(views.ncr_raise), name="ncr_raise"),
    path("ncrs/<str:ncr_number>/", ALL(views.ncr_detail), name="ncr"),
    path(
        "ncrs/<str:ncr_number>/disposition/",
        QUALITY(views.ncr_disposition),
        name="ncr_disposition",
    ),
    path("ncrs/<str:ncr_number>/attachments/", ALL(views.ncr_attach), name="ncr_attach"),
    path(
        "ncrs/<str:ncr_number>/attachments/<int:attachment_pk>/",
        ALL(views.attachment_download),
        name="attachment",
    ),
    path("ncrs/<str:ncr_number>/capa/", QUALITY(views.capa_open), name="capa_open"),
    path("ncrs/<str:ncr_number>/capa/<int:step>/", QUALITY(views.capa_step), name="capa_step"),
    path("ncrs/<str:ncr_number>/close/", QUALITY(views.ncr_close), name="ncr_close"),
]
