"""重点任务: one view per task with its targets, milestones and departments."""
import streamlit as st

import ui
from tracker.i18n import t, task_label
from tracker.outputs.tables import departments_text, milestone_table, target_table
from tracker.outputs.text import escape_markdown as md

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("tasks.title", ctx, snap)

tasks = {task.id: task for task in snap.plan.tasks}
task_id = st.selectbox(t("tasks.choose", ctx.lang), list(tasks), key="task",
                       format_func=lambda i: task_label(tasks[i].number, tasks[i].title.get(ctx.lang), ctx.lang))
task = tasks[task_id]
st.header(md(task_label(task.number, task.title.get(ctx.lang), ctx.lang)))
st.markdown(t("tasks.departments", ctx.lang, departments=md(departments_text(task.departments, ctx.lang))))

targets = [x.id for x in snap.plan.targets if x.task == task_id]
st.subheader(t("tasks.targets", ctx.lang, n=len(targets)))
if targets:
    ui.show_table(ui.kept_table(snap, ("task-targets", task_id), lambda: target_table(snap, targets, ctx.lang,
                                                                                     task=False)),
                  f"targets-{task_id}-{ctx.as_of}")
else:
    st.caption(t("tasks.no_targets", ctx.lang))

milestones = [m.id for m in snap.plan.milestones if m.task == task_id]
st.subheader(t("tasks.milestones", ctx.lang, n=len(milestones)))
if milestones:
    ui.show_table(ui.kept_table(snap, ("task-measures", task_id), lambda: milestone_table(snap, milestones, ctx.lang,
                                                                                         task=False)),
                  f"measures-{task_id}-{ctx.as_of}")
