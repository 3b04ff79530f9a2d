from django.urls import path

from portal.access import api_endpoint

from . import api

app_name = "orders_api"

urlpatterns = [
    path("orders/", api_endpoint(api.OrderListApi), name="list"),
    path("orders/<str:number>/", api_endpoint(api.OrderDetailApi), name="detail"),
    path("orders/<str:number>/dispatch/", api_endpoint(api.OrderDispatchApi), name="dispatch"),
    path(
        "dispatches/<int:dispatch_pk>/counter-decision/",
        api_endpoint(api.CounterDecisionApi),
        name="counter_decision",
    ),
]
