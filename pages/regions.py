"""地区: prefectures ranked by pace for a chosen target, with drill-down to counties."""
import streamlit as st

import ui
from tracker.i18n import month_label, t
from tracker.outputs.charts import region_pace_bar
from tracker.outputs.tables import region_table
from tracker.outputs.text import escape_markdown as md
from tracker.review.explanations import said

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("regions.title", ctx, snap)

if not snap.plan.targets:
    st.info(t("overview.no_targets", ctx.lang))
    st.stop()
target_id = ui.select_target(snap, ctx.lang)
target = snap.plan.target(target_id)
rows = snap.rows("prefecture")
rows = rows[rows["target"] == target_id]
if rows["status"].eq("no_target").all():
    st.info(t("regions.no_allocation", ctx.lang))
ui.chart(ui.kept_figure(snap, ("prefectures", target_id),
                        lambda: region_pace_bar(rows, target, ctx.as_of, snap.config, ctx.lang)),
         f"prefectures-{target_id}-{ctx.as_of}")
ui.show_table(ui.kept_table(snap, ("prefectures", target_id), lambda: region_table(rows, snap, target_id, ctx.lang)),
              f"prefectures-{target_id}-{ctx.as_of}")

notes = ui.explanations(ctx, target_id)
if notes:  # 情况说明 beside the figures they explain
    st.markdown(t("explain.title", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
    st.markdown("\n".join(f"- {md(said(e, snap.tree, ctx.lang))}" for e in notes))

names = dict(zip(rows["region"], rows["region_name"]))
prefecture = ui.select_region(names, t("regions.drill", ctx.lang))
counties = snap.rows("county")
counties = counties[(counties["target"] == target_id) & (counties["parent"] == prefecture)]
st.subheader(t("regions.counties", ctx.lang, prefecture=names[prefecture]))
ui.chart(ui.kept_figure(snap, ("counties", target_id, prefecture),
                        lambda: region_pace_bar(counties, target, ctx.as_of, snap.config, ctx.lang)),
         f"counties-{prefecture}-{target_id}-{ctx.as_of}")
ui.show_table(ui.kept_table(snap, ("counties", target_id, prefecture),
                            lambda: region_table(counties, snap, target_id, ctx.lang)),
              f"counties-{prefecture}-{target_id}-{ctx.as_of}")
