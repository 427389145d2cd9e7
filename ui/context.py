"""Streamlit glue shared by the pages: the database connection, cached snapshots, the sidebar context and the demo
banner. Pages call these and the core; nothing here computes progress."""
from __future__ import annotations

import contextvars
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from loaders.plans import load_departments, load_plans
from tracker import sessions, store
from tracker.access import Actor
from tracker.cards import CARD_CSS
from tracker.db import database_url, get_engine
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES, month_label, t
from tracker.snapshot import Snapshot, load_snapshot
from tracker.tables import department_label as department_name  # noqa: F401  (pages call ui.department_name)


@st.cache_resource
def _ready_engine(url: str):
    """Open the database once per server and bring it up to date (schema, plans, regions)."""
    engine = get_engine(url)
    store.init_database(engine)
    return engine


_IN_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("in_app", default=False)


def run_navigation(pages: list) -> None:
    """Run the chosen page inside app.py (so pages know the sidebar and styles are there)."""
    st.session_state["_through_app"] = True
    current = st.navigation(pages, expanded=True)  # every page in the menu, however many
    intended = st.session_state.pop("_intended_page", None)
    if intended and current.url_path != Path(intended).stem:
        st.switch_page(next(p for p in pages if p.url_path == Path(intended).stem))
    token = _IN_APP.set(True)
    try:
        current.run()
    finally:
        _IN_APP.reset(token)


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


def _month_options(plan_id: str) -> list[str]:
    """Months to choose from, newest first: those with figures, or the plan's own months before any arrive."""
    months = _months(database_url(), plan_id, store.data_version(engine()))
    if not months:
        plan = load_plans()[plan_id]
        months = sorted({m for target in plan.targets for m in target.period.months()}) or ["2023-01"]
    return list(reversed(months))


def _plan_options() -> list[str]:
    plans = load_plans()
    return sorted(plans, key=lambda p: (not plans[p].targets, p))  # plans with targets first


#: Query parameters a copied link carries, and the session keys they set.
LINK_PARAMS = {"plan": "plan_id", "as_of": "as_of", "lang": "lang", "target": "target", "region": "region",
               "view": "view", "slide": "slide"}  # view=present: 汇报模式; slide: its page (1-based)


def _adopt_link() -> None:
    """Once per session, a link's plan, month, language, target and region become the choices (checked by
    ``_settle`` and the selectors, so a stale or mistyped link falls back to defaults instead of failing)."""
    if st.session_state.get("_link_adopted"):
        return
    st.session_state["_link_adopted"] = True
    for param, key in LINK_PARAMS.items():
        if param in st.query_params:
            st.session_state[key] = st.query_params[param]


def _publish_link() -> None:
    """Keep the address bar describing the view, so a copied link opens the same view."""
    state = st.session_state
    wanted = {param: str(state[key]) for param, key in LINK_PARAMS.items() if state.get(key)}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def presenting() -> bool:
    """Whether this session shows the presentation mode (汇报模式, ``?view=present``) instead of the dashboard."""
    _adopt_link()
    return st.session_state.get("view") == "present"


def _enter_presentation() -> None:
    st.session_state["view"] = "present"
    st.session_state["slide"] = 1


def leave_presentation() -> None:
    for key in ("view", "slide"):
        st.session_state.pop(key, None)


def present_button(lang: str) -> None:
    """The sidebar's switch to the presentation mode, for the chosen plan and month."""
    st.sidebar.button(t("present.enter", lang), key="present_enter", on_click=_enter_presentation,
                      help=t("present.enter_help", lang), icon=":material/slideshow:", width="stretch")


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


def _keep(name: str) -> None:
    st.session_state[name] = st.session_state[f"w_{name}"]


def sidebar() -> Context:
    """Language, plan and as-of month, chosen in the sidebar and kept across pages.

    Drawn by app.py on every run; pages read the choices with ``context()``.
    """
    _adopt_link()
    _settle()
    state = st.session_state
    current = state["lang"]
    plans = load_plans()
    with st.sidebar:
        options = list(LANGUAGES)
        st.selectbox("语言 / Language", options, index=options.index(current), format_func=LANGUAGES.get,
                     key="w_lang", on_change=_keep, args=("lang",))
        options = _plan_options()
        st.selectbox(t("sidebar.plan", current), options, index=options.index(state["plan_id"]), key="w_plan_id",
                     format_func=lambda p: plans[p].title.get(current), on_change=_keep, args=("plan_id",))
        options = _month_options(state["plan_id"])
        st.selectbox(t("sidebar.as_of", current), options, index=options.index(state["as_of"]), key="w_as_of",
                     format_func=lambda m: month_label(m, current), on_change=_keep, args=("as_of",))
    return context()


def context(page_file: str | None = None) -> Context:
    """The chosen language, plan and month for a page.

    A page file can be run on its own: Streamlit treats a folder named ``pages/`` beside the entry script as the
    legacy multipage app until ``st.navigation`` has been called once, so a deep link opened first on a freshly
    started server runs the page without app.py. Such a run is sent through app.py once, which then opens the
    page that was asked for.
    """
    _adopt_link()
    if page_file and not _IN_APP.get() and not st.session_state.get("_through_app"):
        st.session_state["_through_app"] = True
        st.session_state["_intended_page"] = "pages/" + Path(page_file).name
        st.switch_page("app.py")
    _settle()
    _publish_link()
    state = st.session_state
    return Context(lang=state["lang"], plan_id=state["plan_id"], as_of=state["as_of"])


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


def show_table(frame: pd.DataFrame, name: str) -> None:
    """A table, and a button that downloads it as .xlsx (text that Excel would run as a formula neutralised)."""
    st.dataframe(frame, hide_index=True, width="stretch")
    _download(frame, name)


def _download(frame: pd.DataFrame, name: str) -> None:
    from tracker.exports import to_xlsx

    if actor() is None:  # the public overview: reading on screen only, no files
        return
    state = st.session_state
    plans = load_plans()
    lang_now = lang()
    plan = plans[state["plan_id"]] if state.get("plan_id") in plans else None
    notes = [t("export.as_of", lang_now, month=month_label(state["as_of"], lang_now))] if state.get("as_of") else []
    data = to_xlsx({name[:31]: frame}, title=plan.title.get(lang_now) if plan else None, notes=notes)
    st.download_button(t("export.xlsx", lang_now), data, file_name=f"{name}.xlsx", key=f"xlsx_{name}",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       type="tertiary", icon=":material/download:")


def reportable_months(plan) -> list[str]:
    """Months a return can be filed for: the plan's months up to this month, newest first."""
    from datetime import date

    from tracker.periods import month_of

    now = month_of(date.today())
    months = sorted({m for target in plan.targets for m in target.period.months() if m <= now})
    return list(reversed(months)) or [now]


def uploader() -> str:
    """The name a write is recorded under: the signed-in account's (pages pass ``actor()`` as well)."""
    who = actor()
    return who.label if who is not None else sessions.OPEN_ACTOR.label


def show_highlighted(frame: pd.DataFrame, severity: list[str], name: str) -> None:
    """A table whose rows with errors are red and with warnings amber."""
    colours = {"error": "background-color: #fde2e1", "warning": "background-color: #fff4d6", "": ""}
    styled = frame.style.apply(lambda row: [colours[severity[row.name]]] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch")
    _download(frame, name)


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
                 key="w_target", format_func=lambda i: targets[i].name.get(lang), on_change=_keep, args=("target",))
    _publish_link()
    return st.session_state["target"]


def select_region(options: dict[str, str], label: str) -> str:
    """A region chosen among ``options`` (code → name), kept across pages and in the link."""
    codes = list(options)
    if st.session_state.get("region") not in options:
        st.session_state["region"] = codes[0]
    st.selectbox(label, codes, index=codes.index(st.session_state["region"]), key="w_region",
                 format_func=options.get, on_change=_keep, args=("region",))
    _publish_link()
    return st.session_state["region"]


@st.cache_data(max_entries=32, show_spinner=False)
def _completeness(url: str, plan_id: str, months: tuple[str, ...], version: str, today: str):
    from loaders.regions import load_divisions
    from tracker.completeness import completeness
    from tracker.status import load_config

    arrivals = store.report_arrivals(_ready_engine(url), plan_id, months[0], months[-1])
    return completeness(arrivals, load_divisions(), months, load_config().reporting)


def completeness(ctx: Context, months: list[str]):
    """Reporting completeness for ``months``, cached per data version and day (a deadline passes with time)."""
    from datetime import date

    return _completeness(database_url(), ctx.plan_id, tuple(months), store.data_version(engine()),
                         date.today().isoformat())


# ------------------------------------------------------------------------------------------------ sign-in
# Streamlit reads cookies (from the request that opened the page) but cannot set them; the browser writes and
# clears the session cookie itself, through a script ``st.html`` runs in the page (not in an iframe).

_TOKEN, _SIGNED_OUT, _COOKIE_JOB, _ACCESS = "_session_token", "_signed_out", "_cookie_job", "_access"


def _secret_key() -> str:
    try:
        return sessions.secret_key(database_url())
    except (sessions.SessionConfigError, OSError) as exc:
        st.error(t("signin.key_error", lang(), error=exc))
        st.stop()


def sso_configured() -> bool:
    """Whether single sign-on (``st.login``, OIDC) is set up: an ``[auth]`` section in .streamlit/secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering False
        return False


def _sso_identity() -> tuple[str | None, bool | None]:
    if not sso_configured() or not st.user.get("is_logged_in"):
        return None, None
    return st.user.get("email"), st.user.get("email_verified")


def page_cookie() -> str | None:
    """The session cookie the browser sent when it opened the page (Streamlit keeps that request's cookies for
    the whole session, so after signing out here it is stale and ``gate`` stops reading it)."""
    value = st.context.cookies.get(sessions.COOKIE)
    return value if isinstance(value, str) and value else None  # AppTest's stand-in runtime answers mocks


def gate() -> sessions.Access:
    """Who this browser session acts as, decided afresh on every run (so a disabled account or a changed
    password ends a session at its next click, not only at its next sign-in)."""
    state = st.session_state
    token = state.get(_TOKEN)
    if token is None and not state.get(_SIGNED_OUT):
        token = page_cookie()
    email, verified = _sso_identity()
    try:
        result = sessions.access(engine(), token, _secret_key() if token else None,
                                 public=sessions.public_overview(), sso_email=email, sso_verified=verified)
    except sessions.SessionConfigError as exc:  # e.g. TRACKER_SESSION_HOURS=abc: say so rather than fail open
        st.error(t("signin.key_error", lang(), error=exc))
        st.stop()
    if result.stale:
        state.pop(_TOKEN, None)
        state[_SIGNED_OUT] = True  # do not read the refused cookie again in this session
        state[_COOKIE_JOB] = "clear"
    elif result.mode == "signed_in" and token:
        state[_TOKEN] = token
    state[_ACCESS] = result
    _run_cookie_job()
    return result


def access() -> sessions.Access | None:
    """The decision ``gate`` last took for this session (None before app.py has run)."""
    return st.session_state.get(_ACCESS)


def actor() -> Actor | None:
    """Who acts in this session: the signed-in account; the province office while no account exists; None for
    an anonymous reader of the public overview (or before app.py has run). Pages pass it to the core's writes."""
    decided = access()
    return decided.actor if decided is not None else None


def _run_cookie_job() -> None:
    job = st.session_state.pop(_COOKIE_JOB, None)
    if job is None:
        return
    name = json.dumps(sessions.COOKIE)
    if job == "clear":
        value, age = '""', 0
    else:
        value, age = json.dumps(st.session_state.get(_TOKEN, "")), int(sessions.session_hours() * 3600)
    # SameSite=Strict: the cookie never rides on a request another site starts; Secure whenever served over https.
    st.sidebar.html(
        f"<script>document.cookie = {name} + '=' + {value} + '; Path=/; Max-Age={age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True, width="content")


def sign_in(username: str, password: str) -> str | None:
    """Check a password and start a session; the refusal's text otherwise (wrong password, too many attempts)."""
    from tracker.accounts import AccountError, authenticate

    if not username.strip() or not password:
        return t("signin.missing", lang())
    try:
        who = authenticate(engine(), username.strip(), password)
    except AccountError as exc:
        return str(exc)
    state = st.session_state
    state[_TOKEN] = sessions.issue(engine(), who, _secret_key())
    state.pop(_SIGNED_OUT, None)
    state[_COOKIE_JOB] = "write"
    return None


def enter() -> None:
    """After signing in: to the overview. From the public overview's sign-in page by switching to the overview,
    which that menu holds; from the sign-in page by a rerun, whose menu then starts at the overview."""
    decided = access()
    if decided is not None and decided.mode == "public":
        st.switch_page("pages/overview.py")
    st.rerun()


def _sign_out() -> None:
    kept = {key: st.session_state[key] for key in ("lang", "plan_id", "as_of") if key in st.session_state}
    st.session_state.clear()  # widget values, receipts and previews of the account that leaves go with it
    st.session_state.update(kept)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_JOB] = "clear"


def account_box(decided: sessions.Access, lang: str) -> None:
    """The sidebar's last lines: who is signed in and the way out, or why nobody needs to be."""
    with st.sidebar:
        if decided.mode == "open":
            st.warning(t("signin.open_notice", lang), icon=":material/lock_open:")
        elif decided.mode == "public":
            st.info(t("signin.public_notice", lang))
        elif decided.actor is not None:
            st.caption(t("signin.as", lang, name=decided.actor.label,
                         role=t(f"account.role.{decided.actor.role}", lang)))
            if sso_configured() and st.user.get("is_logged_in"):
                st.button(t("signin.sign_out", lang), key="sign_out", on_click=st.logout,
                          icon=":material/logout:")
            else:
                st.button(t("signin.sign_out", lang), key="sign_out", on_click=_sign_out, icon=":material/logout:")


def language_only() -> str:
    """The sidebar of the sign-in page: the language switch alone (plans and months are for those inside)."""
    _adopt_link()
    state = st.session_state
    if state.get("lang") not in LANGUAGES:
        state["lang"] = DEFAULT_LANGUAGE
    options = list(LANGUAGES)
    st.sidebar.selectbox("语言 / Language", options, index=options.index(state["lang"]), format_func=LANGUAGES.get,
                         key="w_lang", on_change=_keep, args=("lang",))
    return state["lang"]
