"""Choropleth maps (tracker/outputs/maps.py) on the demo database of each backend, and the maps page under AppTest."""
from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT
from tracker.model.units import format_percent, format_quantity
from tracker.outputs import maps

PLAN_ID = "sichuan-2023-citizenization"
AS_OF = "2023-09"
MIANYANG = "510700"
HAN = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture(scope="module")
def snap(demo_url):
    from tracker.progress.snapshot import load_snapshot
    from tracker.store.db import get_engine

    return load_snapshot(get_engine(demo_url), PLAN_ID, AS_OF)


def draw(snap, target_id="labor_brand_training", level="prefecture", lang="zh", **kwargs):
    return maps.choropleth(snap.rows(level), snap.plan.target(target_id), level, snap.config, snap.as_of, lang,
                           tree=snap.tree, **kwargs)


def regions_of(fig) -> list[str]:
    return maps.locations(fig)


def choropleths(fig):
    return [trace for trace in fig.data if trace.type == "choroplethmap"]


def labels(fig):
    return next(trace for trace in fig.data if trace.type == "scattermap")


def hover_of(fig, code: str) -> str:
    for trace in choropleths(fig):
        if code in trace.locations:
            return trace.customdata[list(trace.locations).index(code)][0]
    raise AssertionError(f"{code} is not drawn")


def geojson_codes(level: str) -> set[str]:
    return {f["properties"]["adcode"] for f in maps.features(level)}


# --- boundaries -----------------------------------------------------------------------------------------------------

def test_boundaries_are_read_once_with_string_codes_matching_the_divisions(snap):
    assert maps._features("county") is maps._features("county")  # lru_cache: the 1.8 MB file is parsed once
    for level, n in (("prefecture", 21), ("county", 183)):
        codes = geojson_codes(level)
        assert len(codes) == n
        assert all(isinstance(c, str) and re.fullmatch(r"\d{6}", c) for c in codes)
        assert codes == {r.code for r in snap.tree.level(level)}
    assert "513402" in geojson_codes("county")  # 会理市 under its current code (PROVENANCE.md)
    mianyang = maps.features("county", MIANYANG)
    assert len(mianyang) == 9 and all(f["properties"]["parent"] == MIANYANG for f in mianyang)


def test_fit_centres_and_zooms_on_the_features():
    province_box = maps.bounds(maps.features("prefecture"))
    west, south, east, north = province_box
    assert 97 < west < 98 and 108 < east < 109 and 26 < south < 26.2 and 34 < north < 34.5
    centre, zoom = maps.fit(province_box)
    assert west < centre["lon"] < east and south < centre["lat"] < north
    box = maps.bounds(maps.features("county", MIANYANG))
    m_centre, m_zoom = maps.fit(box)
    assert box[0] < m_centre["lon"] < box[2] and box[1] < m_centre["lat"] < box[3]
    assert m_zoom > zoom + 1  # a prefecture is drawn much closer than the province
    # The box fits in the map at that zoom (512-px world at zoom 0): its width in pixels is within FIT_WIDTH.
    assert (box[2] - box[0]) / 360 * 512 * 2 ** m_zoom <= maps.FIT_WIDTH


# --- the figure -----------------------------------------------------------------------------------------------------

def test_prefecture_map_draws_the_21_prefectures_offline(snap):
    fig = draw(snap)
    codes = regions_of(fig)
    assert len(codes) == 21 and len(set(codes)) == 21
    assert set(codes) == geojson_codes("prefecture")
    kinds = {trace.type for trace in fig.data}
    assert kinds == {"choroplethmap", "scattermap"}
    spec = fig.to_plotly_json()
    assert not {"choropleth", "scattergeo"} & {trace["type"] for trace in spec["data"]}
    assert "geo" not in spec["layout"], "the geo family fetches a CDN world map and draws nothing offline"
    assert spec["layout"]["map"]["style"] == "white-bg"
    assert not spec["layout"]["map"].get("layers"), "no tile layers"


def test_every_location_is_a_feature_of_its_traces_geojson_and_each_boundary_is_sent_once(snap):
    fig = draw(snap, "key_area_skill_training", "county", scope=snap.scopes["key_area_skill_training"])
    sent = []
    for trace in choropleths(fig):
        assert trace.featureidkey == "properties.adcode"
        in_geojson = [f["properties"]["adcode"] for f in trace.geojson["features"]]
        assert sorted(in_geojson) == sorted(trace.locations)  # same type (str) and same codes
        sent += in_geojson
    assert len(sent) == len(set(sent)) == 183


def test_county_map_of_the_province_draws_183_counties(snap):
    fig = draw(snap, level="county")
    assert len(regions_of(fig)) == 183 and set(regions_of(fig)) == geojson_codes("county")
    assert "各县（市、区）" in fig.layout.title.text


def test_two_counties_of_one_name_are_told_apart_by_their_prefecture(snap):
    """内江 and 乐山 both have a 市中区: on the province's county map each label and hover names its prefecture."""
    fig = draw(snap, level="county")
    text = list(labels(fig).text)
    assert "内江市中区" in text and "乐山市中区" in text and "市中区" not in text
    assert len(set(text)) == 183
    hovers = " ".join(str(h) for trace in fig.data if trace.customdata is not None for h in trace.customdata)
    assert "内江市市中区" in hovers and "乐山市市中区" in hovers
    mianyang = labels(draw(snap, prefecture="510700")).text   # one prefecture's map: the plain short names
    assert "涪城" in "".join(mianyang) or "涪城区" in mianyang


def test_drilling_down_to_mianyang_draws_its_nine_counties_closer(snap):
    province = draw(snap)
    fig = draw(snap, level="county", prefecture=MIANYANG)
    codes = regions_of(fig)
    assert len(codes) == 9
    assert {snap.tree[c].parent_code for c in codes} == {MIANYANG}
    assert {f["properties"]["adcode"] for trace in choropleths(fig) for f in trace.geojson["features"]} == set(codes)
    assert fig.layout.map.zoom > province.layout.map.zoom + 1
    west, south, east, north = maps.bounds(maps.features("county", MIANYANG))
    assert west < fig.layout.map.center.lon < east and south < fig.layout.map.center.lat < north
    assert "绵阳市各县（市、区）" in fig.layout.title.text
    assert set(labels(fig).text) == {snap.tree[c].short_name for c in codes}
    # The whole province chosen as the "prefecture" is the province's map.
    assert len(regions_of(draw(snap, prefecture="510000"))) == 21


def test_status_colours_follow_each_regions_status_with_a_legend_of_labels(snap):
    fig = draw(snap)
    rows = snap.rows("prefecture")
    status_of = dict(zip(rows[rows["target"] == "labor_brand_training"]["region"],
                         rows[rows["target"] == "labor_brand_training"]["status"]))
    assert len(set(status_of.values())) >= 3  # the demo has regions on track, at risk and behind
    legend = []
    for trace in choropleths(fig):
        statuses = {status_of[c] for c in trace.locations}
        assert len(statuses) == 1, trace.name
        status = snap.config.status(statuses.pop())
        assert {c[1] for c in trace.colorscale} == {status.colour}
        assert trace.showlegend and trace.name == f"{status.label('zh')}（{len(trace.locations)}）"
        legend.append(status.id)
    order = [s.id for s in snap.config.statuses]
    assert legend == sorted(legend, key=order.index), "the legend follows the configured order"


def test_pace_is_coloured_continuously_from_0_to_150_percent_diverging_at_100(snap):
    fig = draw(snap, mode="pace")
    rows = snap.rows("prefecture")
    rows = rows[rows["target"] == "labor_brand_training"].set_index("region")
    paced = choropleths(fig)[0]
    assert (paced.zmin, paced.zmax) == (0, 150)
    assert paced.colorbar.title.text == "进度"
    assert len(paced.locations) == rows["pace"].notna().sum() > 15  # a prefecture without a pace (数据不全) is not coloured
    for code, z in zip(paced.locations, paced.z):
        assert z == pytest.approx(min(rows.loc[code, "pace"] * 100, 150))
    positions = [p for p, _ in paced.colorscale]
    assert 100 / 150 in positions  # the neutral middle sits at 100 %


def test_without_allocated_targets_pace_colours_by_the_actual_and_status_is_grey(snap):
    rows = snap.rows("county")
    mine = rows[(rows["target"] == "labor_brand_training") & (rows["parent"] == MIANYANG)]
    assert mine["target_value"].isna().all()  # the demo allocates to no county
    status = draw(snap, level="county", prefecture=MIANYANG)
    for trace in choropleths(status):
        statuses = set(mine.set_index("region").loc[list(trace.locations), "status"])
        assert statuses <= {"no_target", "no_data"} and len(statuses) == 1
        assert {c[1] for c in trace.colorscale} == {snap.config.status(statuses.pop()).colour}
    fig = draw(snap, level="county", prefecture=MIANYANG, mode="pace")
    assert "实际" in fig.layout.title.text
    actual = choropleths(fig)[0]
    by_region = mine.set_index("region")
    assert len(actual.locations) == by_region["actual"].notna().sum()
    for code, z in zip(actual.locations, actual.z):
        assert z == pytest.approx(by_region.loc[code, "actual"])


def test_regions_without_data_are_grey(snap):
    rows = snap.rows("prefecture").copy()
    silent = (rows["target"] == "labor_brand_training") & (rows["region"] == MIANYANG)
    rows.loc[silent, ["actual", "pace", "completion", "expected"]] = None
    rows.loc[silent, ["status", "reported"]] = ["no_data", 0]
    target = snap.plan.target("labor_brand_training")
    for mode in maps.MODES:
        fig = maps.choropleth(rows, target, "prefecture", snap.config, AS_OF, mode=mode, tree=snap.tree)
        no_data = next(t for t in choropleths(fig) if MIANYANG in t.locations)
        assert no_data.name == "未报送（1）"
        assert {c[1] for c in no_data.colorscale} == {snap.config.status("no_data").colour}
        assert "未报送" in hover_of(fig, MIANYANG) and "实际：—" in hover_of(fig, MIANYANG)
        assert len(regions_of(fig)) == 21


def test_counties_outside_a_scoped_target_are_light_grey(snap):
    scope = snap.scopes["key_area_skill_training"]
    fig = draw(snap, "key_area_skill_training", "county", scope=scope)
    outside = next(t for t in choropleths(fig) if t.name.startswith("不在统计范围"))
    assert set(outside.locations) == geojson_codes("county") - set(scope)
    assert {c[1] for c in outside.colorscale} == {maps.OUT_OF_SCOPE_COLOUR}
    assert "不在统计范围" in hover_of(fig, outside.locations[0])
    assert set(regions_of(fig)) - set(outside.locations) == set(scope)
    # At prefecture level, a prefecture with no county in scope is outside it too.
    fig = draw(snap, "key_area_skill_training", "prefecture", scope=scope)
    outside = next(t for t in choropleths(fig) if t.name.startswith("不在统计范围"))
    inside = {snap.tree[c].parent_code for c in scope}
    assert len(regions_of(fig)) == 21 and set(outside.locations) == geojson_codes("prefecture") - inside


def test_hover_shows_actual_target_pace_status_and_reporters(snap):
    fig = draw(snap)
    row = snap.rows("prefecture").query("target == 'labor_brand_training' and region == @MIANYANG").iloc[0]
    text = hover_of(fig, MIANYANG)
    assert "<b>绵阳市</b>" in text
    assert f"实际：{format_quantity(row['actual'], '人')}" in text
    assert f"分解目标：{format_quantity(row['target_value'], '人')}" in text
    assert f"进度（实际/应达）：{format_percent(row['pace'])}" in text
    assert f"状态：{snap.config.status(row['status']).label('zh')}" in text
    assert f"报送县数：{row['reported']}/{row['expected_reporters']}" in text
    big = draw(snap, "rural_labor_transfer")
    assert "万人" in hover_of(big, "510100"), "large figures are written in 万 for Chinese readers"


def test_title_states_target_unit_and_month(snap):
    title = draw(snap).layout.title.text
    assert title.startswith("劳务品牌培训人数：四川省各市（州）状态")
    assert "（人，截至 2023年9月）" in title
    assert "人次" in draw(snap, "key_area_skill_training", scope=snap.scopes["key_area_skill_training"]).layout.title.text


def test_labels_are_chinese_short_names_at_the_features(snap):
    fig = draw(snap)
    text = labels(fig)
    assert text.mode == "text" and text.hoverinfo == "skip"
    assert set(text.text) == {r.short_name for r in snap.tree.level("prefecture")}
    # Only Han characters: MapLibre draws them with the local CJK font and fetches no glyphs for them.
    assert all(HAN.fullmatch(name) for name in text.text)
    west, south, east, north = maps.bounds(maps.features("prefecture"))
    assert all(west < x < east for x in text.lon) and all(south < y < north for y in text.lat)


def test_english_labels(snap):
    fig = draw(snap, lang="en")
    title = fig.layout.title.text
    assert "Labour-brand trainees" in title and "persons" in title and "Sep 2023" in title
    assert "Sichuan by prefecture" in title
    names = [t.name for t in choropleths(fig)]
    assert any(n.startswith("Behind (") for n in names) and not any(HAN.search(n) for n in names)
    assert fig.layout.legend.title.text == "Status"
    text = hover_of(fig, MIANYANG)
    for label in ("Actual: ", "Allocated target: ", "Pace (actual/expected): ", "Status: ", "Counties reporting: "):
        assert label in text
    assert "绵阳市" in text  # region names are the official Chinese names in both languages
    pace = draw(snap, lang="en", mode="pace")
    assert choropleths(pace)[0].colorbar.title.text == "pace"
    scoped = draw(snap, "key_area_skill_training", "county", lang="en",
                  scope=snap.scopes["key_area_skill_training"])
    assert any(t.name.startswith("Outside the target's scope") for t in choropleths(scoped))


def test_unknown_mode_or_level_is_refused(snap):
    with pytest.raises(ValueError):
        draw(snap, mode="colour")
    with pytest.raises(ValueError):
        maps.features("township")


# --- the page -------------------------------------------------------------------------------------------------------

def maps_page(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["as_of"] = AS_OF
    if lang:
        at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/maps.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart(at: AppTest) -> tuple[dict, dict]:
    element = at.get("plotly_chart")[0].proto
    return json.loads(element.spec), json.loads(element.config)


def spec_locations(spec: dict) -> list[str]:
    return [c for trace in spec["data"] if trace["type"] == "choroplethmap" for c in trace["locations"]]


def test_maps_page_draws_the_prefectures_and_drills_down_to_mianyang(demo_env):
    at = maps_page()
    assert any("进度地图" in t.value for t in at.title)
    assert any("示例数据" in m.value for m in at.markdown)
    at.selectbox(key="w_target").set_value("labor_brand_training").run()
    assert not at.exception
    spec, config = chart(at)
    assert {trace["type"] for trace in spec["data"]} == {"choroplethmap", "scattermap"}
    assert len(spec_locations(spec)) == 21
    assert spec["layout"]["map"]["style"] == "white-bg"
    assert "劳务品牌培训人数" in spec["layout"]["title"]["text"] and "2023年9月" in spec["layout"]["title"]["text"]
    assert config["toImageButtonOptions"]["format"] == "png" and config["displaylogo"] is False

    at.selectbox(key="w_region").set_value(MIANYANG).run()
    assert not at.exception
    spec, _ = chart(at)
    assert len(spec_locations(spec)) == 9
    assert "绵阳市" in spec["layout"]["title"]["text"]
    assert any("尚未分解" in i.value for i in at.info)  # demo counties have no allocated targets

    at.radio(key="map_mode").set_value("pace").run()
    assert not at.exception
    spec, _ = chart(at)
    assert len(spec_locations(spec)) == 9 and "实际" in spec["layout"]["title"]["text"]


def test_maps_page_county_view_and_scoped_target(demo_env):
    at = maps_page()
    at.radio(key="map_level").set_value("county").run()
    at.selectbox(key="w_target").set_value("key_area_skill_training").run()
    assert not at.exception
    spec, _ = chart(at)
    assert len(spec_locations(spec)) == 183
    assert any(trace.get("name", "").startswith("不在统计范围") for trace in spec["data"])


def test_maps_page_in_english(demo_env):
    at = maps_page(lang="en")
    assert any("Progress maps" in t.value for t in at.title)
    spec, _ = chart(at)
    assert "Sep 2023" in spec["layout"]["title"]["text"]
