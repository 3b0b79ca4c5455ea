"""Server-side SVG charts: scales, labels and values a reader (or a test) can find."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from services.gateway.web.charts import BOTTOM, TOP, Series, bars, line, meter, nice_max

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (20, 20), (21, 50), (150, 200)]
)
def test_the_scale_rounds_up_to_1_2_or_5_times_a_power_of_ten(value: int, expected: int) -> None:
    assert nice_max(value) == expected


def texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own chart, not outside input
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_bars_are_well_formed_svg_with_every_label_and_value() -> None:
    svg = bars(["Jan", "Feb"], [Series("Paket", [15, 0])], title="Paket <per> bulan")
    assert "Jan" in texts(svg)
    assert "Feb" in texts(svg)
    assert "15" in texts(svg)
    assert "0" not in texts(svg), "an empty bar carries no value label"
    assert "Paket &lt;per&gt; bulan" in svg


def test_the_tallest_bar_fills_the_scale_and_heights_are_proportional() -> None:
    svg = bars(["a", "b"], [Series("x", [20, 10])], title="t", height=230)
    heights = [float(h) for h in re.findall(r'<rect class="s1"[^>]* height="([\d.]+)"', svg)]
    assert heights[0] == pytest.approx(230 - TOP - BOTTOM)
    assert heights[1] == pytest.approx(heights[0] / 2)


def test_grouped_bars_draw_one_rect_per_series_and_label() -> None:
    svg = bars(["a", "b", "c"], [Series("x", [1, 2, 3]), Series("y", [3, 2, 1], "s2")], title="t")
    assert svg.count('<rect class="s1"') == 3
    assert svg.count('<rect class="s2"') == 3


def test_a_line_labels_each_point_with_its_value_in_order() -> None:
    svg = line(["2021", "2022", "2023"], [Series("Temuan", [20, 10, 7], "s3")], title="t")
    labels = texts(svg)
    assert labels[:3] == ["20", "10", "7"]
    points = re.search(r'points="([^"]+)"', svg)
    assert points is not None
    ys = [float(p.split(",")[1]) for p in points.group(1).split()]
    assert ys[0] < ys[1] < ys[2], "fewer findings sit lower on the chart"


def test_a_meter_is_full_at_or_above_its_whole_and_empty_without_one() -> None:
    assert 'width="100.0"' in meter(9, 8, title="x").split("meter-bg")[1]
    assert '<rect class="s1" width="0.0"' in meter(3, 0, title="x")
    assert '<rect class="s1" width="50.0"' in meter(4, 8, title="x")
