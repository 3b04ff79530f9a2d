"""The hub's access to raw measurements, under /quality/access/: partner admins only."""

from django.urls import path

from portal.access import member_required

from ..roles import ADMIN_ROLES
from . import views

ADMIN = member_required(ADMIN_ROLES)

urlpatterns = [
    path("access/", ADMIN(views.access_list), name="access"),
    path("access/grant/", ADMIN(views.access_grant), name="access_grant"),
    path("access/<int:grant_pk>/revoke/", ADMIN(views.access_revoke), name="access_revoke"),
]
