import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import WorkOrder
from .selectors import percent_complete


class WorkOrderTable(tables.Table):
    number = tables.LinkColumn(
        "work_orders:detail", args=[tables.A("number")], verbose_name=_("Work order")
    )
    product = tables.Column(
        verbose_name=_("Product"), accessor="product_code", order_by=("product_code", "revision")
    )
    quantity = tables.Column(verbose_name=_("Quantity"))
    due_date = tables.DateColumn(verbose_name=_("Due"), format="SHORT_DATE_FORMAT")
    promised_date = tables.DateColumn(
        verbose_name=_("Promised"), format="SHORT_DATE_FORMAT", default="—"
    )
    status = tables.Column(verbose_name=_("Status"), order_by=("awaiting", "status"))
    complete = tables.Column(verbose_name=_("% complete"), empty_values=(), orderable=False)
    shipped_quantity = tables.Column(verbose_name=_("Shipped"))

    class Meta:
        model = WorkOrder
        fields = [
            "number",
            "product",
            "quantity",
            "due_date",
            "promised_date",
            "status",
            "complete",
            "shipped_quantity",
        ]
        empty_text = _(
            "No work orders match. New work orders appear here when the hub dispatches them to you."
        )

    def render_product(self, record):
        return f"{record.product_code} rev {record.revision} · {record.product_name}"

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-wo-{}">{}</span>', record.status, record.get_status_display()
        )

    def render_complete(self, record):
        return f"{percent_complete(record)} %"
