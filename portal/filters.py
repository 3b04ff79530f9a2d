import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner

from .models import AuditEntry
from .vocabulary import audit_action_choices


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("Who")
    )
    action = django_filters.ChoiceFilter(
        choices=audit_action_choices, label=_("What"), empty_label=_("Any")
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.partners(), label=_("Partner"), empty_label=_("Any")
    )
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "partner", "since", "until"]
