"""/sharing/ on a partner host: the partner admin's data-sharing agreement."""

from django.urls import path

from portal.access import member_required

from . import views

app_name = "sharing"
urlpatterns = [path("", member_required(["partner_admin"])(views.agreement_page), name="agreement")]
