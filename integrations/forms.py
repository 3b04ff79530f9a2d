from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses the key, e.g. “MES line 3”.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKey.Scope.choices)
