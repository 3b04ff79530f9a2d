"""Filters of the hub's network quality pages (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.hub.models import Product
from tenants.models import Partner

from .models import IssuedDocument, UseAsIsRequest
from .selectors import rows_below_target, rows_with_open_ncrs


def _partners(request=None):
    return Partner.objects.partners().order_by("name")


class NetworkQualityFilter(django_filters.FilterSet):
    """Filters the rows of selectors.network_quality_rows (dicts per partner and product)."""

    partner = django_filters.ModelChoiceFilter(
        field_name="partner", queryset=_partners, label=_("Partner"), empty_label=_("Any")
    )
    product = django_filters.ModelChoiceFilter(
        field_name="order__revision__product",
        queryset=Product.objects.order_by("code"),
        label=_("Product"),
        empty_label=_("Any"),
    )
    below_target = django_filters.BooleanFilter(
        method="only_below_target",
        label=_("Only with Cpk below 1.33"),
        widget=forms.CheckboxInput,
    )
    open_ncrs = django_filters.BooleanFilter(
        method="only_open_ncrs", label=_("Only with open NCRs"), widget=forms.CheckboxInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["product"].label_from_instance = lambda p: f"{p.code} · {p.name}"

    def only_below_target(self, queryset, name, value):
        return rows_below_target(queryset) if value else queryset

    def only_open_ncrs(self, queryset, name, value):
        return rows_with_open_ncrs(queryset) if value else queryset


class UseAsIsFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=UseAsIsRequest.Status.choices, label=_("Status"), empty_label=_("Any")
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=_partners, label=_("Partner"), empty_label=_("Any")
    )
    q = django_filters.CharFilter(method="search", label=_("NCR, work order or order"))

    class Meta:
        model = UseAsIsRequest
        fields = ["status", "partner", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(ncr_number__icontains=value)
            | Q(work_order_number__icontains=value)
            | Q(order_number__icontains=value)
        )


class IssuedDocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Number, work order or order"))
    partner = django_filters.ModelChoiceFilter(
        queryset=_partners, label=_("Partner"), empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        choices=IssuedDocument.Kind.choices, label=_("Kind"), empty_label=_("Any")
    )

    class Meta:
        model = IssuedDocument
        fields = ["q", "partner", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(work_order_number__icontains=value)
            | Q(order_number__icontains=value)
        )
