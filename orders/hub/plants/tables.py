import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders.declarations import weekly_hours
from tenants.models import Plant


class PlantInputTable(tables.Table):
    name = tables.LinkColumn("plant_inputs:detail", args=[tables.A("pk")], verbose_name=_("Plant"))
    partner = tables.Column(verbose_name=_("Partner"), accessor="partner__name")
    # The name from the Country object: see tenants.tables.PartnerTable.country.
    country = tables.Column(verbose_name=_("Country"), accessor="country__name", order_by="country")
    capacity = tables.Column(
        verbose_name=_("Capacity (h/week)"),
        accessor="capacity__work_centres",
        orderable=False,
        empty_values=(),
    )
    capabilities = tables.Column(
        verbose_name=_("Capabilities"),
        accessor="capacity__capabilities",
        orderable=False,
        empty_values=(),
    )
    declared = tables.Column(
        verbose_name=_("Declared"), accessor="capacity__declared_at", empty_values=()
    )
    cost = tables.Column(verbose_name=_("Cost model"), accessor="cost__updated_at", empty_values=())

    class Meta:
        model = Plant
        fields = ["name", "partner", "country", "capacity", "capabilities", "declared", "cost"]
        order_by = ("partner", "name")
        empty_text = _("No plants match these filters.")

    def render_name(self, record, value):
        return format_html("{} <small>({})</small>", value, record.code)

    def render_partner(self, record, value):
        if record.partner.status == record.partner.Status.ACTIVE:
            return value
        return format_html(
            '{} <span class="badge badge-{}">{}</span>',
            value,
            record.partner.status,
            record.partner.get_status_display(),
        )

    def render_capacity(self, record):
        capacity = getattr(record, "capacity", None)
        hours = weekly_hours(capacity.work_centres) if capacity else []
        if not hours:
            return "—"
        return format_html(
            '<ul class="inline-list">{}</ul>',
            format_html_join("", "<li>{} {}</li>", ((t, f"{h:.0f}") for t, h in hours)),
        )

    def render_capabilities(self, record):
        capacity = getattr(record, "capacity", None)
        return ", ".join(capacity.capabilities) if capacity and capacity.capabilities else "—"

    def render_declared(self, record):
        capacity = getattr(record, "capacity", None)
        if capacity is None:
            return format_html('<span class="badge badge-expired">{}</span>', _("not declared"))
        return format_html(
            '<time datetime="{}">{}</time>',
            capacity.declared_at.isoformat(),
            date_format(localtime(capacity.declared_at), "SHORT_DATETIME_FORMAT"),
        )

    def render_cost(self, record):
        if getattr(record, "cost", None) is None:
            return format_html('<span class="badge badge-expiring">{}</span>', _("not set"))
        return format_html(
            '<span class="badge badge-valid">{}</span> <small>{}</small>',
            _("set"),
            ", ".join(
                (
                    ngettext("%(n)s rate", "%(n)s rates", record.rate_count)
                    % {"n": record.rate_count},
                    ngettext("%(n)s lane", "%(n)s lanes", record.lane_count)
                    % {"n": record.lane_count},
                )
            ),
        )
