"""报送情况: which counties reported for the month, on time or late, by prefecture, and who is missing."""
import streamlit as st

import ui
from tracker.i18n import month_label, t
from tracker.model.units import format_percent
from tracker.outputs.charts import completeness_heatmap
from tracker.outputs.tables import completeness_matrix, completeness_table, missing_table
from tracker.progress.completeness import recent_months

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("completeness.title", ctx, snap)

months = recent_months(ctx.as_of, 12)
report = ui.completeness(ctx, months)
month = report.province[report.province["period"] == ctx.as_of].iloc[0]
if int(month["expected"]) == 0:
    st.info(t("summary.reporting_none_due", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
rule = snap.config.reporting
st.caption(t("completeness.rule", ctx.lang, day=rule.deadline_day))
cols = st.columns(4)
cols[0].metric(t("completeness.rate", ctx.lang), format_percent(month["reporting_rate"]),
               help=t("completeness.rate_help", ctx.lang))
cols[1].metric(t("completeness.on_time_rate", ctx.lang), format_percent(month["on_time_rate"]))
cols[2].metric(t("completeness.reported", ctx.lang), f"{int(month['reported'])}/{int(month['expected'])}")
cols[3].metric(t("completeness.missing", ctx.lang), int(month["missing"] + month["pending"]))

st.subheader(t("completeness.matrix", ctx.lang, start=month_label(months[0], ctx.lang),
               end=month_label(months[-1], ctx.lang)))
ui.chart(completeness_heatmap(completeness_matrix(report, snap.tree, ctx.lang), ctx.as_of, ctx.lang),
         f"completeness-{ctx.as_of}")
st.subheader(t("completeness.by_prefecture", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
ui.show_table(completeness_table(report, snap.tree, ctx.as_of, ctx.lang), f"reporting-{ctx.as_of}")
st.subheader(t("completeness.missing_list", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
missing = missing_table(report, snap.tree, ctx.as_of, ctx.lang)
if missing.empty:
    st.success(t("completeness.none_missing", ctx.lang))
else:
    ui.show_table(missing, f"missing-{ctx.as_of}")
