"""Switching between the dashboard and the presentation mode (汇报模式, ``?view=present``)."""
from __future__ import annotations

import streamlit as st

from tracker.i18n import t
from ui.context import adopt_link


def presenting() -> bool:
    """Whether this session shows the presentation mode (汇报模式, ``?view=present``) instead of the dashboard."""
    adopt_link()
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
