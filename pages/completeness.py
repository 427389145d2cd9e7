"""报送情况: which counties reported for the month, on time or late, by prefecture, and who is missing."""
from datetime import date

import streamlit as st

import ui
from tracker.access.roles import PermissionDenied
from tracker.i18n import month_label, t
from tracker.model.units import format_percent
from tracker.outputs.charts import completeness_heatmap
from tracker.outputs.tables import completeness_matrix, completeness_table, missing_table, reminder_table
from tracker.outputs.text import escape_markdown as md
from tracker.progress.completeness import deadline_of, recent_months
from tracker.review import reminders
from tracker.store.closures import PlanClosed

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("completeness.title", ctx, snap)

months = recent_months(ctx.as_of, 12)
report = ui.completeness(ctx, months)
# the report changes with the data and the day (a deadline passes): what is drawn from it is kept for both
day = (tuple(months), date.today().isoformat())
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
ui.chart(ui.kept_figure(snap, ("completeness", *day), lambda: completeness_heatmap(
    completeness_matrix(report, snap.tree, ctx.lang), ctx.as_of, ctx.lang)), f"completeness-{ctx.as_of}")
st.subheader(t("completeness.by_prefecture", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
ui.show_table(ui.kept_table(snap, ("completeness", *day), lambda: completeness_table(report, snap.tree, ctx.as_of,
                                                                                    ctx.lang)),
              f"reporting-{ctx.as_of}")
st.subheader(t("completeness.missing_list", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
missing = ui.kept_table(snap, ("missing", *day), lambda: missing_table(report, snap.tree, ctx.as_of, ctx.lang))
if missing.frame.empty:
    st.success(t("completeness.none_missing", ctx.lang))
else:
    ui.show_table(missing, f"missing-{ctx.as_of}")

# 催报: who was reminded when, and (province users) the notices due now, sent once each (tracker/review/reminders.py)
st.subheader(t("remind.title", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
done = st.session_state.pop("remind_done", None)
if done:
    st.success(done)
history = reminders.sent(ui.engine(), ctx.plan_id, ctx.as_of)
if history:
    ui.show_table(reminder_table(history, snap.tree, ctx.lang), f"reminders-{ctx.as_of}")
else:
    st.caption(t("remind.none_sent", ctx.lang))
who = ui.actor()
if who is not None and who.may("approve") and ui.read_only(ctx):
    pass  # a closed plan sends no reminder: the line just shown says so
elif who is not None and who.may("approve") and not reminders.contacts_path().exists():
    st.caption(t("remind.no_contacts", ctx.lang))
elif who is not None and who.may("approve"):
    try:
        contacts = reminders.load_contacts()
    except reminders.ReminderError as exc:
        st.caption(md(exc))
    else:
        overdue, deadline = report.overdue(ctx.as_of), deadline_of(ctx.as_of, rule).date()
        due = reminders.remind(ui.engine(), ctx.plan_id, overdue, snap.tree, ctx.as_of, deadline, who, contacts,
                               dry_run=True)
        if not due:
            st.caption(t("remind.nothing_due", ctx.lang))
        else:
            st.markdown(t("remind.due", ctx.lang, n=len(due), names=md("、".join(n.prefecture_name for n in due))))
            with st.expander(t("remind.preview", ctx.lang)):
                for notice in due:
                    st.markdown(f"**{md(notice.subject)}**")
                    st.text(notice.body)
            if st.button(t("remind.send", ctx.lang), key="remind_send", type="primary"):
                try:
                    sent_now = reminders.remind(ui.engine(), ctx.plan_id, overdue, snap.tree, ctx.as_of, deadline,
                                                who, contacts)
                except (reminders.ReminderError, PermissionDenied, PlanClosed) as exc:
                    st.error(md(exc))
                else:
                    st.session_state["remind_done"] = t("remind.sent", ctx.lang, n=len(sent_now))
                    st.rerun()
