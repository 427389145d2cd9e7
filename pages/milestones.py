"""工作任务: the plan's qualitative measures, their status and history; record a new status with evidence (not on a
closed plan: one line says it is read-only)."""
import streamlit as st

import ui
from tracker.i18n import month_label, t, task_label
from tracker.intake.milestones import Evidence, MilestoneError, evidence_file, history, set_status
from tracker.outputs.tables import milestone_history_table, milestone_table
from tracker.outputs.text import escape_markdown
from tracker.store.closures import PlanClosed

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("milestones.title", ctx, snap)
plan = snap.plan
if not plan.milestones:
    st.info(t("milestones.none", ctx.lang))
    st.stop()

tasks = {task.id: task for task in plan.tasks}
task_filter = st.selectbox(t("milestones.filter", ctx.lang), ["", *tasks], key="milestone_task",
                           format_func=lambda i: t("milestones.all_tasks", ctx.lang) if not i
                           else task_label(tasks[i].number, tasks[i].title.get(ctx.lang), ctx.lang))
chosen = [m.id for m in plan.milestones if not task_filter or m.task == task_filter]
ui.show_table(ui.kept_table(snap, ("measures", task_filter), lambda: milestone_table(snap, chosen, ctx.lang)),
              f"measures-{task_filter or 'all'}-{ctx.as_of}")

names = {m.id: m.name.get(ctx.lang) for m in plan.milestones if m.id in chosen}
actor = ui.actor()
st.subheader(t("milestones.update", ctx.lang))
if actor is None or not actor.may("milestone"):
    st.caption(t("milestones.no_permission", ctx.lang))
elif ui.read_only(ctx):
    pass  # a closed plan's measures stay as they were closed: the line just shown says so
else:
    # The measure is chosen outside the form, so the status offered is its current one: a careless save must not
    # set a measure back to 未启动.
    milestone_id = st.selectbox(t("col.milestone", ctx.lang), list(names), format_func=names.get,
                                key="milestone_id")
    statuses = {s.id: s.label(ctx.lang) for s in snap.config.milestone_statuses}
    current = snap.milestones.set_index("milestone")["status"].get(milestone_id)
    with st.form("milestone_update", clear_on_submit=True):
        status = st.radio(t("col.status", ctx.lang), list(statuses), format_func=statuses.get, horizontal=True,
                          index=list(statuses).index(current) if current in statuses else 0,
                          key=f"milestone_status_{milestone_id}")
        months = ui.reportable_months(plan)
        as_of = st.selectbox(t("milestones.as_of", ctx.lang), months, key="milestone_as_of",
                             format_func=lambda m: month_label(m, ctx.lang))
        note = st.text_area(t("col.note", ctx.lang), key="milestone_note", max_chars=2000)
        upload = st.file_uploader(t("milestones.evidence", ctx.lang), key="milestone_evidence")
        if st.form_submit_button(t("milestones.save", ctx.lang), type="primary"):
            try:
                set_status(ui.engine(), plan, snap.config, milestone_id, status, as_of=as_of, note=note or None,
                           updated_by=actor.label, actor=actor,
                           evidence=Evidence(upload.name, upload.getvalue()) if upload is not None else None)
                st.success(t("milestones.saved", ctx.lang, name=escape_markdown(names[milestone_id]),
                             status=statuses[status]))
            except (MilestoneError, PlanClosed) as exc:
                st.error(escape_markdown(exc))

st.subheader(t("milestones.history", ctx.lang))
shown = st.selectbox(t("col.milestone", ctx.lang), list(names), format_func=names.get, key="milestone_history")
records = history(ui.engine(), plan.id, shown)
if records.empty:
    st.caption(t("milestones.no_history", ctx.lang))
else:
    ui.show_table(milestone_history_table(records, snap.config, ctx.lang), f"history-{shown}")
    engine = ui.engine()
    for row in records.dropna(subset=["evidence_id"]).itertuples(index=False):
        # The file is read and handed to the browser only when an allowed session clicks (ui.protected).
        evidence_id = int(row.evidence_id)
        st.download_button(t("milestones.download", ctx.lang, name=escape_markdown(row.evidence)),
                           ui.protected("milestones", lambda i=evidence_id: evidence_file(engine, i).content),
                           file_name=row.evidence, mime="application/octet-stream", key=f"evidence_{row.id}",
                           on_click="ignore")
