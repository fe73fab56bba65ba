"""Charts of a chat analysis as SVG, drawn with matplotlib (research/libs.md: Agg, no pandas).

Every chart has the same figures beside it as a table (RGAA 1.1 / WCAG 1.1.1: the image is a
shortcut, never the only way to read the data). Hostile messages are drawn hatched as well as
coloured, so the difference does not rest on colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

_ALL = "#1f5f9e"  # dark blue: 7.1:1 on white
_HOSTILE = "#b3261e"  # dark red: 6.4:1 on white


@dataclass(frozen=True)
class ChartText:
    """The words of a chart, in the reader's language."""

    title: str
    x_label: str
    y_label: str
    all_label: str
    hostile_label: str
    date_format: str  # strftime, e.g. "%d/%m/%y" in French


def analysis_charts(
    days: Sequence[tuple[str, int, int]], hours: Sequence[tuple[int, int, int]], t: Callable[[str], str]
) -> dict[str, bytes]:
    """Both charts of an analysis, worded with the translator ``t``: {"days": svg, "hours": svg}."""
    common = {
        "y_label": t("Messages"),
        "all_label": t("Tous les messages"),
        "hostile_label": t("Messages à vérifier"),
        "date_format": t("%d/%m/%y"),
    }
    return {
        "days": per_day_svg(days, ChartText(title=t("Messages par jour"), x_label=t("Jour"), **common)),
        "hours": per_hour_svg(
            hours, ChartText(title=t("Messages par heure de la journée"), x_label=t("Heure"), **common)
        ),
    }


_DAILY_TICKS = 10  # days: up to this span, a tick for each day


def per_day_svg(days: Sequence[tuple[str, int, int]], text: ChartText) -> bytes:
    """Messages per day (bars), the hostile ones hatched over them."""
    moments = [date.fromisoformat(day) for day, _, _ in days]
    figure, axes = _figure()
    from matplotlib.dates import AutoDateLocator, DateFormatter, DayLocator

    axes.bar(moments, [m for _, m, _ in days], width=1.0, color=_ALL, label=text.all_label)
    axes.bar(
        moments,
        [h for _, _, h in days],
        width=1.0,
        color=_HOSTILE,
        hatch="///",
        edgecolor="white",
        label=text.hostile_label,
    )
    # A few days: one tick a day. AutoDateLocator finds no interval for some short spans
    # (3 days warns "unable to pick an appropriate interval" in matplotlib 3.11).
    span = (max(moments) - min(moments)).days if moments else 0
    locator = DayLocator() if span <= _DAILY_TICKS else AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(DateFormatter(text.date_format))  # type: ignore[no-untyped-call]
    return _finish(figure, axes, text)


def per_hour_svg(hours: Sequence[tuple[int, int, int]], text: ChartText) -> bytes:
    """Messages per hour of the day, 0 h to 23 h, the hostile ones hatched."""
    figure, axes = _figure()
    axes.bar([h for h, _, _ in hours], [m for _, m, _ in hours], color=_ALL, label=text.all_label)
    axes.bar(
        [h for h, _, _ in hours],
        [n for _, _, n in hours],
        color=_HOSTILE,
        hatch="///",
        edgecolor="white",
        label=text.hostile_label,
    )
    axes.set_xticks(range(0, 24, 2))
    return _finish(figure, axes, text)


def _figure() -> tuple[Any, Any]:
    # Imported here: matplotlib takes about half a second to import, and only charts need it.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.2), dpi=100, layout="constrained")
    return figure, figure.subplots()


def _finish(figure: Any, axes: Any, text: ChartText) -> bytes:
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no "2.5 messages"
    axes.set_title(text.title)
    axes.set_xlabel(text.x_label)
    axes.set_ylabel(text.y_label)
    # Above the plot, never over the bars.
    figure.legend(loc="outside upper right", ncols=2, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    from matplotlib import rc_context

    out = io.BytesIO()
    # No date in the file and fixed ids: the same data gives the same bytes. Text is drawn as
    # paths, so the chart looks the same without the font installed.
    with rc_context({"svg.hashsalt": "recours", "svg.fonttype": "path"}):
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()
