from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.uploads import upload_check

from .models import Document


class DocumentUploadForm(forms.ModelForm):
    file = forms.FileField(label=_("File"))

    class Meta:
        model = Document
        fields = ["title", "kind", "restricted"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, PNG, JPEG, CSV or plain text, up to %(limit)s.") % {
            "limit": filesizeformat(settings.DMN_UPLOAD_MAX_BYTES)
        }

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = upload_check(uploaded)
        return uploaded


class DocumentGrantForm(forms.Form):
    email = forms.EmailField(label=_("Member's e-mail"))

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner

    def clean_email(self):
        from tenants.models import Membership

        email = self.cleaned_data["email"]
        membership = (
            Membership.objects.filter(partner=self.partner, user__email__iexact=email)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise ValidationError(
                _("No member of %(partner)s has this e-mail.") % {"partner": self.partner}
            )
        self.user = membership.user
        return email
