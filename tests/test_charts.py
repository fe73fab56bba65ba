"""The analysis charts: SVG drawn by matplotlib, reproducible, with nothing that could run."""

from __future__ import annotations

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
