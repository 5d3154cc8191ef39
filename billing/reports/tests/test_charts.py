"""The server-side SVG charts: valid SVG, escaped labels, sensible ticks, empty data
and single points, nothing the CSP would block."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from billing.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    # Our own markup, not untrusted input; parsing proves it is well-formed XML.
    root = ET.fromstring(str(markup))  # noqa: S314
    assert root.tag == f"{SVG}svg"
    return root


def test_it_draws_one_bar_per_value_with_a_title_and_label():
    svg = charts.bar_chart(
        [("2025-01-01", Decimal("1.50")), ("2025-01-02", 3), ("2025-01-03", 0)],
        title="Spend per day",
        unit="Fee",
    )
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Spend per day"
    assert root.find(f"{SVG}title").text == "Spend per day"
    bars = root.findall(f".//{SVG}rect[@class='chart-bar']")
    assert len(bars) == 3
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == max(heights) and heights[2] == 0
    assert heights[0] == heights[1] / 2
    assert bars[0].find(f"{SVG}title").text == "2025-01-01: 1.50"
    labels = [t.text for t in root.findall(f".//{SVG}text[@class='chart-label']")]
    assert labels == ["2025-01-01", "2025-01-02", "2025-01-03"]


def test_it_escapes_labels_and_titles():
    evil = '<script>alert("x")</script>&'
    svg = str(charts.bar_chart([(evil, 1)], title=evil))
    assert "<script>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == evil
    assert root.find(f".//{SVG}rect/{SVG}title").text == f"{evil}: 1"
    line = str(charts.line_chart(charts.Series(evil, [(evil, 2)]), title=evil))
    assert "<script>" not in line
    parse(line)


def test_it_uses_nothing_the_csp_forbids():
    svg = str(
        charts.line_chart(
            [charts.Series("a", [("x", 1), ("y", 2)]), charts.Series("b", [("x", 3)])],
            title="t",
        )
    ) + str(charts.bar_chart([("x", -1), ("y", 2)], title="t"))
    assert "style" not in svg and "<script" not in svg and " on" not in svg.lower()


def test_it_chooses_round_ticks_from_zero():
    assert charts.ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    assert charts.ticks(0, 0.034) == [0, 0.01, 0.02, 0.03, 0.04]
    assert charts.ticks(-3, 7) == [-4, -2, 0, 2, 4, 6, 8]
    assert charts.ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1]
    assert charts.ticks(5, 12) == [0, 5, 10, 15]
    labels = [
        t.text
        for t in parse(charts.bar_chart([("a", 1234)], title="t")).findall(
            f".//{SVG}text[@class='chart-tick']"
        )
    ]
    assert labels[0] == "0" and labels[-1] == "1,500"


def test_it_says_no_data_for_an_empty_chart():
    for svg in (
        charts.bar_chart([], title="Nothing"),
        charts.line_chart([], title="Nothing"),
        charts.line_chart(charts.Series("s", []), title="Nothing"),
    ):
        root = parse(svg)
        assert root.find(f"{SVG}title").text == "Nothing"
        assert root.find(f".//{SVG}text[@class='chart-empty']").text == "No data"


def test_it_draws_a_single_point_as_a_dot():
    root = parse(charts.line_chart(charts.Series("ASR", [("2025-01-01", 50)]), title="ASR"))
    assert root.findall(f".//{SVG}polyline") == []
    dots = root.findall(f".//{SVG}circle")
    assert len(dots) == 1 and dots[0].find(f"{SVG}title").text == "ASR · 2025-01-01: 50"
    single_bar = parse(charts.bar_chart([("only", 5)], title="t"))
    assert len(single_bar.findall(f".//{SVG}rect[@class='chart-bar']")) == 1


def test_it_breaks_a_line_at_missing_values_and_draws_negative_bars_below_zero():
    root = parse(
        charts.line_chart(
            charts.Series("s", [("a", 1), ("b", 2), ("c", None), ("d", 3), ("e", 4)]), title="t"
        )
    )
    assert len(root.findall(f".//{SVG}polyline")) == 2
    bars = parse(charts.bar_chart([("up", 2), ("down", -2)], title="t")).findall(f".//{SVG}rect")
    up, down = bars
    assert down.get("class") == "chart-bar chart-bar-negative"
    assert float(down.get("y")) == float(up.get("y")) + float(up.get("height"))


def test_it_thins_labels_of_long_series_and_slants_long_names():
    data = [(f"2025-01-{d:02d}", d) for d in range(1, 32)]
    root = parse(charts.bar_chart(data, title="t"))
    assert len(root.findall(f".//{SVG}rect[@class='chart-bar']")) == 31
    labels = [t.text for t in root.findall(f".//{SVG}text[@class='chart-label']")]
    assert 1 < len(labels) < 12 and labels[0] == "2025-01-01"
    assert all(t.get("transform") is None for t in root.iter(f"{SVG}text"))

    names = [(f"Destination number {n}", n) for n in range(10)]
    slanted = parse(charts.bar_chart(names, title="t"))
    texts = slanted.findall(f".//{SVG}text[@class='chart-label']")
    assert len(texts) == 10 and all(t.get("transform", "").startswith("rotate(") for t in texts)
    assert texts[0].text == "Destination num…"
    level = parse(charts.bar_chart([("a", 1)], title="t"))
    assert float(slanted.get("viewBox").split()[3]) > float(level.get("viewBox").split()[3])
