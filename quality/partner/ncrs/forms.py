"""Forms of the NCR pages. Uploads are checked by content with
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

from orders.partner.forms import DATE
from portal.uploads import upload_check

from ..models import CapaStep, Measurement, NonConformance

MAX_FILES = 10  # files per request on the NCR forms; Django refuses more than 20 outright


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
