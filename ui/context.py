"""The session's context: the database connection and cached snapshots, the chosen language, plan and month (in
the sidebar and the address), navigation through app.py, and the page header with the demo banner. Pages call
these and the core; nothing here computes progress."""
from __future__ import annotations

import contextvars
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.logger import get_logger

from loaders.plans import load_plans
from tracker import store
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES, month_label, t
from tracker.outputs.cards import CARD_CSS
from tracker.outputs.text import escape_markdown
from tracker.progress.cache import Budgeted, cache_budget
from tracker.progress.snapshot import Snapshot, load_snapshot
from tracker.store.db import database_url, get_engine
from ui.memory import give_back


@st.cache_resource
def _ready_engine(url: str):
    """Open the database once per server and bring it up to date (schema, plans, regions)."""
    engine = get_engine(url)
    store.init_database(engine)
    return engine


_IN_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("in_app", default=False)
_PAGE: contextvars.ContextVar[str] = contextvars.ContextVar("page", default="overview")
_LOG = get_logger("tracker.ui")


@contextmanager
def reported_errors(where: str):
    """An error in what runs inside is logged with a short id, traceback and all, and the person sees one line
    saying so with that id (no traceback, no message that could quote data: ``client.showErrorDetails`` is
    "none" too). Streamlit's own control flow — ``st.rerun``, ``st.stop``, ``st.switch_page`` — raises
    exceptions that derive from ``BaseException``, not ``Exception``, and passes through untouched."""
    try:
        yield
    except Exception:
        error_id = secrets.token_hex(4)
        _LOG.exception("page error %s on %s", error_id, where)
        st.error(t("error.page", lang(), id=error_id), icon=":material/error:")


def run_navigation(pages: list, landing=None, main: bool = False) -> None:
    """Run the chosen page inside app.py (so pages know the sidebar and styles are there), its errors reported
    (``reported_errors``). ``main``: the signed-in (or public) menu, whose first run of a session decides where a
    visit lands; ``landing``: the page a visit that arrives at the root goes on to (an ended plan's evaluation)."""
    st.session_state["_through_app"] = True
    current = st.navigation(pages, expanded=True)  # every page in the menu, however many
    first_visit = main and not st.session_state.get("_landed")
    if main:
        st.session_state["_landed"] = True
    if first_visit and landing is not None and current.url_path == "" \
            and not st.session_state.get("_intended_page"):
        ran = st.session_state.pop("_cookie_job_ran", None)  # ui.signin's cookie job of this run, cut short:
        if ran is not None:  # written again by the landing's run
            st.session_state["_cookie_job"] = ran
        st.switch_page(landing)
    st.session_state.pop("_cookie_job_ran", None)
    intended = st.session_state.pop("_intended_page", None)
    if intended and current.url_path != Path(intended).stem:
        # A deep link opened first on a fresh server (see ``context``): its page, if this menu has it. A page the
        # menu lacks (not signed in, not allowed) leaves the default page, as a link to it would anyway.
        wanted = next((p for p in pages if p.url_path == Path(intended).stem), None)
        if wanted is not None:
            st.switch_page(wanted)
    token, page = _IN_APP.set(True), _PAGE.set(current.url_path or "overview")
    try:
        with reported_errors(current.url_path or "(default page)"):
            current.run()
    finally:
        _IN_APP.reset(token)
        _PAGE.reset(page)


def page_name() -> str:
    """The page being drawn (its url path; ``overview`` for the default page): what a download is guarded by."""
    return _PAGE.get()


def engine():
    try:
        return _ready_engine(database_url())
    except store.RevisionRewritten as exc:   # a plan file rewrote a recorded revision: say which, run nothing
        from tracker.outputs.text import escape_markdown

        st.error(t("error.revision_rewritten", lang(), detail=escape_markdown(str(exc))))
        st.stop()


#: The snapshots the sessions share, kept within a memory budget (tracker/progress/cache.py: ``TRACKER_CACHE_MB``).
_SNAPSHOTS: Budgeted[Snapshot] = Budgeted(cache_budget(), 64, lambda snap: snap.nbytes, settle=give_back)


def _snapshot(url: str, plan_id: str, as_of: str, version: str) -> Snapshot:
    """One snapshot per plan, month and data version, shared by every session as it is (cache_data unpickled a
    copy on every rerun: a tenth of a warm render). Frozen; views filter its frames and never write to them. What
    building it freed, and the snapshots it pushed out of the budget, go back to the system (ui/memory.py)."""
    return _SNAPSHOTS.get((url, plan_id, as_of, version), lambda: load_snapshot(_ready_engine(url), plan_id, as_of))


@st.cache_data(max_entries=16, show_spinner=False)
def _months(url: str, plan_id: str, version: str) -> list[str]:
    return store.reported_months(_ready_engine(url), plan_id)


@dataclass(frozen=True)
class Context:
    lang: str
    plan_id: str
    as_of: str


def lang() -> str:
    adopt_link()  # a link's ?lang= counts from the first thing drawn (the page title, the styles, the sidebar)
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def _month_options(plan_id: str) -> list[str]:
    """Months to choose from, newest first: those with figures, or, before any arrive, the plan's own months up to
    this one."""
    months = _months(database_url(), plan_id, store.data_version(engine()))
    if not months:
        from datetime import date

        from tracker.model.periods import month_index, month_of

        plan = load_plans()[plan_id]
        months = sorted({m for target in plan.targets for m in target.period.months()}, key=month_index)
        # not a future month: a plan just begun opens on this month, not on its last year's December
        now = month_index(month_of(date.today()))
        months = [m for m in months if month_index(m) <= now] or months[:1] or ["2023-01"]
    return list(reversed(months))


def _plan_options() -> list[str]:
    """Plans to choose from, the one to open first first (tracker.model.plan.opening_order): today's plan."""
    from datetime import date

    from tracker.model.periods import month_of
    from tracker.model.plan import opening_order

    return opening_order(load_plans(), month_of(date.today()))


def plan_ended(ctx: Context) -> bool:
    """Whether the chosen plan's period is over this month: it then opens on its evaluation (成效评估)."""
    from datetime import date

    from tracker.model.periods import month_of

    return load_plans()[ctx.plan_id].ended(month_of(date.today()))


#: Query parameters a copied link carries, and the session keys they set.
LINK_PARAMS = {"plan": "plan_id", "as_of": "as_of", "lang": "lang", "target": "target", "region": "region",
               "view": "view", "slide": "slide"}  # view=present: 汇报模式; slide: its page (1-based)


def adopt_link() -> None:
    """Once per session, a link's plan, month, language, target and region become the choices (checked by
    ``_settle`` and the selectors, so a stale or mistyped link falls back to defaults instead of failing)."""
    if st.session_state.get("_link_adopted"):
        return
    st.session_state["_link_adopted"] = True
    for param, key in LINK_PARAMS.items():
        if param in st.query_params:
            st.session_state[key] = st.query_params[param]
    if "as_of" in st.query_params:
        st.session_state["_month_chosen"] = True  # a link to a month's view opens that view


def publish_link(omit: tuple[str, ...] = ()) -> None:
    """Keep the address bar describing the view, so a copied link opens the same view (``omit``: parameters the
    view does not depend on, e.g. the month on the evaluation, so a reload opens it again, not a month)."""
    state = st.session_state
    wanted = {param: str(state[key]) for param, key in LINK_PARAMS.items() if state.get(key) and param not in omit}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _settle() -> None:
    """Fill in or repair the chosen language, plan and month (kept in plain session keys, which Streamlit never
    drops when a page is switched, unlike widget keys)."""
    state = st.session_state
    if state.get("lang") not in LANGUAGES:
        state["lang"] = DEFAULT_LANGUAGE
    plans = _plan_options()
    if state.get("plan_id") not in plans:
        state["plan_id"] = plans[0]
    months = _month_options(state["plan_id"])
    if state.get("as_of") not in months:
        state["as_of"] = months[0]


def keep(name: str) -> None:
    st.session_state[name] = st.session_state[f"w_{name}"]
    if name == "as_of":
        st.session_state["_month_chosen"] = True
        st.session_state["_month_just_chosen"] = True  # on the evaluation: go to that month's overview


def month_chosen() -> bool:
    """Whether the visitor asked for a month (in the sidebar or by a link with one): an ended plan then opens on
    that month's overview instead of its evaluation."""
    return bool(st.session_state.get("_month_chosen"))


def sidebar() -> Context:
    """Language, plan and as-of month, chosen in the sidebar and kept across pages.

    Drawn by app.py on every run; pages read the choices with ``context()``.
    """
    adopt_link()
    _settle()
    state = st.session_state
    current = state["lang"]
    plans = load_plans()
    with st.sidebar:
        options = list(LANGUAGES)
        st.selectbox("语言 / Language", options, index=options.index(current), format_func=LANGUAGES.get,
                     key="w_lang", on_change=keep, args=("lang",))
        options = _plan_options()
        st.selectbox(t("sidebar.plan", current), options, index=options.index(state["plan_id"]), key="w_plan_id",
                     format_func=lambda p: plans[p].title.get(current), on_change=keep, args=("plan_id",))
        options = _month_options(state["plan_id"])
        st.selectbox(t("sidebar.as_of", current), options, index=options.index(state["as_of"]), key="w_as_of",
                     format_func=lambda m: month_label(m, current), on_change=keep, args=("as_of",))
    return context()


def context(page_file: str | None = None) -> Context:
    """The chosen language, plan and month for a page.

    A page file can be run on its own: Streamlit treats a folder named ``pages/`` beside the entry script as the
    legacy multipage app until ``st.navigation`` has been called once, so a deep link opened first on a freshly
    started server runs the page without app.py. Such a run is sent through app.py once, which then opens the
    page that was asked for.
    """
    adopt_link()
    if page_file and not _IN_APP.get() and not st.session_state.get("_through_app"):
        st.session_state["_through_app"] = True
        st.session_state["_intended_page"] = "pages/" + Path(page_file).name
        st.switch_page("app.py")
    _settle()
    on_evaluation = bool(page_file) and Path(page_file).stem == "evaluation"
    if page_file and st.session_state.pop("_month_just_chosen", False) and on_evaluation:
        st.switch_page("pages/overview.py")  # a month chosen in the sidebar asks for that month's view
    publish_link(omit=("as_of",) if on_evaluation else ())
    state = st.session_state
    return Context(lang=state["lang"], plan_id=state["plan_id"], as_of=state["as_of"])


def snapshot(ctx: Context) -> Snapshot:
    return _snapshot(database_url(), ctx.plan_id, ctx.as_of, store.data_version(engine()))


def styles() -> None:
    """The cards' style, and the page's own: less blank space above the title, the app's name at the top of the
    sidebar, long table text wrapped, and Streamlit's own uploader words (which it has only in English) in
    Chinese. Streamlit's texts are hidden (``display:none``, so not read out either) and the translation drawn
    by CSS in their place."""
    current = lang()
    limit = st.get_option("server.maxUploadSize")
    css = [
        '[data-testid="stMainBlockContainer"]{padding-top:2.2rem}',
        '[data-testid="stSidebarHeader"]{align-items:center}',
        f'[data-testid="stSidebarHeader"]::before{{content:"{_css_text(t("app.title", current))}";font-weight:700;'
        'font-size:1.05rem;color:#1f2937;flex:1;padding-left:0.4rem}',
        '[data-testid="stTable"] td{vertical-align:top;min-width:3.5em !important}',
    ]
    if current == "en":  # long English words break inside a cell rather than push the table off the page
        css += ['[data-testid="stTable"] th,[data-testid="stTable"] td{overflow-wrap:anywhere;hyphens:auto;'
                'padding:0.4rem 0.45rem !important;min-width:0 !important}',
                '[data-testid="stTable"] table{font-size:0.85rem;table-layout:auto;width:100%}',
                '@media (max-width:1300px){[data-testid="stTable"] table{font-size:0.78rem}}']
    else:
        css += [
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p{display:none}',
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after'
            f'{{content:"{_css_text(t("upload.browse", current))}"}}',
            '[data-testid="stFileUploaderDropzoneInstructions"] span{display:none}',
            '[data-testid="stFileUploaderDropzoneInstructions"] > div::after'
            f'{{content:"{_css_text(t("upload.limit", current, mb=limit))}";font-size:0.875rem;color:#6b7280}}',
        ]
    st.markdown(CARD_CSS + "<style>" + "\n".join(css) + "</style>", unsafe_allow_html=True)


def _css_text(text: str) -> str:
    """``text`` inside a CSS string: quotes and backslashes escaped, nothing that could end the rule."""
    return "".join(f"\\{ord(c):06x}" if c in '"\\<>{}' or ord(c) < 32 else c for c in text)


def demo_banner(snap: Snapshot, lang: str) -> None:
    if snap.demo:
        st.markdown(f'<div class="demo-banner">⚠ {t("banner.demo", lang)}</div>', unsafe_allow_html=True)


def page_header(title_key: str, ctx: Context, snap: Snapshot) -> None:
    st.title(t(title_key, ctx.lang))
    demo_banner(snap, ctx.lang)
    st.caption(t("page.caption", ctx.lang, plan=escape_markdown(snap.plan.title.get(ctx.lang)),
                 month=month_label(ctx.as_of, ctx.lang)))


@st.cache_resource(max_entries=32, show_spinner=False)   # shared like the snapshot: views only read it
def _completeness(url: str, plan_id: str, months: tuple[str, ...], version: str, today: str):
    from loaders.plans import get_plan
    from loaders.regions import load_divisions, resolve_scopes
    from tracker.model.status import load_config
    from tracker.progress.completeness import load_completeness

    plan = get_plan(plan_id)
    report = load_completeness(_ready_engine(url), plan, load_divisions(), resolve_scopes(plan), months,
                               load_config().reporting)
    give_back()
    return report


def completeness(ctx: Context, months: list[str]):
    """Reporting completeness for ``months``, cached per data version and day (a deadline passes with time)."""
    from datetime import date

    return _completeness(database_url(), ctx.plan_id, tuple(months), store.data_version(engine()),
                         date.today().isoformat())


def closure(ctx: Context):
    """The chosen plan's standing closure (tracker.store.closures: who closed it, when, why), or None while it is
    open. Not cached: one small query, and a closing must show on every page at once."""
    from tracker.store.closures import closure_of

    return closure_of(engine(), ctx.plan_id)


def read_only(ctx: Context) -> bool:
    """Whether the chosen plan is closed; if so, one info line says it is read-only (the page then offers no write
    form; the core refuses a write that reaches it anyway)."""
    closed = closure(ctx)
    if closed is None:
        return False
    title = load_plans()[ctx.plan_id].title.get(ctx.lang) if ctx.plan_id in load_plans() else closed.title
    st.info(t("closure.read_only", ctx.lang, plan=escape_markdown(title), date=closed.date_text(ctx.lang)),
            icon=":material/lock:")
    return True


def explanations(ctx: Context, target_id: str | None = None) -> list:
    """The prefectures' explanations (情况说明) of the chosen month's figures, newest of each (not cached: a
    few rows, and one just written must show at once)."""
    from tracker.review.explanations import current

    return current(engine(), ctx.plan_id, period=ctx.as_of, target_id=target_id)


def judgements(ctx: Context) -> dict:
    """Each target's newest delivery judgement (tracker.review.judgement) of a review held by the end of the
    chosen month. Not cached: one small query, and a judgement just saved must show at once."""
    from tracker.review.judgement import standing

    return standing(engine(), ctx.plan_id, ctx.as_of)


def _evaluation(url: str, plan_id: str, version: str, today: str):
    """Kept with the snapshot of the plan's last month it is built on (the month an ended plan opens on), so the
    two live and go together: at national scale a second snapshot inside it was 100 MB more in the process (and
    cache_data had kept a pickled copy and unpickled another at every read). Per day, as the completeness it
    reports (a deadline passes with time)."""
    from loaders.plans import get_plan
    from tracker.outputs.evaluation import build_evaluation

    plan = get_plan(plan_id)
    if plan.end is None:  # build_evaluation says why in the user's words
        return build_evaluation(_ready_engine(url), plan_id)
    snap = _snapshot(url, plan_id, plan.end, version)

    def build():
        account = build_evaluation(_ready_engine(url), plan_id, snap)
        give_back()
        return account

    return snap.kept(("evaluation", today), build)


def evaluation(ctx: Context):
    """The ended plan's closing account (tracker.outputs.evaluation), kept per data version and day."""
    from datetime import date

    return _evaluation(database_url(), ctx.plan_id, store.data_version(engine()), date.today().isoformat())


def continuation_steps(ctx: Context, target_id: str) -> list[tuple[Snapshot, str]]:
    """The target's indicator across linked plans (tracker.model.plan.continuations), each with a snapshot: this
    plan's at the chosen month, another's at its newest month with figures, never past the target's deadline."""
    from tracker.model.periods import month_index
    from tracker.model.plan import continuations

    steps = []
    for plan, target in continuations(load_plans(), ctx.plan_id, target_id):
        if plan.id == ctx.plan_id:
            as_of = ctx.as_of
        else:
            months = _month_options(plan.id)
            as_of = min(months[0], target.period.end, key=month_index)
        steps.append((_snapshot(database_url(), plan.id, as_of, store.data_version(engine())), target.id))
    return steps
