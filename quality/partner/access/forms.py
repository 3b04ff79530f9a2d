"""The form a partner admin grants a hub user access to raw measurements with."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from orders.partner.forms import DATETIME


class MeasurementAccessForm(forms.Form):
    email = forms.EmailField(
        label=_("Hub user's e-mail"),
        help_text=_("A member of the network hub, e.g. a quality engineer or an auditor."),
    )
    expires_at = forms.DateTimeField(
        label=_("Access ends"),
        widget=DATETIME,
        help_text=_("Your local time; at most 90 days from now."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].initial = (
            timezone.localtime() + datetime.timedelta(days=7)
        ).strftime("%Y-%m-%dT%H:%M")

    def clean_email(self):
        from tenants.models import Membership

        email = self.cleaned_data["email"]
        membership = (
            Membership.objects.filter(
                partner__schema_name=get_public_schema_name(),
                user__email__iexact=email,
                user__is_active=True,
            )
            .select_related("user")
            .first()
        )
        if membership is None:
            raise ValidationError(_("No member of the network hub has this e-mail."))
        self.hub_user = membership.user
        return email
