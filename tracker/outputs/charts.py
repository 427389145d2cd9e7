"""Plotly figures. Every figure states its unit and as-of month in its title, since charts leave the dashboard as
images and must still say what they show."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from tracker.i18n import month_label, t
from tracker.model.plan import Target
from tracker.model.status import ProgressConfig
from tracker.model.units import axis_scale, format_percent, format_quantity

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"


def _remember_property_paths() -> None:
    """plotly parses every property path (``"xaxis.gridcolor"``) afresh each time a figure is updated, through
    helpers that build a class per call: half the time of building a figure here (the regions page's bar chart
    22 → 10 ms, the same JSON). The parse is a pure function of the string, so it is remembered (a copy of the
    list it returns each time, as callers get a fresh one from plotly)."""
    from functools import lru_cache

    import plotly.basedatatypes as base

    parse = getattr(base, "_str_to_dict_path_full", None)
    if parse is None or getattr(parse, "remembered", False):
        return
    cached = lru_cache(maxsize=8192)(parse)

    def remembered(key_path_str):
        if not isinstance(key_path_str, str):
            return parse(key_path_str)
        path, positions = cached(key_path_str)
        return path, list(positions)

    remembered.remembered, remembered.parse = True, parse
    base._str_to_dict_path_full = remembered


_remember_property_paths()


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    fig.update_xaxes(gridcolor="#e5e7eb")
    fig.update_yaxes(gridcolor="#e5e7eb")
    return fig


def region_pace_bar(rows: pd.DataFrame, target: Target, as_of: str, config: ProgressConfig,
                    lang: str = "zh") -> go.Figure:
    """Regions ranked by pace (actual / expected by now), coloured by status, labelled to 0.1 % cut the way the
    status is judged (``format_percent``: never rounded across a threshold).

    Regions without an allocated target have no pace: they are drawn by their own figure in the target's unit
    and the no-target colour, under a title that says so, so no target is invented for them (drawn as shares of
    the province, every county read "0% · 未分解目标"). A target whose period ended before the month shown is
    judged at its end, and the title says at which month.
    """
    data = rows.copy()
    has_pace = data["pace"].notna().any()
    measure = "pace" if has_pace else "actual"
    data = data.sort_values(measure, ascending=True, na_position="first")
    names = data["region_name"]
    colours = [config.status(s).colour for s in data["status"]]
    labels = [config.status(s).label(lang) for s in data["status"]]
    if has_pace:
        values = data["pace"].astype(float) * 100
        text = [f"{format_percent(v / 100)} · {lab}" if pd.notna(v) else lab for v, lab in zip(values, labels)]
        hover = "%{y}: %{x:.1f}%<extra></extra>"
    else:
        peak = float(data["actual"].max()) if data["actual"].notna().any() else 1.0
        divisor, unit = axis_scale(peak or 1.0, target.unit, lang)
        values = data["actual"].astype(float) / divisor
        text = [format_quantity(v, target.unit, lang) if pd.notna(v) else "—" for v in data["actual"]]
        hover = "%{y}: %{text}<extra></extra>"
    fig = go.Figure(go.Bar(
        x=values, y=names, orientation="h", marker_color=colours, text=text,
        textposition="outside", cliponaxis=False, hovertemplate=hover,
    ))
    if has_pace:  # under the bars and their labels, so a label near 100 % stays legible
        fig.add_vline(x=100, line_dash="dash", line_color="#444", layer="below")
    top = float(values.max()) if values.notna().any() else 100.0
    fig.update_xaxes(range=[0, max(top, 100.0 if has_pace else top) * 1.35])  # room for the outside labels
    if has_pace:
        fig.update_xaxes(title=t("chart.pace_axis", lang), ticksuffix="%")
        title = t("chart.region_pace_title", lang, target=target.name.get(lang), month=month_label(as_of, lang))
    else:
        fig.update_xaxes(title=unit)
        title = t("chart.region_actual_title", lang, target=target.name.get(lang), unit=unit,
                  month=month_label(as_of, lang))
    judged = {m for m in data.get("month", pd.Series(dtype=object)) if isinstance(m, str) and m != as_of}
    if len(judged) == 1:
        title += t("chart.judged_at", lang, month=month_label(judged.pop(), lang))
    return _layout(fig, title, height=max(320, 28 * len(data) + 120))


def _months(periods) -> list[pd.Timestamp]:
    """Months as dates, so the axis spaces and thins its labels itself (36 category labels collided)."""
    return [pd.Timestamp(f"{m}-01") for m in periods]


def _month_axis(lang: str) -> dict:
    return {"tickformat": "%b %Y" if lang == "en" else "%Y年%-m月", "hoverformat": "%b %Y" if lang == "en"
            else "%Y年%-m月", "gridcolor": "#e5e7eb"}


def trend_chart(history: pd.DataFrame, projection: pd.DataFrame, target: Target, as_of: str,
                lang: str = "zh", goal: float | None = None, original: pd.DataFrame | None = None) -> go.Figure:
    """Actual against its trajectory, the projection to the end of the period with its band, and the same month
    a year earlier when there are figures for it; below, in a panel of its own, each month's own increment as
    bars. ``goal``: the target the region is held to (the plan's value when None; a relative target's is worked
    out from its baseline).

    The bars have their own panel and their own scale: drawn over the lines on a second axis they washed the
    lines out, and that axis, aligned to the first, ticked 0.175 / 0.351 / 0.526."""
    from plotly.subplots import make_subplots

    goal = target.value if goal is None else goal
    series = [history["expected"], history["actual"], pd.Series([goal], dtype="float64")]
    if not projection.empty:
        series += [projection["high"]]
    peak = max(float(s.astype(float).max(skipna=True)) for s in series if s.notna().any())
    divisor, unit = axis_scale(peak, target.unit, lang)
    x = _months(history["period"])
    increments = history["increment"].astype(float)
    bars = increments.notna().any()
    fig = make_subplots(rows=2 if bars else 1, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.72, 0.28] if bars else [1.0])
    fig.add_trace(go.Scatter(x=x, y=history["expected"] / divisor, name=t("chart.expected", lang), mode="lines",
                             line={"dash": "dash", "color": "#6b7280", "width": 2}), row=1, col=1)
    if original is not None:   # a revised target: the path the plan first set, beside the revised one
        fig.add_trace(go.Scatter(x=_months(original["period"]), y=original["expected"].astype(float) / divisor,
                                 mode="lines", name=t("chart.original_expected", lang),
                                 line={"dash": "dot", "color": "#9ca3af", "width": 2}), row=1, col=1)
    previous = history["previous_year"].astype(float)
    if previous.notna().any():
        fig.add_trace(go.Scatter(x=x, y=previous / divisor, name=t("chart.previous_year", lang), mode="lines",
                                 line={"color": "#a0aec0", "width": 2, "dash": "dot"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=history["actual"] / divisor, name=t("chart.actual", lang),
                             mode="lines+markers", line={"color": "#c53030", "width": 3}), row=1, col=1)
    if not projection.empty:
        observed = history.dropna(subset=["actual"])
        anchor_x = _months([observed["period"].iloc[-1]]) if not observed.empty else []
        anchor_y = [float(observed["actual"].iloc[-1]) / divisor] if not observed.empty else []
        px = anchor_x + _months(projection["period"])
        fig.add_trace(go.Scatter(x=px, y=anchor_y + list(projection["high"] / divisor), mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip"), row=1, col=1)
        fig.add_trace(go.Scatter(x=px, y=anchor_y + list(projection["low"] / divisor), mode="lines",
                                 line={"width": 0}, fill="tonexty", fillcolor="rgba(197,48,48,0.12)",
                                 name=t("chart.band", lang), hoverinfo="skip"), row=1, col=1)
        fig.add_trace(go.Scatter(x=px, y=anchor_y + list(projection["projected"] / divisor),
                                 name=t("chart.projection", lang), mode="lines",
                                 line={"color": "#c53030", "width": 2, "dash": "dot"}), row=1, col=1)
    if target.kind == "level" and goal is not None:
        fig.add_hline(y=goal / divisor, line_dash="dot", line_color="#1b7f3b", row=1, col=1,
                      annotation_text=t("chart.target_line", lang), annotation_position="top left")
    fig.update_yaxes(title=unit, rangemode="tozero" if target.kind != "level" else "normal", row=1, col=1)
    if bars:
        size = float(increments.abs().max())
        bar_divisor, bar_unit = axis_scale(size if size > 0 else 1.0, target.unit, lang)
        fig.add_trace(go.Bar(x=x, y=increments / bar_divisor, name=t("chart.increment", lang),
                             marker_color="#94a3b8"), row=2, col=1)
        fig.update_yaxes(title=t("chart.increment_axis", lang, unit=bar_unit), rangemode="tozero", row=2, col=1)
    title = t("chart.trend_title", lang, target=target.name.get(lang), unit=unit, month=month_label(as_of, lang))
    fig = _layout(fig, title, height=560 if bars else 460)
    fig.update_xaxes(**_month_axis(lang))
    return fig


def judgement_chart(history: pd.DataFrame, config: ProgressConfig, target: Target, lang: str = "zh") -> go.Figure:
    """The office's delivery judgements of a target over time: a step line from one review to the next, the most
    confident level at the top, each point in its level's colour."""
    levels = list(config.delivery_confidence)
    rank = {s.id: len(levels) - i for i, s in enumerate(levels)}
    fig = go.Figure(go.Scatter(
        x=[pd.Timestamp(d) for d in history["reviewed_on"]], y=[rank[v] for v in history["level"]],
        mode="lines+markers", line={"shape": "hv", "color": "#6b7280", "width": 2},
        marker={"size": 12, "color": [config.confidence(v).colour for v in history["level"]]},
        text=[config.confidence(v).label(lang) for v in history["level"]], hovertemplate="%{x}: %{text}<extra></extra>",
    ))
    fig.update_yaxes(range=[0.5, len(levels) + 0.5], tickvals=[rank[s.id] for s in levels],
                     ticktext=[s.label(lang) for s in levels], gridcolor="#e5e7eb")
    fig.update_xaxes(tickformat="%b %Y" if lang == "en" else "%Y年%-m月", gridcolor="#e5e7eb")
    return _layout(fig, t("judgement.history_title", lang, target=target.name.get(lang)), height=300)


def completeness_heatmap(matrix: pd.DataFrame, as_of: str, lang: str = "zh") -> go.Figure:
    """Prefecture × month reporting rates: a month where a prefecture's counties are missing stands out."""
    values = matrix.to_numpy(dtype=float) * 100
    fig = go.Figure(go.Heatmap(
        z=values, x=list(matrix.columns), y=list(matrix.index), zmin=0, zmax=100,
        colorscale=[[0, "#c53030"], [0.8, "#f6e05e"], [0.95, "#c6f6d5"], [1, "#1b7f3b"]],
        text=[[f"{v:.0f}%" for v in row] for row in values], texttemplate="%{text}", textfont={"size": 11},
        colorbar={"title": "%", "ticksuffix": "%"},
        hovertemplate="%{y} %{x}: %{z:.0f}%<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    title = t("chart.completeness_title", lang, month=month_label(as_of, lang))
    return _layout(fig, title, height=max(420, 24 * len(matrix) + 140))
