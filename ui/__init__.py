"""Streamlit glue shared by the pages (the core in tracker/ never imports Streamlit; this package is where the two
meet). ``context``: the database, cached snapshots, the chosen language, plan and month, navigation, the page
header. ``signin``: who the session acts as, cookies, single sign-on. ``presentation``: the switch to 汇报模式.
``widgets``: tables and charts with their downloads, the target and region selectors. ``returns``: a return on
上报数据 — its check, problems, confirmation and receipt — whether uploaded or entered online.

Pages call the names below as ``ui.<name>``; a new piece of glue goes in the module of its kind and is listed here.
"""
from tracker.outputs.tables import department_label as department_name
from ui.context import (
    Context,
    closure,
    completeness,
    context,
    continuation_steps,
    engine,
    evaluation,
    explanations,
    judgements,
    lang,
    month_chosen,
    page_header,
    plan_ended,
    read_only,
    reported_errors,
    run_navigation,
    sidebar,
    snapshot,
    styles,
)
from ui.presentation import leave_presentation, present_button, presenting
from ui.returns import online_entry, show_return
from ui.signin import (
    access,
    account_box,
    actor,
    enter,
    gate,
    language_only,
    protected,
    sign_in,
    sso_configured,
    uploader,
)
from ui.widgets import (
    chart,
    follow_button,
    kept_figure,
    kept_table,
    reportable_months,
    select_region,
    select_target,
    show_table,
)

__all__ = [
    "Context", "access", "account_box", "actor", "chart", "closure", "completeness", "kept_figure", "kept_table", "context", "continuation_steps", "department_name", "engine",
    "enter", "evaluation", "explanations", "judgements", "follow_button", "gate", "lang", "language_only", "leave_presentation", "month_chosen", "online_entry", "page_header", "plan_ended",
    "present_button", "presenting",
    "protected", "read_only", "reportable_months", "reported_errors", "run_navigation", "select_region", "select_target",
    "show_return", "show_table", "sidebar", "sign_in", "snapshot", "sso_configured", "styles", "uploader",
]
