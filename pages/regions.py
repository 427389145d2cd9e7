"""地区: prefectures ranked by pace for a chosen target, with drill-down to counties."""
import streamlit as st

import ui
from tracker.charts import region_pace_bar
from tracker.i18n import t
from tracker.tables import region_table

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("regions.title", ctx, snap)

if not snap.plan.targets:
    st.info(t("overview.no_targets", ctx.lang))
    st.stop()
targets = {x.id: x for x in snap.plan.targets}
target_id = st.selectbox(t("regions.choose_target", ctx.lang), list(targets), key="region_target",
                         format_func=lambda i: targets[i].name.get(ctx.lang))
target = targets[target_id]
rows = snap.rows("prefecture")
rows = rows[rows["target"] == target_id]
if rows["status"].eq("no_target").all():
    st.info(t("regions.no_allocation", ctx.lang))
st.plotly_chart(region_pace_bar(rows, target, ctx.as_of, snap.config, ctx.lang), width="stretch")
ui.show_table(region_table(rows, snap, target_id, ctx.lang))

names = dict(zip(rows["region"], rows["region_name"]))
prefecture = st.selectbox(t("regions.drill", ctx.lang), list(names), key="region_prefecture",
                          format_func=names.get)
counties = snap.rows("county")
counties = counties[(counties["target"] == target_id) & (counties["parent"] == prefecture)]
st.subheader(t("regions.counties", ctx.lang, prefecture=names[prefecture]))
st.plotly_chart(region_pace_bar(counties, target, ctx.as_of, snap.config, ctx.lang), width="stretch")
ui.show_table(region_table(counties, snap, target_id, ctx.lang))
