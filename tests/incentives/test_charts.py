"""The SVG charts: their data, their escaping, readable without JavaScript."""

import re

from portal.incentives import charts


def test_line_chart_carries_every_data_point():
    svg = str(
        charts.line_chart(
            "c1",
            ["2026-01", "2026-02", "2026-03"],
            {"socialization": [3, 0, -2], "total": [3, 5, 8]},
            title="Points per month",
            labels={"socialization": "Socialization", "total": "Total"},
        )
    )
    points = re.findall(
        r'data-series="(\w+)" data-month="([\d-]+)" data-value="(-?\d+)"', svg
    )
    assert points == [
        ("socialization", "2026-01", "3"),
        ("socialization", "2026-02", "0"),
        ("socialization", "2026-03", "-2"),
        ("total", "2026-01", "3"),
        ("total", "2026-02", "5"),
        ("total", "2026-03", "8"),
    ]
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and "<title" in svg
    assert "<script" not in svg and "style=" not in svg


def test_higher_values_are_drawn_higher():
    svg = str(
        charts.line_chart(
            "c2", ["a", "b"], {"total": [1, 9]}, title="t", labels={"total": "T"}
        )
    )
    ys = [float(y) for y in re.findall(r'<circle[^>]* cy="([\d.]+)"', svg)]
    assert ys[1] < ys[0]


def test_one_month_and_no_points_still_draw():
    svg = str(
        charts.line_chart(
            "c3", ["2026-01"], {"total": [0]}, title="t", labels={"total": "T"}
        )
    )
    assert 'data-value="0"' in svg


def test_text_is_escaped():
    svg = str(
        charts.stacked_bars(
            "c4",
            [('<script>alert("x")</script>', {"socialization": 4, "combination": -1})],
            title="<b>Split</b>",
            labels={"socialization": "S&amp", "combination": "C"},
        )
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;Split&lt;/b&gt;" in svg
    assert "S&amp;amp" in svg


def test_stacked_bars_carry_each_segment():
    svg = str(
        charts.stacked_bars(
            "c5",
            [("Sales", {"socialization": 4, "combination": 6}), ("HR", {})],
            title="Split",
            labels={"socialization": "S", "combination": "C"},
        )
    )
    segments = re.findall(r'data-series="(\w+)" data-value="(-?\d+)"', svg)
    assert segments == [
        ("socialization", "4"),
        ("combination", "6"),
        ("socialization", "0"),
        ("combination", "0"),
    ]
    assert 'data-label="Sales" data-total="10"' in svg
    widths = [
        float(w)
        for w in re.findall(r'class="incentives-segment[^>]* width="([\d.]+)"', svg)
    ]
    assert widths[1] > widths[0] > 0 and widths[2:] == [0, 0]
