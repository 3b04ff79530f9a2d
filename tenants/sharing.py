"""A partner admin decides what beyond status and quantities it releases to the hub."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.dispatch import Signal
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import member_required
from portal.audit import audit_record
from portal.models import AuditEntry

from .models import DataSharingAgreement

REQUIRED = ("status", "quantities")  # the hub's projection needs these; never withheld

# Sent inside the agreement's transaction with `partner`, `old` and `new` releases and
# `actor`, so that the apps publishing a group (orders: capacity) follow a change
# without tenants knowing them.
releases_changed = Signal()


class AgreementForm(forms.Form):
    releases = forms.MultipleChoiceField(
        label=gettext_lazy("Also release to the hub"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[c for c in DataSharingAgreement.Release.choices if c[0] not in REQUIRED],
    )


def agreement_set(*, partner, releases, actor, request=None) -> DataSharingAgreement:
    with transaction.atomic():
        agreement, _created = DataSharingAgreement.objects.get_or_create(partner=partner)
        old = sorted(agreement.releases or DataSharingAgreement.DEFAULT_RELEASES)
        agreement.releases = sorted(set(REQUIRED) | set(releases))
        agreement.save()
        releases_changed.send(
            sender=DataSharingAgreement,
            partner=partner,
            old=old,
            new=agreement.releases,
            actor=actor,
        )
        audit_record(
            action=AuditEntry.Action.SHARING_CHANGED,
            actor=actor,
            partner=partner,
            obj=agreement,
            request=request,
            old=old,
            new=agreement.releases,
        )
    return agreement


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


app_name = "sharing"
urlpatterns = [path("", member_required(["partner_admin"])(agreement_page), name="agreement")]
