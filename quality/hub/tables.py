"""Tables of the hub's network quality pages (django-tables2)."""

import django_tables2 as tables
from django.db.models import F, IntegerField
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quality.partner.models import NonConformance

from .models import CharacteristicCapability, IssuedDocument, UseAsIsRequest, WorkOrderQuality
from .selectors import CPK_TARGET, figure

TEMPLATE = "quality/hub/_table.html"
TH = {"th": {"scope": "col"}}
DASH = "—"


def number(value, decimals: int) -> str:
    """Rounded, then localised (number_format alone would cut the digits off)."""
    if value is None:
        return DASH
    return formats.number_format(round(value, decimals), decimals, use_l10n=True)


def percent(value) -> str:
    if value is None:
        return DASH
    return f"{number(value * 100, 1)} %"


def ppm(value) -> str:
    if value is None:
        return DASH
    return formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)


def cpk_text(value, *, below: bool | None = None):
    """Cpk with a text flag and an icon when it is below 1.33: never colour alone."""
    if value is None:
        return DASH
    shown = number(value, 2)
    if below is None:
        below = value < CPK_TARGET
    if not below:
        return shown
    return format_html(
        '<span class="q-flag"><span aria-hidden="true">⚠</span> {} <strong>{}</strong></span>',
        shown,
        _("below %(target)s") % {"target": number(CPK_TARGET, 2)},
    )


def _by_figure(queryset, key: str, is_descending: bool, output_field=None):
    expression = figure(key, output_field)
    expression = (
        expression.desc(nulls_last=True) if is_descending else expression.asc(nulls_last=True)
    )
    return queryset.order_by(expression, "partner_name", "product_code"), True


def _age_header(label, spoken):
    """A short header for the eye, the whole phrase for screen readers."""
    return format_html(
        '<span aria-hidden="true">{}</span><span class="sr-only">{}</span>', label, spoken
    )


def _count(value) -> str:
    return formats.number_format(value or 0, 0, use_l10n=True, force_grouping=True)


AGE_HEADERS = {
    "age_0_7": _("0–7 d"),
    "age_8_30": _("8–30 d"),
    "age_31_90": _("31–90 d"),
    "age_over_90": _("> 90 d"),
}


class NetworkQualityTable(tables.Table):
    """Rows of selectors.network_quality_rows: dicts with one JSON object per source."""

    partner = tables.Column(
        verbose_name=_("Partner"),
        accessor="partner_name",
        order_by=("partner_name", "product_code"),
    )
    product = tables.Column(
        verbose_name=_("Product"),
        accessor="product_code",
        order_by=("product_code", "partner_name"),
    )
    pieces_inspected = tables.Column(
        verbose_name=_("Pieces inspected"), accessor="inspections", empty_values=()
    )
    first_pass_yield = tables.Column(
        verbose_name=_("First-pass yield"), accessor="inspections", empty_values=()
    )
    ppm_defective = tables.Column(
        verbose_name=_("Defective (ppm)"), accessor="inspections", empty_values=()
    )
    scrap_rate = tables.Column(verbose_name=_("Scrap rate"), accessor="ledger", empty_values=())
    open_ncrs = tables.Column(verbose_name=_("Open NCRs"), accessor="ncrs", empty_values=())
    age_0_7 = tables.Column(
        verbose_name=_("Open NCRs aged 0 to 7 days"), accessor="ncrs", empty_values=()
    )
    age_8_30 = tables.Column(
        verbose_name=_("Open NCRs aged 8 to 30 days"), accessor="ncrs", empty_values=()
    )
    age_31_90 = tables.Column(
        verbose_name=_("Open NCRs aged 31 to 90 days"), accessor="ncrs", empty_values=()
    )
    age_over_90 = tables.Column(
        verbose_name=_("Open NCRs aged over 90 days"), accessor="ncrs", empty_values=()
    )
    lowest_cpk = tables.Column(verbose_name=_("Lowest Cpk"), accessor="capability", empty_values=())

    class Meta:
        template_name = TEMPLATE
        attrs = {"class": "table q-overview", **TH}
        order_by = ("partner", "product")
        empty_text = _("No partner and product match these filters.")

    def __init__(self, *args, caption="", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption
        for name, short in AGE_HEADERS.items():  # this instance's copies of the columns
            column = self.columns[name].column
            column.verbose_name = _age_header(short, column.verbose_name)

    def render_partner(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("network_quality:partner", args=[record["partner_slug"]]),
            record["partner_name"],
        )

    def render_product(self, record):
        return format_html(
            '<a href="{}">{}</a> <small>{}</small>',
            reverse(
                "network_quality:partner_product",
                args=[record["partner_slug"], record["product_code"]],
            ),
            record["product_code"],
            record["product_name"],
        )

    def render_pieces_inspected(self, value):
        return _count(value["pieces_inspected"]) if value else DASH

    def render_first_pass_yield(self, value):
        if not value or value["fpy"] is None:
            return DASH
        return format_html(
            '{} <small class="q-of">({})</small>',
            percent(value["fpy"]),
            _("%(passed)s of %(first)s")
            % {
                "passed": _count(value["first_pass_conforming"]),
                "first": _count(value["first_pass_inspected"]),
            },
        )

    def render_ppm_defective(self, value):
        return ppm(value["ppm"]) if value else DASH

    def render_scrap_rate(self, value):
        if not value or value["scrap_rate"] is None:
            return DASH
        return format_html(
            '{} <small class="q-of">({})</small>',
            percent(value["scrap_rate"]),
            _("%(scrap)s of %(units)s units")
            % {"scrap": _count(value["scrap"]), "units": _count(value["good"] + value["scrap"])},
        )

    def render_open_ncrs(self, value):
        return _count(value["open"] if value else 0)

    def render_age_0_7(self, value):
        return _count(value["age_0_7"] if value else 0)

    def render_age_8_30(self, value):
        return _count(value["age_8_30"] if value else 0)

    def render_age_31_90(self, value):
        return _count(value["age_31_90"] if value else 0)

    def render_age_over_90(self, value):
        return _count(value["age_over_90"] if value else 0)

    def render_lowest_cpk(self, value):
        if not value or value["lowest"] is None:
            return DASH
        text = cpk_text(value["lowest"])
        if value["below"]:
            return format_html(
                "{}<br><small>{}</small>",
                text,
                ngettext(
                    "%(count)s of %(total)s characteristic",
                    "%(count)s of %(total)s characteristics",
                    value["characteristics"],
                )
                % {"count": value["below"], "total": value["characteristics"]},
            )
        return text

    def order_pieces_inspected(self, queryset, is_descending):
        return _by_figure(queryset, "inspections__pieces_inspected", is_descending, IntegerField())

    def order_first_pass_yield(self, queryset, is_descending):
        return _by_figure(queryset, "inspections__fpy", is_descending)

    def order_ppm_defective(self, queryset, is_descending):
        return _by_figure(queryset, "inspections__ppm", is_descending)

    def order_scrap_rate(self, queryset, is_descending):
        return _by_figure(queryset, "ledger__scrap_rate", is_descending)

    def order_open_ncrs(self, queryset, is_descending):
        return _by_figure(queryset, "ncrs__open", is_descending, IntegerField())

    def order_age_0_7(self, queryset, is_descending):
        return _by_figure(queryset, "ncrs__age_0_7", is_descending, IntegerField())

    def order_age_8_30(self, queryset, is_descending):
        return _by_figure(queryset, "ncrs__age_8_30", is_descending, IntegerField())

    def order_age_31_90(self, queryset, is_descending):
        return _by_figure(queryset, "ncrs__age_31_90", is_descending, IntegerField())

    def order_age_over_90(self, queryset, is_descending):
        return _by_figure(queryset, "ncrs__age_over_90", is_descending, IntegerField())

    def order_lowest_cpk(self, queryset, is_descending):
        return _by_figure(queryset, "capability__lowest", is_descending)


class CapabilityTable(tables.Table):
    name = tables.Column(verbose_name=_("Characteristic"), order_by=("name", "product_code"))
    product = tables.Column(
        verbose_name=_("Product"),
        accessor="product_code",
        order_by=("product_code", "revision", "name"),
    )
    sample_size = tables.Column(verbose_name=_("Values"))
    cp = tables.Column(verbose_name=_("Cp"))
    cpk = tables.Column(verbose_name=_("Cpk"))
    flag = tables.Column(
        verbose_name=_("Capability"), accessor="below", order_by=("-below", "cpk", "name")
    )
    updated_at = tables.DateTimeColumn(verbose_name=_("Published"))

    class Meta:
        model = CharacteristicCapability
        template_name = TEMPLATE
        attrs = {"class": "table", **TH}
        fields = ["name", "product", "sample_size", "cp", "cpk", "flag", "updated_at"]
        empty_text = _("No capability published yet.")

    def __init__(self, *args, caption="", raw_link=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption
        self.raw_link = raw_link  # callable(characteristic_id) -> URL, when raw data is readable

    def render_name(self, record):
        if self.raw_link is None:
            return record.name
        return format_html(
            '{} <a href="{}">{}</a>',
            record.name,
            self.raw_link(record.characteristic_id),
            _("values and chart"),
        )

    def render_product(self, record):
        return f"{record.product_code} rev {record.revision}"

    def render_cp(self, value):
        return number(value, 2)

    def render_cpk(self, value):
        return number(value, 2)

    def render_flag(self, record):
        if record.cpk is None:
            return _("not defined")
        if record.below:
            return cpk_text(record.cpk, below=True)
        return format_html('<span aria-hidden="true">✓</span> {}', _("capable"))

    def order_cpk(self, queryset, is_descending):
        expression = (
            F("cpk").desc(nulls_last=True) if is_descending else F("cpk").asc(nulls_last=True)
        )
        return queryset.order_by(expression, "name"), True

    def order_cp(self, queryset, is_descending):
        expression = (
            F("cp").desc(nulls_last=True) if is_descending else F("cp").asc(nulls_last=True)
        )
        return queryset.order_by(expression, "name"), True


DEFECTS = dict(NonConformance.DefectCode.choices)
NCR_STATUSES = dict(NonConformance.Status.choices)
DISPOSITIONS = dict(NonConformance.Disposition.choices)


class NcrSummaryTable(tables.Table):
    number = tables.Column(verbose_name=_("NCR"), order_by=("number",))
    work_order_number = tables.Column(verbose_name=_("Work order"))
    product = tables.Column(
        verbose_name=_("Product"), accessor="product_code", order_by=("product_code", "number")
    )
    defect_code = tables.Column(verbose_name=_("Defect"), order_by=("defect_code", "number"))
    quantity = tables.Column(verbose_name=_("Quantity"), order_by=("quantity", "number"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "number"))
    disposition = tables.Column(
        verbose_name=_("Disposition"), order_by=("disposition", "number"), empty_values=()
    )
    opened_at = tables.DateTimeColumn(verbose_name=_("Opened"), order_by=("opened_at", "number"))
    age = tables.Column(verbose_name=_("Age"), empty_values=(), order_by=("-opened_at", "number"))

    class Meta:
        template_name = TEMPLATE
        attrs = {"class": "table", **TH}
        order_by = "-opened_at"
        empty_text = _("No NCR published.")

    def __init__(self, *args, caption="", now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption
        self.now = now

    def render_work_order_number(self, record):
        return format_html("{}<br><small>{}</small>", record.work_order_number, record.order_number)

    def render_product(self, record):
        return f"{record.product_code} rev {record.revision}"

    def render_defect_code(self, value):
        return DEFECTS.get(value, value)

    def render_status(self, record):
        label = NCR_STATUSES.get(record.status, record.status)
        if record.status == "closed" and record.closed_at:
            return format_html(
                '{}<br><small><time datetime="{}">{}</time></small>',
                label,
                record.closed_at.isoformat(),
                formats.date_format(timezone.localtime(record.closed_at), "SHORT_DATE_FORMAT"),
            )
        return label

    def render_disposition(self, value):
        return DISPOSITIONS.get(value, value) if value else DASH

    def render_age(self, record):
        end = record.closed_at or self.now
        days = max((end - record.opened_at).days, 0)
        text = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        if record.closed_at:
            return format_html(
                '<span class="q-muted">{}</span> <small>({})</small>', text, _("closed")
            )
        return text


class WorkOrderQualityTable(tables.Table):
    work_order_number = tables.Column(verbose_name=_("Work order"))
    order_number = tables.Column(verbose_name=_("Network order"))
    product = tables.Column(
        verbose_name=_("Product"),
        accessor="product_code",
        order_by=("product_code", "work_order_number"),
    )
    pieces_inspected = tables.Column(verbose_name=_("Pieces inspected"))
    pieces_conforming = tables.Column(verbose_name=_("Conforming"))
    first_pass_yield = tables.Column(verbose_name=_("First-pass yield"))
    ppm_defective = tables.Column(verbose_name=_("Defective (ppm)"))
    updated_at = tables.DateTimeColumn(verbose_name=_("Published"))

    class Meta:
        model = WorkOrderQuality
        template_name = TEMPLATE
        attrs = {"class": "table", **TH}
        fields = [
            "work_order_number",
            "order_number",
            "product",
            "pieces_inspected",
            "pieces_conforming",
            "first_pass_yield",
            "ppm_defective",
            "updated_at",
        ]
        empty_text = _("No inspections published.")

    def __init__(self, *args, caption="", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption

    def render_product(self, record):
        return f"{record.product_code} rev {record.revision}"

    def render_first_pass_yield(self, record):
        return format_html(
            '{} <small class="q-of">({})</small>',
            percent(record.first_pass_yield),
            _("%(passed)s of %(first)s")
            % {"passed": record.first_pass_conforming, "first": record.first_pass_inspected},
        )

    def render_ppm_defective(self, value):
        return ppm(value)

    def order_first_pass_yield(self, queryset, is_descending):
        expression = F("first_pass_yield")
        expression = expression.desc(nulls_last=True) if is_descending else expression.asc()
        return queryset.order_by(expression, "work_order_number"), True

    def order_ppm_defective(self, queryset, is_descending):
        expression = F("ppm_defective")
        expression = expression.desc(nulls_last=True) if is_descending else expression.asc()
        return queryset.order_by(expression, "work_order_number"), True


class RawValueTable(tables.Table):
    """Raw measurements read through the door (a list of dicts, already materialised)."""

    inspected_at = tables.DateTimeColumn(verbose_name=_("Inspected"))
    work_order = tables.Column(verbose_name=_("Work order"))
    sample = tables.Column(verbose_name=_("Sample / piece"), empty_values=())
    serial = tables.Column(verbose_name=_("Serial"), default=DASH)
    value = tables.Column(verbose_name=_("Value"), empty_values=())
    limits = tables.Column(verbose_name=_("Limits"), empty_values=(), orderable=False)
    conforming = tables.Column(verbose_name=_("Result"))
    instrument = tables.Column(verbose_name=_("Instrument"))

    class Meta:
        template_name = TEMPLATE
        attrs = {"class": "table", **TH}
        order_by = "-inspected_at"
        empty_text = _("No values measured yet.")

    def __init__(self, data, *args, caption="", **kwargs):
        super().__init__(data, *args, **kwargs)
        self.caption = caption
        # One precision for the whole column: as many decimals as the most precise value.
        self.decimals = max(
            (
                max(-row["value"].normalize().as_tuple().exponent, 0)
                for row in data
                if row["value"] is not None
            ),
            default=0,
        )

    def _decimal(self, value) -> str:
        return formats.number_format(value, self.decimals, use_l10n=True)

    def render_work_order(self, record):
        return format_html("{}<br><small>{}</small>", record["work_order"], record["order"])

    def render_sample(self, record):
        text = f"{record['sample']} / {record['piece']}"
        if record["source"] == "fai":
            return format_html("{} <small>({})</small>", text, _("first article"))
        return text

    def render_value(self, record):
        if record["kind"] == "attribute":
            return _("pass") if record["passed"] else _("fail")
        return f"{self._decimal(record['value'])} {record['unit']}".strip()

    def render_limits(self, record):
        if record["lower_limit"] is None and record["upper_limit"] is None:
            return DASH
        low, high = (
            DASH if limit is None else self._decimal(limit)
            for limit in (record["lower_limit"], record["upper_limit"])
        )
        return f"{low} … {high}"

    def render_conforming(self, value):
        if value:
            return format_html('<span aria-hidden="true">✓</span> {}', _("in tolerance"))
        return format_html(
            '<span class="q-flag"><span aria-hidden="true">✗</span> <strong>{}</strong></span>',
            _("out of tolerance"),
        )


class UseAsIsTable(tables.Table):
    partner = tables.Column(
        verbose_name=_("Partner"), accessor="partner__name", order_by=("partner__name", "id")
    )
    ncr_number = tables.Column(
        verbose_name=_("NCR"), order_by=("ncr_number",), attrs={"td": {"class": "q-nowrap"}}
    )
    work_order_number = tables.Column(
        verbose_name=_("Work order / order"), order_by=("work_order_number",)
    )
    product = tables.Column(
        verbose_name=_("Product"), accessor="product_code", order_by=("product_code", "id")
    )
    defect_code = tables.Column(verbose_name=_("Defect"))
    quantity = tables.Column(verbose_name=_("Quantity"))
    description = tables.Column(verbose_name=_("Description"), orderable=False)
    justification = tables.Column(verbose_name=_("Justification"), orderable=False)
    # Sorting by age: the oldest request (the smallest requested_at) is the largest age.
    requested_at = tables.Column(verbose_name=_("Age"), order_by=("-requested_at", "-id"))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "requested_at"))

    class Meta:
        model = UseAsIsRequest
        template_name = TEMPLATE
        attrs = {"class": "table", **TH}
        fields = [
            "partner",
            "ncr_number",
            "work_order_number",
            "product",
            "defect_code",
            "quantity",
            "description",
            "justification",
            "requested_at",
            "status",
        ]
        order_by = "-requested_at"  # the oldest first
        empty_text = _("No use-as-is request.")

    def __init__(self, *args, caption="", now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption
        self.now = now

    def render_ncr_number(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("network_quality:use_as_is_detail", args=[record.pk]),
            record.ncr_number,
        )

    def render_work_order_number(self, record):
        return format_html("{}<br><small>{}</small>", record.work_order_number, record.order_number)

    def render_product(self, record):
        return f"{record.product_code} rev {record.revision}"

    def render_defect_code(self, value):
        return DEFECTS.get(value, value)

    def render_description(self, value):
        return _shorten(value)

    def render_justification(self, value):
        return _shorten(value)

    def render_requested_at(self, record):
        days = max((self.now - record.requested_at).days, 0)
        return format_html(
            '<time datetime="{}">{}</time>',
            record.requested_at.isoformat(),
            ngettext("%(days)s day", "%(days)s days", days) % {"days": days},
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge badge-uai-{}">{}</span>',
            record.status,
            record.get_status_display(),
        )


def _shorten(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class IssuedDocumentTable(tables.Table):
    number = tables.Column(verbose_name=_("Document number"))
    kind = tables.Column(verbose_name=_("Kind"))
    partner = tables.Column(
        verbose_name=_("Partner"), accessor="partner__name", order_by=("partner__name", "number")
    )
    work_order_number = tables.Column(verbose_name=_("Work order / order"))
    issued_at = tables.DateTimeColumn(verbose_name=_("Issued"))
    signatory_label = tables.Column(verbose_name=_("Signatory"))
    content_sha256 = tables.Column(verbose_name=_("SHA-256 (content / PDF)"), orderable=False)

    class Meta:
        model = IssuedDocument
        template_name = TEMPLATE
        attrs = {"class": "table", **TH}
        fields = [
            "number",
            "kind",
            "partner",
            "work_order_number",
            "issued_at",
            "signatory_label",
            "content_sha256",
        ]
        order_by = "-issued_at"
        empty_text = _("No document matches.")

    def __init__(self, *args, caption="", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption

    def render_work_order_number(self, record):
        return format_html("{}<br><small>{}</small>", record.work_order_number, record.order_number)

    def render_content_sha256(self, record):
        return format_html(
            '<code class="q-hash">{}</code><br><code class="q-hash">{}</code>',
            record.content_sha256,
            record.pdf_sha256,
        )
