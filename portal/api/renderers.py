"""Renderers of the API's responses."""

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API (the HTML a browser gets from an endpoint) under the
    portal's Content-Security-Policy. DRF's template places its format menu and
    filter button with style attributes, so these pages, and only they, allow
    inline styles; their scripts are DRF's static files, from this host."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django-csp's csp_update decorator sets on a view's response.
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
