"""Entry point: `streamlit run app.py`. Sets up the page, the sidebar context and the navigation."""
import streamlit as st

import ui
from tracker.access import sessions
from tracker.i18n import t

# No page or page_icon icons: an icon becomes the favicon, which is fetched from a font CDN, and the app must not leave the intranet.
st.set_page_config(page_title=t("app.title", ui.lang()), layout="wide")
# Everything below runs with its errors reported as one line and an id (ui.context.reported_errors): no traceback
# reaches a user. st.stop, st.rerun and st.switch_page pass through.
with ui.reported_errors("app.py"):
    ui.styles()
    # Who acts: a signed-in account, everyone as the province office while no account exists, or nobody (the sign-in
    # page, or the overview alone when the public overview is switched on).
    access = ui.gate()
    if access.mode == "sign_in":
        ui.language_only()
        ui.run_navigation([st.Page("pages/signin.py", title=t("nav.signin", ui.lang()), default=True)])
        st.stop()
    if access.actor is None and ui.presenting():
        ui.leave_presentation()  # the public overview has no slides
    # 汇报模式 (?view=present): the slides alone, no sidebar, no navigation. Keep any sign-in check above this line.
    if ui.presenting():
        ui.run_navigation([st.Page("pages/present.py", title=t("present.enter", ui.lang()), default=True)])
        st.stop()
    if access.actor is not None:
        ui.present_button(ui.lang())  # first under the menu, so it is on screen at 900 px
    ctx = ui.sidebar()
    lang = ctx.lang
    ui.account_box(access, lang)
    # An ended plan opens on its evaluation (成效评估), not on a month of its last year, unless a month was asked for
    # (in the sidebar, or by a link with one): then on that month's overview. The overview stays the default page
    # (its address is the root, always), and a visit that arrives at the root is sent on to the evaluation once:
    # a default that changed with the month made a copied link to /overview a "Page not found". The public
    # overview (no one signed in) stays the overview alone.
    ended = access.actor is not None and ui.plan_ended(ctx)
    evaluation = st.Page("pages/evaluation.py", title=t("nav.evaluation", lang)) if ended else None
    pages = [
        *([evaluation] if evaluation is not None else []),
        st.Page("pages/overview.py", title=t("nav.overview", lang), default=True),
        st.Page("pages/completeness.py", title=t("nav.completeness", lang)),
        st.Page("pages/tasks.py", title=t("nav.tasks", lang)),
        st.Page("pages/departments.py", title=t("nav.departments", lang)),
        st.Page("pages/redlist.py", title=t("nav.redlist", lang)),
        st.Page("pages/summary.py", title=t("nav.summary", lang)),
        st.Page("pages/regions.py", title=t("nav.regions", lang)),
        st.Page("pages/maps.py", title=t("nav.maps", lang)),
        st.Page("pages/target.py", title=t("nav.target", lang)),
        st.Page("pages/milestones.py", title=t("nav.milestones", lang)),
        st.Page("pages/quality.py", title=t("nav.quality", lang)),
        st.Page("pages/plan_import.py", title=t("nav.plan_import", lang)),
        st.Page("pages/upload.py", title=t("nav.upload", lang)),
        st.Page("pages/review.py", title=t("nav.review", lang)),
        st.Page("pages/audit.py", title=t("nav.audit", lang)),
    ]
    # Role-based menu (the default page, the overview, is everyone's); the core refuses what a hidden page would do.
    pages = [p for p in pages if p.url_path == "" or sessions.may_see(access.actor, p.url_path)]
    if access.mode == "public":
        pages.append(st.Page("pages/signin.py", title=t("nav.signin", lang)))
    ui.run_navigation(pages, landing=evaluation if ended and not ui.month_chosen() else None, main=True)
