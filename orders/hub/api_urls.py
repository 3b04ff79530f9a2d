from django.urls import path

from portal.access import api_endpoint

from .orders import api
from .products import api as product_api

app_name = "orders_api"

PRODUCT = "products/<int:product_pk>/"
REVISION = PRODUCT + "revisions/<int:revision_pk>/"


def _removal(rows: str, *, part: str, name: str):
    """DELETE one row of a draft revision; the view takes the kind of row (`part`) from here."""
    url = f"{REVISION}{rows}/<int:pk>/"
    return path(url, api_endpoint(product_api.RevisionPartApi), {"part": part}, name=name)


urlpatterns = [
    path("orders/", api_endpoint(api.OrderListApi), name="list"),
    path("orders/<str:number>/", api_endpoint(api.OrderDetailApi), name="detail"),
    path("orders/<str:number>/dispatch/", api_endpoint(api.OrderDispatchApi), name="dispatch"),
    path(
        "dispatches/<int:dispatch_pk>/counter-decision/",
        api_endpoint(api.CounterDecisionApi),
        name="counter_decision",
    ),
    path("products/", api_endpoint(product_api.ProductListApi), name="product_list"),
    path(PRODUCT, api_endpoint(product_api.ProductDetailApi), name="product_detail"),
    path(PRODUCT + "revisions/", api_endpoint(product_api.RevisionNewApi), name="revision_new"),
    path(REVISION, api_endpoint(product_api.RevisionDetailApi), name="revision_detail"),
    path(
        REVISION + "release/", api_endpoint(product_api.RevisionReleaseApi), name="revision_release"
    ),
    path(REVISION + "bom-lines/", api_endpoint(product_api.BomLinesApi), name="bom_line_add"),
    path(REVISION + "operations/", api_endpoint(product_api.OperationsApi), name="operation_add"),
    path(
        REVISION + "characteristics/",
        api_endpoint(product_api.CharacteristicsApi),
        name="characteristic_add",
    ),
    _removal("bom-lines", part="bom", name="bom_line_remove"),
    _removal("operations", part="op", name="operation_remove"),
    _removal("characteristics", part="ch", name="characteristic_remove"),
]
