import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models.products import Product, ProductRevision


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    released = django_filters.ChoiceFilter(
        method="filter_released",
        label=_("Released revision"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        empty_label=_("Any"),
    )

    class Meta:
        model = Product
        fields = ["q", "released"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def filter_released(self, queryset, name, value):
        has = Q(revisions__status=ProductRevision.Status.RELEASED)
        ids = Product.objects.filter(has).values("pk")
        return queryset.filter(pk__in=ids) if value == "yes" else queryset.exclude(pk__in=ids)
