import django_tables2 as tables
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models.plans import PlanRun


class PlanRunTable(tables.Table):
    id = tables.LinkColumn("planning:detail", args=[tables.A("pk")], verbose_name=_("Plan"))
    kind = tables.Column(verbose_name=_("Kind"))
    status = tables.Column(verbose_name=_("Status"))
    created_at = tables.DateTimeColumn(verbose_name=_("Started"), format="SHORT_DATETIME_FORMAT")
    created_by = tables.Column(verbose_name=_("By"), accessor="created_by__username")
    objective = tables.Column(verbose_name=_("Cost"), empty_values=(), orderable=False)
    gap = tables.Column(verbose_name=_("Gap"), empty_values=(), orderable=False)
    approved_at = tables.DateTimeColumn(
        verbose_name=_("Approved"), format="SHORT_DATETIME_FORMAT", default="—"
    )

    class Meta:
        model = PlanRun
        fields = ["id", "kind", "status", "created_at", "created_by", "objective", "gap"]
        sequence = [*fields, "approved_at"]
        order_by = "-created_at"
        empty_text = _("No plans yet. Start one to allocate the orders left to dispatch.")

    def render_kind(self, record):
        if record.base_id:
            return format_html(
                "{} ({} {})", record.get_kind_display(), _("vs plan"), record.base_id
            )
        return record.get_kind_display()

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-plan-{}">{}</span>',
            record.status,
            record.get_status_display(),
        )

    def render_objective(self, record):
        value = (record.progress or {}).get("objective")
        return "—" if value is None else formats.number_format(value, 0, force_grouping=True)

    def render_gap(self, record):
        gap = (record.progress or {}).get("gap")
        return "—" if gap is None else f"{formats.number_format(gap * 100, 2)} %"
