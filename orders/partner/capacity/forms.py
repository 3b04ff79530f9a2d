"""Forms of the capacity declaration. A new row names its plant (one of the
partner's); an existing row keeps the plant it belongs to."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import DATE
from ..models import Downtime, PlantCapability, WorkCentre


class _DeclarationForm(forms.Form):
    """`plants`: the partner's plants; `row`: the row being changed, if any."""

    model: type
    unique_field = ""
    duplicate_message = ""
    suggestions_id = ""

    def __init__(self, *args, plants, row=None, suggestions=(), **kwargs):
        self.row = row
        self.suggestions = suggestions
        super().__init__(*args, **kwargs)
        if row is None:
            self.fields["plant_id"] = forms.TypedChoiceField(
                label=_("Plant"),
                coerce=int,
                choices=[(p.pk, f"{p.name} ({p.code})") for p in plants],
            )
            self.order_fields(["plant_id"])
        if self.suggestions_id:
            self.fields[self.unique_field].widget.attrs.update(
                list=self.suggestions_id, autocomplete="off"
            )

    def plant_id(self) -> int | None:
        return self.row.plant_id if self.row else self.cleaned_data.get("plant_id")

    def clean(self):
        data = super().clean()
        value, plant_id = data.get(self.unique_field), self.plant_id()
        if self.unique_field and value and plant_id:
            taken = self.model.objects.filter(
                plant_id=plant_id, **{f"{self.unique_field}__iexact": value.strip()}
            )
            if self.row is not None:
                taken = taken.exclude(pk=self.row.pk)
            if taken.exists():
                self.add_error(self.unique_field, self.duplicate_message % {"value": value})
        return data


class WorkCentreForm(_DeclarationForm):
    model = WorkCentre
    unique_field = "work_centre_type"
    duplicate_message = _("This plant already declares %(value)s; change that row instead.")
    suggestions_id = "work-centre-types"

    work_centre_type = forms.CharField(
        label=_("Work-centre type"),
        max_length=40,
        help_text=_("Use the names the routings use (suggested as you type)."),
    )
    count = forms.IntegerField(
        label=_("Count"), min_value=1, help_text=_("Machines or stations of this type.")
    )
    hours_per_day = forms.DecimalField(
        label=_("Hours per day"),
        max_digits=4,
        decimal_places=2,
        max_value=24,
        help_text=WorkCentre._meta.get_field("hours_per_day").help_text,
    )
    efficiency = forms.DecimalField(
        label=_("Efficiency"),
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.1"),
        max_value=Decimal("1.5"),
        initial=Decimal("1.00"),
        help_text=_(
            "Between 0.10 and 1.50. 1.00: standard times hold; 0.85: 15 % slower; "
            "1.10: 10 % faster."
        ),
    )

    def clean_hours_per_day(self):
        hours = self.cleaned_data["hours_per_day"]
        if hours <= 0:
            raise forms.ValidationError(_("Enter more than 0 hours (at most 24)."))
        return hours


class CapabilityForm(_DeclarationForm):
    model = PlantCapability
    unique_field = "name"
    duplicate_message = _("This plant already declares %(value)s.")
    suggestions_id = "capabilities"

    name = forms.CharField(
        label=_("Capability"),
        max_length=60,
        help_text=_("As routings require it, e.g. 5-axis, cleanroom, MIG (suggested as you type)."),
    )


class DowntimeForm(_DeclarationForm):
    model = Downtime

    start = forms.DateField(label=_("First day"), widget=DATE)
    end = forms.DateField(
        label=_("Last day"), widget=DATE, help_text=_("The plant makes nothing on these days.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day is before the first day."))
        return data
