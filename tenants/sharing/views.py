"""The agreement page on a partner host (partner admins, urls.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..models import DataSharingAgreement
from .forms import AgreementForm
from .services import REQUIRED, agreement_set


def agreement_page(request):
    current = DataSharingAgreement.releases_for(request.tenant)
    form = AgreementForm(
        request.POST or None, initial={"releases": [r for r in current if r not in REQUIRED]}
    )
    if request.method == "POST" and form.is_valid():
        agreement_set(
            partner=request.tenant,
            releases=form.cleaned_data["releases"],
            actor=request.user,
            request=request,
        )
        messages.success(request, _("Your data-sharing agreement is saved."))
        return redirect("sharing:agreement")
    return render(
        request,
        "tenants/sharing.html",
        {
            "form": form,
            "required": [DataSharingAgreement.Release(r).label for r in REQUIRED],
        },
        status=400 if form.errors else 200,
    )
