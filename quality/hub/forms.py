"""Forms of the hub's network quality pages."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.uploads import PDF, upload_check

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class UseAsIsDecisionForm(forms.Form):
    DECISIONS = [("approve", _("Approve: use the parts as they are")), ("reject", _("Reject"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note to the partner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you reject: say why the parts cannot be used as they are."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the parts cannot be used as they are."))
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


def _sha256(value: str) -> str:
    value = (value or "").strip().lower()
    if value and not SHA256.match(value):
        raise ValidationError(_("A SHA-256 is 64 hexadecimal characters (0-9, a-f)."))
    return value


class DocumentVerifyForm(forms.Form):
    """Either a PDF copy (matched by the SHA-256 of its bytes), or the document
    number and the content SHA-256 printed on the document."""

    pdf = forms.FileField(label=_("PDF copy"), required=False)
    number = forms.CharField(label=_("Document number"), required=False, max_length=40)
    content_sha256 = forms.CharField(
        label=_("SHA-256 of the content (printed on the document)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pdf"].help_text = _(
            "A PDF of up to %(limit)s. Or leave it empty and type the number and SHA-256."
        ) % {"limit": filesizeformat(settings.DMN_UPLOAD_MAX_BYTES)}
        self.fields["pdf"].widget.attrs["accept"] = "application/pdf,.pdf"
        self.pdf_sha256 = ""

    def clean_pdf(self):
        uploaded = self.cleaned_data.get("pdf")
        if not uploaded:
            return None
        checked = upload_check(uploaded, max_bytes=settings.DMN_UPLOAD_MAX_BYTES)
        if checked.content_type != PDF.content_type:
            raise ValidationError(_("Upload the document as a PDF file."), code="type")
        self.pdf_sha256 = checked.sha256
        return uploaded

    def clean_content_sha256(self):
        return _sha256(self.cleaned_data.get("content_sha256"))

    def clean_number(self):
        return (self.cleaned_data.get("number") or "").strip()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("pdf"):
            if not data.get("number"):
                self.add_error("number", _("Give the document number, or upload the PDF."))
            if not data.get("content_sha256"):
                self.add_error("content_sha256", _("Give the content SHA-256, or upload the PDF."))
        return data
