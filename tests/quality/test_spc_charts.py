"""SVG control charts: well-formed, accessible, self-contained, localised. No database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test.utils import override_settings
from django.utils import translation

from quality.spc import Status, spc_analyse
from quality.spc_charts import chart_summary, control_chart_svg

from .test_spc import individuals_data, xbar_r_data

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def flagged_markers(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "point flagged"]


def plain_markers(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "point"]


def with_violations():
    """Nine subgroups of 2 at 10, one at 14: the last is beyond 3 sigma, the first
    nine are a run below the centre line (see test_spc)."""
    data = [(k, 10.0 + d) for k in range(10) for d in (-0.5, 0.5)]
    data += [(10, 14.0 + d) for d in (-0.5, 0.5)]
    return spc_analyse(data, lsl=8, usl=15)


def test_svg_is_well_formed_and_accessible():
    result = spc_analyse(xbar_r_data(), lsl=9.5, usl=10.5, nominal=10)

    svg = control_chart_svg(result, title="Bore diameter", unit="mm")
    root = parse(svg)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 720 470"
    assert root.get("width") == "100%" and root.get("height") is None
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Bore diameter"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text == (
        "X̄ and R chart of 5 subgroups of 4 (n = 20). Cp 1.07, Cpk 0.94. "
        "No point violates the control rules."
    )
    assert "Subgroup mean X̄ (mm)" in svg and "Range R (mm)" in svg
    assert "USL 10.500" in svg and "LSL 9.500" in svg and "Nominal 10.000" in svg
    assert "UCL 10.293" in svg and "LCL 9.827" in svg and "CL 10.060" in svg
    assert "UCL 0.730" in svg  # R chart; its LCL of 0 is not labelled
    assert len(plain_markers(root)) == 10  # five means, five ranges
    assert flagged_markers(root) == []


def test_svg_is_self_contained():
    svg = control_chart_svg(with_violations(), title="Bore", unit="mm")

    root = parse(svg)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {
        "svg",
        "title",
        "desc",
        "rect",
        "g",
        "text",
        "line",
        "circle",
        "path",
        "polyline",
    }
    attributes = {name for element in root.iter() for name in element.attrib}
    assert not [name for name in attributes if name.startswith("on") or "href" in name]
    assert "<script" not in svg and "url(" not in svg


def test_violating_points_are_marked_by_shape_and_named():
    result = with_violations()
    assert result.flagged_point_count == 11

    root = parse(control_chart_svg(result, title="Bore", unit="mm"))

    flagged = flagged_markers(root)
    assert len(flagged) == 11
    assert all(g.find(f"{SVG}path") is not None for g in flagged)  # diamonds
    assert all(g.find(f"{SVG}circle") is None for g in flagged)
    assert len(plain_markers(root)) == 11  # the ranges
    assert all(g.find(f"{SVG}circle") is not None for g in plain_markers(root))
    last = flagged[-1].find(f"{SVG}title").text
    assert last == (
        "Subgroup 11 (10): Subgroup mean X̄ 14.00 mm. One point beyond the control limits (3 sigma)"
    )
    desc = root.find(f"{SVG}desc").text
    assert "11 points violate the control rules: One point beyond the control limits" in desc
    assert "Nine points in a row on one side of the centre line" in desc
    assert "Rule violation" in ET.tostring(root.find(f"{SVG}g"), encoding="unicode")  # legend


def test_individuals_chart_has_a_moving_range_chart_below():
    result = spc_analyse(individuals_data(), lsl=4.5, usl=5.5)

    root = parse(control_chart_svg(result, title="Length", unit=""))

    svg = ET.tostring(root, encoding="unicode")
    assert "Individual value" in svg and "Moving range MR" in svg
    assert "(mm)" not in svg and "()" not in svg
    assert len(plain_markers(root)) == 10 + 9
    assert root.find(f"{SVG}desc").text.startswith(
        "Individuals and moving range chart of 10 values. Cp 0.81, Cpk 0.73."
    )


def test_numbers_follow_the_language():
    data = [(key, value + 1224.5) for key, value in xbar_r_data()]  # X-double-bar 1234.56
    result = spc_analyse(data, lsl=Decimal("1234.0"), usl=Decimal("1235.0"))

    with translation.override("de"), override_settings(USE_THOUSAND_SEPARATOR=True):
        svg = control_chart_svg(result, title="Bohrung", unit="mm")
        summary = chart_summary(result)

    parse(svg)
    assert "CL 1.234,560" in svg
    assert "UCL 1.234,793" in svg
    assert "UCL 0,730" in svg
    assert "1,234.56" not in svg and "1234.56" not in svg
    assert "Cp 1,07" in summary and "Cpk 0,94" in summary


def test_one_sided_spec_says_cp_is_not_defined():
    result = spc_analyse(xbar_r_data(), usl=10.5)

    svg = control_chart_svg(result, title="Bore", unit="mm")

    assert "Cp not defined, Cpk 0.94." in parse(svg).find(f"{SVG}desc").text
    assert "USL 10.500" in svg and "LSL" not in svg


def test_far_specification_limit_is_labelled_at_the_edge():
    result = spc_analyse(xbar_r_data(), lsl=0, usl=100)

    svg = control_chart_svg(result, title="Bore", unit="mm")

    assert "USL 100.000 ↑" in svg and "LSL 0.000 ↓" in svg
    assert svg.count('class="spec"') == 0  # no line drawn far off the data


def test_no_spec_limits():
    svg = control_chart_svg(spc_analyse(xbar_r_data()), title="Bore", unit="mm")

    assert "No specification limits, so no Cp or Cpk." in svg
    assert "Specification limits" not in svg  # not in the legend either


def test_title_and_unit_are_escaped():
    svg = control_chart_svg(spc_analyse(xbar_r_data()), title='<b>"Bore" & co</b>', unit="<script>")

    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<b>"Bore" & co</b>'
    assert "<script" not in svg


def test_not_enough_data_draws_nothing():
    result = spc_analyse([(1, 5.0), (2, 5.1)], lsl=4, usl=6)

    assert result.status is Status.NOT_ENOUGH_DATA
    assert control_chart_svg(result, title="Bore", unit="mm") == ""
    assert control_chart_svg(spc_analyse([]), title="Bore", unit="mm") == ""


def test_identical_values_draw_a_flat_chart_and_say_why():
    result = spc_analyse([(i, Decimal("12.50")) for i in range(6)], lsl=12, usl=13)

    root = parse(control_chart_svg(result, title="Flat", unit="mm"))

    assert "do not vary" in root.find(f"{SVG}desc").text
    assert len(plain_markers(root)) == 6 + 5
    assert flagged_markers(root) == []


def test_excluded_subgroups_are_mentioned():
    result = spc_analyse(xbar_r_data() + [(6, 10.0)])

    assert "1 subgroup of another size is left out." in chart_summary(result)


def test_many_points_keep_the_axis_readable():
    values = [(i, 5.0 + (i % 7) * 0.01) for i in range(300)]
    root = parse(control_chart_svg(spc_analyse(values), title="Long run", unit="mm"))

    axis_labels = [
        t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle" and t.text
    ]
    assert "300" in axis_labels and "20" in axis_labels and "10" not in axis_labels
    assert len(axis_labels) <= 17  # at most 15 numbers, "1" and the axis name
