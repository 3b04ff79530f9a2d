"""The OpenAPI schema and its docs, on the hub and on every partner host.
Readable without sign-in: they describe the API and hold no data."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from .access import public_view

urlpatterns = [
    path(
        "schema/",
        public_view(
            SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[])
        ),
        name="api-schema",
    ),
    path(
        "docs/",
        public_view(
            SpectacularSwaggerView.as_view(
                url_name="api-schema", permission_classes=[AllowAny], authentication_classes=[]
            )
        ),
        name="api-docs",
    ),
]
