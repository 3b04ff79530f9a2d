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
from portal.ledger import ledger_rebuild
from tenants.vocabulary import SHARING_CHANGED

from .models import DataSharingAgreement

REQUIRED = DataSharingAgreement.REQUIRED_RELEASES  # the hub's projection needs these

# Sent inside the agreement's transaction with `partner`, `old` and `new` releases and
# `actor`, so that the apps publishing a group (orders: capacity; quality: its
# summary) publish what is now released, without tenants knowing them.
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
        if set(old) - set(agreement.releases):
            # What the hub keeps of the partner follows the agreement in force: its read
            # models are rebuilt from the ledger without the withdrawn groups.
            ledger_rebuild(partner_ids=[partner.pk])
        releases_changed.send(
            sender=DataSharingAgreement,
            partner=partner,
            old=old,
            new=agreement.releases,
            actor=actor,
        )
        audit_record(
            action=SHARING_CHANGED,
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
