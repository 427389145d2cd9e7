"""What pages draw with: tables that download as .xlsx, charts that download as PNG, and the target and region
selectors that are kept across pages and in the link."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from loaders.plans import load_plans
from tracker.i18n import month_label, t
from tracker.outputs.columns import kinds_of, shown
from tracker.outputs.text import escape_markdown
from tracker.progress.snapshot import Snapshot
from ui.context import keep, lang, page_name, publish_link
from ui.signin import actor, protected

#: A page shows a table whole (no box scrolling inside the page) up to this many rows; a longer one is cut there with
#: a line saying so, and its download holds every row.
PAGE_ROWS = 300
#: A column whose texts are all this short (months, statuses, figures, cell references) is kept on one line.
WHOLE_CHARS = 10
_SEVERITY_COLOURS = {"error": "background-color: #fde2e1", "warning": "background-color: #fff4d6", "": ""}


@dataclass(frozen=True)
class TableView:
    """A table prepared for drawing: its cells as text in the reader's units and escaped for Markdown, and which
    columns stay on one line or align right. Pure and shareable, so a page can keep it per data version
    (``Snapshot.kept``) instead of preparing it on every rerun."""
    frame: pd.DataFrame      # the table as given (its download)
    page: pd.DataFrame       # what is drawn, at most PAGE_ROWS rows
    whole: tuple[int, ...]   # 1-based columns kept on one line
    right: tuple[int, ...]   # 1-based columns aligned right (figures)
    cut: bool


def table_view(frame: pd.DataFrame, language: str) -> TableView:
    page = shown(frame, language)
    cut = len(page) > PAGE_ROWS
    page = page.head(PAGE_ROWS).reset_index(drop=True)
    figures = set(kinds_of(frame)) | {c for c in page.columns if pd.api.types.is_numeric_dtype(page[c])}
    whole = tuple(i for i, c in enumerate(page.columns, 1) if language != "en"
                  and page[c].map(lambda v: len(str(v)) if v is not None else 0).max() <= WHOLE_CHARS)
    right = tuple(i for i, c in enumerate(page.columns, 1) if c in figures)
    page = pd.DataFrame({escape_markdown(c): [_cell(v) for v in page[c]] for c in page.columns})
    return TableView(frame, page, whole, right, cut)


def kept_table(snap: Snapshot, key: tuple, build) -> TableView:
    """``build()``'s table prepared once per snapshot (so per data version), language and ``key``: for the tables a
    page draws from the snapshot alone — nothing said since (explanations, judgements) may go into one."""
    current = lang()
    return snap.kept(("table", current, *key), lambda: table_view(build(), current))


def kept_figure(snap: Snapshot, key: tuple, build):
    """``build()``'s plotly figure once per snapshot, language and ``key`` (building a figure was a fifth of the
    target page's render); Streamlit only reads it."""
    return snap.kept(("figure", lang(), *key), build)


def show_table(frame: pd.DataFrame | TableView, name: str, severity: list[str] | None = None) -> None:
    """A table drawn whole, its figures written in the reader's units, and a button that downloads it as .xlsx with
    the figures as numbers (text that Excel would run as a formula neutralised); with ``severity`` (per row:
    "error", "warning" or ""), the rows a problem points at are red or amber. ``frame`` may be a ``table_view``
    prepared before (and kept).

    Drawn as a static table (``st.table``), not a data grid: a grid cut columns to "落后 2…" and "Behin" at 1440 px
    and scrolled 21 prefectures inside a box ten rows high; a static table wraps long text and shows every row. Its
    cells are Markdown, so every text goes through ``escape_markdown``; a missing value is "—", never "None"."""
    current = lang()
    source = frame.frame if isinstance(frame, TableView) else frame
    if source.empty:
        st.caption(t("table.empty", current))
        return
    view = frame if isinstance(frame, TableView) else table_view(frame, current)
    # Short columns (a month, a status, a figure) on one line and figures to the right, by a rule for this table's
    # columns: a pandas Styler did it but cost ~9 ms a table on every rerun, against 0.4 ms for the frame; it is
    # kept only to colour the rows a problem points at.
    box = "tbl-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
    rules = [f".st-key-{box} td:nth-child({i}),.st-key-{box} td:nth-child({i}) *{{white-space:nowrap !important}}"
             for i in view.whole]
    rules += [f".st-key-{box} td:nth-child({i}),.st-key-{box} td:nth-child({i}) *{{text-align:right !important}}"
              for i in view.right]
    styler = view.page
    if severity is not None:
        marks = list(severity)
        styler = view.page.style.hide(axis="index").apply(
            lambda row: [_SEVERITY_COLOURS[marks[row.name]]] * len(row), axis=1)
    with st.container(key=box):
        if rules:
            st.html(f"<style>{''.join(rules)}</style>")
        st.table(styler, border="horizontal", hide_index=True)
    if view.cut:
        st.caption(t("table.cut", current, shown=PAGE_ROWS, n=len(source)))
    _download(source, name)


def _cell(value: object) -> object:
    """A cell as drawn: numbers as they are, missing as "—", text escaped for Markdown."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str):
        return escape_markdown(value) if value else ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return escape_markdown(str(value))


def _download(frame: pd.DataFrame, name: str) -> None:
    """The table's .xlsx button. The workbook is built when the button is clicked, not on every run of the page
    (it was a twentieth of a render, whether or not anyone downloaded), and only for a session that may still see
    the page then (``ui.protected``), so no file waits in the media store for someone who is not allowed."""
    from tracker.outputs.exports import to_xlsx

    if actor() is None:  # the public overview: reading on screen only, no files
        return
    state = st.session_state
    plans = load_plans()
    lang_now = lang()
    plan = plans[state["plan_id"]] if state.get("plan_id") in plans else None
    notes = [t("export.as_of", lang_now, month=month_label(state["as_of"], lang_now))] if state.get("as_of") else []
    title = plan.title.get(lang_now) if plan else None

    def build() -> bytes:
        return to_xlsx({name[:31]: frame}, title=title, notes=notes, lang=lang_now)

    st.download_button(t("export.xlsx", lang_now), protected(page_name(), build), file_name=f"{name}.xlsx",
                       key=f"xlsx_{name}", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       type="tertiary", icon=":material/download:", on_click="ignore")


def chart(figure, name: str) -> None:
    """A plotly chart whose modebar downloads it as a PNG named for what it shows (drawn in the browser,
    offline)."""
    st.plotly_chart(figure, width="stretch", config={
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2},
    })


def select_target(snap: Snapshot, lang: str) -> str:
    """The target a page is about, kept across pages and in the link."""
    targets = {x.id: x for x in snap.plan.targets}
    if st.session_state.get("target") not in targets:
        st.session_state["target"] = next(iter(targets))
    options = list(targets)
    st.selectbox(t("regions.choose_target", lang), options, index=options.index(st.session_state["target"]),
                 key="w_target", format_func=lambda i: targets[i].name.get(lang), on_change=keep, args=("target",))
    publish_link()
    return st.session_state["target"]


def select_region(options: dict[str, str], label: str) -> str:
    """A region chosen among ``options`` (code → name), kept across pages and in the link once someone chooses one.
    The first option, shown when nothing was chosen, is not stored: 地区 defaults to the first prefecture and 地图
    to the whole province, and opening one must not carry its default into the other."""
    codes = list(options)
    chosen = st.session_state.get("region")
    current = chosen if chosen in options else codes[0]
    value = st.selectbox(label, codes, index=codes.index(current), key="w_region", format_func=options.get,
                         on_change=keep, args=("region",))
    publish_link()
    return value


def reportable_months(plan, snap: Snapshot | None = None, prefecture: str | None = None) -> list[str]:
    """Months a return can be filed for: the plan's months up to this month, newest first; with a prefecture, only
    those in which a target in force covers one of its counties (so the newest month offered is one with a
    return due, not 2025 for a prefecture whose last target ended in 2023)."""
    from datetime import date

    from tracker.model.periods import month_of

    now = month_of(date.today())
    months = sorted({m for target in plan.targets for m in target.period.months() if m <= now})
    if snap is not None and prefecture is not None:
        counties = {c.code for c in snap.tree.children(prefecture)}
        months = [m for m in months if any(t.id not in snap.scopes or counties & set(snap.scopes[t.id])
                                           for t in plan.targets_due(m))]
    return list(reversed(months)) or [now]


def _follow(plan_id: str, target_id: str, as_of: str) -> None:
    state = st.session_state
    for name, value in (("plan_id", plan_id), ("as_of", as_of), ("target", target_id)):
        state[name] = value
        state[f"w_{name}"] = value  # the sidebar's and the page's selectors show the new choice at once


def follow_button(label: str, plan_id: str, target_id: str, as_of: str, key: str) -> None:
    """A button that opens a target of another plan at a month (the plan and month chosen as in the sidebar)."""
    st.button(label, key=key, on_click=_follow, args=(plan_id, target_id, as_of), icon=":material/arrow_forward:")
