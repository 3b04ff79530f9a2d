import django_filters
from django.utils.translation import gettext_lazy as _

from ..models import NonConformance


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
