"""The trend chart marks points not validated (hollow, with a legend entry) and labels
each point with its value. Pure: no database."""

import xml.etree.ElementTree as ET

import pytest

from qa_tool.benchmarks.charts import INSTITUTION, Series, trend_chart

NS = "{http://www.w3.org/2000/svg}"


def chart(**overrides):
    arguments = {
        "cycles": ["2024", "2025", "2026"],
        "series": [Series("Overall score", [38.88, None, 71.25], INSTITUTION)],
        "title": "Trend",
        "description": "Overall score by cycle",
        "id_prefix": "t",
        "hollow": [True, True, False],
        "hollow_label": "not validated",
        "value_labels": True,
    }
    return ET.fromstring(trend_chart(**(arguments | overrides)))  # noqa: S314 -- our own output


def series_layer(root):
    (found,) = [e for e in root.iter() if e.get("id") == "t-series-0"]
    return found


def test_unvalidated_points_are_hollow_and_the_legend_says_so():
    root = chart()
    first, last = series_layer(root).iter(f"{NS}circle")
    assert first.get("fill") == "#ffffff" and first.get("stroke") == INSTITUTION
    assert first.find(f"{NS}title").text == "Overall score · 2024: 38.9 (not validated)"
    assert last.get("fill") == INSTITUTION
    assert last.find(f"{NS}title").text == "Overall score · 2026: 71.3"
    (legend,) = [e for e in root.iter() if e.get("id") == "t-legend"]
    assert [t.text for t in legend.iter(f"{NS}text")] == ["Overall score", "not validated"]
    swatch = next(legend.iter(f"{NS}circle"))
    assert swatch.get("fill") == "#ffffff" and swatch.get("stroke") == INSTITUTION


def test_each_point_is_labelled_with_its_value_above_it():
    root = chart()
    labels = list(series_layer(root).iter(f"{NS}text"))
    assert [t.text for t in labels] == ["38.9", "71.3"]  # one decimal, half up; None: none
    circles = list(series_layer(root).iter(f"{NS}circle"))
    for label, point in zip(labels, circles, strict=True):
        assert float(label.get("x")) == pytest.approx(float(point.get("cx")))
        assert float(label.get("y")) < float(point.get("cy"))


def test_a_point_at_the_top_has_its_label_below():
    root = chart(series=[Series("s", [100, 50, 20], INSTITUTION)], hollow=None)
    labels = list(series_layer(root).iter(f"{NS}text"))
    circles = list(series_layer(root).iter(f"{NS}circle"))
    assert float(labels[0].get("y")) > float(circles[0].get("cy"))
    assert float(labels[1].get("y")) < float(circles[1].get("cy"))


def test_without_marks_the_chart_is_as_before():
    root = chart(hollow=None, hollow_label="", value_labels=False)
    assert list(series_layer(root).iter(f"{NS}text")) == []
    assert all(c.get("fill") == INSTITUTION for c in series_layer(root).iter(f"{NS}circle"))
    (legend,) = [e for e in root.iter() if e.get("id") == "t-legend"]
    assert [t.text for t in legend.iter(f"{NS}text")] == ["Overall score"]


def test_hollow_flags_must_match_the_cycles():
    with pytest.raises(ValueError, match="hollow has 2 items, expected 3"):
        chart(hollow=[True, False])
