"""A work order's first article inspection, under /quality/ on a partner host:
every member reads it; recording it needs the quality role or partner admin."""

from django.urls import path

from portal.access import member_required

from ..roles import ALL_ROLES, QUALITY_ROLES
from . import views

ALL = member_required(ALL_ROLES)
QUALITY = member_required(QUALITY_ROLES)

urlpatterns = [
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
]
