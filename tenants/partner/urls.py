from django.urls import path

from portal.access import member_required

from . import views

app_name = "documents"

urlpatterns = [
    path("", member_required()(views.document_list), name="list"),
    path("upload/", member_required()(views.document_upload), name="upload"),
    path("<int:pk>/download/", member_required()(views.document_download), name="download"),
    path("<int:pk>/grant/", member_required(["partner_admin"])(views.document_grant), name="grant"),
]
