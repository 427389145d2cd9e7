"""成效评估: the closing account of a plan whose period has ended (the page an ended plan opens on).

Built by ``tracker.outputs.evaluation`` from the database, the same text ``tracker evaluate`` writes: every target at
its own deadline, year by year, by prefecture, the measures, reporting over the whole period. It says whether the
plan is closed (read-only, tracker/review/closure.py) and gives an administrator the form to close or reopen it.
"""
import streamlit as st

import ui
from tracker.access.roles import PermissionDenied
from tracker.i18n import month_label, t
from tracker.outputs.documents import report_docx
from tracker.outputs.evaluation import evaluation_report, outcome_table
from tracker.outputs.text import escape_markdown as md
from tracker.review.closure import ClosureError, close_plan, reopen_plan

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
st.title(t("evaluation.page_title", ctx.lang))
if not ui.plan_ended(ctx):
    end = snap.plan.end
    st.info(t("evaluation.not_ended", ctx.lang, end=month_label(end, ctx.lang)) if end
            else t("evaluation.no_targets", ctx.lang))
    st.stop()
ev = ui.evaluation(ctx)
report = evaluation_report(ev, ctx.lang)
if report.demo:
    st.warning(md(report.demo))
st.info(t("plan.ended", ctx.lang, end=month_label(snap.plan.end, ctx.lang)))
done = st.session_state.pop("closure_done", None)
if done:
    st.success(done)
closed = ui.closure(ctx)
if closed is not None:
    st.info(t("closure.closed", ctx.lang, who=md(closed.actor), date=closed.date_text(ctx.lang),
              reason=md(closed.why(ctx.lang))), icon=":material/lock:")
else:
    st.caption(t("closure.ended_open", ctx.lang))
who = ui.actor()
if who is not None and who.may("close_plan"):  # closing ends every write to the plan; reopening lets them in again
    title = snap.plan.title.get(ctx.lang)
    with st.expander(t("closure.reopen_title" if closed else "closure.close_title", ctx.lang)), \
            st.form("plan_closure", clear_on_submit=True):
        st.caption(t("closure.reopen_help" if closed else "closure.close_help", ctx.lang))
        reason = st.text_input(t("closure.reopen_reason" if closed else "closure.reason", ctx.lang),
                               key="closure_reason", max_chars=500)
        document = None if closed else st.text_input(t("closure.document", ctx.lang), key="closure_document",
                                                      max_chars=128)
        if st.form_submit_button(t("closure.reopen" if closed else "closure.close", ctx.lang),
                                 type="secondary" if closed else "primary"):
            try:
                if closed:
                    reopen_plan(ui.engine(), who, snap.plan, reason)
                else:
                    close_plan(ui.engine(), who, snap.plan, reason, document)
            except (ClosureError, PermissionDenied) as exc:
                st.error(md(exc))
            else:
                st.session_state["closure_done"] = t("closure.reopened_done" if closed else "closure.closed_done",
                                                     ctx.lang, plan=md(title))
                st.rerun()
st.caption(md(f"{report.title} {report.subtitle}"))

st.subheader(t("evaluation.outcomes", ctx.lang))
ui.show_table(outcome_table(ev, ctx.lang), f"{'成效评估' if ctx.lang != 'en' else 'evaluation'}-{ctx.plan_id}")

name = f"{'成效评估' if ctx.lang != 'en' else 'evaluation'}-{ctx.plan_id}"
if ui.actor() is not None:
    buttons = st.container(horizontal=True)  # each button as wide as its label (columns cut it to "（Wor…")
    buttons.download_button(t("evaluation.download_docx", ctx.lang),
                            ui.protected("evaluation", lambda: report_docx(report)), file_name=f"{name}.docx",
                            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            key="evaluation_docx", on_click="ignore", icon=":material/description:")
    buttons.download_button(t("evaluation.download_md", ctx.lang),
                            ui.protected("evaluation", lambda: report.markdown().encode("utf-8")),
                            file_name=f"{name}.md", mime="text/markdown", key="evaluation_md", on_click="ignore",
                            icon=":material/download:")

with st.container(border=True, key="evaluation_text"):
    st.markdown(f"**{md(report.title)}**")
    st.markdown(md(report.opening))  # plain text throughout: it names targets, regions and departments
    for heading, paragraphs in report.sections:
        st.markdown(f"**{md(heading)}**")
        for paragraph in paragraphs:
            st.markdown(md(paragraph))
    st.caption(md(report.note))
