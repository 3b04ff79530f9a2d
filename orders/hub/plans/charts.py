"""Load per week against capacity for one plant, drawn as SVG on the server."""

from __future__ import annotations

from collections import defaultdict

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 170, 44, 22, 10


def _hours(value: float) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


def week_totals(loads, periods) -> list[tuple[object, float, float]]:
    """(week, load hours, capacity hours) for every week, over all work-centre types."""
    load, capacity = defaultdict(float), defaultdict(float)
    for item in loads:
        load[item.period_start] += item.hours
        capacity[item.period_start] += item.capacity
    return [(week, load[week], capacity[week]) for week in periods]


def load_chart(loads, periods) -> SafeString:
    """Bars: planned hours per week; a tick: the hours available. Red where the load
    is over capacity (which the solver never plans; committed work can be)."""
    weeks = week_totals(loads, periods)
    if not weeks:
        return SafeString("")
    top = max([max(load, cap) for _w, load, cap in weeks] + [1.0])
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / len(weeks)
    bar_w = max(4.0, step * 0.6)

    def y(value: float) -> float:
        return PAD_TOP + plot_h - value / top * plot_h

    bars = []
    for i, (week, load, cap) in enumerate(weeks):
        x = PAD_LEFT + i * step + (step - bar_w) / 2
        over = load > cap + 1e-6
        label = _("Week of %(week)s: %(load)s h planned of %(cap)s h") % {
            "week": formats.date_format(week, "SHORT_DATE_FORMAT"),
            "load": _hours(load),
            "cap": _hours(cap),
        }
        bars.append(
            (
                f"{x:.1f}",
                f"{y(load):.1f}",
                f"{bar_w:.1f}",
                f"{max(0.0, y(0) - y(load)):.1f}",
                "bar over" if over else "bar",
                f"{x - 2:.1f}",
                f"{x + bar_w + 2:.1f}",
                f"{y(cap):.1f}",
                label,
                f"{x + bar_w / 2:.1f}",
                HEIGHT - 6,
                formats.date_format(week, "d.m") if i % max(1, len(weeks) // 8) == 0 else "",
            )
        )
    body = format_html_join(
        "",
        '<g><title>{8}</title><rect x="{0}" y="{1}" width="{2}" height="{3}" class="{4}"/>'
        '<line x1="{5}" x2="{6}" y1="{7}" y2="{7}" class="cap"/>'
        '<text x="{9}" y="{10}" text-anchor="middle">{11}</text></g>',
        bars,
    )
    total_load = sum(load for _w, load, _c in weeks)
    total_cap = sum(cap for _w, _l, cap in weeks)
    summary = _(
        "Planned load per week against capacity: %(load)s h of %(cap)s h in the horizon"
    ) % {
        "load": _hours(total_load),
        "cap": _hours(total_cap),
    }
    return format_html(
        '<svg class="load-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<text x="4" y="{}" class="axis">{} h</text><text x="4" y="{}" class="axis">0</text>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="axis-line"/>{}</svg>',
        WIDTH,
        HEIGHT,
        summary,
        PAD_TOP + 8,
        _hours(top),
        y(0),
        PAD_LEFT,
        WIDTH - 8,
        f"{y(0):.1f}",
        f"{y(0):.1f}",
        body,
    )
