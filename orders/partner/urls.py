from django.urls import path

from portal.access import member_required

from . import views

app_name = "work_orders"

ANY = None
urlpatterns = [
    path("", member_required(ANY)(views.inbox), name="inbox"),
    path("<str:number>/", member_required(ANY)(views.detail), name="detail"),
    path("<str:number>/accept/", member_required(views.ANSWER_ROLES)(views.accept), name="accept"),
    path("<str:number>/reject/", member_required(views.ANSWER_ROLES)(views.reject), name="reject"),
    path(
        "<str:number>/operations/<int:operation_pk>/report/",
        member_required(views.SHOP_FLOOR_ROLES)(views.report_progress),
        name="report",
    ),
    path("<str:number>/ship/", member_required(views.SHIPPING_ROLES)(views.ship), name="ship"),
    path(
        "<str:number>/internal/",
        member_required(["partner_admin"])(views.internal),
        name="internal",
    ),
]
