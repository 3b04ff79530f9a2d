"""Forms of the hub's plant pages: the cost model, hourly rates, freight lanes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models.plants import FreightLane, PlantCost, WorkCentreRate


class PlantCostForm(forms.ModelForm):
    class Meta:
        model = PlantCost
        fields = ["setup_cost", "material_cost_factor", "freight_per_unit_km"]
        help_texts = {
            "setup_cost": _("Charged once for each order, or each part of a split order."),
            "freight_per_unit_km": _(
                "Used where no freight lane covers the destination country (great-circle distance)."
            ),
        }


class _PlantRowForm(forms.ModelForm):
    """A row of one plant's cost model, unique per plant in `unique_field`."""

    unique_field = ""
    duplicate_message = ""

    def __init__(self, *args, plant, **kwargs):
        self.plant = plant
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        value = data.get(self.unique_field)
        if value:
            lookup = {self.unique_field: value}
            if isinstance(value, str):
                lookup = {f"{self.unique_field}__iexact": value.strip()}
            taken = type(self.instance).objects.filter(plant=self.plant, **lookup)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(self.unique_field, self.duplicate_message)
        return data


class WorkCentreRateForm(_PlantRowForm):
    unique_field = "work_centre_type"
    duplicate_message = _("This plant has a rate for this type already; change that one.")

    class Meta:
        model = WorkCentreRate
        fields = ["work_centre_type", "hourly_rate"]
        widgets = {"work_centre_type": forms.TextInput(attrs={"list": "rate-types"})}
        help_texts = {"work_centre_type": _("The types the routings use are suggested.")}


class FreightLaneForm(_PlantRowForm):
    unique_field = "destination_country"
    duplicate_message = _("This plant has a lane to this country already; change that one.")

    class Meta:
        model = FreightLane
        fields = ["destination_country", "freight_per_unit"]
        help_texts = {"freight_per_unit": _("Replaces the distance-based freight to this country.")}
