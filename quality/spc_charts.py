"""Control charts of one characteristic, drawn as SVG on the server.

`control_chart_svg` draws the X-bar (or individuals) chart with the R, s or moving
range chart below it, from a `quality.spc.SpcResult`. Without charts (status
`NOT_ENOUGH_DATA`) it returns "": the caller shows `gettext(result.message)`
instead, as it does beside a chart whose status is `NO_VARIATION`.

The SVG carries its own presentation attributes: no stylesheet, script or external
reference, so it looks the same inline in a page, in a PDF and saved as a file.
The viewBox is fixed and the width 100%, so it scales with its container. Flagged
points differ from the others in shape (a diamond, not a dot) as well as in colour,
and the legend says so; `<title>` and `<desc>` give the chart's name and a summary
(n, Cp, Cpk, flagged points) to screen readers, and each point has a title with
its value and the rules it violates.
"""

from __future__ import annotations

import hashlib
import math

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .spc import ChartPoint, ChartType, ControlChart, SpcResult, Statistic, Status

WIDTH = 720
PLOT_LEFT, PLOT_RIGHT = 58, WIDTH - 124
LEGEND_Y = 16
LOCATION_TOP, LOCATION_HEIGHT = 56, 220
DISPERSION_TOP, DISPERSION_HEIGHT = LOCATION_TOP + LOCATION_HEIGHT + 40, 110
HEIGHT = DISPERSION_TOP + DISPERSION_HEIGHT + 44
LABEL_GAP = 12  # least vertical distance between two labels on the right

# On white, every colour used for text or marks has a contrast ratio of 4.5 or more.
INK = "#1d2939"  # centre lines, headings
MUTED = "#475467"  # axis text, control limits
FRAME = "#98a2b3"
GRID = "#eaecf0"
POINT = "#1f5fae"
FLAG = "#b42318"
SPEC = "#93370d"

LINE_STYLES = {  # stroke, dash pattern, width
    "centre": (INK, "none", "1.2"),
    "limit": (MUTED, "6 4", "1.2"),
    "spec": (SPEC, "10 3 2 3", "1.6"),
    "nominal": (SPEC, "2 3", "1.2"),
}


def _number(value: float, decimals: int) -> str:
    value = round(value, decimals)
    return formats.number_format(value or 0.0, decimals, use_l10n=True, force_grouping=True)


def _index_label(value: int) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


def _ticks(lo: float, hi: float, count: int = 5) -> tuple[list[float], int]:
    """Round values between lo and hi, about `count` of them, and their decimals."""
    raw = (hi - lo) / count
    exponent = math.floor(math.log10(raw))
    base = raw / 10**exponent
    multiple = 1 if base <= 1 else 2 if base <= 2 else 5 if base <= 5 else 10
    step = multiple * 10.0**exponent
    first = math.ceil(lo / step - 1e-9)
    ticks = [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)]
    return ticks, max(0, -math.floor(math.log10(step) + 1e-9))


def _x_positions(count: int):
    step = (PLOT_RIGHT - PLOT_LEFT) / max(count, 1)
    return lambda index: PLOT_LEFT + (index + 0.5) * step


def _unit_suffix(unit: str) -> str:
    return f" ({unit})" if unit else ""


def _statistic_label(statistic: Statistic) -> str:
    return {
        Statistic.XBAR: _("Subgroup mean X̄"),
        Statistic.INDIVIDUAL: _("Individual value"),
        Statistic.RANGE: _("Range R"),
        Statistic.STDDEV: _("Standard deviation s"),
        Statistic.MOVING_RANGE: _("Moving range MR"),
    }[statistic]


def _point_title(
    result: SpcResult, chart: ControlChart, point: ChartPoint, decimals: int, unit: str
) -> str:
    number = point.index + 1
    if result.chart_type is ChartType.I_MR:
        where = _("Value %(number)s") % {"number": _index_label(number)}
    else:
        where = _("Subgroup %(number)s") % {"number": _index_label(number)}
    if str(point.subgroup) != str(number):
        where = f"{where} ({formats.localize(point.subgroup, use_l10n=True)})"
    text = f"{where}: {_statistic_label(chart.statistic)} {_number(point.value, decimals)}"
    if unit:
        text = f"{text} {unit}"
    if point.rules:
        text = f"{text}. " + "; ".join(_(rule.description) for rule in point.rules)
    return text


def _spread_labels(labels: list[list], top: float, bottom: float) -> None:
    """Move labels (lists of [y, ...]) apart, in place, keeping them in [top, bottom]."""
    labels.sort(key=lambda label: label[0])
    for before, after in zip(labels, labels[1:], strict=False):
        after[0] = max(after[0], before[0] + LABEL_GAP)
    if labels and labels[-1][0] > bottom:
        labels[-1][0] = bottom
        for after, before in zip(labels[::-1], labels[-2::-1], strict=False):
            before[0] = min(before[0], after[0] - LABEL_GAP)
    if labels and labels[0][0] < top:
        shift = top - labels[0][0]
        for label in labels:
            label[0] += shift


def _panel(
    result: SpcResult,
    chart: ControlChart,
    *,
    top: float,
    height: float,
    unit: str,
    count: int,
    with_spec: bool,
) -> SafeString:
    # Centre line, upper and lower control limit
    lines = [("centre", _("CL"), chart.centre), ("limit", _("UCL"), chart.ucl)]
    if chart.statistic in (Statistic.XBAR, Statistic.INDIVIDUAL) or chart.lcl > 0:
        lines.append(("limit", _("LCL"), chart.lcl))
    values = [point.value for point in chart.points] + [value for _k, _l, value in lines]
    lo, hi = min(values), max(values)
    if chart.statistic not in (Statistic.XBAR, Statistic.INDIVIDUAL):
        lo = 0.0
    span = hi - lo or abs(hi) * 0.1 or 1.0
    off_scale = []
    if with_spec:
        extra = [("spec", _("LSL"), result.lsl), ("spec", _("USL"), result.usl)]
        extra.append(("nominal", _("Nominal"), result.nominal))
        for kind, label, value in extra:
            if value is None:
                continue
            if lo - span <= value <= hi + span:
                lines.append((kind, label, value))
                lo, hi = min(lo, value), max(hi, value)
            else:
                off_scale.append((kind, label, value))
    pad = (hi - lo or span) * 0.08
    if chart.statistic in (Statistic.XBAR, Statistic.INDIVIDUAL):
        lo -= pad
    hi += pad
    ticks, tick_decimals = _ticks(lo, hi)
    decimals = min(tick_decimals + 2, 6)
    bottom = top + height

    def y(value: float) -> float:
        return bottom - (value - lo) / (hi - lo) * height

    x = _x_positions(count)
    grid = format_html_join(
        "",
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="{3}"/>'
        '<text x="{4}" y="{5}" text-anchor="end" fill="{6}">{7}</text>',
        (
            (
                PLOT_LEFT,
                PLOT_RIGHT,
                f"{y(tick):.1f}",
                GRID,
                PLOT_LEFT - 5,
                f"{y(tick) + 4:.1f}",
                MUTED,
                _number(tick, tick_decimals),
            )
            for tick in ticks
        ),
    )
    drawn = format_html_join(
        "",
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="{3}" stroke-dasharray="{4}" '
        'stroke-width="{5}" class="{6}"/>',
        (
            (PLOT_LEFT, PLOT_RIGHT, f"{y(value):.1f}", *LINE_STYLES[kind], kind)
            for kind, _label, value in lines
        ),
    )
    labels = [
        [y(value), f"{label} {_number(value, decimals)}", LINE_STYLES[kind][0]]
        for kind, label, value in lines
    ]
    for kind, label, value in off_scale:
        arrow = "↑" if value > hi else "↓"
        edge = top + 4 if value > hi else bottom
        labels.append([edge, f"{label} {_number(value, decimals)} {arrow}", LINE_STYLES[kind][0]])
    _spread_labels(labels, top + 4, bottom + 4)
    label_svg = format_html_join(
        "",
        '<text x="{0}" y="{1}" fill="{2}">{3}</text>',
        ((PLOT_RIGHT + 6, f"{label_y + 4:.1f}", colour, text) for label_y, text, colour in labels),
    )
    path = " ".join(f"{x(p.index):.1f},{y(p.value):.1f}" for p in chart.points)
    markers = []
    for point in chart.points:
        px, py = x(point.index), y(point.value)
        title = _point_title(result, chart, point, decimals, unit)
        if point.rules:
            markers.append(
                format_html(
                    '<g class="point flagged"><title>{}</title><path d="M{} {}l6 6l-6 6l-6-6z" '
                    'fill="{}" stroke="#7a271a"/></g>',
                    title,
                    f"{px:.1f}",
                    f"{py - 6:.1f}",
                    FLAG,
                )
            )
        else:
            markers.append(
                format_html(
                    '<g class="point"><title>{}</title>'
                    '<circle cx="{}" cy="{}" r="3.2" fill="{}"/></g>',
                    title,
                    f"{px:.1f}",
                    f"{py:.1f}",
                    POINT,
                )
            )
    return format_html(
        '<g class="panel {}"><text x="{}" y="{}" fill="{}" font-weight="600">{}{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}"/>{}{}{}'
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.2"/>{}</g>',
        chart.statistic,
        PLOT_LEFT,
        top - 8,
        INK,
        _statistic_label(chart.statistic),
        _unit_suffix(unit),
        PLOT_LEFT,
        top,
        PLOT_RIGHT - PLOT_LEFT,
        height,
        FRAME,
        grid,
        drawn,
        label_svg,
        path,
        POINT,
        SafeString("".join(markers)),
    )


def _x_axis(result: SpcResult, count: int) -> SafeString:
    steps = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
    every = next((step for step in steps if count / step <= 15), math.ceil(count / 15))
    x = _x_positions(count)
    baseline = DISPERSION_TOP + DISPERSION_HEIGHT
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
        (
            (f"{x(i):.1f}", baseline + 14, MUTED, _index_label(i + 1))
            for i in range(count)
            if (i + 1) % every == 0 or (i == 0 and every >= 5)
        ),
    )
    name = _("Value") if result.chart_type is ChartType.I_MR else _("Subgroup")
    return format_html(
        '{}<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
        labels,
        (PLOT_LEFT + PLOT_RIGHT) / 2,
        baseline + 32,
        MUTED,
        name,
    )


def _legend(result: SpcResult, with_spec: bool) -> SafeString:
    point = _("Value") if result.chart_type is ChartType.I_MR else _("Subgroup")
    items = [
        ("circle", point),
        ("flag", _("Rule violation")),
        ("centre", _("Centre line")),
        ("limit", _("Control limits")),
    ]
    if with_spec:
        items.append(("spec", _("Specification limits")))
    parts, left, mid = [], PLOT_LEFT, LEGEND_Y
    for kind, text in items:
        if kind == "circle":
            mark = format_html('<circle cx="{}" cy="{}" r="3.2" fill="{}"/>', left + 8, mid, POINT)
        elif kind == "flag":
            mark = format_html(
                '<path d="M{} {}l6 6l-6 6l-6-6z" fill="{}" stroke="#7a271a"/>',
                left + 8,
                mid - 6,
                FLAG,
            )
        else:
            stroke, dash, width = LINE_STYLES[kind]
            mark = format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-dasharray="{}" '
                'stroke-width="{}"/>',
                left,
                left + 18,
                mid,
                mid,
                stroke,
                dash,
                width,
            )
        parts.append(
            format_html(
                '{}<text x="{}" y="{}" fill="{}">{}</text>', mark, left + 22, mid + 4, INK, text
            )
        )
        left += 22 + len(text) * 6.2 + 16
    return format_html('<g class="legend">{}</g>', SafeString("".join(parts)))


def _or_undefined(value: float | None) -> str:
    return _("not defined") if value is None else _number(value, 2)


def chart_summary(result: SpcResult) -> str:
    """What the chart shows, in sentences: its `<desc>`, also usable as page text."""
    counts = {
        "n": _index_label(result.n_values),
        "subgroups": _index_label(result.n_subgroups),
        "size": _index_label(result.subgroup_size),
    }
    if result.chart_type is ChartType.I_MR:
        sentences = [_("Individuals and moving range chart of %(n)s values.") % counts]
    elif result.chart_type is ChartType.XBAR_R:
        sentences = [
            _("X̄ and R chart of %(subgroups)s subgroups of %(size)s (n = %(n)s).") % counts
        ]
    else:
        sentences = [
            _("X̄ and s chart of %(subgroups)s subgroups of %(size)s (n = %(n)s).") % counts
        ]
    capability = result.capability
    if result.lsl is None and result.usl is None:
        sentences.append(_("No specification limits, so no Cp or Cpk."))
    elif result.status is Status.NO_VARIATION or capability is None:
        sentences.append(_(result.message))
    else:
        sentences.append(
            _("Cp %(cp)s, Cpk %(cpk)s.")
            % {"cp": _or_undefined(capability.cp), "cpk": _or_undefined(capability.cpk)}
        )
    flagged = result.flagged_point_count
    if flagged:
        sentences.append(
            ngettext(
                "%(count)s point violates the control rules: %(rules)s.",
                "%(count)s points violate the control rules: %(rules)s.",
                flagged,
            )
            % {
                "count": _index_label(flagged),
                "rules": "; ".join(
                    _(violation.rule.description) for violation in result.violations
                ),
            }
        )
    elif result.status is Status.OK:
        sentences.append(_("No point violates the control rules."))
    if result.excluded:
        sentences.append(
            ngettext(
                "%(count)s subgroup of another size is left out.",
                "%(count)s subgroups of another size are left out.",
                len(result.excluded),
            )
            % {"count": _index_label(len(result.excluded))}
        )
    return " ".join(sentences)


def control_chart_svg(result: SpcResult, *, title: str, unit: str = "") -> SafeString:
    """The location chart over the dispersion chart; "" when `result` has no charts."""
    if result.location is None or result.dispersion is None:
        return SafeString("")
    count = len(result.location.points)
    with_spec = result.lsl is not None or result.usl is not None
    fingerprint = repr((title, [p.value for p in result.location.points]))
    dom_id = "spc-" + hashlib.blake2s(fingerprint.encode(), digest_size=4).hexdigest()
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="spc-chart" viewBox="0 0 {} {}" '
        'width="100%" role="img" aria-labelledby="{}-title" aria-describedby="{}-desc" '
        'font-family="system-ui, sans-serif" font-size="11">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<rect width="{}" height="{}" fill="#fff"/>{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        dom_id,
        dom_id,
        dom_id,
        title,
        dom_id,
        chart_summary(result),
        WIDTH,
        HEIGHT,
        _legend(result, with_spec),
        _panel(
            result,
            result.location,
            top=LOCATION_TOP,
            height=LOCATION_HEIGHT,
            unit=unit,
            count=count,
            with_spec=with_spec,
        ),
        _panel(
            result,
            result.dispersion,
            top=DISPERSION_TOP,
            height=DISPERSION_HEIGHT,
            unit=unit,
            count=count,
            with_spec=False,
        ),
        _x_axis(result, count),
    )
