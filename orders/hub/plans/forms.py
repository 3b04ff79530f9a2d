import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scenario import Scenario

DATE = forms.DateInput(attrs={"type": "date"})


class PlanStartForm(forms.Form):
    orders = forms.MultipleChoiceField(
        label=_("Orders to plan"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one order to plan.")},
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"),
        min_value=1,
        max_value=600,
        initial=20,
        help_text=_(
            "The solver stops at this limit with the best plan found; you can cancel sooner."
        ),
    )
    unlock = forms.CharField(
        label=_("Work orders that may move"),
        required=False,
        help_text=_(
            "Accepted work orders stay where they are unless you list them here "
            "(numbers separated by spaces or commas); moving work costs a penalty per unit."
        ),
    )

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(o.number, o.number) for o in orders]
        if not self.is_bound:
            self.initial["orders"] = [o.number for o in orders]

    def clean_unlock(self) -> list[str]:
        raw = self.cleaned_data["unlock"].replace(",", " ").split()
        return sorted(set(raw))


class WhatIfForm(forms.Form):
    plant = forms.ModelChoiceField(
        queryset=None, label=_("Plant down"), required=False, empty_label=_("None")
    )
    start = forms.DateField(label=_("Down from"), required=False, widget=DATE)
    end = forms.DateField(label=_("Down until"), required=False, widget=DATE)
    partner = forms.ChoiceField(label=_("Partner suspended"), required=False)

    def __init__(self, *args, plants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plant"].queryset = plants
        self.fields["plant"].label_from_instance = lambda p: f"{p.partner.name} · {p.name}"
        partners = sorted({(p.partner_id, p.partner.name) for p in plants}, key=lambda x: x[1])
        self.fields["partner"].choices = [("", _("None")), *partners]
        today = timezone.localdate()
        self.initial.setdefault("start", today)
        self.initial.setdefault("end", today + datetime.timedelta(days=14))

    def clean(self):
        data = super().clean()
        plant, start, end = data.get("plant"), data.get("start"), data.get("end")
        if not plant and not data.get("partner"):
            raise forms.ValidationError(_("Mark a plant down or a partner suspended."))
        if plant:
            if not start or not end:
                raise forms.ValidationError(_("Give the dates the plant is down."))
            if end < start:
                self.add_error("end", _("The end is before the start."))
        return data

    def scenario(self) -> Scenario:
        data = self.cleaned_data
        down = ((data["plant"].pk, data["start"], data["end"]),) if data.get("plant") else ()
        partner = data.get("partner")
        return Scenario(plants_down=down, partners_suspended=(int(partner),) if partner else ())
