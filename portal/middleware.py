import zoneinfo

from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, with a readable page for an unknown host."""

    def no_tenant_found(self, request, hostname):
        # A response returned here ends the request (MiddlewareMixin).
        return render(
            request,
            "404.html",
            {"message": _("There is no partner at %(host)s.") % {"host": hostname}},
            status=404,
        )


class UserTimezoneMiddleware:
    """Show times in the signed-in user's time zone and language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        return self.get_response(request)
