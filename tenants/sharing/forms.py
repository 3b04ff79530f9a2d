from django import forms
from django.utils.translation import gettext_lazy

from ..models import DataSharingAgreement
from .services import REQUIRED


class AgreementForm(forms.Form):
    releases = forms.MultipleChoiceField(
        label=gettext_lazy("Also release to the hub"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[c for c in DataSharingAgreement.Release.choices if c[0] not in REQUIRED],
    )
