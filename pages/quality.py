"""数据质量: superseded figures, confirmed warnings, outliers and late reports for the month."""
import streamlit as st

import ui
from tracker.i18n import month_label, t
from tracker.model.periods import add_months
from tracker.outputs.tables import late_table, outlier_table, superseded_table, warnings_table
from tracker.progress.completeness import recent_months
from tracker.progress.quality import accepted_warnings, outliers, superseded

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("quality.title", ctx, snap)
month = month_label(ctx.as_of, ctx.lang)

changed = superseded(ui.engine(), snap.plan.id, ctx.as_of)
confirmed = accepted_warnings(ui.engine(), snap.plan.id, ctx.as_of)
odd = outliers(snap.plan, snap.month_values(add_months(ctx.as_of, -1), ctx.as_of), ctx.as_of, snap.config.checks)
report = ui.completeness(ctx, recent_months(ctx.as_of, 1))
late = report.states[(report.states["period"] == ctx.as_of) & (report.states["state"] != "on_time")]

cols = st.columns(4)
cols[0].metric(t("quality.superseded", ctx.lang), len(changed))
cols[1].metric(t("quality.warnings", ctx.lang), len(confirmed))
cols[2].metric(t("quality.outliers", ctx.lang), len(odd))
cols[3].metric(t("quality.late", ctx.lang), len(late))

for title, frame, table in (
    ("quality.superseded_title", changed, lambda: superseded_table(changed, snap, ctx.lang)),
    ("quality.warnings_title", confirmed, lambda: warnings_table(confirmed, snap.tree, ctx.lang)),
    ("quality.outliers_title", odd, lambda: outlier_table(odd, snap, ctx.lang)),
):
    st.subheader(t(title, ctx.lang, month=month))
    if frame.empty:
        st.caption(t("quality.nothing", ctx.lang))
    else:
        ui.show_table(table(), f"{title.split('.')[1]}-{ctx.as_of}")
st.subheader(t("quality.late_title", ctx.lang, month=month))
if late.empty:
    st.caption(t("quality.nothing", ctx.lang))
else:
    ui.show_table(late_table(late, snap.tree, ctx.lang), f"late-{ctx.as_of}")
