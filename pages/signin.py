"""登录: a local account's name and password, or single sign-on when it is configured."""
import streamlit as st

import ui
from tracker.i18n import t
from tracker.outputs.text import escape_markdown

ctx = ui.context(__file__)
lang = ctx.lang
decided = ui.access()
st.title(t("signin.title", lang))
if decided is not None and decided.stale:
    st.info(t("signin.expired", lang))
if decided is not None and decided.sso_unknown:
    st.error(t("signin.sso_unknown", lang, email=escape_markdown(decided.sso_unknown)))
    st.button(t("signin.sso_sign_out", lang), key="sso_sign_out", on_click=st.logout)
st.caption(t("signin.help", lang))

with st.form("signin", border=True, width=420):
    username = st.text_input(t("signin.username", lang), key="signin_username", max_chars=64,
                             autocomplete="username")
    password = st.text_input(t("signin.password", lang), key="signin_password", type="password", max_chars=256,
                             autocomplete="current-password")
    submitted = st.form_submit_button(t("signin.submit", lang), type="primary")
if submitted:
    refusal = ui.sign_in(username, password)
    if refusal:
        st.error(escape_markdown(refusal))
    else:
        ui.enter()

if ui.sso_configured() and not (decided is not None and decided.sso_unknown):
    st.button(t("signin.sso", lang), key="sso_sign_in", on_click=st.login, icon=":material/badge:")
