from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import HUB_ROLES, PARTNER_ROLES, Certification, Partner, Plant, Role
from .validators import schema_name_for, validate_partner_slug


class PartnerOnboardForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(
        label=_("Slug"),
        max_length=30,
        help_text=_(
            "The partner's address: <slug>.%(domain)s. Lowercase letters, digits and hyphens."
        ),
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=lambda: [("", _("Choose a country")), *countries]
    )
    admin_email = forms.EmailField(
        label=_("First admin's e-mail"),
        help_text=_("This person receives an invitation to set a password and manage members."),
    )

    def __init__(self, *args, base_domain: str = "localhost", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"domain": base_domain}

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        validate_partner_slug(slug)
        if (
            Partner.objects.filter(slug=slug).exists()
            or Partner.objects.filter(schema_name=schema_name_for(slug)).exists()
        ):
            raise ValidationError(_("A partner with this slug already exists."), code="duplicate")
        return slug


class PartnerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Partner.Status.choices)


def role_choices(*, hub: bool):
    allowed = HUB_ROLES if hub else PARTNER_ROLES
    return [(value, label) for value, label in Role.choices if value in allowed]


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, hub: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(hub=hub)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, hub: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(hub=hub)


class PlantForm(forms.ModelForm):
    class Meta:
        model = Plant
        fields = ["code", "name", "city", "country", "latitude", "longitude", "timezone"]
        help_texts = {
            "latitude": _("Decimal degrees, −90 to 90 (north is positive)."),
            "longitude": _("Decimal degrees, −180 to 180 (east is positive)."),
        }

    def __init__(self, *args, partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partner = partner

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if Plant.objects.filter(partner=self.instance.partner, code=code).exists():
            raise ValidationError(_("This partner already has a plant with this code."))
        return code


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["standard", "certificate_number", "plant", "issued_by", "issued_on", "expires_on"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partner = partner
        self.fields["plant"].queryset = partner.plants.order_by("name")
        self.fields["plant"].empty_label = _("All plants")

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", _("The expiry date must be after the issue date."))
        return cleaned
