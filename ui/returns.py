"""A return on 上报数据, however it came: an uploaded file, or figures entered online in the template's grid.

``show_return`` is the one display both take — the dry-run check (read once and kept in the session), the summary
line, the problems, the preview with problem rows coloured, the warnings' tick and explanation, the commit and the
receipt — so a grid is checked, confirmed and recorded exactly as a file is. ``online_entry`` draws the grid and
turns it, on 检查, into the template's workbook (tracker/intake/entry.py), which it hands to ``show_return``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from tracker.access.roles import Actor, PermissionDenied
from tracker.i18n import month_label, t
from tracker.intake.entry import CODE, NAME, current_figures, entry_file_name, entry_grid, entry_workbook
from tracker.intake.submissions import failed, import_for_plan
from tracker.model.plan import Plan
from tracker.model.regions import RegionTree
from tracker.model.units import BASE_UNITS
from tracker.outputs.tables import preview_table, problem_list, problem_table
from tracker.outputs.text import escape_markdown
from tracker.review.explanations import ExplanationError, explain_warnings
from tracker.store.closures import PlanClosed
from ui.context import engine
from ui.widgets import show_table

#: Column widths (px) of the grid: six figure columns and the county's fit a 1280-pixel screen beside the menu; a
#: long heading is cut in the grid and said whole in its help. The county columns stay put when it scrolls.
CODE_WIDTH, NAME_WIDTH, FIGURE_WIDTH = 70, 110, 110


def show_return(data: bytes, name: str, heading: str, slot: str, plan: Plan, tree: RegionTree, actor: Actor,
                prefecture: str, period: str, lang: str) -> None:
    """Check ``data`` (an .xlsx/.xls/.csv return named ``name``) as ``actor`` for ``prefecture`` and ``period``,
    show what the check found where it found it, and commit it on confirmation. ``slot`` keeps the widgets of
    several returns on one page apart (a file's index, ``online`` for the grid)."""
    st.subheader(heading)
    # Read once per return, month and prefecture, not on every click (a read costs a child process); the check
    # shown after a commit stays the one that was confirmed, so the preview does not turn to 未变 under the receipt.
    key = f"check_{hashlib.sha256(data).hexdigest()}_{period}_{prefecture}"
    if key not in st.session_state:
        try:
            st.session_state[key] = import_for_plan(engine(), data, name, plan.id, uploader=actor.label,
                                                    actor=actor, period=period, prefecture=prefecture,
                                                    dry_run=True, accept_warnings=True)
        except Exception as exc:
            st.session_state[key] = failed(name, data, exc)
    check = st.session_state[key]
    errors = [p for p in check.problems if p.severity == "error"]
    warnings = [p for p in check.problems if p.severity == "warning"]
    st.markdown(t("upload.summary", lang, values=check.values, errors=len(errors), warnings=len(warnings)))
    if check.problems:
        st.markdown(problem_list(check.problems, lang))
        with st.expander(t("upload.all_problems", lang, n=len(check.problems))):
            show_table(problem_table(check.problems, lang), f"problems-{slot}-{check.sha256[:8]}")
    if not check.preview.empty:
        frame, severity = preview_table(check.preview, check.problems, lang, plan)
        show_table(frame, f"preview-{slot}-{check.sha256[:8]}", severity=severity)
    receipt = st.session_state.get(f"receipt_{check.sha256}")
    if receipt:
        st.success(receipt)
        if st.session_state.get(f"explain_error_{check.sha256}"):
            st.warning(escape_markdown(st.session_state[f"explain_error_{check.sha256}"]))
        return
    if errors:
        st.error(t("upload.refused", lang))
        return
    if check.status == "unchanged":
        st.info(t("upload.unchanged", lang))
        return
    confirmed, explanation = True, ""
    if warnings:  # confirming a warning takes an explanation (情况说明), recorded against what the warnings name
        confirmed = st.checkbox(t("upload.confirm", lang), key=f"confirm_{slot}_{check.sha256[:8]}")
        explanation = st.text_area(t("upload.explain", lang), key=f"explain_{slot}_{check.sha256[:8]}",
                                   max_chars=1000, help=t("upload.explain_help", lang))
    ready = confirmed and (not warnings or bool(explanation.strip()))
    if not st.button(t("upload.commit", lang), key=f"commit_{slot}_{check.sha256[:8]}", disabled=not ready,
                     type="primary"):
        return
    try:
        done = import_for_plan(engine(), data, name, plan.id, uploader=actor.label, actor=actor,
                               period=period, prefecture=prefecture, accept_warnings=confirmed)
    except Exception as exc:
        done = failed(name, data, exc)
    if done.status == "refused":   # refused at commit: e.g. the month was locked since the check above
        st.error(t("upload.refused", lang))
        st.markdown(problem_list(done.problems, lang))
        return
    if warnings and done.submissions:
        try:
            explain_warnings(engine(), actor, plan, tree, prefecture, period, warnings, explanation,
                             done.submissions[0], sorted(set(check.preview["target"])))
        except (ExplanationError, PermissionDenied, PlanClosed) as exc:  # the return is in; say why not its words
            st.session_state[f"explain_error_{check.sha256}"] = str(exc)
    changes = check.preview["change"].value_counts()
    st.session_state[f"receipt_{check.sha256}"] = t(
        "upload.receipt", lang, ids="、".join(map(str, done.submissions)) or "—", values=done.values,
        new=int(changes.get("new", 0)), changed=int(changes.get("changed", 0)), sha=done.sha256[:12]) + (
        t("upload.pending_review", lang) if done.review_status == "submitted" else "")
    st.rerun()


def _cells(frame: pd.DataFrame) -> tuple:
    """A grid's content as compared between runs: every cell as text, an empty one (None, NA, "") as None."""
    return tuple(tuple(None if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v == "" else str(v)
                       for v in row) for row in frame.itertuples(index=False))


def _unit(unit: str, lang: str) -> str:
    return unit if lang == "zh" else BASE_UNITS.get(unit, {}).get("en", unit)


def online_entry(plan: Plan, tree: RegionTree, scopes: Mapping[str, list[str]], actor: Actor, prefecture: str,
                 period: str, lang: str) -> None:
    """网上填报: the template's grid for ``prefecture`` and ``period`` (its counties, the targets due, the month's
    counted figures filled in), a 检查 button that writes it into the template and checks it like a file, and —
    while the grid is as it was checked — ``show_return`` for that workbook."""
    grid = entry_grid(plan, tree, period, prefecture, scopes, current_figures(engine(), plan.id, period, prefecture))
    config = {CODE: st.column_config.TextColumn(t("col.code", lang), width=CODE_WIDTH, pinned=True),
              NAME: st.column_config.TextColumn(t("col.county", lang), width=NAME_WIDTH, pinned=True)}
    for target_id in grid.columns[2:]:
        target = plan.target(target_id)
        # text, not number, columns: "待报" or "-5" typed here reaches the reader as typed and is refused by it,
        # with the same problem as in a file (a number column would drop what it cannot hold)
        config[target_id] = st.column_config.TextColumn(
            f"{target.name.get(lang)}（{_unit(target.unit, lang)}）" if lang == "zh"
            else f"{target.name.get(lang)} ({_unit(target.unit, lang)})",
            help=t("upload.online_column_help", lang, name=target.name.get(lang), unit=_unit(target.unit, lang)),
            max_chars=40, width=FIGURE_WIDTH)
    st.caption(t("upload.online_help", lang))
    edited = st.data_editor(grid, key=f"entry_{prefecture}_{period}", hide_index=True, disabled=[CODE, NAME],
                            column_config=config, num_rows="fixed", width="stretch", placeholder="",
                            on_change="ignore")  # no page run per cell: typing on while one ran lost cells
    state = f"entry_checked_{prefecture}_{period}"
    if st.button(t("upload.online_check", lang), key=f"entry_check_{prefecture}_{period}",
                 icon=":material/fact_check:"):
        name = entry_file_name(prefecture, period)
        try:
            data = entry_workbook(edited, plan, tree, period, prefecture, scopes)
        except Exception as exc:  # never a traceback: said as a refusal in one line, like a file that failed
            st.error(t("upload.refused", lang))
            st.markdown(problem_list(failed(name, b"", exc).problems, lang))
            return
        st.session_state[state] = (_cells(edited), data)
    checked = st.session_state.get(state)
    if checked is None:
        return
    if checked[0] != _cells(edited):  # typed on since the check: what is shown would not be what is committed
        st.info(t("upload.online_changed", lang))
        return
    show_return(checked[1], entry_file_name(prefecture, period),
                t("upload.online_header", lang, prefecture=tree[prefecture].name, month=month_label(period, lang)),
                "online", plan, tree, actor, prefecture, period, lang)
