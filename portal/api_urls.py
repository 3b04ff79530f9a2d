"""The OpenAPI schema and its docs, on the hub and on every partner host.
Readable without sign-in: they describe the API and hold no data."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
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


# Swagger UI under the Content-Security-Policy: the split view serves its start-up
# script as a file (?script=) instead of inline, the page's own style is a static
# file, and Swagger UI's stylesheet draws its icons from data: images.
docs_view = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(
        url_name="api-schema",
        permission_classes=[AllowAny],
        authentication_classes=[],
        template_name="portal/api_docs.html",
    )
)

urlpatterns = [
    path("schema/", public_view(HostSchemaView.as_view()), name="api-schema"),
    path("docs/", public_view(docs_view), name="api-docs"),
]
