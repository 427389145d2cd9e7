"""Plotly figures. Every figure states its unit and as-of month in its title, since charts leave the dashboard as
images and must still say what they show."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from tracker.i18n import month_label, t
from tracker.model.plan import Target
from tracker.model.status import ProgressConfig
from tracker.model.units import axis_scale

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
    """Regions ranked by pace (actual / expected by now), coloured by status.

    Regions without an allocated target have no pace; they are ranked by their share of the province instead and
    drawn in the no-target colour, so no target is invented for them.
    """
    data = rows.copy()
    has_pace = data["pace"].notna().any()
    measure = "pace" if has_pace else "share"
    data = data.sort_values(measure, ascending=True, na_position="first")
    names = data["region_name"]
    colours = [config.status(s).colour for s in data["status"]]
    labels = [config.status(s).label(lang) for s in data["status"]]
    values = data[measure].astype(float) * 100
    fig = go.Figure(go.Bar(
        x=values, y=names, orientation="h", marker_color=colours,
        text=[f"{v:.0f}% · {lab}" if pd.notna(v) else lab for v, lab in zip(values, labels)],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    ))
    if has_pace:
        fig.add_vline(x=100, line_dash="dash", line_color="#444")
    top = float(values.max()) if values.notna().any() else 100.0
    fig.update_xaxes(range=[0, max(top, 100.0 if has_pace else top) * 1.3])  # room for the outside labels
    axis = t("chart.pace_axis" if has_pace else "chart.share_axis", lang)
    fig.update_xaxes(title=axis, ticksuffix="%")
    title = t("chart.region_pace_title", lang, target=target.name.get(lang), month=month_label(as_of, lang))
    return _layout(fig, title, height=max(320, 28 * len(data) + 120))


def trend_chart(history: pd.DataFrame, projection: pd.DataFrame, target: Target, as_of: str,
                lang: str = "zh", goal: float | None = None, original: pd.DataFrame | None = None) -> go.Figure:
    """Actual against its trajectory, each month's own increment as bars, the projection to the end of the period
    with its band, and the same month a year earlier when there are figures for it. ``goal``: the target the
    region is held to (the plan's value when None; a relative target's is worked out from its baseline)."""
    goal = target.value if goal is None else goal
    series = [history["expected"], history["actual"], pd.Series([goal], dtype="float64")]
    if not projection.empty:
        series += [projection["high"]]
    peak = max(float(s.astype(float).max(skipna=True)) for s in series if s.notna().any())
    divisor, unit = axis_scale(peak, target.unit, lang)
    x = [month_label(m, lang) for m in history["period"]]
    fig = go.Figure()
    if history["increment"].notna().any():
        fig.add_trace(go.Bar(x=x, y=history["increment"] / divisor, name=t("chart.increment", lang),
                             marker_color="#cbd5e1", yaxis="y2", opacity=0.8))
    fig.add_trace(go.Scatter(x=x, y=history["expected"] / divisor, name=t("chart.expected", lang), mode="lines",
                             line={"dash": "dash", "color": "#6b7280", "width": 2}))
    if original is not None:   # a revised target: the path the plan first set, beside the revised one
        fig.add_trace(go.Scatter(x=[month_label(m, lang) for m in original["period"]],
                                 y=original["expected"].astype(float) / divisor, mode="lines",
                                 name=t("chart.original_expected", lang),
                                 line={"dash": "dot", "color": "#9ca3af", "width": 2}))
    previous = history["previous_year"].astype(float)
    if previous.notna().any():
        fig.add_trace(go.Scatter(x=x, y=previous / divisor, name=t("chart.previous_year", lang), mode="lines",
                                 line={"color": "#a0aec0", "width": 2, "dash": "dot"}))
    fig.add_trace(go.Scatter(x=x, y=history["actual"] / divisor, name=t("chart.actual", lang),
                             mode="lines+markers", line={"color": "#c53030", "width": 3}))
    if not projection.empty:
        observed = history.dropna(subset=["actual"])
        anchor_x = [month_label(observed["period"].iloc[-1], lang)] if not observed.empty else []
        anchor_y = [float(observed["actual"].iloc[-1]) / divisor] if not observed.empty else []
        px = anchor_x + [month_label(m, lang) for m in projection["period"]]
        fig.add_trace(go.Scatter(x=px, y=anchor_y + list(projection["high"] / divisor), mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=px, y=anchor_y + list(projection["low"] / divisor), mode="lines",
                                 line={"width": 0}, fill="tonexty", fillcolor="rgba(197,48,48,0.12)",
                                 name=t("chart.band", lang), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=px, y=anchor_y + list(projection["projected"] / divisor),
                                 name=t("chart.projection", lang), mode="lines",
                                 line={"color": "#c53030", "width": 2, "dash": "dot"}))
    if target.kind == "level" and goal is not None:
        fig.add_hline(y=goal / divisor, line_dash="dot", line_color="#1b7f3b",
                      annotation_text=t("chart.target_line", lang), annotation_position="top left")
    fig.update_layout(yaxis={"title": unit, "rangemode": "tozero" if target.kind != "level" else "normal"},
                      yaxis2={"title": t("chart.increment_axis", lang, unit=unit), "overlaying": "y",
                              "side": "right", "showgrid": False, "rangemode": "tozero"},
                      barmode="overlay")
    title = t("chart.trend_title", lang, target=target.name.get(lang), unit=unit, month=month_label(as_of, lang))
    return _layout(fig, title, height=460)


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
