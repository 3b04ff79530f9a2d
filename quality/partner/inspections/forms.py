"""Forms of the inspection pages: the readings of one piece (one field per
characteristic, also used by the first article inspection form) and the CSV
upload, checked by content with `portal.uploads.upload_check`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.hub.models.products import InspectionCharacteristic
from orders.partner.forms import DATETIME
from portal.uploads import CSV, TEXT, upload_check

from . import csv_import
from .services import Reading

READING_PREFIX = "c_"


def local_now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


# --- readings --------------------------------------------------------------------------


def reading_name(characteristic) -> str:
    return f"{READING_PREFIX}{characteristic.pk}"


def reading_field(characteristic) -> forms.Field:
    if characteristic.kind == InspectionCharacteristic.Kind.ATTRIBUTE:
        return forms.ChoiceField(
            label=characteristic.name,
            choices=[("pass", _("Pass")), ("fail", _("Fail"))],
            widget=forms.RadioSelect(attrs={"class": "reading-attribute"}),
            error_messages={"required": _("Choose pass or fail.")},
        )
    return forms.DecimalField(
        label=characteristic.name,
        localize=True,
        max_digits=14,
        decimal_places=6,
        error_messages={"required": _("Enter the measured value.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "reading-value",
                "size": 10,
                "data-lower": str(characteristic.lower_limit),
                "data-upper": str(characteristic.upper_limit),
            }
        ),
    )


class ReadingsMixin:
    """One field per characteristic, named `c_<id>`; `reading_rows()` pairs each
    characteristic with its bound field for the template's table."""

    def add_readings(self, characteristics) -> None:
        self.characteristics = list(characteristics)
        for characteristic in self.characteristics:
            name = reading_name(characteristic)
            self.fields[name] = reading_field(characteristic)
            self.fields[name].widget.attrs["aria-describedby"] = f"flag_{name}"

    autofocus_first_reading = True  # the header is prefilled: start at the first value

    def reading_rows(self):
        rows = []
        for index, characteristic in enumerate(self.characteristics):
            bound = self[reading_name(characteristic)]
            if index == 0 and self.autofocus_first_reading:
                bound.field.widget.attrs["autofocus"] = True
            if bound.errors:
                bound.field.widget.attrs["aria-describedby"] = (
                    f"flag_{bound.name} {bound.auto_id}_error"
                )
            rows.append((characteristic, bound))
        return rows

    def readings(self) -> dict[int, Reading]:
        readings = {}
        for characteristic in self.characteristics:
            value = self.cleaned_data.get(reading_name(characteristic))
            if characteristic.kind == InspectionCharacteristic.Kind.ATTRIBUTE:
                readings[characteristic.pk] = Reading(passed=value == "pass")
            else:
                readings[characteristic.pk] = Reading(value=value)
        return readings


class InspectionForm(ReadingsMixin, forms.Form):
    sample = forms.IntegerField(label=_("Sample"), min_value=1, max_value=2_147_483_647)
    piece = forms.IntegerField(label=_("Piece"), min_value=1, max_value=2_147_483_647, initial=1)
    serial = forms.CharField(label=_("Serial number"), max_length=60, required=False)
    instrument = forms.CharField(label=_("Instrument"), max_length=100)
    inspected_at = forms.DateTimeField(label=_("Inspected"), widget=DATETIME)

    HEADER = ("sample", "piece", "serial", "instrument", "inspected_at")

    def __init__(self, *args, characteristics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspected_at"].initial = local_now()
        self.fields["inspected_at"].help_text = _("Your local time.")
        self.add_readings(characteristics)

    def header_fields(self):
        return [self[name] for name in self.HEADER]


# --- CSV -------------------------------------------------------------------------------


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A .csv export, UTF-8 or Latin-1, up to %(limit)s and %(rows)s rows."
        ) % {"limit": filesizeformat(csv_import.MAX_BYTES), "rows": csv_import.MAX_ROWS}
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,text/csv,text/plain"

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = upload_check(uploaded, max_bytes=csv_import.MAX_BYTES)
        if self.checked.content_type not in (CSV.content_type, TEXT.content_type):
            raise ValidationError(
                _("Upload a CSV file (.csv); this is %(type)s.")
                % {"type": self.checked.content_type}
            )
        return uploaded
