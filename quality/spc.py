"""Statistical process control for one inspection characteristic: control charts,
capability and the run rules. Pure Python, no Django: frozen dataclasses in and out.

Measurements come in time order, each with the key of its subgroup (the sample
number, or a timestamp bucket). The chart follows from the subgroup size:

- size 1: individuals and moving range (I-MR);
- size 2 to 10: X-bar and range (X-bar/R);
- size above 10: X-bar and standard deviation (X-bar/S), where the range wastes
  information.

When subgroup sizes differ (an incomplete last sample, a double measurement), only
the subgroups of the most common size are charted, ties going to the larger size;
the others are listed in `SpcResult.excluded` so the caller can say so. The
constants of the charts assume one subgroup size, and mixing sizes would give
every subgroup limits of its own.

Control limits need at least two estimates of the spread within subgroups: two
subgroups for X-bar charts, three values (two moving ranges) for I-MR. With less,
the result has `Status.NOT_ENOUGH_DATA` and no charts. When the values do not vary
within subgroups, sigma within is zero: the result has `Status.NO_VARIATION`, the
charts are flat, capability indices are None and no rule is tested. Neither case
raises; only input the caller got wrong (a non-finite value, LSL not below USL)
raises `ValueError`.

Capability uses sigma within (R-bar/d2, S-bar/c4 or MR-bar/d2), as the AIAG SPC
manual does for Cp and Cpk; Pp and Ppk use the sample standard deviation of all
charted values. AIAG recommends 25 subgroups or more before limits and indices
are taken as more than preliminary (`SpcResult.preliminary`).

Messages meant for people (`Rule.description`, `SpcResult.message`) are English
source strings marked for `makemessages`; translate them with `gettext` where
they are shown.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

Number = float | int | Decimal


def gettext_noop(message: str) -> str:
    """Marks `message` for translation without importing Django: `makemessages`
    finds calls by this name. Callers translate with `gettext` when showing it."""
    return message


# --- constants -------------------------------------------------------------------


@dataclass(frozen=True)
class RangeConstants:
    """Shewhart constants for X-bar/R charts with subgroups of size n."""

    a2: float
    d3: float
    d4: float
    d2: float


# AIAG, Statistical Process Control, 2nd ed. (2005), appendix E; Montgomery,
# Introduction to Statistical Quality Control, appendix VI.
XBAR_R_CONSTANTS: dict[int, RangeConstants] = {
    2: RangeConstants(a2=1.880, d3=0.0, d4=3.267, d2=1.128),
    3: RangeConstants(a2=1.023, d3=0.0, d4=2.574, d2=1.693),
    4: RangeConstants(a2=0.729, d3=0.0, d4=2.282, d2=2.059),
    5: RangeConstants(a2=0.577, d3=0.0, d4=2.114, d2=2.326),
    6: RangeConstants(a2=0.483, d3=0.0, d4=2.004, d2=2.534),
    7: RangeConstants(a2=0.419, d3=0.076, d4=1.924, d2=2.704),
    8: RangeConstants(a2=0.373, d3=0.136, d4=1.864, d2=2.847),
    9: RangeConstants(a2=0.337, d3=0.184, d4=1.816, d2=2.970),
    10: RangeConstants(a2=0.308, d3=0.223, d4=1.777, d2=3.078),
}
# Individuals chart: moving ranges of two consecutive values.
IMR_E2 = 2.66  # 3 / d2
IMR_D4 = 3.267
IMR_D2 = 1.128

MIN_SUBGROUPS = 2  # X-bar charts: two ranges (or standard deviations)
MIN_INDIVIDUALS = 3  # I-MR: two moving ranges
RECOMMENDED_SUBGROUPS = 25  # AIAG: fewer, and limits are preliminary
CPK_TARGET = 1.33  # the network's minimum for a capable characteristic

_ZERO = 1e-12  # relative to the magnitude of the values: below this, no spread


def c4(n: int) -> float:
    """Bias correction of the sample standard deviation for subgroups of size n."""
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


# --- input -----------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    subgroup: Hashable
    value: Number


# --- output ----------------------------------------------------------------------


class ChartType(StrEnum):
    XBAR_R = "xbar_r"
    XBAR_S = "xbar_s"
    I_MR = "i_mr"


class Statistic(StrEnum):
    """What a chart plots."""

    XBAR = "xbar"
    INDIVIDUAL = "individual"
    RANGE = "range"
    STDDEV = "stddev"
    MOVING_RANGE = "moving_range"


class Status(StrEnum):
    OK = "ok"
    NOT_ENOUGH_DATA = "not_enough_data"
    NO_VARIATION = "no_variation"


STATUS_MESSAGES = {
    Status.OK: "",
    Status.NOT_ENOUGH_DATA: gettext_noop(
        "Not enough data for a control chart: it needs at least two subgroups, "
        "or three individual values."
    ),
    Status.NO_VARIATION: gettext_noop(
        "The values do not vary (every range is zero), so control limits and "
        "capability are not defined. Check the resolution of the gauge."
    ),
}


class Rule(StrEnum):
    """Tests for special causes, after Nelson (1984) and the Western Electric
    Statistical Quality Control Handbook (1956), zones measured in sigma of the
    plotted statistic from the centre line. "Beyond" is strictly beyond.

    The run length is Nelson's nine (L. S. Nelson, "The Shewhart Control Chart:
    Tests for Special Causes", Journal of Quality Technology 16(4), 1984, test 2;
    also Minitab's default), not Western Electric's eight: with the four zone tests
    together, nine keeps false alarms rarer. A point on the centre line ends a run;
    equal consecutive values end a trend.
    """

    BEYOND_3_SIGMA = "beyond_3sigma"  # Nelson 1, WE 1
    TWO_OF_THREE_BEYOND_2_SIGMA = "2of3_beyond_2sigma"  # Nelson 5, WE 2
    FOUR_OF_FIVE_BEYOND_1_SIGMA = "4of5_beyond_1sigma"  # Nelson 6, WE 3
    NINE_ON_ONE_SIDE = "9_one_side"  # Nelson 2 (WE 4 uses eight)
    SIX_TRENDING = "6_trend"  # Nelson 3
    DISPERSION_ABOVE_UCL = "dispersion_above_ucl"  # R, S or MR chart, Nelson 1 upward

    @property
    def description(self) -> str:
        """English source text; translate with `gettext`."""
        return RULE_DESCRIPTIONS[self]


RULE_DESCRIPTIONS = {
    Rule.BEYOND_3_SIGMA: gettext_noop("One point beyond the control limits (3 sigma)"),
    Rule.TWO_OF_THREE_BEYOND_2_SIGMA: gettext_noop(
        "Two of three consecutive points beyond 2 sigma on the same side"
    ),
    Rule.FOUR_OF_FIVE_BEYOND_1_SIGMA: gettext_noop(
        "Four of five consecutive points beyond 1 sigma on the same side"
    ),
    Rule.NINE_ON_ONE_SIDE: gettext_noop("Nine points in a row on one side of the centre line"),
    Rule.SIX_TRENDING: gettext_noop("Six points in a row steadily increasing or decreasing"),
    Rule.DISPERSION_ABOVE_UCL: gettext_noop("Spread above its upper control limit"),
}
LOCATION_RULES = (
    Rule.BEYOND_3_SIGMA,
    Rule.TWO_OF_THREE_BEYOND_2_SIGMA,
    Rule.FOUR_OF_FIVE_BEYOND_1_SIGMA,
    Rule.NINE_ON_ONE_SIDE,
    Rule.SIX_TRENDING,
)


@dataclass(frozen=True)
class ChartPoint:
    index: int  # position on the x axis, 0-based, the same on both charts
    subgroup: Hashable
    value: float
    rules: tuple[Rule, ...] = ()  # rules this point takes part in violating

    @property
    def flagged(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class ControlChart:
    statistic: Statistic
    centre: float
    sigma: float  # of the plotted statistic: (UCL - centre) / 3
    lcl: float
    ucl: float
    points: tuple[ChartPoint, ...]

    @property
    def flagged_points(self) -> tuple[ChartPoint, ...]:
        return tuple(point for point in self.points if point.rules)


@dataclass(frozen=True)
class Capability:
    """Indices are None where they are not defined: Cp and Pp need both limits,
    CPU needs USL, CPL needs LSL, and every index needs a spread above zero."""

    n: int  # values
    subgroups: int
    mean: float
    sigma_within: float
    sigma_overall: float
    cp: float | None
    cpk: float | None
    cpu: float | None
    cpl: float | None
    pp: float | None
    ppk: float | None


@dataclass(frozen=True)
class Violation:
    rule: Rule
    indexes: tuple[int, ...]  # x positions of the points involved, ascending


@dataclass(frozen=True)
class SpcResult:
    status: Status
    chart_type: ChartType | None  # None without any value
    subgroup_size: int  # of the charted subgroups; 0 without any value
    n_values: int  # values charted
    n_subgroups: int  # subgroups charted (individual values on I-MR)
    excluded: tuple[Hashable, ...]  # subgroup keys left out for their size
    lsl: float | None
    usl: float | None
    nominal: float | None
    location: ControlChart | None  # X-bar or individuals
    dispersion: ControlChart | None  # R, S or moving range
    capability: Capability | None
    violations: tuple[Violation, ...]

    @property
    def message(self) -> str:
        """Why there is no chart or no capability, English source text; "" when OK."""
        return STATUS_MESSAGES[self.status]

    @property
    def preliminary(self) -> bool:
        return self.n_subgroups < RECOMMENDED_SUBGROUPS

    @property
    def flagged_point_count(self) -> int:
        """Points marked on both charts together."""
        return sum(len(chart.flagged_points) for chart in (self.location, self.dispersion) if chart)


# --- rules -----------------------------------------------------------------------


def rule_violations(
    values: Sequence[float], *, centre: float, sigma: float
) -> dict[Rule, tuple[int, ...]]:
    """Location rules on one series: for each rule that fires, the indexes of every
    point in a pattern that fires it (the whole run, both points of "2 of 3").
    Nothing fires when sigma is not above zero."""
    if not sigma > 0:
        return {}
    deviations = [(value - centre) / sigma for value in values]
    found = {
        Rule.BEYOND_3_SIGMA: {i for i, z in enumerate(deviations) if abs(z) > 3},
        Rule.TWO_OF_THREE_BEYOND_2_SIGMA: _k_of_m(deviations, k=2, m=3, beyond=2),
        Rule.FOUR_OF_FIVE_BEYOND_1_SIGMA: _k_of_m(deviations, k=4, m=5, beyond=1),
        Rule.NINE_ON_ONE_SIDE: _runs(deviations, length=9),
        Rule.SIX_TRENDING: _trends(values, length=6),
    }
    return {rule: tuple(sorted(found[rule])) for rule in LOCATION_RULES if found[rule]}


def _k_of_m(deviations: Sequence[float], *, k: int, m: int, beyond: float) -> set[int]:
    hits: set[int] = set()
    for start in range(len(deviations) - m + 1):
        window = range(start, start + m)
        for side in (1, -1):
            members = [i for i in window if side * deviations[i] > beyond]
            if len(members) >= k:
                hits.update(members)
    return hits


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _stretches(signs: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(start, stop) of each maximal stretch of one non-zero sign."""
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0:
                yield start, i
            start = i


def _runs(deviations: Sequence[float], *, length: int) -> set[int]:
    """Points in runs of at least `length` on one side of the centre line."""
    signs = [_sign(z) for z in deviations]
    return {
        i for start, stop in _stretches(signs) if stop - start >= length for i in range(start, stop)
    }


def _trends(values: Sequence[float], *, length: int) -> set[int]:
    """Points in runs of at least `length`, each above (or each below) the one before."""
    steps = [_sign(b - a) for a, b in zip(values, values[1:], strict=False)]
    # steps[start:stop] join points start..stop
    return {
        i
        for start, stop in _stretches(steps)
        if stop - start + 1 >= length
        for i in range(start, stop + 1)
    }


# --- analysis --------------------------------------------------------------------


def _as_float(value: Number | None, what: str) -> float | None:
    if value is None:
        return None
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{what} is not a finite number: {value!r}")
    return result


def _group(
    measurements: Iterable[Measurement | tuple[Hashable, Number]],
) -> dict[Hashable, list[float]]:
    groups: dict[Hashable, list[float]] = {}
    for item in measurements:
        key, value = (item.subgroup, item.value) if isinstance(item, Measurement) else item
        groups.setdefault(key, []).append(_as_float(value, "measurement"))
    return groups


def spc_analyse(
    measurements: Iterable[Measurement | tuple[Hashable, Number]],
    *,
    lsl: Number | None = None,
    usl: Number | None = None,
    nominal: Number | None = None,
) -> SpcResult:
    """Control charts, capability and rule violations for one characteristic.

    `measurements` in time order, as `Measurement`s or (subgroup, value) pairs;
    subgroups keep the order in which their first value comes. Either limit may be
    None for a one-sided specification.
    """
    lsl_f, usl_f = _as_float(lsl, "LSL"), _as_float(usl, "USL")
    nominal_f = _as_float(nominal, "nominal")
    if lsl_f is not None and usl_f is not None and not lsl_f < usl_f:
        raise ValueError(f"LSL {lsl_f} is not below USL {usl_f}")
    groups = _group(measurements)
    sizes = Counter(len(values) for values in groups.values())
    size = max(sizes, key=lambda s: (sizes[s], s)) if sizes else 0
    used = {key: values for key, values in groups.items() if len(values) == size}
    excluded = tuple(key for key in groups if key not in used)
    chart_type = (
        None
        if size == 0
        else ChartType.I_MR
        if size == 1
        else ChartType.XBAR_R
        if size in XBAR_R_CONSTANTS
        else ChartType.XBAR_S
    )
    values = [value for subgroup in used.values() for value in subgroup]
    common = {
        "chart_type": chart_type,
        "subgroup_size": size,
        "n_values": len(values),
        "n_subgroups": len(used),
        "excluded": excluded,
        "lsl": lsl_f,
        "usl": usl_f,
        "nominal": nominal_f,
    }
    minimum = MIN_INDIVIDUALS if size == 1 else MIN_SUBGROUPS
    if chart_type is None or len(used) < minimum:
        return SpcResult(
            status=Status.NOT_ENOUGH_DATA,
            location=None,
            dispersion=None,
            capability=None,
            violations=(),
            **common,
        )
    keys = list(used)
    if chart_type is ChartType.I_MR:
        location, dispersion, sigma_within = _individuals(keys, values)
    else:
        location, dispersion, sigma_within = _subgroups(keys, list(used.values()), size)

    scale = max(abs(value) for value in values)
    no_variation = sigma_within <= _ZERO * scale
    status = Status.NO_VARIATION if no_variation else Status.OK
    if no_variation:
        location_rules: dict[Rule, tuple[int, ...]] = {}
        dispersion_hits: tuple[int, ...] = ()
    else:
        location_rules = rule_violations(
            [p.value for p in location.points], centre=location.centre, sigma=location.sigma
        )
        dispersion_hits = tuple(p.index for p in dispersion.points if p.value > dispersion.ucl)
    location = _with_rules(location, location_rules)
    dispersion_rules = {Rule.DISPERSION_ABOVE_UCL: dispersion_hits} if dispersion_hits else {}
    dispersion = _with_rules(dispersion, dispersion_rules)
    violations = tuple(
        Violation(rule=rule, indexes=indexes)
        for rule, indexes in (location_rules | dispersion_rules).items()
    )
    capability = _capability(
        values,
        subgroups=len(used),
        mean=location.centre,
        sigma_within=0.0 if no_variation else sigma_within,
        lsl=lsl_f,
        usl=usl_f,
        scale=scale,
    )
    return SpcResult(
        status=status,
        location=location,
        dispersion=dispersion,
        capability=capability,
        violations=violations,
        **common,
    )


def _location_chart(
    statistic: Statistic, centre: float, sigma: float, points: Iterable[ChartPoint]
) -> ControlChart:
    return ControlChart(
        statistic=statistic,
        centre=centre,
        sigma=sigma,
        lcl=centre - 3 * sigma,
        ucl=centre + 3 * sigma,
        points=tuple(points),
    )


def _individuals(
    keys: list[Hashable], values: list[float]
) -> tuple[ControlChart, ControlChart, float]:
    moving = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    mr_bar = statistics.fmean(moving)
    mean = statistics.fmean(values)
    location = _location_chart(
        Statistic.INDIVIDUAL,
        mean,
        IMR_E2 * mr_bar / 3,
        (
            ChartPoint(i, key, value)
            for i, (key, value) in enumerate(zip(keys, values, strict=True))
        ),
    )
    dispersion = ControlChart(
        statistic=Statistic.MOVING_RANGE,
        centre=mr_bar,
        sigma=(IMR_D4 - 1) * mr_bar / 3,
        lcl=0.0,
        ucl=IMR_D4 * mr_bar,
        points=tuple(ChartPoint(i + 1, keys[i + 1], mr) for i, mr in enumerate(moving)),
    )
    return location, dispersion, mr_bar / IMR_D2


def _subgroups(
    keys: list[Hashable], groups: list[list[float]], size: int
) -> tuple[ControlChart, ControlChart, float]:
    means = [statistics.fmean(group) for group in groups]
    grand_mean = statistics.fmean(means)
    if size in XBAR_R_CONSTANTS:
        constants = XBAR_R_CONSTANTS[size]
        spreads = [max(group) - min(group) for group in groups]
        bar = statistics.fmean(spreads)
        statistic, sigma_within = Statistic.RANGE, bar / constants.d2
        a, lower, upper = constants.a2, constants.d3, constants.d4
    else:
        spreads = [statistics.stdev(group) for group in groups]
        bar = statistics.fmean(spreads)
        c = c4(size)
        statistic, sigma_within = Statistic.STDDEV, bar / c
        a = 3 / (c * math.sqrt(size))
        half = 3 * math.sqrt(1 - c * c) / c
        lower, upper = max(0.0, 1 - half), 1 + half
    location = _location_chart(
        Statistic.XBAR,
        grand_mean,
        a * bar / 3,
        (ChartPoint(i, key, mean) for i, (key, mean) in enumerate(zip(keys, means, strict=True))),
    )
    dispersion = ControlChart(
        statistic=statistic,
        centre=bar,
        sigma=(upper - 1) * bar / 3,
        lcl=lower * bar,
        ucl=upper * bar,
        points=tuple(
            ChartPoint(i, key, s) for i, (key, s) in enumerate(zip(keys, spreads, strict=True))
        ),
    )
    return location, dispersion, sigma_within


def _with_rules(chart: ControlChart, found: dict[Rule, tuple[int, ...]]) -> ControlChart:
    by_index: dict[int, list[Rule]] = {}
    for rule, indexes in found.items():
        for index in indexes:
            by_index.setdefault(index, []).append(rule)
    points = tuple(
        ChartPoint(p.index, p.subgroup, p.value, tuple(by_index.get(p.index, ())))
        for p in chart.points
    )
    return ControlChart(
        statistic=chart.statistic,
        centre=chart.centre,
        sigma=chart.sigma,
        lcl=chart.lcl,
        ucl=chart.ucl,
        points=points,
    )


def _ratio(numerator: float | None, denominator: float) -> float | None:
    if numerator is None or denominator <= 0:
        return None
    return numerator / denominator


def _capability(
    values: list[float],
    *,
    subgroups: int,
    mean: float,
    sigma_within: float,
    lsl: float | None,
    usl: float | None,
    scale: float,
) -> Capability:
    sigma_overall = statistics.stdev(values) if len(values) > 1 else 0.0
    if sigma_overall <= _ZERO * scale:
        sigma_overall = 0.0
    width = usl - lsl if usl is not None and lsl is not None else None
    upper = usl - mean if usl is not None else None
    lower = mean - lsl if lsl is not None else None

    def nearer(sigma: float) -> float | None:
        sides = [r for r in (_ratio(upper, 3 * sigma), _ratio(lower, 3 * sigma)) if r is not None]
        return min(sides) if sides else None

    return Capability(
        n=len(values),
        subgroups=subgroups,
        mean=mean,
        sigma_within=sigma_within,
        sigma_overall=sigma_overall,
        cp=_ratio(width, 6 * sigma_within),
        cpk=nearer(sigma_within),
        cpu=_ratio(upper, 3 * sigma_within),
        cpl=_ratio(lower, 3 * sigma_within),
        pp=_ratio(width, 6 * sigma_overall),
        ppk=nearer(sigma_overall),
    )
