"""The renderings of a work order's documents, newest first, with their state
and a download link once done."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import DocumentRender


class RenderTable(tables.Table):
    kind = tables.Column(verbose_name=gettext_lazy("Document"))
    requested_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Requested"), format="SHORT_DATETIME_FORMAT"
    )
    requested_by_label = tables.Column(verbose_name=gettext_lazy("By"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    pages = tables.Column(verbose_name=gettext_lazy("Pages"), default="—")
    actions = tables.Column(
        verbose_name=gettext_lazy("File"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta:
        model = DocumentRender
        fields = ["kind", "requested_at", "requested_by_label", "status", "pages", "actions"]
        order_by = "-requested_at"
        empty_text = gettext_lazy("No document has been requested for this work order yet.")

    def render_kind(self, record):
        return format_html(
            '<a href="{}">{} #{}</a>',
            render_url("render", record),
            record.get_kind_display(),
            record.pk,
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-plan-{}">{}</span>{}',
            record.status,
            record.get_status_display(),
            f" {record.progress} %" if record.status == DocumentRender.Status.RUNNING else "",
        )

    def render_actions(self, record):
        if record.status == DocumentRender.Status.DONE:
            return format_html(
                '<a href="{}" download>{}<span class="sr-only"> {}</span></a>',
                render_url("render_download", record),
                _("Download PDF"),
                f"{record.get_kind_display()} #{record.pk}",
            )
        return "—"


def render_url(name: str, render_row: DocumentRender) -> str:
    return reverse(f"quality_documents:{name}", args=[render_row.work_order.number, render_row.pk])
