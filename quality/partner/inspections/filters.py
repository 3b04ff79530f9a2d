import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import InspectionRecord

DATE = forms.DateInput(attrs={"type": "date"})


class InspectionFilter(django_filters.FilterSet):
    work_order = django_filters.CharFilter(
        field_name="work_order__number", lookup_expr="icontains", label=_("Work order")
    )
    operation = django_filters.NumberFilter(
        field_name="operation__sequence",
        label=_("Operation (seq.)"),
        widget=forms.NumberInput(attrs={"min": 1, "size": 5}),
    )
    conforming = django_filters.ChoiceFilter(
        choices=[("yes", _("Conforming")), ("no", _("Out of tolerance"))],
        method="filter_conforming",
        label=_("Result"),
        empty_label=_("Any"),
    )
    inspected_from = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__gte", label=_("From"), widget=DATE
    )
    inspected_to = django_filters.DateFilter(
        field_name="inspected_at", lookup_expr="date__lte", label=_("Until"), widget=DATE
    )

    class Meta:
        model = InspectionRecord
        fields = ["work_order", "operation", "conforming", "inspected_from", "inspected_to"]

    def filter_conforming(self, queryset, name, value):
        return queryset.filter(conforming=value == "yes")
