"""SPC maths against values computed by hand. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quality.spc import (
    CPK_TARGET,
    XBAR_R_CONSTANTS,
    ChartType,
    Measurement,
    Rule,
    Statistic,
    Status,
    c4,
    rule_violations,
    spc_analyse,
)

# Five subgroups of four, in time order.
#   subgroup  values                   X-bar   R
#   1         10.0  10.2  9.9  10.1    10.05   0.3
#   2         10.1  10.3  10.0 10.2    10.15   0.3
#   3          9.8  10.0  10.1  9.9     9.95   0.3
#   4         10.0  10.4  10.2 10.2    10.20   0.4
#   5          9.9  10.0  9.8  10.1     9.95   0.3
SUBGROUPS = {
    1: (10.0, 10.2, 9.9, 10.1),
    2: (10.1, 10.3, 10.0, 10.2),
    3: (9.8, 10.0, 10.1, 9.9),
    4: (10.0, 10.4, 10.2, 10.2),
    5: (9.9, 10.0, 9.8, 10.1),
}
# n = 4: A2 = 0.729, D3 = 0, D4 = 2.282, d2 = 2.059
# X-double-bar = (10.05 + 10.15 + 9.95 + 10.20 + 9.95) / 5 = 50.30 / 5 = 10.06
# R-bar        = (0.3 + 0.3 + 0.3 + 0.4 + 0.3) / 5 = 1.6 / 5 = 0.32
# X-bar chart: UCL = 10.06 + 0.729 * 0.32 = 10.06 + 0.23328 = 10.29328
#              LCL = 10.06 - 0.23328 = 9.82672
# R chart:     UCL = 2.282 * 0.32 = 0.73024, LCL = 0 * 0.32 = 0
# sigma within = R-bar / d2 = 0.32 / 2.059 = 0.155415250...
# Spec 9.5 .. 10.5:
#   Cp  = (10.5 - 9.5) / (6 * 0.32 / 2.059) = 2.059 / 1.92 = 1.072395833...
#   CPU = (10.5 - 10.06) / (3 * 0.32 / 2.059) = 0.44 * 2.059 / 0.96 = 0.943708333...
#   CPL = (10.06 - 9.5) / (3 * 0.32 / 2.059) = 0.56 * 2.059 / 0.96 = 1.201083333...
#   Cpk = min(CPU, CPL) = 0.943708333...
# Overall: sum of the 20 values = 201.2, sum of squares = 2024.56
#   sum of squared deviations = 2024.56 - 201.2^2 / 20 = 2024.56 - 2024.072 = 0.488
#   s = sqrt(0.488 / 19) = sqrt(0.0256842105...) = 0.160262941...
#   Pp  = 1 / (6 * 0.160262941) = 1.039957614...
#   Ppk = 0.44 / (3 * 0.160262941) = 0.915162700...


def xbar_r_data():
    return [(key, value) for key, values in SUBGROUPS.items() for value in values]


# Ten individual values.
INDIVIDUALS = (5.0, 5.2, 4.9, 5.1, 5.3, 5.0, 4.8, 5.1, 5.2, 4.9)
# mean   = 50.5 / 10 = 5.05
# moving ranges: 0.2 0.3 0.2 0.2 0.3 0.2 0.3 0.1 0.3, sum 2.1
# MR-bar = 2.1 / 9 = 0.233333...
# I chart:  UCL = 5.05 + 2.66 * 0.233333 = 5.05 + 0.620666... = 5.670666...
#           LCL = 5.05 - 0.620666... = 4.429333...
# MR chart: UCL = 3.267 * 0.233333 = 0.7623, LCL = 0
# sigma within = MR-bar / d2 = 0.233333 / 1.128 = 0.206855791...
# Spec 4.5 .. 5.5:
#   Cp  = 1.0 / (6 * 0.233333 / 1.128) = 1.128 / 1.4 = 0.805714285...
#   CPU = 0.45 / (3 * 0.233333 / 1.128) = 0.45 * 1.128 / 0.7 = 0.5076 / 0.7 = 0.725142857...
#   CPL = 0.55 * 1.128 / 0.7 = 0.6204 / 0.7 = 0.886285714...
#   Cpk = 0.725142857...
# Overall: sum of squared deviations from 5.05 = 0.225, s = sqrt(0.225 / 9) = 0.158113883...
#   Pp = 1 / (6 * 0.158113883) = 1.054092553..., Ppk = 0.45 / (3 * 0.158113883) = 0.948683298...


def individuals_data():
    return [Measurement(subgroup=i + 1, value=value) for i, value in enumerate(INDIVIDUALS)]


# --- hand-computed cases ---------------------------------------------------------


def test_xbar_r_limits_and_capability():
    result = spc_analyse(xbar_r_data(), lsl=9.5, usl=10.5)

    assert result.status is Status.OK
    assert result.chart_type is ChartType.XBAR_R
    assert (result.subgroup_size, result.n_subgroups, result.n_values) == (4, 5, 20)
    assert result.excluded == ()
    location, dispersion = result.location, result.dispersion
    assert location.statistic is Statistic.XBAR
    assert [p.value for p in location.points] == pytest.approx([10.05, 10.15, 9.95, 10.2, 9.95])
    assert location.centre == pytest.approx(10.06)
    assert location.ucl == pytest.approx(10.29328)
    assert location.lcl == pytest.approx(9.82672)
    assert dispersion.statistic is Statistic.RANGE
    assert [p.value for p in dispersion.points] == pytest.approx([0.3, 0.3, 0.3, 0.4, 0.3])
    assert dispersion.centre == pytest.approx(0.32)
    assert dispersion.ucl == pytest.approx(0.73024)
    assert dispersion.lcl == 0
    assert [p.subgroup for p in location.points] == [1, 2, 3, 4, 5]

    cap = result.capability
    assert (cap.n, cap.subgroups) == (20, 5)
    assert cap.mean == pytest.approx(10.06)
    assert cap.sigma_within == pytest.approx(0.32 / 2.059, abs=1e-9)
    assert cap.cp == pytest.approx(1.0723958333, abs=1e-6)
    assert cap.cpu == pytest.approx(0.9437083333, abs=1e-6)
    assert cap.cpl == pytest.approx(1.2010833333, abs=1e-6)
    assert cap.cpk == pytest.approx(0.9437083333, abs=1e-6)
    assert cap.sigma_overall == pytest.approx(0.1602629418, abs=1e-6)
    assert cap.pp == pytest.approx(1.0399576144, abs=1e-6)
    assert cap.ppk == pytest.approx(0.9151627007, abs=1e-6)
    assert cap.cpk < CPK_TARGET
    assert result.violations == ()
    assert result.preliminary  # 5 subgroups, fewer than 25


def test_individuals_limits_and_capability():
    result = spc_analyse(individuals_data(), lsl=4.5, usl=5.5)

    assert result.status is Status.OK
    assert result.chart_type is ChartType.I_MR
    assert (result.subgroup_size, result.n_subgroups, result.n_values) == (1, 10, 10)
    location, dispersion = result.location, result.dispersion
    assert location.statistic is Statistic.INDIVIDUAL
    assert location.centre == pytest.approx(5.05)
    assert location.ucl == pytest.approx(5.6706666667, abs=1e-6)
    assert location.lcl == pytest.approx(4.4293333333, abs=1e-6)
    assert dispersion.statistic is Statistic.MOVING_RANGE
    # The first value has no moving range: the MR chart starts at the second.
    assert [p.index for p in dispersion.points] == list(range(1, 10))
    assert [p.value for p in dispersion.points] == pytest.approx(
        [0.2, 0.3, 0.2, 0.2, 0.3, 0.2, 0.3, 0.1, 0.3]
    )
    assert dispersion.centre == pytest.approx(0.2333333333, abs=1e-9)
    assert dispersion.ucl == pytest.approx(0.7623, abs=1e-9)
    assert dispersion.lcl == 0

    cap = result.capability
    assert (cap.n, cap.subgroups) == (10, 10)
    assert cap.sigma_within == pytest.approx(0.2068557919, abs=1e-9)
    assert cap.cp == pytest.approx(0.8057142857, abs=1e-6)
    assert cap.cpu == pytest.approx(0.7251428571, abs=1e-6)
    assert cap.cpl == pytest.approx(0.8862857143, abs=1e-6)
    assert cap.cpk == pytest.approx(0.7251428571, abs=1e-6)
    assert cap.sigma_overall == pytest.approx(0.1581138830, abs=1e-9)
    assert cap.pp == pytest.approx(1.0540925534, abs=1e-6)
    assert cap.ppk == pytest.approx(0.9486832981, abs=1e-6)
    assert result.violations == ()


def test_one_sided_upper_spec():
    """Only USL: Cp is not defined, Cpk is CPU (0.94370833 above)."""
    cap = spc_analyse(xbar_r_data(), usl=10.5).capability

    assert cap.cp is None and cap.pp is None and cap.cpl is None
    assert cap.cpk == pytest.approx(0.9437083333, abs=1e-6)
    assert cap.cpu == pytest.approx(0.9437083333, abs=1e-6)
    assert cap.ppk == pytest.approx(0.9151627007, abs=1e-6)


def test_one_sided_lower_spec():
    """Only LSL: Cpk is CPL = 0.55 * 1.128 / 0.7 = 0.88628571."""
    cap = spc_analyse(individuals_data(), lsl=Decimal("4.5")).capability

    assert cap.cp is None and cap.cpu is None
    assert cap.cpk == pytest.approx(0.8862857143, abs=1e-6)


def test_no_spec_limits_charts_without_capability_indices():
    result = spc_analyse(xbar_r_data())

    assert result.status is Status.OK
    assert result.location.centre == pytest.approx(10.06)
    cap = result.capability
    assert cap.sigma_within == pytest.approx(0.32 / 2.059, abs=1e-9)
    assert (cap.cp, cap.cpk, cap.cpu, cap.cpl, cap.pp, cap.ppk) == (None,) * 6


def test_decimal_input_gives_the_float_results():
    decimals = [(key, Decimal(str(value))) for key, value in xbar_r_data()]

    result = spc_analyse(decimals, lsl=Decimal("9.5"), usl=Decimal("10.5"), nominal=Decimal("10.0"))

    assert result.nominal == 10.0 and isinstance(result.usl, float)
    assert result.location.centre == pytest.approx(10.06)
    assert result.capability.cpk == pytest.approx(0.9437083333, abs=1e-6)


def test_mean_outside_the_spec_gives_a_negative_cpk():
    # mean 5.05 is above USL 5.0: CPU = -0.05 * 1.128 / 0.7 = -0.080571428...
    cap = spc_analyse(individuals_data(), lsl=4.0, usl=5.0).capability

    assert cap.cpk == pytest.approx(-0.0805714286, abs=1e-6)


def test_limits_in_the_wrong_order_are_the_callers_mistake():
    with pytest.raises(ValueError, match="not below"):
        spc_analyse(individuals_data(), lsl=5.5, usl=4.5)


def test_non_finite_value_is_the_callers_mistake():
    with pytest.raises(ValueError, match="finite"):
        spc_analyse([(1, 1.0), (2, float("nan")), (3, 2.0)])


# --- chart choice ----------------------------------------------------------------


def test_mixed_sizes_chart_the_most_common_size():
    data = xbar_r_data() + [(6, 10.0), (6, 10.1), (7, 9.9)]  # 2 values, then 1

    result = spc_analyse(data, lsl=9.5, usl=10.5)

    assert result.chart_type is ChartType.XBAR_R
    assert result.excluded == (6, 7)
    assert (result.n_subgroups, result.n_values) == (5, 20)
    assert result.capability.cpk == pytest.approx(0.9437083333, abs=1e-6)


def test_mixed_sizes_tie_goes_to_the_larger_size():
    data = [(1, 1.0), (2, 2.0), (2, 2.5), (3, 1.5), (4, 1.0), (4, 1.2)]

    result = spc_analyse(data)

    assert result.chart_type is ChartType.XBAR_R
    assert result.subgroup_size == 2
    assert result.excluded == (1, 3)


def test_subgroup_keys_keep_the_order_of_their_first_value():
    data = [("b", 1.0), ("a", 2.0), ("b", 1.2), ("a", 2.4), ("c", 1.5), ("c", 1.7)]

    result = spc_analyse(data)

    assert [p.subgroup for p in result.location.points] == ["b", "a", "c"]
    assert [p.value for p in result.location.points] == pytest.approx([1.1, 2.2, 1.6])


def test_large_subgroups_use_xbar_s():
    # 3 subgroups of 11: means 10, 11, 12; s of 0..10 = sqrt(110 / 10) = 3.31662479
    data = [(k, base + i) for k, base in ((1, 5.0), (2, 6.0), (3, 7.0)) for i in range(11)]

    result = spc_analyse(data)

    assert result.chart_type is ChartType.XBAR_S
    assert result.dispersion.statistic is Statistic.STDDEV
    s_bar = 3.3166247904
    assert result.dispersion.centre == pytest.approx(s_bar)
    # n = 11: c4 = 0.9754, A3 = 0.927, B3 = 0.321, B4 = 1.679 (AIAG table)
    assert result.capability.sigma_within == pytest.approx(s_bar / 0.97535, abs=1e-3)
    assert result.location.ucl - result.location.centre == pytest.approx(0.927 * s_bar, abs=1e-2)
    assert result.dispersion.lcl == pytest.approx(0.321 * s_bar, abs=1e-2)
    assert result.dispersion.ucl == pytest.approx(1.679 * s_bar, abs=1e-2)


def test_c4_matches_the_tables():
    assert [round(c4(n), 4) for n in (2, 5, 10, 11, 25)] == [0.7979, 0.94, 0.9727, 0.9754, 0.9896]


def test_constants_agree_with_d2():
    """A2 = 3 / (d2 * sqrt(n)) to the tables' three decimals."""
    for n, k in XBAR_R_CONSTANTS.items():
        assert k.a2 == pytest.approx(3 / (k.d2 * n**0.5), abs=1.5e-3)


# --- degenerate data -------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "chart_type"),
    [
        ([], None),
        ([7.0], ChartType.I_MR),
        ([7.0, 7.5], ChartType.I_MR),
    ],
)
def test_too_few_individuals(values, chart_type):
    result = spc_analyse(list(enumerate(values)), lsl=6, usl=8)

    assert result.status is Status.NOT_ENOUGH_DATA
    assert result.chart_type is chart_type
    assert result.n_values == len(values)
    assert result.location is None and result.dispersion is None
    assert result.capability is None and result.violations == ()
    assert result.flagged_point_count == 0
    assert "Not enough data" in result.message


def test_one_subgroup_is_not_enough():
    result = spc_analyse([(1, 7.0), (1, 7.5), (1, 7.2)])

    assert result.status is Status.NOT_ENOUGH_DATA
    assert result.chart_type is ChartType.XBAR_R
    assert (result.n_subgroups, result.n_values) == (1, 3)


def test_three_individuals_are_enough():
    # MR 0.5, 0.2: MR-bar 0.35, sigma 0.35 / 1.128; mean 22.2 / 3 = 7.4, USL 8:
    # CPU = 0.6 / (3 * 0.35 / 1.128) = 0.6768 / 1.05 = 0.644571428...
    result = spc_analyse([(1, 7.0), (2, 7.5), (3, 7.7)], usl=8)

    assert result.status is Status.OK
    assert result.capability.cpk == pytest.approx(0.6445714286, abs=1e-6)


@pytest.mark.parametrize(
    "data",
    [
        [(i, Decimal("12.50")) for i in range(6)],
        [(i // 3, 12.5) for i in range(9)],
    ],
    ids=["individuals", "subgroups"],
)
def test_identical_values_have_no_variation(data):
    result = spc_analyse(data, lsl=12, usl=13)

    assert result.status is Status.NO_VARIATION
    assert "do not vary" in result.message
    assert result.location.centre == pytest.approx(12.5)
    assert result.location.ucl == result.location.lcl == result.location.centre
    assert result.dispersion.centre == 0
    cap = result.capability
    assert cap.sigma_within == 0 and cap.sigma_overall == 0
    assert (cap.cp, cap.cpk, cap.pp, cap.ppk) == (None,) * 4
    assert result.violations == ()


def test_values_that_vary_only_between_subgroups():
    """Every range zero, means differ: no limits, but Pp from the overall spread."""
    data = [(1, 1.0), (1, 1.0), (2, 2.0), (2, 2.0), (3, 3.0), (3, 3.0)]

    result = spc_analyse(data, lsl=0, usl=4)

    assert result.status is Status.NO_VARIATION
    assert result.capability.cp is None
    assert result.capability.pp == pytest.approx(4 / (6 * (4 / 5) ** 0.5))  # s = sqrt(0.8)
    assert result.violations == ()


# --- rules -----------------------------------------------------------------------
# Centre 0, sigma 1: each value is its distance from the centre line in sigma.


def rules(values):
    return rule_violations(values, centre=0.0, sigma=1.0)


def test_no_rule_fires_on_alternating_small_values():
    assert rules([0.5, -0.5, 0.8, -0.3, 0.2, -0.9, 0.4, -0.1, 0.6, -0.6] * 3) == {}


def test_beyond_3_sigma():
    assert rules([0.5, -0.5, 3.5, 0.5, -3.2, 0.5]) == {Rule.BEYOND_3_SIGMA: (2, 4)}


def test_exactly_3_sigma_is_not_beyond():
    assert rules([0.5, -0.5, 3.0, 0.5]) == {}


def test_two_of_three_beyond_2_sigma_same_side():
    assert rules([0.5, 2.5, -0.5, 2.5, 0.5]) == {Rule.TWO_OF_THREE_BEYOND_2_SIGMA: (1, 3)}
    assert rules([0.5, -2.5, -2.2, 0.5]) == {Rule.TWO_OF_THREE_BEYOND_2_SIGMA: (1, 2)}


def test_two_beyond_2_sigma_on_opposite_sides_or_too_far_apart():
    assert rules([2.5, -2.5, 0.0]) == {}
    assert rules([2.5, 0.5, -0.5, 2.5]) == {}


def test_four_of_five_beyond_1_sigma_same_side():
    found = rules([0.5, 1.5, 1.5, 0.5, 1.5, 1.5, -0.5])

    assert found == {Rule.FOUR_OF_FIVE_BEYOND_1_SIGMA: (1, 2, 4, 5)}


def test_three_of_five_beyond_1_sigma_is_not_enough():
    assert rules([0.5, 1.5, 1.5, 0.5, 1.5, -0.5]) == {}


def test_nine_on_one_side():
    values = [-0.5] + [0.2, 0.4] * 4 + [0.2] + [-0.5]  # nine positive, at 1..9

    assert rules(values) == {Rule.NINE_ON_ONE_SIDE: tuple(range(1, 10))}


def test_eight_on_one_side_is_not_enough():
    assert rules([-0.5] + [0.2, 0.4] * 4 + [-0.5]) == {}


def test_a_point_on_the_centre_line_ends_a_run():
    assert rules([0.2, 0.4] * 2 + [0.0] + [0.4, 0.2] * 2) == {}


def test_six_trending():
    values = [0.0, -0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.2]  # up from 1 to 6

    assert rules(values) == {Rule.SIX_TRENDING: (1, 2, 3, 4, 5, 6)}
    assert rules([-v for v in values]) == {Rule.SIX_TRENDING: (1, 2, 3, 4, 5, 6)}


def test_five_trending_or_a_flat_step_is_not_a_trend():
    assert rules([0.0, -0.5, -0.3, -0.1, 0.1, 0.3, 0.2]) == {}
    assert rules([-0.5, -0.3, -0.1, -0.1, 0.1, 0.3, 0.5]) == {}


def test_zero_sigma_fires_nothing():
    assert rule_violations([1.0, 5.0, 9.0], centre=1.0, sigma=0.0) == {}


def test_rules_through_the_analysis_and_on_the_points():
    """Nine subgroups at 10, one far above: the mean of 10 goes up, so the nine sit
    below the centre line, and the last is beyond 3 sigma."""
    data = [(k, 10.0 + d) for k in range(10) for d in (-0.5, 0.5)]
    data += [(10, 14.0 + d) for d in (-0.5, 0.5)]

    result = spc_analyse(data)

    # X-double-bar = (10 * 10 + 14) / 11 = 10.363636..., R-bar = 1, n = 2:
    # UCL = 10.3636 + 1.88 * 1 = 12.2436 < 14; sigma of X-bar = 1.88 / 3 = 0.6267, so
    # the nine at 10 are 0.58 sigma below: one side, not beyond 1 sigma.
    assert result.location.ucl == pytest.approx(12.2436364, abs=1e-6)
    assert {v.rule: v.indexes for v in result.violations} == {
        Rule.BEYOND_3_SIGMA: (10,),
        Rule.NINE_ON_ONE_SIDE: tuple(range(10)),
    }
    flagged = result.location.points[10]
    assert flagged.rules == (Rule.BEYOND_3_SIGMA,) and flagged.flagged
    assert result.location.points[0].rules == (Rule.NINE_ON_ONE_SIDE,)
    assert result.flagged_point_count == 11
    assert result.dispersion.flagged_points == ()


def test_range_above_its_upper_control_limit():
    # Ten subgroups of 2 around 10; ranges 0.25 except subgroup 6 with 2.0.
    # R-bar = (9 * 0.25 + 2.0) / 10 = 0.425; UCL = 3.267 * 0.425 = 1.388475 < 2.0.
    # All means are 10: no location rule fires.
    data = [(k, 10.0 + d) for k in range(10) for d in ((-1.0, 1.0) if k == 6 else (-0.125, 0.125))]

    result = spc_analyse(data)

    assert result.dispersion.ucl == pytest.approx(1.388475)
    assert {v.rule: v.indexes for v in result.violations} == {Rule.DISPERSION_ABOVE_UCL: (6,)}
    assert [p.index for p in result.dispersion.flagged_points] == [6]
    assert result.location.flagged_points == ()


def test_moving_range_above_its_upper_control_limit():
    # Values 0, 0.1, 0, 0.1, ... with one jump of 2 and back: the MR chart flags the
    # jump at index 5 and the return at 6.  MR-bar = (8 * 0.1 + 2.0 + 1.9) / 10 = 0.47;
    # UCL = 3.267 * 0.47 = 1.53549.
    values = [0.0, 0.1, 0.0, 0.1, 0.0, 2.0, 0.1, 0.0, 0.1, 0.0, 0.1]

    result = spc_analyse(list(enumerate(values)))

    mr = {v.rule: v.indexes for v in result.violations}[Rule.DISPERSION_ABOVE_UCL]
    assert mr == (5, 6)
    assert result.dispersion.ucl == pytest.approx(1.53549)


def test_every_rule_has_a_description():
    for rule in Rule:
        assert rule.description and rule.description[0].isupper()
