import zoneinfo

from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from portal.api.problems import problem_response


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


class NulCharacterMiddleware:
    """Refuse an address whose path or query string carries a NUL character.

    PostgreSQL stores no NUL in text, so a `?status=%00` that reached a query
    ended in a database error (500). No page or endpoint has a use for one:
    answer 400 here, once for all of them, with the 400 page or, on the API,
    problem JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _carries_nul(request):
            return None
        message = _("The address contains a NUL character, which no page accepts.")
        access = getattr(view_func, "dmn_access", None)
        if getattr(access, "api", False):
            return problem_response(400, _("Invalid input."), message)
        return render(request, "400.html", {"message": message}, status=400)


def _carries_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
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
