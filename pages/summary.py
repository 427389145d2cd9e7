"""情况汇报: the short formal report written from the month's figures, to read, copy or download (.md, .docx).

The text comes from ``tracker.outputs.summary`` (templates, no model): the same paragraphs are the speaker notes of the
presentation mode's slides and what ``tracker summary`` prints.
"""
import html

import streamlit as st

import ui
from tracker.i18n import t
from tracker.outputs.summary import build_summary, gather, summary_docx
from tracker.outputs.text import escape_markdown as md

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("summary.page_title", ctx, snap)
facts = gather(snap, ui.completeness(ctx, [ctx.as_of]), tuple(ui.explanations(ctx)))
summary = build_summary(facts, ctx.lang)

st.caption(t("summary.in_notes", ctx.lang))
name = f"{'情况汇报' if ctx.lang != 'en' else 'briefing-report'}-{ctx.as_of}"
buttons = st.container(horizontal=True)  # each button as wide as its label ("下载（Markdo…" in a narrow column)
buttons.download_button(t("summary.download_docx", ctx.lang),
                        ui.protected("summary", lambda: summary_docx(summary)), file_name=f"{name}.docx",
                        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        key="summary_docx", on_click="ignore", icon=":material/description:")
buttons.download_button(t("summary.download_md", ctx.lang),
                        ui.protected("summary", lambda: summary.markdown().encode("utf-8")), file_name=f"{name}.md",
                        mime="text/markdown", key="summary_md", on_click="ignore", icon=":material/download:")

with st.container(border=True, key="summary_text"):
    st.markdown(f"<h3 style='text-align:center'>{html.escape(summary.title)}</h3>"
                f"<p style='text-align:center'>{html.escape(summary.subtitle)}</p>", unsafe_allow_html=True)
    if summary.demo:
        st.warning(md(summary.demo))
    st.markdown(md(summary.opening))  # plain text throughout: it names targets, regions and departments
    st.markdown(f"**{md(summary.overall_heading)}**")
    st.markdown(md(summary.overall))
    st.markdown(f"**{md(summary.tasks_heading)}**")
    for paragraph in summary.tasks:
        st.markdown(md(paragraph))
    st.caption(md(summary.note))
