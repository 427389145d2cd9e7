"""Choropleth maps of Sichuan's prefectures and counties, coloured by status or pace, drawn offline.

The boundaries are DataV's (data/divisions/*.geojson, see PROVENANCE.md). Maps are ``go.Choroplethmap`` traces on
the ``white-bg`` style: plotly draws them with MapLibre on a plain white background, without tiles, so no request
leaves the machine. (The ``geo`` family — ``go.Choropleth``, ``go.Scattergeo`` — fetches a world map from a CDN and
draws nothing offline; never use it here.) Region names are drawn by a ``go.Scattermap`` text trace at each
feature's ``center``; they are all Chinese characters, which MapLibre draws with the local CJK font instead of
fetching glyphs, so labels never carry Latin letters or digits.

Pure functions: a figure from progress rows, tested without Streamlit.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from tracker import DATA_DIR
from tracker.i18n import month_label, t
from tracker.model.plan import Target
from tracker.model.regions import RegionTree
from tracker.model.status import ProgressConfig
from tracker.model.units import BASE_UNITS, axis_scale, format_percent, format_quantity
from tracker.outputs.charts import FONT

GEOJSON_FILES = {
    "prefecture": DATA_DIR / "divisions" / "sichuan_prefectures.geojson",
    "county": DATA_DIR / "divisions" / "sichuan_counties.geojson",
}
LEVELS = ("prefecture", "county")
MODES = ("status", "pace")
PROVINCE_CODE = "510000"

#: Pace is coloured from 0 to 150 %, diverging at 100 %: reds behind the pace line, blues ahead of it. Every colour
#: is light enough for the black labels drawn on it.
PACE_MAX = 150.0
PACE_COLOURS = [
    [0.0, "#b83a3a"], [50 / PACE_MAX, "#e07b6a"], [85 / PACE_MAX, "#f2b06e"], [95 / PACE_MAX, "#f8dcae"],
    [100 / PACE_MAX, "#f7f3d0"], [115 / PACE_MAX, "#c4dcf0"], [130 / PACE_MAX, "#8dbae0"], [1.0, "#4f8fcb"],
]
PACE_TICKS = [0, 50, 85, 100, 150]
#: The actual, when no region in view has an allocated target (so no pace): one sequential hue.
ACTUAL_COLOURS = [[0.0, "#eef3fb"], [0.5, "#a9c6e8"], [1.0, "#4a83c4"]]
OUT_OF_SCOPE_COLOUR = "#eceff3"
BORDER = "#ffffff"
FILL_OPACITY = 0.72  # status colours are dark; lightened on the white background, the black labels stay legible
LABEL_COLOUR = "#111827"
HEIGHT = 660
#: Colour bars sit at the bottom left, which Sichuan's outline leaves empty; the status legend at the top right.
COLORBAR = {"len": 0.45, "thickness": 14, "x": 0.01, "xanchor": "left", "y": 0.03, "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.85)", "outlinewidth": 0}
MARGIN = {"l": 10, "r": 10, "t": 64, "b": 10}
#: The width the map is fitted to; the chart stretches to its column, which on a desktop is at least this wide.
FIT_WIDTH = 820
COORDINATE_DIGITS = 3  # ≈ 100 m, far below a pixel at the zooms drawn; the chart spec is a third smaller


def _round_ring(ring: list) -> list:
    out = []
    for lon, lat, *_ in ring:
        point = [round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)]
        if not out or out[-1] != point:
            out.append(point)
    return out if len(out) >= 4 else [[round(x, COORDINATE_DIGITS) for x in p[:2]] for p in ring]


def _round_geometry(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [_round_ring(r) for r in geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon",
                "coordinates": [[_round_ring(r) for r in polygon] for polygon in geometry["coordinates"]]}
    return geometry


@lru_cache(maxsize=2)
def _features(level: str) -> tuple[dict, ...]:
    """The level's features, read once, with ``properties.adcode`` as a 6-digit string like our region codes."""
    data = json.loads(GEOJSON_FILES[level].read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        props = feature["properties"]
        parent = props.get("parent") or {}
        out.append({
            "type": "Feature",
            "properties": {
                "adcode": f"{int(props['adcode']):06d}",
                "name": props["name"],
                "center": list(props["center"]),
                # The centroid spreads labels better than the seat of government (``center``), which crowds
                # the labels of a city's districts together; 泸州市 has none in the source.
                "label_at": list(props.get("centroid") or props["center"]),
                "parent": f"{int(parent['adcode']):06d}" if parent.get("adcode") else None,
            },
            "geometry": _round_geometry(feature["geometry"]),
        })
    return tuple(out)


def features(level: str, prefecture: str | None = None) -> list[dict]:
    """Features of ``level`` (prefecture or county), the counties of one prefecture if ``prefecture`` is given."""
    if level not in LEVELS:
        raise ValueError(f"unknown map level {level!r}")
    found = list(_features(level))
    if prefecture and prefecture != PROVINCE_CODE:
        if level != "county":
            raise ValueError("a prefecture's map shows its counties")
        found = [f for f in found if f["properties"]["parent"] == prefecture]
        if not found:
            raise ValueError(f"no county boundaries for prefecture {prefecture!r}")
    return found


def geojson(level: str, prefecture: str | None = None) -> dict:
    return {"type": "FeatureCollection", "features": features(level, prefecture)}


def _points(geometry: dict):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def bounds(found: list[dict]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the features."""
    lons, lats = [], []
    for feature in found:
        for lon, lat, *_ in _points(feature["geometry"]):
            lons.append(lon)
            lats.append(lat)
    return min(lons), min(lats), max(lons), max(lats)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit(box: tuple[float, float, float, float], width: float = FIT_WIDTH,
        height: float = HEIGHT - MARGIN["t"] - MARGIN["b"], padding: float = 0.92) -> tuple[dict, float]:
    """Centre and zoom that show ``box`` whole in a ``width`` × ``height`` pixel map (MapLibre: 512-px world)."""
    west, south, east, north = box
    y_mid = (_mercator_y(south) + _mercator_y(north)) / 2
    centre = {"lon": (west + east) / 2, "lat": math.degrees(2 * math.atan(math.exp(y_mid)) - math.pi / 2)}
    lon_fraction = max(east - west, 1e-6) / 360
    y_fraction = max(_mercator_y(north) - _mercator_y(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width * padding / (512 * lon_fraction)), math.log2(height * padding / (512 * y_fraction)))
    return centre, round(zoom, 2)


def _tree(tree: RegionTree | None) -> RegionTree:
    if tree is None:
        from loaders.regions import load_divisions  # as in snapshot.py: the core reads data through loaders/

        tree = load_divisions()
    return tree


def _line(key: str, value: str, lang: str) -> str:
    return t("maps.hover_line", lang, label=t(key, lang), value=value)


def _hover(name: str, row: dict | None, target: Target, config: ProgressConfig, lang: str) -> str:
    if row is None:
        return f"<b>{name}</b><br>{t('maps.out_of_scope', lang)}"
    unit = target.unit
    reporters = f"{int(row['reported'])}/{int(row['expected_reporters'])}"
    lines = [
        f"<b>{name}</b>",
        _line("col.actual", format_quantity(row["actual"], unit, lang), lang),
        _line("col.allocated", format_quantity(row["target_value"], unit, lang), lang),
        _line("col.expected", format_quantity(row["expected"], unit, lang), lang),
        _line("col.pace", format_percent(row["pace"]), lang),
        _line("col.status", config.status(row["status"]).label(lang), lang),
        _line("col.reporters", reporters, lang),
    ]
    return "<br>".join(lines)


def _subset(found: list[dict], code_list: list[str]) -> dict:
    """The features a trace draws, so that each boundary is sent to the browser once, not once per trace."""
    wanted = set(code_list)
    return {"type": "FeatureCollection", "features": [f for f in found if f["properties"]["adcode"] in wanted]}


def _flat(code_list: list[str], colour: str, name: str, hovers: list[str], found: list[dict],
          legend: bool = True) -> go.Choroplethmap:
    """One colour for every location: a legend entry of a discrete map."""
    return go.Choroplethmap(
        geojson=_subset(found, code_list), featureidkey="properties.adcode", locations=code_list,
        z=[1] * len(code_list),
        colorscale=[[0, colour], [1, colour]], zmin=0, zmax=1, showscale=False, name=name, showlegend=legend,
        legendgroup=name, marker={"line": {"color": BORDER, "width": 1}, "opacity": FILL_OPACITY},
        customdata=[[h] for h in hovers], hovertemplate="%{customdata[0]}<extra></extra>",
    )


def choropleth(
    rows: pd.DataFrame,
    target: Target,
    level: str,
    config: ProgressConfig,
    as_of: str,
    lang: str = "zh",
    scope: list[str] | None = None,
    prefecture: str | None = None,
    mode: str = "status",
    tree: RegionTree | None = None,
) -> go.Figure:
    """A map of ``level``'s regions (a prefecture's counties if ``prefecture`` is given) for one target.

    ``rows``: progress rows of that level (those of other targets and regions are ignored). ``mode``: ``status``
    colours each region by its status, with a legend of the statuses; ``pace`` colours by actual / expected from 0
    to 150 %, diverging at 100 % (regions without a pace keep their status colour, grey for 未报送 and 未分解目标).
    If no region in view has a pace (no allocated targets), ``pace`` colours by the actual instead, and says so in
    the title. ``scope``: the counties a scoped target applies to; regions outside it are drawn in light grey.
    """
    if mode not in MODES:
        raise ValueError(f"unknown map mode {mode!r}")
    prefecture = None if prefecture in (None, PROVINCE_CODE) else prefecture
    if prefecture:
        level = "county"
    found = features(level, prefecture)
    codes = [f["properties"]["adcode"] for f in found]
    tree = _tree(tree)
    parents = {r.code: r.parent_code for r in tree.regions}
    short = {r.code: r.short_name for r in tree.regions}
    # Two counties of one name in view (内江's and 乐山's 市中区 on the province's county map) are told apart by their
    # prefecture, as people say them: 内江市中区, 乐山市中区.
    seen = Counter(short.get(c) for c in codes)
    for code in codes:
        if seen[short.get(code)] > 1 and parents.get(code) in short:
            short[code] = short[parents[code]] + short[code]
    in_scope = set(codes)
    if scope is not None:
        scoped = set(scope)
        in_scope = {c for c in codes
                    if (c in scoped if level == "county" else any(parents.get(s) == c for s in scoped))}

    data = rows[(rows["target"] == target.id) & rows["region"].isin(codes)]
    by_code = {r["region"]: r for r in data.to_dict("records")}
    names = {f["properties"]["adcode"]: f["properties"]["name"] for f in found}
    for code, row in by_code.items():
        names[code] = row["region_name"]
    twice = Counter(names.values())
    for code, name in names.items():   # the hover says 乐山市市中区, like the label
        if twice[name] > 1 and parents.get(code) in tree:
            names[code] = tree[parents[code]].name + name
    empty = {"actual": None, "target_value": None, "expected": None, "pace": None, "status": "no_data",
             "reported": 0, "expected_reporters": 1 if level == "county" else 0}

    def row_of(code: str) -> dict:
        return by_code.get(code) or {**empty, "region": code, "region_name": names[code]}

    fig = go.Figure()
    drawn = [c for c in codes if c in in_scope]
    has_pace = mode == "pace" and any(pd.notna(row_of(c)["pace"]) for c in drawn)
    measure = mode if mode == "status" or has_pace else "actual"
    divisor, scaled_unit = 1.0, target.unit
    if measure == "pace":
        coloured = [c for c in drawn if pd.notna(row_of(c)["pace"])]
        fig.add_trace(go.Choroplethmap(
            geojson=_subset(found, coloured), featureidkey="properties.adcode", locations=coloured,
            z=[min(float(row_of(c)["pace"]) * 100, PACE_MAX) for c in coloured],
            zmin=0, zmax=PACE_MAX, colorscale=PACE_COLOURS, name=t("maps.measure.pace", lang), showlegend=False,
            marker={"line": {"color": "#9ca3af", "width": 0.8}},
            colorbar={**COLORBAR, "title": {"text": t("maps.measure.pace", lang)}, "tickvals": PACE_TICKS,
                      "ticktext": [f"{v:.0f}%" for v in PACE_TICKS[:-1]] + [f"≥{PACE_TICKS[-1]:.0f}%"]},
            customdata=[[_hover(names[c], row_of(c), target, config, lang)] for c in coloured],
            hovertemplate="%{customdata[0]}<extra></extra>",
        ))
        rest = [c for c in drawn if c not in set(coloured)]
    elif measure == "actual":
        coloured = [c for c in drawn if pd.notna(row_of(c)["actual"])]
        peak = max((float(row_of(c)["actual"]) for c in coloured), default=0.0)
        divisor, scaled_unit = axis_scale(peak, target.unit, lang)
        fig.add_trace(go.Choroplethmap(
            geojson=_subset(found, coloured), featureidkey="properties.adcode", locations=coloured,
            z=[float(row_of(c)["actual"]) / divisor for c in coloured], zmin=0, colorscale=ACTUAL_COLOURS,
            name=t("maps.measure.actual", lang), showlegend=False,
            marker={"line": {"color": "#9ca3af", "width": 0.8}},
            colorbar={"title": {"text": f"{t('maps.measure.actual', lang)}（{scaled_unit}）" if lang == "zh"
                                else f"{t('maps.measure.actual', lang)} ({scaled_unit})"}, **COLORBAR},
            customdata=[[_hover(names[c], row_of(c), target, config, lang)] for c in coloured],
            hovertemplate="%{customdata[0]}<extra></extra>",
        ))
        rest = [c for c in drawn if c not in set(coloured)]
    else:
        rest = drawn
    for status in config.statuses:
        these = [c for c in rest if row_of(c)["status"] == status.id]
        if these:
            label = t("maps.legend_count", lang, label=status.label(lang), n=len(these))
            fig.add_trace(_flat(these, status.colour, label,
                                [_hover(names[c], row_of(c), target, config, lang) for c in these], found))
    outside = [c for c in codes if c not in in_scope]
    if outside:
        label = t("maps.legend_count", lang, label=t("maps.out_of_scope", lang), n=len(outside))
        fig.add_trace(_flat(outside, OUT_OF_SCOPE_COLOUR, label,
                            [_hover(names[c], None, target, config, lang) for c in outside], found))

    centres = {f["properties"]["adcode"]: f["properties"]["label_at"] for f in found}
    small = level == "county" and not prefecture
    fig.add_trace(go.Scattermap(
        lon=[centres[c][0] for c in codes], lat=[centres[c][1] for c in codes],
        text=[short.get(c, names[c]) for c in codes], mode="text", hoverinfo="skip", showlegend=False,
        textfont={"size": 10 if small else 13, "color": LABEL_COLOUR},
    ))

    centre, zoom = fit(bounds(found))
    area = names_of_area(prefecture, tree, lang)
    unit = target.unit if lang == "zh" else BASE_UNITS.get(target.unit, {"en": target.unit})["en"]
    title = t("maps.chart_title", lang, target=target.name.get(lang), area=area,
              level=t(f"maps.by_{level}", lang), measure=t(f"maps.measure.{measure}", lang),
              unit=scaled_unit if measure == "actual" else unit, month=month_label(as_of, lang))
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        font={"family": FONT, "size": 14},
        height=HEIGHT,
        margin=MARGIN,
        map={"style": "white-bg", "center": centre, "zoom": zoom},
        legend={"title": {"text": t("col.status", lang)}, "orientation": "v", "x": 0.995, "xanchor": "right",
                "y": 0.99, "yanchor": "top", "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#d1d5db",
                "borderwidth": 1, "itemclick": False, "itemdoubleclick": False},
        hoverlabel={"font": {"family": FONT, "size": 13, "color": LABEL_COLOUR}, "bgcolor": "white",
                    "bordercolor": "#9ca3af", "align": "left"},
    )
    return fig


def names_of_area(prefecture: str | None, tree: RegionTree | None = None, lang: str = "zh") -> str:
    if not prefecture or prefecture == PROVINCE_CODE:
        return t("maps.province", lang)
    return _tree(tree)[prefecture].name


def locations(fig: go.Figure) -> list[str]:
    """Every region code the figure's choropleth traces draw, in trace order."""
    return [code for trace in fig.data if trace.type == "choroplethmap" for code in trace.locations]
