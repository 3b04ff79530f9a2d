from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .audit import PASSWORD_CHANGED, audit_record
from .filters import AuditEntryFilter
from .forms import ProfileForm
from .models import AuditEntry
from .tables import AuditEntryTable, RequestConfig

PAGE_SIZE = 50


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(request, "registration/profile.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(action=PASSWORD_CHANGED, actor=self.request.user, request=self.request)
        return response


def audit_log(request):
    queryset = AuditEntry.objects.select_related("partner")
    filterset = AuditEntryFilter(request.GET or None, queryset=queryset)
    table = AuditEntryTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, "portal/audit_log.html", {"filter": filterset, "table": table})


def bad_request(request, exception=None):
    """The 400 page (handler400): says what was wrong where Django knows it, such
    as too many files or fields in one form, and never echoes the request."""
    from django.conf import settings
    from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent

    message = _("The request could not be understood.")
    if isinstance(exception, TooManyFilesSent):
        message = _(
            "Too many files in one request: send at most %(limit)s at a time. Nothing was saved."
        ) % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    elif isinstance(exception, TooManyFieldsSent):
        message = _("The form sent too many fields. Nothing was saved.")
    return render(request, "400.html", {"message": message}, status=400)
