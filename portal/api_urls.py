"""The OpenAPI schema and its docs, on the hub and on every partner host.
Readable without sign-in: they describe the API and hold no data."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from .access import public_view


class HostSchemaView(SpectacularAPIView):
    """The schema of the API of this host: the hub's endpoints on the hub, the
    partner endpoints on a partner host (django-tenants sets `request.urlconf`)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def _get_schema_response(self, request):
        self.urlconf = getattr(request, "urlconf", None)
        return super()._get_schema_response(request)


urlpatterns = [
    path("schema/", public_view(HostSchemaView.as_view()), name="api-schema"),
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
