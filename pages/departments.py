"""责任部门: per department, the targets and milestones it leads or shares."""
import streamlit as st

import ui
from loaders.plans import load_departments
from tracker.i18n import t
from tracker.outputs.tables import milestone_table, target_table

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("departments.title", ctx, snap)

named = {d for item in (*snap.plan.targets, *snap.plan.milestones, *snap.plan.tasks) for d in item.departments.all()}
departments = [d for d in load_departments().by_id() if d in named]
dept = st.selectbox(t("departments.choose", ctx.lang), departments, key="department",
                    format_func=lambda d: ui.department_name(d, ctx.lang))


target_roles = {x.id: x.departments.role_of(dept) for x in snap.plan.targets if x.departments.role_of(dept)}
milestone_roles = {m.id: m.departments.role_of(dept) for m in snap.plan.milestones if m.departments.role_of(dept)}
lead_count = sum(1 for r in (*target_roles.values(), *milestone_roles.values()) if r == "lead")
st.markdown(t("departments.summary" if lead_count else "departments.summary_shared", ctx.lang,
              targets=len(target_roles), milestones=len(milestone_roles), lead=lead_count))
if snap.plan.coordination is not None:
    # the plan's section is quoted in Chinese only (there is no English text of the plan to cite)
    section = f"（{snap.plan.coordination.citation.section}）" if ctx.lang != "en" else ""
    st.caption(t("departments.coordination", ctx.lang, lead=ui.department_name(snap.plan.coordination.lead, ctx.lang),
                 section=section))

st.subheader(t("departments.targets", ctx.lang))
if target_roles:
    ui.show_table(ui.kept_table(snap, ("department-targets", dept), lambda: target_table(
        snap, target_roles, ctx.lang, roles=target_roles, task=False)), f"targets-{dept}-{ctx.as_of}")
else:
    st.caption(t("departments.none", ctx.lang))
st.subheader(t("departments.milestones", ctx.lang))
if milestone_roles:
    ui.show_table(ui.kept_table(snap, ("department-measures", dept), lambda: milestone_table(
        snap, milestone_roles, ctx.lang, roles=milestone_roles)), f"measures-{dept}-{ctx.as_of}")
else:
    st.caption(t("departments.none", ctx.lang))
