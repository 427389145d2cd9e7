"""总览: one card per quantitative target and the milestones by status."""
import streamlit as st

import ui
from tracker.i18n import t
from tracker.model.units import format_percent
from tracker.outputs.cards import card_html
from tracker.outputs.tables import milestone_counts

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("overview.title", ctx, snap)

province = snap.province()
incomplete = province[province["reported"] < province["expected_reporters"]]
if not incomplete.empty:
    worst = incomplete.sort_values("reported").iloc[0]
    st.warning(t("overview.incomplete", ctx.lang, n=len(incomplete), reported=int(worst["reported"]),
                 expected=int(worst["expected_reporters"]),
                 threshold=format_percent(snap.config.thresholds.min_coverage, digits=0)))
if not snap.plan.targets:
    st.info(t("overview.no_targets", ctx.lang))
judgements = ui.judgements(ctx)
columns = st.columns(3)
for i, target in enumerate(snap.plan.targets):
    row = province.loc[target.id].to_dict()
    with columns[i % 3]:
        st.markdown(card_html(row, target, snap.config, ctx.lang, judgements.get(target.id)), unsafe_allow_html=True)

st.subheader(t("overview.milestones", ctx.lang, total=len(snap.plan.milestones)))
counts = milestone_counts(snap)
for column, status in zip(st.columns(len(counts)), snap.config.milestone_statuses):
    column.metric(status.label(ctx.lang), t("overview.items", ctx.lang, n=counts[status.id]))
