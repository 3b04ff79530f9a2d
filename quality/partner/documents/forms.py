"""Forms of a work order's documents page and of a shipment's certificate page."""

from django import forms
from django.utils.translation import gettext_lazy

from ..models import DocumentRender


class DocumentRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=DocumentRender.Kind.choices)


class CertificateForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Signatory's title"),
        max_length=100,
        help_text=gettext_lazy("Printed under your name on the certificate, e.g. Quality manager."),
    )
