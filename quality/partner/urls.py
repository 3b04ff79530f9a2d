"""The partner's quality pages, under /quality/ on a partner host.

Every member reads, records inspections (by hand, CSV, not the first article)
and raises NCRs with files; disposition, CAPA, closing an NCR and the first
article inspection need the quality role or partner admin; the hub's access to
raw measurements is for partner admins."""

from django.urls import include, path

from portal.access import member_required

from . import views
from .roles import ALL_ROLES, QUALITY_ROLES

app_name = "quality"

ALL = member_required(ALL_ROLES)
QUALITY = member_required(QUALITY_ROLES)

urlpatterns = [
    path("", ALL(views.home), name="home"),
    # inspections
    path("inspections/", ALL(views.inspection_list), name="inspections"),
    path("inspections/<int:record_pk>/", ALL(views.inspection_detail), name="inspection"),
    path("work-orders/<str:number>/inspect/", ALL(views.inspect), name="inspect"),
    path("work-orders/<str:number>/import/", ALL(views.csv_upload), name="import"),
    path(
        "work-orders/<str:number>/first-article/",
        ALL(views.first_article),
        name="first_article",
    ),
    path(
        "work-orders/<str:number>/first-article/record/",
        QUALITY(views.first_article_record),
        name="first_article_record",
    ),
    # SPC
    path("characteristics/", ALL(views.characteristic_list), name="characteristics"),
    path("characteristics/<int:characteristic_pk>/spc/", ALL(views.spc), name="spc"),
    # NCRs and CAPA
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
    # the hub's access to raw measurements
    path("", include("quality.partner.access.urls")),
]
