"""滞后事项: targets and measures at risk or behind, by responsible department, furthest behind first."""
import streamlit as st

import ui
from loaders.plans import load_departments
from tracker.i18n import t
from tracker.outputs.tables import red_list_table
from tracker.progress.redlist import lagging

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("redlist.title", ctx, snap)
names = {d: ui.department_name(d, ctx.lang) for d in load_departments().by_id()}
items = lagging(snap)
if items.empty:
    st.success(t("redlist.none", ctx.lang))
    st.stop()

st.markdown(t("redlist.summary", ctx.lang, items=items["item"].nunique(), departments=items["department"].nunique()))
everyone, by_department = st.tabs([t("redlist.all", ctx.lang), t("redlist.by_department", ctx.lang)])
with everyone:
    ui.show_table(red_list_table(snap, items, names, ctx.lang, by_item=True), f"lagging-{ctx.as_of}")
with by_department:
    counts = items.groupby("department").size().sort_values(ascending=False)
    department = st.selectbox(t("departments.choose", ctx.lang), list(counts.index), key="redlist_department",
                              format_func=lambda d: f"{names[d]}（{counts[d]}）")
    ui.show_table(red_list_table(snap, items[items["department"] == department], names, ctx.lang),
                  f"lagging-{department}-{ctx.as_of}")
