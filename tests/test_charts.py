"""The analysis charts: SVG drawn by matplotlib, reproducible, with nothing that could run."""

from __future__ import annotations

import warnings
from datetime import date, timedelta

import pytest

from recours.adapters.charts import analysis_charts
from recours.i18n import gettext_for

DAYS = [("2026-03-02", 6, 3), ("2026-03-03", 2, 0), ("2026-03-20", 1, 1)]
HOURS = [(h, h % 3, h % 2) for h in range(24)]


def test_both_charts_are_svg_worded_in_the_reader_s_language() -> None:
    french = analysis_charts(DAYS, HOURS, gettext_for("fr").gettext)
    english = analysis_charts(DAYS, HOURS, gettext_for("en").gettext)
    assert set(french) == {"days", "hours"}
    for svg in (*french.values(), *english.values()):
        assert svg.startswith(b"<?xml") and b"<svg" in svg
        assert b"<script" not in svg and b'href="http' not in svg
    # Text is drawn as paths; matplotlib keeps each string as a comment beside its glyphs.
    assert b"Messages par jour" in french["days"]
    assert b"Messages per day" in english["days"]


def test_the_same_figures_give_the_same_bytes() -> None:
    translate = gettext_for("fr").gettext
    assert analysis_charts(DAYS, HOURS, translate) == analysis_charts(DAYS, HOURS, translate)
    assert analysis_charts(DAYS, HOURS, translate) != analysis_charts(DAYS[:2], HOURS, translate)


@pytest.mark.parametrize("span", [1, 2, 3, 4, 7, 10, 11, 30, 45, 400])
def test_any_span_of_days_draws_without_a_warning(span: int) -> None:
    # matplotlib's AutoDateLocator warns (an error in the tests, a 500 page once) on 3 days.
    first = date(2026, 3, 1)
    days = [((first + timedelta(days=k)).isoformat(), 3, 1) for k in range(0, span, max(1, span // 15))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts = analysis_charts(days, [(h, 1, 0) for h in range(24)], lambda s: s)
    assert charts["days"].startswith(b"<?xml")
