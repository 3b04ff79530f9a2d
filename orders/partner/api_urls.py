from django.urls import path

from portal.access import api_endpoint

from . import api

app_name = "work_orders_api"

urlpatterns = [
    path("", api_endpoint(api.WorkOrderListApi), name="list"),
    path("<str:number>/", api_endpoint(api.WorkOrderDetailApi), name="detail"),
    path("<str:number>/accept/", api_endpoint(api.WorkOrderAcceptApi), name="accept"),
    path("<str:number>/reject/", api_endpoint(api.WorkOrderRejectApi), name="reject"),
    path(
        "<str:number>/operations/<int:sequence>/progress/",
        api_endpoint(api.ProgressReportApi),
        name="progress",
    ),
    path("<str:number>/shipments/", api_endpoint(api.ShipmentCreateApi), name="shipments"),
]
