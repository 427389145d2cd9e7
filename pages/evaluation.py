"""成效评估: the closing account of a plan whose period has ended (the page an ended plan opens on).

Built by ``tracker.outputs.evaluation`` from the database, the same text ``tracker evaluate`` writes: every target at
its own deadline, year by year, by prefecture, the measures, reporting over the whole period.
"""
import streamlit as st

import ui
from tracker.i18n import month_label, t
from tracker.outputs.documents import report_docx
from tracker.outputs.evaluation import evaluation_report, outcome_table
from tracker.outputs.text import escape_markdown as md

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
st.caption(md(f"{report.title} {report.subtitle}"))

st.subheader(t("evaluation.outcomes", ctx.lang))
ui.show_table(outcome_table(ev, ctx.lang), f"{'成效评估' if ctx.lang != 'en' else 'evaluation'}-{ctx.plan_id}")

name = f"{'成效评估' if ctx.lang != 'en' else 'evaluation'}-{ctx.plan_id}"
if ui.actor() is not None:
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(t("evaluation.download_docx", ctx.lang),
                         ui.protected("evaluation", lambda: report_docx(report)), file_name=f"{name}.docx",
                         mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         key="evaluation_docx", on_click="ignore", icon=":material/description:")
    right.download_button(t("evaluation.download_md", ctx.lang),
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
