"""Forms for product definitions: products, BOM lines, operations, characteristics."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner, Plant
from tenants.selectors import plant_choices_by_partner

from ..models.products import BomLine, InspectionCharacteristic, Operation, Product, ProductRevision

# Units a BOM quantity or a characteristic may be given in (the CSV import checks the same).
UNITS = {
    "pcs": _("pieces"),
    "set": _("set"),
    "pair": _("pair"),
    "kg": _("kilogram"),
    "g": _("gram"),
    "m": _("metre"),
    "cm": _("centimetre"),
    "mm": _("millimetre"),
    "µm": _("micrometre"),
    "m2": _("square metre"),
    "l": _("litre"),
    "ml": _("millilitre"),
    "deg": _("degree"),
    "N": _("newton"),
    "Nm": _("newton metre"),
    "MPa": _("megapascal"),
    "bar": _("bar"),
    "HRC": _("Rockwell C hardness"),
    "Ra": _("roughness Ra (µm)"),
    "%": _("percent"),
}
UNIT_CHOICES = [(code, f"{code} ({label})") for code, label in UNITS.items()]


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "description"]
        help_texts = {"code": _("Unique in the network, e.g. BRK-100.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ProductPlanningForm(forms.ModelForm):
    """What planning needs of a product beyond its definition."""

    class Meta:
        model = Product
        fields = ["material_cost_per_unit", "approved_plants"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plants = self.fields["approved_plants"]
        plants.queryset = Plant.objects.filter(partner__in=Partner.objects.partners())
        plants.choices = plant_choices_by_partner()
        plants.widget.attrs["size"] = 8
        plants.help_text = _(
            "Empty: any plant with the certifications and capabilities the routing needs. "
            "Hold Ctrl (⌘ on a Mac) to choose several."
        )


class _RevisionPartForm(forms.ModelForm):
    """A form for one row of a draft revision; the view saves it under a row lock."""

    def __init__(self, *args, revision: ProductRevision, **kwargs):
        self.revision = revision
        super().__init__(*args, **kwargs)


class BomLineForm(_RevisionPartForm):
    position = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the next free position."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="pcs")

    class Meta:
        model = BomLine
        fields = ["parent", "position", "component_code", "description", "quantity", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.queryset = self.revision.bom_lines.order_by("position")
        parent.label_from_instance = lambda line: f"{line.position} · {line.component_code}"
        parent.empty_label = _("— the product itself (level 1) —")
        parent.help_text = _("The line this component goes into.")

    def clean_position(self):
        position = self.cleaned_data.get("position")
        lines = self.revision.bom_lines
        if position is None:
            return (lines.aggregate(m=Max("position"))["m"] or 0) + 10
        if lines.filter(position=position).exists():
            raise forms.ValidationError(_("Position %(n)s is taken.") % {"n": position})
        return position

    def save(self, commit=True):
        self.instance.revision = self.revision
        return super().save(commit)


class OperationForm(_RevisionPartForm):
    class Meta:
        model = Operation
        fields = [
            "sequence",
            "name",
            "work_centre_type",
            "setup_minutes",
            "run_minutes_per_unit",
            "required_capability",
            "required_certification",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            last = self.revision.operations.aggregate(m=Max("sequence"))["m"] or 0
            self.initial.setdefault("sequence", last + 10)

    def clean_sequence(self):
        sequence = self.cleaned_data["sequence"]
        if self.revision.operations.filter(sequence=sequence).exists():
            raise forms.ValidationError(_("Sequence %(n)s is taken.") % {"n": sequence})
        return sequence

    def save(self, commit=True):
        self.instance.revision = self.revision
        return super().save(commit)


class CharacteristicForm(_RevisionPartForm):
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", "—"), *UNIT_CHOICES], required=False, initial="mm"
    )

    class Meta:
        model = InspectionCharacteristic
        fields = ["operation", "name", "kind", "nominal", "lower_limit", "upper_limit", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        operation = self.fields["operation"]
        operation.queryset = self.revision.operations.order_by("sequence")
        operation.label_from_instance = lambda op: f"{op.sequence} · {op.name}"

    def clean(self):
        data = super().clean()
        if data.get("kind") == InspectionCharacteristic.Kind.VARIABLE:
            values = {f: data.get(f) for f in ("lower_limit", "nominal", "upper_limit")}
            for field, value in values.items():
                if value is None and field not in self.errors:
                    self.add_error(field, _("A measured value needs nominal and both limits."))
            if None not in values.values() and not (
                values["lower_limit"] <= values["nominal"] <= values["upper_limit"]
            ):
                raise forms.ValidationError(
                    _("The limits must lie around the nominal: lower ≤ nominal ≤ upper.")
                )
        else:
            data["nominal"] = data["lower_limit"] = data["upper_limit"] = None
        return data

    def _post_clean(self):
        # clean() checks the model's limits constraint with a message a planner can act on;
        # drop the generic "constraint violated" message the model adds for the same thing.
        super()._post_clean()
        errors = self._errors.get(NON_FIELD_ERRORS)
        if errors:
            kept = [e for e in errors if "characteristic_limits_around_nominal" not in str(e)]
            self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
            if not kept:
                del self._errors[NON_FIELD_ERRORS]


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (with or without BOM) or Latin-1, at most 2 MB."),
    )
