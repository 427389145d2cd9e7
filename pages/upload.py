"""上报数据: download the template, upload returns, see every problem in place, confirm, get a receipt. A closed plan
offers no template, upload or allocation form: one line says it is read-only; its submissions are still listed."""
import hashlib

import streamlit as st

import ui
from tracker import store
from tracker.access.roles import PermissionDenied
from tracker.i18n import month_label, t
from tracker.intake.allocations import allocation_summary, import_allocations
from tracker.intake.submissions import failed, import_for_plan
from tracker.intake.template import build_template, due_targets
from tracker.outputs.tables import (
    allocation_table,
    preview_table,
    problem_list,
    problem_table,
    returned_cells_table,
    submission_table,
)
from tracker.outputs.text import escape_markdown
from tracker.review.corrections import returned_cells
from tracker.review.explanations import ExplanationError, explain_warnings
from tracker.store.closures import PlanClosed

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
files = []
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
    if not due_targets(plan, tree, period, prefecture, snap.scopes):
        st.info(t("upload.nothing_due", ctx.lang, prefecture=prefectures[prefecture],
                  month=month_label(period, ctx.lang)))
    else:   # the workbook is built on the click, for a session still allowed here (not on every run of the page)
        st.download_button(t("upload.template", ctx.lang, prefecture=prefectures[prefecture],
                             month=month_label(period, ctx.lang)),
                           ui.protected("upload", lambda: build_template(plan, tree, period, prefecture, snap.scopes,
                                                                         marked)),
                           file_name=f"template-{plan.id}-{prefecture}-{period}.xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    files = st.file_uploader(t("upload.files", ctx.lang), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                             key="upload_files")
for i, upload in enumerate(files or []):
    data = upload.getvalue()
    st.subheader(t("upload.file_header", ctx.lang, name=escape_markdown(upload.name)))
    # Read once per file, month and prefecture, not on every click (a read costs a child process); the check
    # shown after a commit stays the one that was confirmed, so the preview does not turn to 未变 under the receipt.
    key = f"check_{hashlib.sha256(data).hexdigest()}_{period}_{prefecture}"
    if key not in st.session_state:
        try:
            st.session_state[key] = import_for_plan(ui.engine(), data, upload.name, plan.id, uploader=actor.label,
                                                    actor=actor, period=period, prefecture=prefecture,
                                                    dry_run=True, accept_warnings=True)
        except Exception as exc:
            st.session_state[key] = failed(upload.name, data, exc)
    check = st.session_state[key]
    errors = [p for p in check.problems if p.severity == "error"]
    warnings = [p for p in check.problems if p.severity == "warning"]
    st.markdown(t("upload.summary", ctx.lang, values=check.values, errors=len(errors), warnings=len(warnings)))
    if check.problems:
        st.markdown(problem_list(check.problems, ctx.lang))
        with st.expander(t("upload.all_problems", ctx.lang, n=len(check.problems))):
            ui.show_table(problem_table(check.problems, ctx.lang), f"problems-{i}-{check.sha256[:8]}")
    if not check.preview.empty:
        frame, severity = preview_table(check.preview, check.problems, ctx.lang, plan)
        ui.show_table(frame, f"preview-{i}-{check.sha256[:8]}", severity=severity)
    receipt = st.session_state.get(f"receipt_{check.sha256}")
    if receipt:
        st.success(receipt)
        if st.session_state.get(f"explain_error_{check.sha256}"):
            st.warning(escape_markdown(st.session_state[f"explain_error_{check.sha256}"]))
        continue
    if errors:
        st.error(t("upload.refused", ctx.lang))
        continue
    if check.status == "unchanged":
        st.info(t("upload.unchanged", ctx.lang))
        continue
    confirmed, explanation = True, ""
    if warnings:  # confirming a warning takes an explanation (情况说明), recorded against what the warnings name
        confirmed = st.checkbox(t("upload.confirm", ctx.lang), key=f"confirm_{i}_{check.sha256[:8]}")
        explanation = st.text_area(t("upload.explain", ctx.lang), key=f"explain_{i}_{check.sha256[:8]}",
                                   max_chars=1000, help=t("upload.explain_help", ctx.lang))
    ready = confirmed and (not warnings or bool(explanation.strip()))
    if st.button(t("upload.commit", ctx.lang), key=f"commit_{i}_{check.sha256[:8]}", disabled=not ready,
                 type="primary"):
        try:
            done = import_for_plan(ui.engine(), data, upload.name, plan.id, uploader=actor.label, actor=actor,
                                   period=period, prefecture=prefecture, accept_warnings=confirmed)
        except Exception as exc:
            done = failed(upload.name, data, exc)
        if done.status == "refused":   # refused at commit: e.g. the month was locked since the check above
            st.error(t("upload.refused", ctx.lang))
            st.markdown(problem_list(done.problems, ctx.lang))
            continue
        if warnings and done.submissions:
            try:
                explain_warnings(ui.engine(), actor, plan, tree, prefecture, period, warnings, explanation,
                                 done.submissions[0], sorted(set(check.preview["target"])))
            except (ExplanationError, PermissionDenied, PlanClosed) as exc:  # the return is in; say why not its words
                st.session_state[f"explain_error_{check.sha256}"] = str(exc)
        changes = check.preview["change"].value_counts()
        st.session_state[f"receipt_{check.sha256}"] = t(
            "upload.receipt", ctx.lang, ids="、".join(map(str, done.submissions)) or "—", values=done.values,
            new=int(changes.get("new", 0)), changed=int(changes.get("changed", 0)), sha=done.sha256[:12]) + (
            t("upload.pending_review", ctx.lang) if done.review_status == "submitted" else "")
        st.rerun()

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
