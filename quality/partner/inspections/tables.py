import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quality.spc import CPK_TARGET

from ..models import InspectionRecord


def result_badge(conforming: bool, out_of_tolerance: int = 0):
    if conforming:
        return format_html('<span class="badge badge-q-ok">{}</span>', _("Conforming"))
    text = (
        ngettext("%(count)s out of tolerance", "%(count)s out of tolerance", out_of_tolerance)
        % {"count": out_of_tolerance}
        if out_of_tolerance
        else _("Not conforming")
    )
    return format_html(
        '<span class="badge badge-q-bad"><span aria-hidden="true">⚠ </span>{}</span>', text
    )


class InspectionTable(tables.Table):
    record = tables.Column(verbose_name=_("Record"), accessor="pk", order_by=("id",))
    work_order = tables.Column(verbose_name=_("Work order"), accessor="work_order__number")
    operation = tables.Column(
        verbose_name=_("Operation"),
        accessor="operation__sequence",
        order_by=("operation__sequence",),
    )
    sample = tables.Column(
        verbose_name=_("Sample / piece"), accessor="sample", order_by=("sample", "piece")
    )
    serial = tables.Column(verbose_name=_("Serial"), default="—")
    inspector_label = tables.Column(verbose_name=_("Inspector"))
    inspected_at = tables.DateTimeColumn(
        verbose_name=_("Inspected"), format="SHORT_DATETIME_FORMAT"
    )
    out_of_tolerance = tables.Column(verbose_name=_("Result"), order_by=("-out_of_tolerance",))

    class Meta:
        model = InspectionRecord
        fields = [
            "record",
            "work_order",
            "operation",
            "sample",
            "serial",
            "inspector_label",
            "inspected_at",
            "out_of_tolerance",
        ]
        order_by = "-inspected_at"
        empty_text = _(
            "No inspections match. Record one from a work order, or import a CSV export."
        )

    def render_record(self, record):
        return format_html(
            '<a href="{}">#{}</a>', reverse("quality:inspection", args=[record.pk]), record.pk
        )

    def render_work_order(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("work_orders:detail", args=[record.work_order.number]),
            record.work_order.number,
        )

    def render_operation(self, record):
        return f"{record.operation.sequence} · {record.operation.name}"

    def render_sample(self, record):
        label = f"{record.sample} / {record.piece}"
        if record.source == InspectionRecord.Source.FIRST_ARTICLE:
            return format_html('{} <span class="badge">{}</span>', label, _("FAI"))
        return label

    def render_out_of_tolerance(self, record):
        return result_badge(record.conforming, record.out_of_tolerance)


def _cpk_text(cpk):
    if cpk is None:
        return "—"
    text = number_format(cpk, 2)
    if cpk < CPK_TARGET:
        return format_html(
            '<span class="badge badge-q-bad"><span aria-hidden="true">⚠ </span>{} {}</span>',
            text,
            _("below 1.33"),
        )
    return text


class MeasuredCharacteristicTable(tables.Table):
    """Over `selectors.measured_characteristics()` (dicts); `capabilities` maps the
    ids of the rows on the page to their SPC result."""

    name = tables.Column(verbose_name=_("Characteristic"))
    unit = tables.Column(verbose_name=_("Unit"), default="")
    values = tables.Column(verbose_name=_("Values"))
    out_of_tolerance = tables.Column(verbose_name=_("Out of tolerance"))
    last_inspected = tables.DateTimeColumn(
        verbose_name=_("Last measured"), format="SHORT_DATETIME_FORMAT"
    )
    cpk = tables.Column(verbose_name=_("Cpk"), empty_values=(), orderable=False)

    class Meta:
        order_by = "-last_inspected"
        empty_text = _("Nothing measured yet: values appear here once inspections are recorded.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.capabilities = {}

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("quality:spc", args=[record["characteristic_id"]]),
            record["name"],
        )

    def render_cpk(self, record):
        result = self.capabilities.get(record["characteristic_id"])
        cpk = result.capability.cpk if result is not None and result.capability else None
        return _cpk_text(cpk)
