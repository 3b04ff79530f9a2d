import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import NonConformance


class NcrTable(tables.Table):
    number = tables.Column(verbose_name=_("NCR"))
    work_order = tables.Column(verbose_name=_("Work order"), accessor="work_order__number")
    defect_code = tables.Column(verbose_name=_("Defect"))
    quantity = tables.Column(verbose_name=_("Quantity"))
    status = tables.Column(verbose_name=_("Status"))
    disposition = tables.Column(verbose_name=_("Disposition"), default="—")
    raised_at = tables.DateTimeColumn(verbose_name=_("Raised"), format="SHORT_DATETIME_FORMAT")
    raised_by_label = tables.Column(verbose_name=_("Raised by"))
    attachment_count = tables.Column(verbose_name=_("Files"))

    class Meta:
        model = NonConformance
        fields = [
            "number",
            "work_order",
            "defect_code",
            "quantity",
            "status",
            "disposition",
            "raised_at",
            "raised_by_label",
            "attachment_count",
        ]
        order_by = "-raised_at"
        empty_text = _("No NCRs match.")

    def render_number(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("quality:ncr", args=[record.number]), record.number
        )

    def render_work_order(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("work_orders:detail", args=[record.work_order.number]),
            record.work_order.number,
        )

    def render_defect_code(self, record):
        return record.get_defect_code_display()

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-ncr-{}">{}</span>', record.status, record.get_status_display()
        )

    def render_disposition(self, record):
        return record.get_disposition_display()
