"""Forms of the partner's quality pages. Uploads are checked by content with
`portal.uploads.upload_check`; several files at once through `MultipleFileField`."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders.hub.models.products import InspectionCharacteristic
from orders.partner.forms import DATE, DATETIME
from portal.uploads import CSV, TEXT, upload_check

from . import csv_import
from .models import CapaStep, Measurement, NonConformance
from .services import Reading

MAX_FILES = 10  # files per request on the NCR forms; Django refuses more than 20 outright
READING_PREFIX = "c_"


def _local_now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


# --- several files at once -------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked with `upload_check`. Cleans to a
    list of `(uploaded, checked)` pairs; any bad file fails the whole field, with
    one message per file that names it."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files: int = MAX_FILES, **kwargs):
        self.max_files = max_files
        super().__init__(*args, **kwargs)

    @property
    def help_text(self):
        """Written when shown: in the reader's language, with the limit in force."""
        return self._help_text or _(
            "PDF, PNG, JPEG, CSV or plain text; up to %(count)s files at once, each up to "
            "%(limit)s."
        ) % {"count": self.max_files, "limit": filesizeformat(settings.DMN_UPLOAD_MAX_BYTES)}

    @help_text.setter
    def help_text(self, value):
        self._help_text = value

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                ngettext(
                    "Attach at most %(max)s file at a time; you chose %(count)s.",
                    "Attach at most %(max)s files at a time; you chose %(count)s.",
                    self.max_files,
                )
                % {"max": self.max_files, "count": len(files)},
                code="too_many",
            )
        errors, checked = [], []
        for uploaded in files:
            # Django has already cut the name to its last part, without control
            # characters, and to 255 characters; upload_check cleans it again.
            shown = Truncator(getattr(uploaded, "name", "") or "").chars(60) or _("(no name)")
            try:
                checked.append((uploaded, upload_check(uploaded)))
            except ValidationError as exc:
                errors.extend(
                    _("“%(name)s”: %(problem)s") % {"name": shown, "problem": message}
                    for message in exc.messages
                )
        if errors:
            raise ValidationError(errors, code="file")
        return checked


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
        self.fields["inspected_at"].initial = _local_now()
        self.fields["inspected_at"].help_text = _("Your local time.")
        self.add_readings(characteristics)

    def header_fields(self):
        return [self[name] for name in self.HEADER]


class FirstArticleForm(ReadingsMixin, forms.Form):
    serial = forms.CharField(label=_("Serial number of the first piece"), max_length=60)
    instrument = forms.CharField(label=_("Instruments"), max_length=100)
    inspected_at = forms.DateTimeField(label=_("Inspected"), widget=DATETIME)

    HEADER = ("serial", "instrument", "inspected_at")
    autofocus_first_reading = False  # the serial number comes first

    def __init__(self, *args, characteristics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["serial"].widget.attrs["autofocus"] = True
        self.fields["inspected_at"].initial = _local_now()
        self.fields["inspected_at"].help_text = _("Your local time.")
        self.add_readings(characteristics)

    def header_fields(self):
        return [self[name] for name in self.HEADER]

    def reading_groups(self):
        """The rows grouped by operation, in sequence."""
        groups: list[tuple[object, list]] = []
        for characteristic, bound in self.reading_rows():
            operation = characteristic.operation
            if not groups or groups[-1][0].pk != operation.pk:
                groups.append((operation, []))
            groups[-1][1].append((characteristic, bound))
        return groups


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


# --- NCRs ------------------------------------------------------------------------------


class OperationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.sequence} · {obj.name}"


class NcrRaiseForm(forms.Form):
    defect_code = forms.ChoiceField(
        label=_("Defect"), choices=[("", "—"), *NonConformance.DefectCode.choices]
    )
    quantity = forms.IntegerField(label=_("Quantity affected"), min_value=1)
    operation = OperationChoiceField(
        label=_("Operation"),
        queryset=None,
        required=False,
        empty_label=_("Not tied to one operation"),
    )
    lot = forms.CharField(label=_("Lot"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is wrong, how it was found, how many parts."),
    )
    containment = forms.CharField(
        label=_("Containment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done at once: parts quarantined, sorted, customer told."),
    )
    measurement = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    files = MultipleFileField(label=_("Photos and documents"), required=False)

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = work_order.operations.order_by("sequence")
        self.fields["measurement"].queryset = Measurement.objects.filter(
            record__work_order=work_order
        ).select_related("record__operation")


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Disposition"), choices=[("", "—"), *NonConformance.Disposition.choices]
    )
    note = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    justification = forms.CharField(
        label=_("Justification for use as is"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed for “use as is”: the hub's quality engineer approves or rejects it, and "
            "the NCR waits for that decision."
        ),
    )


class AttachmentForm(forms.Form):
    files = MultipleFileField(label=_("Add photos or documents"))


class CapaOpenForm(forms.Form):
    """An owner and a due date for each of the eight disciplines."""

    DEFAULT_DAYS = {1: 1, 2: 2, 3: 2, 4: 14, 5: 30, 6: 45, 7: 60, 8: 60}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        for step in CapaStep.Step:
            self.fields[f"owner_{step.value}"] = forms.CharField(
                label=_("Owner of %(step)s") % {"step": step.label}, max_length=254
            )
            self.fields[f"due_{step.value}"] = forms.DateField(
                label=_("Due date of %(step)s") % {"step": step.label},
                widget=DATE,
                initial=today + datetime.timedelta(days=self.DEFAULT_DAYS[step.value]),
            )

    def steps(self):
        return [
            (step, self[f"owner_{step.value}"], self[f"due_{step.value}"]) for step in CapaStep.Step
        ]

    def owners(self) -> dict[int, str]:
        return {s.value: self.cleaned_data.get(f"owner_{s.value}", "") for s in CapaStep.Step}

    def due_dates(self) -> dict[int, datetime.date]:
        return {s.value: self.cleaned_data.get(f"due_{s.value}") for s in CapaStep.Step}


class CapaStepForm(forms.Form):
    notes = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Evidence"), required=False)
