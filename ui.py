"""Streamlit glue shared by the pages: the database connection, cached snapshots, the sidebar context and the demo
banner. Pages call these and the core; nothing here computes progress."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from loaders.plans import load_departments, load_plans
from tracker import store
from tracker.cards import CARD_CSS
from tracker.db import database_url, get_engine
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES, month_label, t
from tracker.snapshot import Snapshot, load_snapshot


@st.cache_resource
def _ready_engine(url: str):
    """Open the database once per server and bring it up to date (schema, plans, regions)."""
    engine = get_engine(url)
    store.init_database(engine)
    return engine


def engine():
    return _ready_engine(database_url())


@st.cache_data(max_entries=64, show_spinner=False)
def _snapshot(url: str, plan_id: str, as_of: str, version: str) -> Snapshot:
    return load_snapshot(_ready_engine(url), plan_id, as_of)


@st.cache_data(max_entries=16, show_spinner=False)
def _months(url: str, plan_id: str, version: str) -> list[str]:
    return store.reported_months(_ready_engine(url), plan_id)


@dataclass(frozen=True)
class Context:
    lang: str
    plan_id: str
    as_of: str


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def sidebar() -> Context:
    """Language, plan and as-of month, chosen in the sidebar and kept across pages (keyed widgets).

    Called once per run by app.py; pages read the result with ``context()``.
    """
    current_lang = lang()
    with st.sidebar:
        st.selectbox("语言 / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
        plans = load_plans()
        plan_ids = sorted(plans, key=lambda p: (not plans[p].targets, p))
        st.selectbox(t("sidebar.plan", current_lang), plan_ids, key="plan_id",
                     format_func=lambda p: plans[p].title.get(current_lang))
        plan = plans[st.session_state["plan_id"]]
        version = store.data_version(engine())
        months = _months(database_url(), plan.id, version)
        if not months:
            months = sorted({m for target in plan.targets for m in target.period.months()}) or ["2023-01"]
        options = list(reversed(months))
        if st.session_state.get("as_of") not in options:
            st.session_state["as_of"] = options[0]
        st.selectbox(t("sidebar.as_of", current_lang), options, key="as_of",
                     format_func=lambda m: month_label(m, current_lang))
    return context()


def context() -> Context:
    return Context(lang=lang(), plan_id=st.session_state["plan_id"], as_of=st.session_state["as_of"])


def snapshot(ctx: Context) -> Snapshot:
    return _snapshot(database_url(), ctx.plan_id, ctx.as_of, store.data_version(engine()))


def styles() -> None:
    st.markdown(CARD_CSS, unsafe_allow_html=True)


def demo_banner(snap: Snapshot, lang: str) -> None:
    if snap.demo:
        st.markdown(f'<div class="demo-banner">⚠ {t("banner.demo", lang)}</div>', unsafe_allow_html=True)


def page_header(title_key: str, ctx: Context, snap: Snapshot) -> None:
    st.title(t(title_key, ctx.lang))
    demo_banner(snap, ctx.lang)
    st.caption(t("page.caption", ctx.lang, plan=snap.plan.title.get(ctx.lang), month=month_label(ctx.as_of, ctx.lang)))


def department_name(dept_id: str, lang: str) -> str:
    return load_departments().by_id()[dept_id].name.get(lang)


def show_table(frame: pd.DataFrame) -> None:
    st.dataframe(frame, hide_index=True, width="stretch")
