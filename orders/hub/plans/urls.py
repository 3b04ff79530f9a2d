from django.urls import path

from portal.access import member_required

from . import views

app_name = "planning"

urlpatterns = [
    path("", member_required()(views.run_list), name="list"),
    path("new/", member_required(views.PLANNERS)(views.run_new), name="new"),
    path("<int:run_pk>/", member_required()(views.run_detail), name="detail"),
    path("<int:run_pk>/progress/", member_required()(views.run_progress), name="progress"),
    path("<int:run_pk>/inputs.json", member_required()(views.run_inputs), name="inputs"),
    path("<int:run_pk>/cancel/", member_required(views.PLANNERS)(views.run_cancel), name="cancel"),
    path(
        "<int:run_pk>/approve/", member_required(views.PLANNERS)(views.run_approve), name="approve"
    ),
    path(
        "<int:run_pk>/what-if/", member_required(views.PLANNERS)(views.run_what_if), name="what_if"
    ),
]
