"""汇报模式 (?view=present): the briefing's slides full screen, for a meeting-room projector.

No sidebar, no Streamlit chrome, one slide filling the window (``tracker.outputs.slides``: the same slides as the PPTX and
the PDF), previous/next (also the ← → keys), a slide counter, auto-advance at a chosen interval, the deck as
.pptx or .pdf, and a way back to the dashboard (also Esc). Drawing only: the slides are built in the core.
"""
import time
from datetime import date

import streamlit as st

import ui
from tracker.i18n import t
from tracker.outputs.slides import build_deck, deck_css, slide_html
from tracker.outputs.text import escape_markdown as md

INTERVALS = (10, 20, 30, 60, 120)

CHROME = """
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stBottom"],
footer {display:none !important}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {background:#fff !important}
[data-testid="stMain"] {padding:0 !important}
[data-testid="stMainBlockContainer"] {padding:0 !important; max-width:none !important; min-height:0 !important}
[data-testid="stMainBlockContainer"] > div > [data-testid="stVerticalBlock"],
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap:0 !important}
[data-stale="true"] {opacity:1 !important; transition:none !important}
.st-key-present_controls {position:fixed !important; right:max(40px, min(7.7778vh, 4.375vw)); bottom:8px;
  z-index:999990; width:auto !important;
  gap:8px !important; align-items:center; background:rgba(255,255,255,0.92); border:1px solid #d1d5db;
  border-radius:10px; padding:4px 8px; opacity:0.55; transition:opacity .2s}
.st-key-present_controls:hover, .st-key-present_controls:focus-within {opacity:1}
.st-key-present_controls button p, .st-key-present_controls label p {font-size:18px}
.st-key-present_controls button [data-testid="stIconMaterial"] {font-size:26px}
.st-key-present_controls [data-testid="stElementContainer"] {width:auto !important}
.st-key-present_controls [data-testid="stSelectbox"] {width:92px}
.present-counter {font-size:20px; font-weight:700; color:#111827; padding:0 6px; white-space:nowrap;
  font-variant-numeric:tabular-nums}
"""

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
report = ui.completeness(ctx, [ctx.as_of])
deck = build_deck(snap, report, ctx.lang, explanations=tuple(ui.explanations(ctx)),
                  judgements=ui.judgements(ctx))
state = st.session_state

st.html(f"<style>{CHROME}{deck_css('screen')}</style>")

auto = bool(state.get("present_auto", False))
interval = int(state.get("present_interval", 30))
if interval not in INTERVALS:
    interval = 30


def _index() -> int:
    """The shown slide, 0-based, from the session (a link's ``slide`` is 1-based text)."""
    try:
        number = int(state.get("slide", 1))
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), len(deck.slides)) - 1


def _show(index: int) -> None:
    state["slide"] = index + 1
    state["present_last"] = time.time()


def _step(step: int) -> None:
    _show(min(max(_index() + step, 0), len(deck.slides) - 1))


def _toggle_notes() -> None:
    state["present_notes"] = not state.get("present_notes")
    state["present_last"] = time.time()


def _keep(name: str) -> None:
    state[name] = state[f"w_{name}"]
    state["present_last"] = time.time()


@st.cache_data(max_entries=8, show_spinner=False)
def _deck_file(_deck, kind: str, key: tuple) -> bytes:
    from tracker.outputs.deck import deck_pdf, deck_pptx

    return deck_pptx(_deck) if kind == "pptx" else deck_pdf(_deck)


def _file(kind: str):
    from tracker import store
    from tracker.store.db import database_url

    key = (database_url(), ctx.plan_id, ctx.as_of, ctx.lang, store.data_version(ui.engine()), date.today())
    return lambda: _deck_file(deck, kind, key)


@st.fragment(run_every=interval if auto else None)
def stage() -> None:
    if not ui.presenting():          # 退出 was pressed: back to the dashboard
        st.rerun(scope="app")
    index = _index()
    now = time.time()
    if auto and now - state.get("present_last", 0.0) >= interval - 0.5:
        index = (index + 1) % len(deck.slides)   # auto-advance goes round, for a screen left running
        _show(index)
    state.setdefault("present_last", now)
    if st.query_params.get("slide") != str(index + 1):
        st.query_params["slide"] = str(index + 1)
    st.html(slide_html(deck, index, "screen"))
    notes = deck.slides[index].notes
    if state.get("present_notes") and notes:  # the speaker notes a slide's "详见讲稿" points at, under the slide
        with st.container(key="present_notes_box", border=True):
            st.caption(t("present.notes", ctx.lang))
            st.markdown(md(notes))

    last = len(deck.slides) - 1
    name = f"{'汇报材料' if ctx.lang != 'en' else 'briefing'}-{ctx.as_of}"
    with st.container(key="present_controls", horizontal=True, vertical_alignment="center", width="content"):
        st.button(":material/chevron_left:", key="present_prev", on_click=_step, args=(-1,), shortcut="Left",
                  disabled=index == 0, type="tertiary")
        st.markdown(f'<span class="present-counter">{deck.counter(index)}</span>', unsafe_allow_html=True)
        st.button(":material/chevron_right:", key="present_next", on_click=_step, args=(1,), shortcut="Right",
                  disabled=index == last, type="tertiary")
        st.toggle(t("present.auto", ctx.lang), value=auto, key="w_present_auto", on_change=_keep,
                  args=("present_auto",))
        # an icon, not a labelled toggle: the bar must stay one line above the slide's footer at 1280×720
        st.button(":material/speaker_notes:", key="present_notes_toggle", on_click=_toggle_notes, type="tertiary",
                  help=t("present.notes", ctx.lang))
        st.selectbox(t("present.interval", ctx.lang), INTERVALS, index=INTERVALS.index(interval),
                     key="w_present_interval", on_change=_keep, args=("present_interval",),
                     format_func=lambda n: t("present.seconds", ctx.lang, n=n), label_visibility="collapsed")
        # Two plain buttons, not a popover: a mouse click did not open the popover inside this fixed bar.
        st.download_button("PPT", ui.protected("present", _file("pptx")), file_name=f"{name}.pptx",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           key="present_pptx", on_click="ignore", type="tertiary",
                           help=t("present.pptx", ctx.lang))
        st.download_button("PDF", ui.protected("present", _file("pdf")), file_name=f"{name}.pdf", mime="application/pdf",
                           key="present_pdf", on_click="ignore", type="tertiary",
                           help=t("present.pdf", ctx.lang))
        st.button(":material/close:", key="present_exit", on_click=ui.leave_presentation, shortcut="Esc",
                  type="tertiary")
    # The toggle and the interval change how often this fragment runs, which only a full run can set.
    if (bool(state.get("present_auto", False)), int(state.get("present_interval", 30))) != (auto, interval):
        st.rerun(scope="app")


stage()
