import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..models.orders import NetworkOrder
from .selectors import live_dispatches


class OrderBoardTable(tables.Table):
    number = tables.LinkColumn("orders:detail", args=[tables.A("number")], verbose_name=_("Order"))
    customer_reference = tables.Column(
        verbose_name=_("Customer ref."), order_by=("customer_reference", "number")
    )
    product = tables.Column(
        verbose_name=_("Product"),
        accessor="revision__product__code",
        order_by=("revision__product__code", "revision__revision", "number"),
    )
    # Every sort ends on the order number, so that pages do not shuffle rows.
    quantity = tables.Column(verbose_name=_("Qty"), order_by=("quantity", "number"))
    due_date = tables.DateColumn(
        verbose_name=_("Due"), format="SHORT_DATE_FORMAT", order_by=("due_date", "number")
    )
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "number"))
    where = tables.Column(verbose_name=_("Partner / plant"), empty_values=(), orderable=False)
    complete = tables.Column(
        verbose_name=_("% complete"),
        accessor="percent_complete",
        order_by=("percent_complete", "number"),
    )
    shipped = tables.Column(
        verbose_name=_("Shipped"),
        accessor="shipped_quantity",
        order_by=("shipped_quantity", "number"),
    )

    class Meta:
        model = NetworkOrder
        fields = [
            "number",
            "customer_reference",
            "product",
            "quantity",
            "due_date",
            "status",
            "where",
            "complete",
            "shipped",
        ]
        order_by = "due_date"
        empty_text = _("No orders match these filters.")

    def render_product(self, record):
        return f"{record.revision.product.code} rev {record.revision.revision}"

    def render_status(self, record):
        badge = format_html(
            '<span class="badge badge-wo-{}">{}</span>', record.status, record.get_status_display()
        )
        if record.late:
            badge = format_html('{} <span class="badge badge-late">{}</span>', badge, _("late"))
        return badge

    def render_where(self, record):
        return (
            format_html_join(
                ", ",
                "{} <small>({})</small>",
                ((d.partner.slug, d.plant.code) for d in live_dispatches(record)),
            )
            or "—"
        )

    def render_complete(self, value):
        return f"{value} %"
