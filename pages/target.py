"""指标详情: one quantitative target, its trajectory, its source and its prefectures."""
from datetime import date

import pandas as pd
import streamlit as st

import ui
from tracker.access.roles import PermissionDenied
from tracker.i18n import month_label, t, task_label
from tracker.model.plan import LocalText
from tracker.model.units import format_quantity
from tracker.outputs.cards import estimate_text, goal_text, judgement_text
from tracker.outputs.charts import judgement_chart, trend_chart
from tracker.outputs.tables import (
    continuation_table,
    departments_text,
    judgement_table,
    region_table,
    revision_table,
    target_table,
)
from tracker.outputs.text import escape_markdown as md
from tracker.review import judgement
from tracker.review.explanations import said
from tracker.store.closures import PlanClosed

ctx = ui.context(__file__)
snap = ui.snapshot(ctx)
ui.page_header("target.title", ctx, snap)

if not snap.plan.targets:
    st.info(t("overview.no_targets", ctx.lang))
    st.stop()
target_id = ui.select_target(snap, ctx.lang)
target = snap.plan.target(target_id)
ui.show_table(ui.kept_table(snap, ("target", target_id), lambda: target_table(snap, [target_id], ctx.lang, task=False)),
              f"{target_id}-{ctx.as_of}")
row = snap.province().loc[target_id]
if isinstance(row["estimated"], tuple) and row["estimated"]:
    st.caption(estimate_text(row, target, snap.tree, ctx.lang))
history, projection = snap.trend(target_id)
goal = row["target_value"] if not pd.isna(row["target_value"]) else None
ui.chart(ui.kept_figure(snap, ("trend", target_id), lambda: trend_chart(
    history, projection, target, ctx.as_of, ctx.lang, goal, snap.original_trajectory(target_id))),
    f"{target_id}-{ctx.as_of}")
if not projection.empty:
    end = projection.iloc[-1]
    st.caption(t("target.projection", ctx.lang, month=month_label(end["period"], ctx.lang),
                 value=format_quantity(end["projected"], target.unit, ctx.lang),
                 low=format_quantity(end["low"], target.unit, ctx.lang),
                 high=format_quantity(end["high"], target.unit, ctx.lang),
                 goal=md(goal_text(target, ctx.lang))))

# 情况说明: the prefectures' own words about this target's figures of the month (tracker/review/explanations.py)
notes = ui.explanations(ctx, target_id)
if notes:
    st.subheader(t("explain.title", ctx.lang, month=month_label(ctx.as_of, ctx.lang)))
    st.markdown("\n".join(f"- {md(said(e, snap.tree, ctx.lang))}" for e in notes))

# 调度研判: the office's judgement beside the computed status (tracker/review/judgement.py); it changes no figure
st.subheader(t("judgement.title", ctx.lang))
st.caption(t("judgement.note", ctx.lang))
done = st.session_state.pop("judgement_done", None)
if done:
    st.success(done)
judged = ui.judgements(ctx).get(target_id)
if judged is None:
    st.caption(t("judgement.none", ctx.lang))
else:
    st.markdown(md(judgement_text(judged, snap.config, ctx.lang)) + (": " if ctx.lang == "en" else "：")
                + md(judged.reason))
past = judgement.history(ui.engine(), ctx.plan_id, target_id)
if len(past) > 1:
    ui.chart(judgement_chart(past, snap.config, target, ctx.lang), f"{target_id}-judgements")
if not past.empty:
    ui.show_table(judgement_table(past, snap.config, ctx.lang), f"{target_id}-judgements")
who = ui.actor()
if who is not None and who.may("judge") and not ui.read_only(ctx):  # a closed plan: one line says so instead
    with st.expander(t("judgement.record", ctx.lang)), st.form("judgement_form", clear_on_submit=True):
        levels = {s.id: s.label(ctx.lang) for s in snap.config.delivery_confidence}
        level = st.radio(t("judgement.level", ctx.lang), list(levels), format_func=levels.get, horizontal=True,
                         index=list(levels).index(judged.level) if judged is not None else 0, key="judgement_level")
        reason = st.text_area(t("judgement.reason", ctx.lang), key="judgement_reason", max_chars=2000)
        # a review of the month shown (today, for the month in progress); it shows in views of that month on
        month_end = (pd.Period(ctx.as_of, "M").end_time.date())
        reviewed_on = st.date_input(t("judgement.date", ctx.lang), value=min(date.today(), month_end),
                                    max_value=date.today(), key="judgement_date")
        if st.form_submit_button(t("judgement.save", ctx.lang), type="primary"):
            try:
                judgement.record_judgement(ui.engine(), who, snap.plan, snap.config, target_id, level, reason,
                                           reviewed_on)
            except (judgement.JudgementError, PermissionDenied, PlanClosed) as exc:
                st.error(md(exc))
            else:
                st.session_state["judgement_done"] = t("judgement.saved", ctx.lang, level=levels[level])
                st.rerun()

task = snap.plan.task(target.task)
colon, comma, paren = (": ", ", ", (" (", ")")) if ctx.lang == "en" else ("：", "，", ("（", "）"))
st.subheader(t("target.about", ctx.lang))
st.markdown("\n".join([
    f"- {t('target.goal', ctx.lang)}{colon}{md(goal_text(target, ctx.lang))}",
    f"- {t('target.period', ctx.lang)}{colon}{month_label(target.period.start, ctx.lang)} – "
    f"{month_label(target.period.end, ctx.lang)}{paren[0]}{t('kind.' + target.kind, ctx.lang)}{comma}"
    f"{t('reporting.' + target.reporting, ctx.lang)}{paren[1]}",
    f"- {t('col.task', ctx.lang)}{colon}{md(task_label(task.number, task.title.get(ctx.lang), ctx.lang))}",
    f"- {t('target.departments', ctx.lang)}{colon}{md(departments_text(target.departments, ctx.lang))}",
]))
if ctx.lang == "en":  # the plan exists in Chinese only: its sentence is quoted as written, and said to be
    st.caption(t("target.quote_original", ctx.lang))
st.markdown(f"> {md(target.citation.sentence)}\n>\n> —— {md(target.citation.section)}")
for assumption in target.assumptions:
    text = assumption.get(ctx.lang) if isinstance(assumption, LocalText) else assumption
    st.caption(f"{t('target.assumption', ctx.lang)}{colon}{md(text)}")

if snap.plan.revisions_of(target_id):
    st.subheader(t("revision.title", ctx.lang))
    st.caption(t("revision.note", ctx.lang))
    ui.show_table(revision_table(snap.plan, target_id, ctx.lang), f"{target_id}-revisions")

steps = ui.continuation_steps(ctx, target_id)
if len(steps) > 1:  # the same indicator in the plan before or after this one
    st.subheader(t("target.continues", ctx.lang))
    st.caption(t("target.continues_note", ctx.lang))
    ui.show_table(continuation_table(steps, ctx.lang), f"{target.indicator_id}-plans")
    for other, other_id in steps:
        if other.plan.id != ctx.plan_id:
            ui.follow_button(t("target.open_in", ctx.lang, plan=other.plan.title.get(ctx.lang)), other.plan.id,
                             other_id, other.as_of, key=f"follow_{other.plan.id}")

st.subheader(t("target.prefectures", ctx.lang))
rows = snap.rows("prefecture")
ui.show_table(ui.kept_table(snap, ("prefectures", target_id), lambda: region_table(
    rows[rows["target"] == target_id], snap, target_id, ctx.lang)), f"{target_id}-prefectures-{ctx.as_of}")
