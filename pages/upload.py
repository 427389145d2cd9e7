"""上报数据: download the template and upload returns, or enter the figures online in the template's grid; either way
see every problem in place, confirm, get a receipt. A closed plan offers no template, upload, grid or allocation
form: one line says it is read-only; its submissions are still listed."""
import streamlit as st

import ui
from tracker import store
from tracker.i18n import month_label, t
from tracker.intake.allocations import allocation_summary, import_allocations
from tracker.intake.template import build_template, due_targets
from tracker.outputs.tables import allocation_table, problem_list, returned_cells_table, submission_table
from tracker.outputs.text import escape_markdown
from tracker.review.corrections import returned_cells

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("upload.title", ctx, snap)
plan, tree = snap.plan, snap.tree
actor = ui.actor()  # the core checks every write against it; the page only hides what would be refused
if actor is None or not actor.may("import"):
    role = t(f"account.role.{actor.role}", ctx.lang) if actor is not None else "—"
    st.warning(t("upload.no_permission", ctx.lang, role=role))
    st.stop()

closed = ui.read_only(ctx)
prefectures = {r.code: r.name for r in tree.level("prefecture")}
if actor.role == "prefecture":  # its own prefecture only
    prefectures = {actor.prefecture: prefectures[actor.prefecture]}
    st.session_state["upload_prefecture"] = actor.prefecture
left, right = st.columns(2)
prefecture = left.selectbox(t("upload.prefecture", ctx.lang), list(prefectures), format_func=prefectures.get,
                            key="upload_prefecture", disabled=len(prefectures) == 1)
if not closed:
    months = ui.reportable_months(plan, snap, prefecture)
    if st.session_state.get("upload_period") not in months:   # another prefecture has other months due
        st.session_state.pop("upload_period", None)
    period = right.selectbox(t("upload.period", ctx.lang), months, key="upload_period",
                             format_func=lambda m: month_label(m, ctx.lang))
    # 退回单元格: the figures a reviewer sent back for this month, which are all a locked month takes
    unresolved = [c for c in returned_cells(ui.engine(), plan.id, prefecture) if c.unresolved]
    returned = [c for c in unresolved if c.period == period]
    elsewhere = sorted({c.period for c in unresolved} - {period}, reverse=True)
    if elsewhere:
        named = (", " if ctx.lang == "en" else "、").join(month_label(m, ctx.lang) for m in elsewhere)
        st.info(t("upload.cells_elsewhere", ctx.lang, months=named))
    if returned:
        st.warning(t("upload.cells_returned", ctx.lang, month=month_label(period, ctx.lang), n=len(returned)))
        ui.show_table(returned_cells_table(returned, plan, tree, ctx.lang), f"cells-{prefecture}-{period}")
    marked = {c.cell: c.reason for c in returned}
    due = due_targets(plan, tree, period, prefecture, snap.scopes)
    if not due:
        st.info(t("upload.nothing_due", ctx.lang, prefecture=prefectures[prefecture],
                  month=month_label(period, ctx.lang)))
    # a file, or the template's grid typed in here: both are checked, confirmed and recorded by ui.show_return
    mode = st.segmented_control(t("upload.mode", ctx.lang), ["files", "online"], default="files", required=True,
                                format_func=lambda m: t(f"upload.mode_{m}", ctx.lang), key="upload_mode")
    if mode == "online":
        if due:
            ui.online_entry(plan, tree, snap.scopes, actor, prefecture, period, ctx.lang)
    else:
        if due:   # the workbook is built on the click, for a session still allowed here (not on every run)
            st.download_button(t("upload.template", ctx.lang, prefecture=prefectures[prefecture],
                                 month=month_label(period, ctx.lang)),
                               ui.protected("upload", lambda: build_template(plan, tree, period, prefecture,
                                                                             snap.scopes, marked)),
                               file_name=f"template-{plan.id}-{prefecture}-{period}.xlsx", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        files = st.file_uploader(t("upload.files", ctx.lang), type=["xlsx", "xls", "csv"],
                                 accept_multiple_files=True, key="upload_files")
        for i, upload in enumerate(files or []):
            heading = t("upload.file_header", ctx.lang, name=escape_markdown(upload.name))
            ui.show_return(upload.getvalue(), upload.name, heading, str(i), plan, tree, actor, prefecture, period,
                           ctx.lang)

st.subheader(t("upload.history", ctx.lang, prefecture=prefectures[prefecture]))
history = store.submissions_of(ui.engine(), plan.id, prefecture)
if history.empty:
    st.caption(t("upload.no_history", ctx.lang))
else:
    ui.show_table(submission_table(history, ctx.lang), f"submissions-{prefecture}")

if not actor.may("allocate"):
    st.stop()
with st.expander(t("upload.allocations", ctx.lang)):
    st.caption(t("upload.allocations_help", ctx.lang))
    sheet = None if closed else st.file_uploader(t("upload.allocations_file", ctx.lang), type=["xlsx", "xls", "csv"],
                                                 key="allocation_file")
    if sheet is not None:
        check = import_allocations(ui.engine(), sheet.getvalue(), sheet.name, plan, tree, uploader=actor.label,
                                   actor=actor, dry_run=True)
        if check.problems:
            st.markdown(problem_list(check.problems, ctx.lang))
        if check.status == "imported":
            ui.show_table(allocation_table(allocation_summary(plan, check.rows, tree), ctx.lang), "allocation-check")
            if st.button(t("upload.allocations_commit", ctx.lang), key="allocation_commit", type="primary"):
                import_allocations(ui.engine(), sheet.getvalue(), sheet.name, plan, tree, uploader=actor.label,
                                   actor=actor)
                st.success(t("upload.allocations_done", ctx.lang, n=len(check.rows)))
    st.markdown(f"**{t('upload.allocation_sum', ctx.lang)}**")
    ui.show_table(allocation_table(allocation_summary(plan, snap.allocations, tree), ctx.lang), "allocations")
