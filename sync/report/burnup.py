"""The burn-up chart: done and total scope per day since the milestone's start, the due date,
and the forecast fan from today (P50 to P85). pygal draws it as SVG; the page inlines it, so
the chart needs no script and no request to any host."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Protocol

import pygal
from pygal.style import Style

MAX_POINTS = 400  # a milestone that started years ago is drawn on every n-th day

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#222222",
    foreground_subtle="#dddddd",
    colors=("#2e7d32", "#1565c0", "#c62828", "#ef6c00", "#8e24aa"),
    guide_stroke_color="#e0e0e0",
    major_guide_stroke_color="#cccccc",
    guide_stroke_dasharray="1,0",
    major_guide_stroke_dasharray="1,0",
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=12,
    stroke_width="3",
    stroke_width_hover="3",
    stroke_opacity="1",
    stroke_opacity_hover="1",
)


class MemberLike(Protocol):
    key: str
    created_at: str
    closed_at: str | None
    category: str


def burnup_series(
    members: Sequence[MemberLike],
    start: str | None,
    as_of: date,
    joined: Mapping[str, str] | None = None,
) -> dict:
    """{"days", "done", "total"}: per day from the start to ``as_of``, the items in scope
    (in the milestone by that day's end: created, or later ``joined`` as the tracker's history
    dates it) and those done by then (closed that day or before)."""
    if not start:
        return {"days": [], "done": [], "total": []}
    first = min(date.fromisoformat(start[:10]), as_of)
    joined = joined or {}
    created = Counter(
        max(m.created_at[:10], (joined.get(m.key) or "")[:10], first.isoformat()) for m in members
    )
    closed = Counter(
        max((m.closed_at or as_of.isoformat())[:10], first.isoformat())
        for m in members
        if m.category == "done"
    )
    step = max(1, ((as_of - first).days + 1) // MAX_POINTS + 1)
    days, done, total = [], [], []
    running_total = running_done = 0
    day = first
    while day <= as_of:
        text = day.isoformat()
        running_total += created.get(text, 0)
        running_done += closed.get(text, 0)
        if (day - first).days % step == 0 or day == as_of:
            days.append(text)
            total.append(running_total)
            done.append(running_done)
        day += timedelta(days=1)
    return {"days": days, "done": done, "total": total}


def burnup_svg(page: dict[str, Any], words: dict[str, str], as_of: date) -> str:
    """The chart as an inline ``<svg>`` element: x is days since the start, labelled as dates."""
    series = page["burnup"]
    if not series["days"]:
        return ""
    first = date.fromisoformat(series["days"][0])

    def x(day: str) -> int:
        return (date.fromisoformat(day) - first).days

    chart = pygal.XY(**chart_config(first))
    points = list(zip(map(x, series["days"]), series["done"], strict=True))
    totals = list(zip(map(x, series["days"]), series["total"], strict=True))
    chart.add(words["chart_done"], points)
    chart.add(words["chart_total"], totals)
    top = max(series["total"] + [1])
    if page["due_date"]:
        due_x = x(page["due_date"])
        chart.add(words["chart_due"], [(due_x, 0), (due_x, top)], stroke_style={"dasharray": "6,4"})
    forecast = page["forecast"]
    if forecast.get("basis") == "monte_carlo" and not forecast.get("beyond_horizon"):
        today = (x(as_of.isoformat()), series["done"][-1])
        scope = series["total"][-1]
        for name in ("p50", "p85"):
            chart.add(
                words[f"chart_{name}"],
                [today, (x(forecast[name]), scope)],
                stroke_style={"dasharray": "3,3", "width": 2},
            )
    return strip_scripts(chart.render(is_unicode=True))


def chart_config(first: date) -> dict[str, Any]:
    """No script (``js=[]``; pygal's inline config script is stripped after), no XML
    declaration (the SVG sits inside HTML), sized by the page (``explicit_size=False``)."""
    return dict(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        width=800,
        height=420,
        show_dots=False,
        stroke_style={"width": 3},
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        x_value_formatter=lambda n: (first + timedelta(days=int(n))).strftime("%m-%d"),
        x_labels_major_count=6,
        show_minor_x_labels=False,
        include_x_axis=True,
        show_x_guides=False,
        print_values=False,
        explicit_size=False,
    )


def strip_scripts(svg: str) -> str:
    """pygal always embeds a small config ``<script>`` (for tooltips) and comments naming its
    site: the report carries neither."""
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.S)
