import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.filters import plant_countries
from tenants.models import Partner


class PlantInputFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.partners().order_by("name"),
        label=_("Partner"),
        empty_label=_("Any"),
    )
    country = django_filters.ChoiceFilter(
        choices=lambda: plant_countries(), label=_("Country"), empty_label=_("Any")
    )
    declared = django_filters.ChoiceFilter(
        method="filter_declared",
        label=_("Capacity declared"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        empty_label=_("Any"),
    )

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(city__icontains=value)
        )

    def filter_declared(self, queryset, name, value):
        return queryset.filter(capacity__isnull=value == "no")
