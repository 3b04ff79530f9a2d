from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner, Plant
from tenants.selectors import plant_choices_by_partner

from ..models.orders import NetworkOrder
from ..models.products import ProductRevision


class OrderForm(forms.ModelForm):
    class Meta:
        model = NetworkOrder
        fields = [
            "customer_reference",
            "revision",
            "quantity",
            "due_date",
            "ship_to_name",
            "ship_to_latitude",
            "ship_to_longitude",
            "priority",
            "export_controlled",
            "split_min_lot",
        ]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        revision = self.fields["revision"]
        revision.queryset = ProductRevision.objects.filter(
            status=ProductRevision.Status.RELEASED
        ).select_related("product")
        revision.help_text = _("Released revisions only.")
        revision.error_messages["invalid_choice"] = _(
            "Choose a released product revision; draft and obsolete revisions cannot be ordered."
        )
        self.fields["quantity"].widget.attrs["min"] = 1
        self.fields["split_min_lot"].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean()
        error = split_min_lot_error(data.get("split_min_lot"), data.get("quantity"))
        if error:
            self.add_error("split_min_lot", error)
        return data


def split_min_lot_error(split_min_lot: int | None, quantity: int | None) -> str | None:
    """Why a minimum lot does not fit the order (the form and the API share it)."""
    if split_min_lot is not None and quantity is not None and split_min_lot > quantity:
        return _("The minimum lot cannot exceed the quantity (%(quantity)s).") % {
            "quantity": quantity
        }
    return None


class DispatchForm(forms.Form):
    """Plant (grouped by partner) and quantity; everything else that can make a
    dispatch impossible is orders.services.dispatch_check's to say."""

    plant = forms.TypedChoiceField(label=_("Plant"), coerce=int)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plant"].choices = [("", "---------"), *plant_choices_by_partner()]

    def clean_plant(self) -> Plant:
        plant = (
            Plant.objects.filter(
                pk=self.cleaned_data["plant"], partner__in=Partner.objects.partners()
            )
            .select_related("partner")
            .first()
        )
        if plant is None:
            raise forms.ValidationError(_("Choose a plant from the list."))
        return plant


class ClearanceGrantForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=None,
        label=_("Hub member"),
        empty_label=_("Choose a member"),
        help_text=_("Only active hub members who are not cleared yet are listed."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.get_username()})" if u.get_full_name() else u.get_username()
        )
