from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import WorkOrder

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AcceptForm(forms.Form):
    promised_date = forms.DateField(
        label=_("Promised date"),
        required=False,
        widget=DATE,
        help_text=_(
            "Leave empty to deliver by the due date. Another date is a counter-proposal "
            "that the hub approves or declines."
        ),
    )

    def __init__(self, *args, due_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        if due_date is not None:
            self.fields["promised_date"].help_text = _(
                "Leave empty to deliver by the due date, %(due)s. Any other date is a "
                "counter-proposal: the hub approves or declines it before the work order "
                "counts as accepted."
            ) % {"due": date_format(due_date, "SHORT_DATE_FORMAT")}


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=WorkOrder.RejectReason.choices)
    text = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “other”."),
    )


class ProgressForm(forms.Form):
    good_quantity = forms.IntegerField(label=_("Good quantity"), min_value=0)
    scrap_quantity = forms.IntegerField(label=_("Scrap quantity"), min_value=0, initial=0)
    started_at = forms.DateTimeField(label=_("Started"), widget=DATETIME)
    finished_at = forms.DateTimeField(label=_("Finished"), widget=DATETIME)
    notes = forms.CharField(
        label=_("Operator notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    share_notes = forms.BooleanField(
        label=_("Share these notes with the hub"),
        required=False,
        help_text=_("Notes stay private to your company unless you tick this."),
    )

    def __init__(self, *args, notes_released: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not notes_released:
            self.fields["share_notes"].help_text = _(
                "Notes stay private to your company unless you tick this. Your data-sharing "
                "agreement does not release operator notes at the moment, so even ticked "
                "notes stay here until your admin changes it."
            )
        now = timezone.localtime()
        self.fields["finished_at"].initial = now.strftime("%Y-%m-%dT%H:%M")
        self.fields["started_at"].initial = (now - timezone.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        )


class ShipmentForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    lots = forms.CharField(label=_("Lots shipped"), required=False, max_length=500)
    carrier = forms.CharField(label=_("Carrier"), max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)


class InternalForm(forms.ModelForm):
    class Meta:
        model = WorkOrder
        fields = ["internal_notes", "internal_cost"]
        widgets = {"internal_notes": forms.Textarea(attrs={"rows": 3})}
