"""审计日志: every write, who made it and when, with the file's hash; filtered by date and action. Read-only."""
import streamlit as st

import ui
from tracker.access import audit, sessions
from tracker.i18n import t

ctx = ui.context(__file__)
lang = ctx.lang
st.title(t("audit.title", lang))
if not sessions.may_see(ui.actor(), "audit"):
    st.warning(t("signin.no_permission", lang))
    st.stop()
st.caption(t("audit.caption", lang))

trail = audit.entries(ui.engine())
if trail.empty:
    st.info(t("audit.empty", lang))
    st.stop()
days = audit.beijing_dates(trail["at"])
left, right = st.columns([1, 2])
chosen = left.date_input(t("audit.dates", lang), (days.min(), days.max()), min_value=days.min(),
                         max_value=days.max(), key="audit_dates")
start, end = (tuple(chosen) + (None, None))[:2] if isinstance(chosen, tuple) else (chosen, chosen)
actions = sorted(trail["action"].unique())
picked = right.multiselect(t("audit.actions", lang), actions, default=actions, key="audit_actions",
                           format_func=lambda a: audit.action_label(a, lang))
shown = audit.filter_entries(trail, start, end, picked)
st.caption(t("audit.count", lang, n=len(shown)))
ui.show_table(audit.audit_table(shown, lang), f"audit-{start}-{end}")
