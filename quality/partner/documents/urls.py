"""A work order's compliance documents, under /quality/documents/ on a partner host.

Every member requests, follows and downloads the quality dossier and the first
article report, and downloads certificates of conformance; issuing a certificate
(its page) needs the quality role or partner admin."""

from django.urls import path

from portal.access import member_required

from ..roles import ALL_ROLES, QUALITY_ROLES
from . import views

app_name = "quality_documents"

ALL = member_required(ALL_ROLES)
QUALITY = member_required(QUALITY_ROLES)

urlpatterns = [
    path("work-orders/<str:number>/", ALL(views.work_order_documents), name="work_order"),
    path("work-orders/<str:number>/request/", ALL(views.document_request), name="request"),
    path(
        "work-orders/<str:number>/renders/<int:render_pk>/",
        ALL(views.render_detail),
        name="render",
    ),
    path(
        "work-orders/<str:number>/renders/<int:render_pk>/status/",
        ALL(views.render_status),
        name="render_status",
    ),
    path(
        "work-orders/<str:number>/renders/<int:render_pk>/download/",
        ALL(views.render_download),
        name="render_download",
    ),
    path(
        "work-orders/<str:number>/shipments/<int:shipment_pk>/certificate/",
        QUALITY(views.certificate),
        name="certificate",
    ),
    path(
        "work-orders/<str:number>/shipments/<int:shipment_pk>/certificate/download/",
        ALL(views.certificate_download),
        name="certificate_download",
    ),
]
