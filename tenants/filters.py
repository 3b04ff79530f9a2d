import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Certification, Partner, Plant


def plant_countries() -> list[tuple[str, str]]:
    """Only the countries the network has plants in: a short list to pick from."""
    codes = Plant.objects.order_by().values_list("country", flat=True).distinct()
    return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.ChoiceFilter(
        field_name="plants__country",
        choices=lambda: plant_countries(),
        label=_("Plant country"),
        distinct=True,
        empty_label=_("Any"),
    )
    status = django_filters.ChoiceFilter(
        choices=Partner.Status.choices, label=_("Status"), empty_label=_("Any")
    )
    certification = django_filters.ChoiceFilter(
        field_name="certifications__standard",
        choices=Certification.Standard.choices,
        label=_("Certification"),
        distinct=True,
        empty_label=_("Any"),
    )

    class Meta:
        model = Partner
        fields = ["q", "country", "status", "certification"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(slug__icontains=value) | Q(plants__name__icontains=value)
        ).distinct()
