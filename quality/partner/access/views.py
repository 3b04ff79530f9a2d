"""The partner admin's pages for the hub's access to raw measurements: the
grants, granting one to a named hub user until a date, and revoking it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.forms import form_run_service
from portal.tables import RequestConfig

from . import selectors, services
from .forms import MeasurementAccessForm
from .tables import MeasurementAccessTable

PAGE_SIZE = 25


def access_list(request):
    table = MeasurementAccessTable(selectors.measurement_access_list())
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, "quality/partner/access.html", {"table": table})


@require_http_methods(["GET", "POST"])
def access_grant(request):
    form = MeasurementAccessForm(request.POST or None)
    if request.method == "POST" and form_run_service(
        form,
        lambda d: services.measurement_access_grant(
            partner=request.tenant,
            hub_user=form.hub_user,
            expires_at=d["expires_at"],
            reason=d["reason"],
            actor=request.user,
            request=request,
        ),
    ):
        messages.success(
            request,
            _("%(email)s may read your raw measurements until %(until)s.")
            % {
                "email": form.cleaned_data["email"],
                "until": _local(form.cleaned_data["expires_at"]),
            },
        )
        return redirect("quality:access")
    return render(
        request,
        "quality/partner/access_grant.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _local(when) -> str:
    return date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")


@require_http_methods(["GET", "POST"])
def access_revoke(request, grant_pk):
    grant = selectors.measurement_access_get(pk=grant_pk)
    if request.method == "POST":
        hub_user = selectors.hub_user_of(grant)
        try:
            if hub_user is None:
                raise ValidationError(_("This hub user no longer exists."))
            services.measurement_access_revoke(
                partner=request.tenant,
                grant=grant,
                hub_user=hub_user,
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Access of %(user)s revoked.") % {"user": grant.user_label})
        return redirect("quality:access")
    return render(
        request,
        "quality/partner/access_revoke.html",
        {"grant": grant, "state": MeasurementAccessTable.state_of(grant)},
    )
