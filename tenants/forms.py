from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .models import HUB_ROLES, PARTNER_ROLES, Partner, Role
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
    country = LazyTypedChoiceField(label=_("Country"), choices=countries)
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
