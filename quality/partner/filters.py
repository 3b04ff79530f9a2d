import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InspectionRecord, NonConformance

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


class NcrFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("not_closed", _("Not closed")), *NonConformance.Status.choices],
        method="filter_status",
        label=_("Status"),
        empty_label=_("Any"),
    )
    defect_code = django_filters.ChoiceFilter(
        choices=NonConformance.DefectCode.choices, label=_("Defect"), empty_label=_("Any")
    )
    work_order = django_filters.CharFilter(
        field_name="work_order__number", lookup_expr="icontains", label=_("Work order")
    )

    class Meta:
        model = NonConformance
        fields = ["status", "defect_code", "work_order"]

    def filter_status(self, queryset, name, value):
        if value == "not_closed":
            return queryset.exclude(status=NonConformance.Status.CLOSED)
        return queryset.filter(status=value)
