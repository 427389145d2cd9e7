"""Sign-in: who a browser session acts as (decided afresh on every run), the session cookie, single sign-on, and
the sidebar's account box.

Streamlit reads cookies (from the request that opened the page) but cannot set them; the browser writes and
clears the session cookie itself, through a script ``st.html`` runs in the page (not in an iframe).
"""
from __future__ import annotations

import json

import streamlit as st

from tracker.access import sessions
from tracker.access.roles import Actor
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from tracker.outputs.text import escape_markdown
from tracker.store.db import database_url
from ui.context import adopt_link, engine, keep, lang

_TOKEN, _SIGNED_OUT, _COOKIE_JOB, _ACCESS = "_session_token", "_signed_out", "_cookie_job", "_access"


def _secret_key() -> str:
    try:
        return sessions.secret_key(database_url())
    except (sessions.SessionConfigError, OSError) as exc:
        st.error(t("signin.key_error", lang(), error=escape_markdown(exc)))
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
        st.error(t("signin.key_error", lang(), error=escape_markdown(exc)))
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
    st.session_state["_cookie_job_ran"] = job  # ui.context.run_navigation queues it again if the run is cut short
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
    from tracker.access.accounts import AccountError, authenticate

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
    """退出登录: the session is revoked in the database (so a copy of the cookie in another browser opens nothing
    any more), then this browser's state and cookie are cleared."""
    token = st.session_state.get(_TOKEN) or (None if st.session_state.get(_SIGNED_OUT) else page_cookie())
    if token:
        sessions.revoke(engine(), token, _secret_key())
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
            st.caption(t("signin.as", lang, name=escape_markdown(decided.actor.label),
                         role=t(f"account.role.{decided.actor.role}", lang)))
            if sso_configured() and st.user.get("is_logged_in"):
                st.button(t("signin.sign_out", lang), key="sign_out", on_click=st.logout,
                          icon=":material/logout:")
            else:
                st.button(t("signin.sign_out", lang), key="sign_out", on_click=_sign_out, icon=":material/logout:")


def language_only() -> str:
    """The sidebar of the sign-in page: the language switch alone (plans and months are for those inside)."""
    adopt_link()
    state = st.session_state
    if state.get("lang") not in LANGUAGES:
        state["lang"] = DEFAULT_LANGUAGE
    options = list(LANGUAGES)
    st.sidebar.selectbox("语言 / Language", options, index=options.index(state["lang"]), format_func=LANGUAGES.get,
                         key="w_lang", on_change=keep, args=("lang",))
    return state["lang"]


def protected(page: str, fetch):
    """A download's data for ``st.download_button(data=...)``: read when the button is clicked, and only if this
    session may still see ``page`` then (tracker.access.sessions.guarded). Pass ``on_click="ignore"``."""
    state = st.session_state
    token = state.get(_TOKEN)
    email, verified = _sso_identity()
    return sessions.guarded(engine(), token, _secret_key() if token else None, page, fetch,
                            sso_email=email, sso_verified=verified)


def uploader() -> str:
    """The name a write is recorded under: the signed-in account's (pages pass ``actor()`` as well)."""
    who = actor()
    return who.label if who is not None else sessions.OPEN_ACTOR.label
