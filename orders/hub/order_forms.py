from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner, Plant

from .models import NetworkOrder, ProductRevision


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
        ]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].queryset = ProductRevision.objects.filter(
            status=ProductRevision.Status.RELEASED
        ).select_related("product")
        self.fields["revision"].help_text = _("Released revisions only.")


class DispatchForm(forms.Form):
    plant = forms.ModelChoiceField(
        label=_("Plant"),
        queryset=Plant.objects.filter(partner__status=Partner.Status.ACTIVE)
        .select_related("partner")
        .order_by("partner__name", "name"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plant"].label_from_instance = lambda p: f"{p.partner.name} — {p.name}"
