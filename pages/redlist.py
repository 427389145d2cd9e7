"""滞后事项: targets and measures at risk or behind, by responsible department, furthest behind first."""
import streamlit as st

import ui
from loaders.plans import load_departments
from tracker.i18n import month_label, t
from tracker.outputs.tables import red_list_table
from tracker.outputs.text import escape_markdown as md
from tracker.progress.redlist import lagging
from tracker.review.explanations import said

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("redlist.title", ctx, snap)
names = {d: ui.department_name(d, ctx.lang) for d in load_departments().by_id()}
items = snap.kept(("lagging",), lambda: lagging(snap))
if items.empty:
    st.success(t("redlist.none", ctx.lang))
    st.stop()

st.markdown(t("redlist.summary", ctx.lang, items=items["item"].nunique(), departments=items["department"].nunique()))
everyone, by_department = st.tabs([t("redlist.all", ctx.lang), t("redlist.by_department", ctx.lang)])
with everyone:
    ui.show_table(ui.kept_table(snap, ("lagging",), lambda: red_list_table(snap, items, names, ctx.lang, by_item=True)),
                  f"lagging-{ctx.as_of}")
    lagging_targets = set(items.loc[items["kind"] == "target", "item"])
    notes = [e for e in ui.explanations(ctx) if e.target_id in lagging_targets]
    if notes:  # the prefectures' own words about the lagging figures
        st.markdown(t("explain.title", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
        colon = ": " if ctx.lang == "en" else "："
        st.markdown("\n".join(f"- {md(snap.plan.target(e.target_id).name.get(ctx.lang))}{colon}"
                               f"{md(said(e, snap.tree, ctx.lang))}" for e in notes))
with by_department:
    counts = items.groupby("department").size().sort_values(ascending=False)
    department = st.selectbox(t("departments.choose", ctx.lang), list(counts.index), key="redlist_department",
                              format_func=lambda d: f"{names[d]}（{counts[d]}）")
    ui.show_table(ui.kept_table(snap, ("lagging", department), lambda: red_list_table(
        snap, items[items["department"] == department], names, ctx.lang)), f"lagging-{department}-{ctx.as_of}")
