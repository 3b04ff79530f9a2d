from django.urls import path

from portal.access import member_required

from . import views

app_name = "api_keys"

ADMIN = ["partner_admin"]

urlpatterns = [
    path("", member_required(ADMIN)(views.api_key_list), name="list"),
    path("<int:pk>/revoke/", member_required(ADMIN)(views.api_key_revoke), name="revoke"),
]
