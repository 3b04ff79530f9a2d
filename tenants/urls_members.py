"""Member management, the same pages on the hub (network admins) and on a partner host
(partner admins): each manages only the memberships of the host it is on."""

from django.urls import path

from portal.access import member_required

from . import views

app_name = "members"

ADMINS = ["partner_admin", "network_admin"]

urlpatterns = [
    path("", member_required(ADMINS)(views.member_list), name="list"),
    path("invite/", member_required(ADMINS)(views.member_invite), name="invite"),
    path("<int:pk>/", member_required(ADMINS)(views.member_edit), name="edit"),
    path("<int:pk>/remove/", member_required(ADMINS)(views.member_remove), name="remove"),
]
