import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Partner, Plant

from ..models.orders import NetworkOrder
from ..models.products import Product
from .selectors import late_q, orders_with_live_dispatch

DATE = forms.DateInput(attrs={"type": "date"})


class OrderBoardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    partner = django_filters.ModelChoiceFilter(
        method="by_dispatch",
        queryset=Partner.objects.partners(),
        label=_("Partner"),
        empty_label=_("Any"),
    )
    plant = django_filters.ModelChoiceFilter(
        method="by_dispatch",
        queryset=Plant.objects.select_related("partner").order_by("partner__name", "name"),
        label=_("Plant"),
        empty_label=_("Any"),
    )
    product = django_filters.ModelChoiceFilter(
        field_name="revision__product",
        queryset=Product.objects.all(),
        label=_("Product"),
        empty_label=_("Any"),
    )
    status = django_filters.ChoiceFilter(
        choices=NetworkOrder.Status.choices, label=_("Status"), empty_label=_("Any")
    )
    due_from = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("Due from"), widget=DATE
    )
    due_to = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Due until"), widget=DATE
    )
    late = django_filters.BooleanFilter(
        field_name="late", label=_("Late only"), widget=forms.CheckboxInput, method="late_only"
    )

    class Meta:
        model = NetworkOrder
        fields = ["q", "partner", "plant", "product", "status", "due_from", "due_to", "late"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["plant"].label_from_instance = lambda p: f"{p.partner.name} · {p.name}"

    def by_dispatch(self, queryset, name, value):
        # A subquery, not a join: a join would repeat orders with several dispatches.
        return orders_with_live_dispatch(queryset, **{name: value}) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(customer_reference__icontains=value))

    def late_only(self, queryset, name, value):
        return queryset.filter(late_q()) if value else queryset
