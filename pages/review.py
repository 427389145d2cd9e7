"""审核: province users accept or return prefecture returns and reopen locked months; a prefecture sees its own
submissions with their status and the reviewer's reason. The rules live in tracker/review/approval.py. A closed plan
offers no decision: one line says it is read-only; its submissions are still listed."""
import streamlit as st

import ui
from tracker.access.roles import PermissionDenied
from tracker.i18n import month_label, t
from tracker.outputs.tables import locked_table, returned_cells_table, review_table
from tracker.outputs.text import escape_markdown
from tracker.review import approval, corrections
from tracker.store.closures import PlanClosed

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("review.title", ctx, snap)
st.caption(t("review.caption", ctx.lang))
closed = ui.read_only(ctx)
actor = ui.actor()
engine = ui.engine()
done = st.session_state.pop("review_done", None)
if done:
    st.success(done)


def act(decide, message: str) -> None:
    """Run a decision of the core; its refusal (wrong state, no reason, no permission) is shown as it says it."""
    try:
        decide()
    except (approval.ReviewError, PermissionDenied, PlanClosed) as exc:
        st.error(escape_markdown(exc))
        return
    st.session_state["review_done"] = message
    for key in ("review_reason", "reopen_reason", "withdraw_reason", "cells_reason", "cells_targets",
                "cells_counties"):
        st.session_state.pop(key, None)
    st.rerun()


def choose(frame, label: str, key: str):
    """One of ``frame``'s submissions picked by its number, month, prefecture and sender: (id, its row)."""
    rows = {row.id: row for row in frame.itertuples(index=False)}
    picked = st.selectbox(label, list(rows), key=key, format_func=lambda i: t(
        "review.option", ctx.lang, id=i, prefecture=rows[i].prefecture_name,
        month=month_label(rows[i].period, ctx.lang), uploader=rows[i].uploader))
    return picked, rows[picked]


if actor is not None and actor.may("approve"):
    waiting = approval.pending(engine, ctx.plan_id)
    st.subheader(t("review.pending", ctx.lang, n=len(waiting)))
    if waiting.empty:
        st.caption(t("review.none_pending", ctx.lang))
    else:
        ui.show_table(review_table(waiting, ctx.lang), "review-pending")
    if not waiting.empty and not closed:
        chosen, row = choose(waiting, t("review.choose", ctx.lang), "review_choice")
        reason = st.text_input(t("review.reason", ctx.lang), key="review_reason")
        names = {"id": chosen, "prefecture": row.prefecture_name, "month": month_label(row.period, ctx.lang)}
        left, right = st.columns(2)
        if left.button(t("review.accept", ctx.lang), key="review_accept", type="primary"):
            act(lambda: approval.accept(engine, actor, chosen), t("review.accepted", ctx.lang, **names))
        if right.button(t("review.return", ctx.lang), key="review_return"):
            act(lambda: approval.return_(engine, actor, chosen, reason), t("review.returned", ctx.lang, **names))

    locked = approval.locked_months(engine, ctx.plan_id)
    with st.expander(t("review.locked", ctx.lang, n=len(locked))):
        if locked.empty:
            st.caption(t("review.none_locked", ctx.lang))
        else:
            ui.show_table(locked_table(locked, ctx.lang), "review-locked")
        if not locked.empty and not closed:
            months = {(r.prefecture, r.period): r for r in locked.itertuples(index=False)}
            key = st.selectbox(t("review.reopen_choose", ctx.lang), list(months), key="reopen_choice",
                               format_func=lambda k: t("review.reopen_option", ctx.lang,
                                                       prefecture=months[k].prefecture_name,
                                                       month=month_label(k[1], ctx.lang), id=months[k].submission))
            reason = st.text_input(t("review.reason", ctx.lang), key="reopen_reason")
            names = {"prefecture": months[key].prefecture_name, "month": month_label(key[1], ctx.lang)}
            if st.button(t("review.reopen", ctx.lang), key="review_reopen"):
                act(lambda: approval.reopen(engine, actor, ctx.plan_id, key[0], key[1], reason),
                    t("review.reopened", ctx.lang, **names))

    everything = approval.review_list(engine, ctx.plan_id)
    returned = corrections.returned_cells(engine, ctx.plan_id)
    with st.expander(t("corrections.title", ctx.lang)):   # 退回单元格: only the wrong figures go back
        st.caption(t("corrections.help", ctx.lang))
        standing = everything[everything["state"].isin(["submitted", "accepted"])]   # the month's standing one
        if standing.empty and not closed:
            st.caption(t("corrections.none_to_return", ctx.lang))
        elif not closed:   # a closed plan takes no decision; what was returned stays listed
            picked, sub = choose(standing, t("corrections.choose", ctx.lang), "cells_choice")
            carried = corrections.cells_of(engine, picked)
            names = {tg.id: tg.name.get(ctx.lang) for tg in snap.plan.targets if tg.id in carried}
            targets = st.multiselect(t("corrections.targets", ctx.lang), list(names), format_func=names.get,
                                     key="cells_targets")
            counties = sorted({c for tid in targets for c in carried[tid]})
            chosen = st.multiselect(t("corrections.counties", ctx.lang), counties,
                                    format_func=lambda c: snap.tree[c].name, key="cells_counties")
            reason = st.text_input(t("corrections.reason", ctx.lang), key="cells_reason")
            cells = [(tid, c) for tid in targets for c in (chosen or [None]) if c is None or c in carried[tid]]
            names = {"id": picked, "prefecture": sub.prefecture_name, "month": month_label(sub.period, ctx.lang),
                     "n": len(cells)}
            if st.button(t("corrections.submit", ctx.lang), key="cells_return", disabled=not targets):
                act(lambda: corrections.return_cells(engine, actor, picked, cells, reason),
                    t("corrections.done", ctx.lang, **names))
        st.markdown(f"**{t('corrections.list', ctx.lang, n=len(returned))}**")
        if returned:
            ui.show_table(returned_cells_table(returned, snap.plan, snap.tree, ctx.lang), "review-cells")
        else:
            st.caption(t("corrections.none", ctx.lang))

    if not closed:
        with st.expander(t("review.withdraw_title", ctx.lang)):
            st.caption(t("review.withdraw_help", ctx.lang))
            open_ones = everything[~everything["status"].isin(["withdrawn", "returned"])]
            if open_ones.empty:
                st.caption(t("review.none_to_withdraw", ctx.lang))
            else:
                picked, sub = choose(open_ones, t("review.withdraw_choose", ctx.lang), "withdraw_choice")
                reason = st.text_input(t("review.withdraw_reason", ctx.lang), key="withdraw_reason")
                names = {"id": picked, "prefecture": sub.prefecture_name, "month": month_label(sub.period, ctx.lang)}
                if st.button(t("review.withdraw", ctx.lang), key="review_withdraw"):
                    act(lambda: approval.withdraw(engine, actor, picked, reason),
                        t("review.withdrawn", ctx.lang, **names))

    st.subheader(t("review.all", ctx.lang))
    ui.show_table(review_table(everything, ctx.lang), "review-all")
elif actor is not None and actor.role == "prefecture" and actor.prefecture:
    st.subheader(t("review.mine", ctx.lang, prefecture=snap.tree[actor.prefecture].name))
    st.caption(t("review.mine_help", ctx.lang))
    mine = approval.status_of(engine, ctx.plan_id, actor.prefecture)
    if mine.empty:
        st.caption(t("review.none_mine", ctx.lang))
    else:
        ui.show_table(review_table(mine, ctx.lang), f"review-{actor.prefecture}")
    returned = corrections.returned_cells(engine, ctx.plan_id, actor.prefecture)
    if returned:
        st.subheader(t("corrections.list", ctx.lang, n=len(returned)))
        ui.show_table(returned_cells_table(returned, snap.plan, snap.tree, ctx.lang), f"cells-{actor.prefecture}")
else:
    st.warning(t("review.no_permission", ctx.lang))
