"""The first article inspection form: the first piece's serial number, then one
reading per characteristic of the revision, grouped by operation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.partner.forms import DATETIME

from ..inspections.forms import ReadingsMixin, local_now


class FirstArticleForm(ReadingsMixin, forms.Form):
    serial = forms.CharField(label=_("Serial number of the first piece"), max_length=60)
    instrument = forms.CharField(label=_("Instruments"), max_length=100)
    inspected_at = forms.DateTimeField(label=_("Inspected"), widget=DATETIME)

    HEADER = ("serial", "instrument", "inspected_at")
    autofocus_first_reading = False  # the serial number comes first

    def __init__(self, *args, characteristics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["serial"].widget.attrs["autofocus"] = True
        self.fields["inspected_at"].initial = local_now()
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
