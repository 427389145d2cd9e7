"""地图: prefectures or counties coloured by status or pace for a chosen target, with drill-down to a prefecture."""
import streamlit as st

import ui
from tracker.i18n import t
from tracker.outputs.maps import LEVELS, MODES, PROVINCE_CODE, choropleth

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("maps.title", ctx, snap)

if not snap.plan.targets:
    st.info(t("overview.no_targets", ctx.lang))
    st.stop()
prefectures = {r.code: r.name for r in snap.tree.level("prefecture")}
areas = {PROVINCE_CODE: t("maps.whole_province", ctx.lang), **prefectures}

left, middle, right = st.columns([3, 2, 2])
with left:
    target_id = ui.select_target(snap, ctx.lang)
with middle:
    prefecture = ui.select_region(areas, t("maps.area", ctx.lang))
with right:
    mode = st.radio(t("maps.mode", ctx.lang), MODES, key="map_mode", horizontal=True,
                    format_func=lambda m: t(f"maps.mode.{m}", ctx.lang))
    # A prefecture is drawn by its counties; the choice of divisions applies to the whole province.
    chosen = st.radio(t("maps.level", ctx.lang), LEVELS, key="map_level", horizontal=True,
                      format_func=lambda v: t(f"maps.level.{v}", ctx.lang), disabled=prefecture != PROVINCE_CODE)
    level = chosen if prefecture == PROVINCE_CODE else "county"

target = snap.plan.target(target_id)
scope = snap.scopes.get(target_id)
rows = snap.rows(level)
rows = rows[rows["target"] == target_id]
if prefecture != PROVINCE_CODE:
    rows = rows[rows["parent"] == prefecture]
if not rows.empty and rows["target_value"].isna().all():
    st.info(t("maps.no_allocation", ctx.lang))
if scope is not None:
    st.caption(t("maps.scope_note", ctx.lang, n=len(scope)))

fig = choropleth(rows, target, level, snap.config, ctx.as_of, ctx.lang, scope=scope, prefecture=prefecture,
                 mode=mode, tree=snap.tree)
ui.chart(fig, f"map-{target_id}-{prefecture}-{level}-{mode}-{ctx.as_of}")
st.caption(t("maps.help", ctx.lang))
