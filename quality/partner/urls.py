"""The partner's quality pages, under /quality/ on a partner host: the landing
page here, and each sub-domain's URL conf (same namespace, `quality:`).

Every member reads, records inspections (by hand, CSV, not the first article)
and raises NCRs with files; disposition, CAPA, closing an NCR and the first
article inspection need the quality role or partner admin; the hub's access to
raw measurements is for partner admins (roles.py). A work order's compliance
documents have their own namespace, under /quality/documents/ (documents/urls.py)."""

from django.urls import include, path

from portal.access import member_required

from . import views
from .roles import ALL_ROLES

app_name = "quality"

ALL = member_required(ALL_ROLES)

urlpatterns = [
    path("", ALL(views.home), name="home"),
    # inspections
    path("", include("quality.partner.inspections.urls")),
    # first article inspection
    path("", include("quality.partner.first_article.urls")),
    # NCRs and CAPA
    path("", include("quality.partner.ncrs.urls")),
    # the hub's access to raw measurements
    path("", include("quality.partner.access.urls")),
]
