from django.urls import path

from portal.access import member_required

from . import views

app_name = "orders"

urlpatterns = [
    path("", member_required()(views.board), name="board"),
    path("new/", member_required(views.PLANNERS)(views.order_new), name="new"),
    path("<str:number>/", member_required()(views.detail), name="detail"),
    path(
        "<str:number>/dispatch/", member_required(views.PLANNERS)(views.dispatch), name="dispatch"
    ),
    path(
        "<str:number>/dispatches/<int:dispatch_pk>/decision/",
        member_required(views.PLANNERS)(views.counter_decide),
        name="counter_decide",
    ),
    path(
        "<str:number>/clearances/",
        member_required(views.CLEARANCE_AUTHORITY)(views.clearances),
        name="clearances",
    ),
    path(
        "<str:number>/clearances/<int:user_pk>/revoke/",
        member_required(views.CLEARANCE_AUTHORITY)(views.clearance_revoke),
        name="clearance_revoke",
    ),
]
