from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name"),
        help_text=_("Invited members: your e-mail address."),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "timezone", "language"]


def form_add_service_error(form: forms.Form, exc) -> None:
    """Put a service's ValidationError on `form`: errors keyed by one of the
    form's fields go to that field, everything else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def form_run_service(form: forms.Form, call) -> bool:
    """Validate `form` and run `call(form.cleaned_data)`; a service's refusal
    goes onto the form. True when the service ran."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        form_add_service_error(form, exc)
        return False
    return True
