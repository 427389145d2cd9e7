"""The office's delivery judgement (调度会): at the monthly review a province user rates how likely each target is
to be delivered by its deadline — 有把握 / 较有把握 / 有风险 / 风险较大 / 难以完成 (targets/progress.yaml
``delivery_confidence``) — with a reason and the date of the review, as the UK Delivery Unit's stocktakes did.

It is a judgement, not a figure: it stands beside the computed status on the overview, the target page and the
slides, says who made it and when, and never changes the status. Judgements are append-only (a new one is a new
row, its history is a line on the target page) and each is an audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.model.periods import add_months, month_of
from tracker.model.plan import Plan
from tracker.model.status import ProgressConfig
from tracker.store.closures import ensure_open
from tracker.store.models import DeliveryJudgement


class JudgementError(ValueError):
    """A judgement that cannot be recorded; the message says why, in Chinese."""


@dataclass(frozen=True)
class Judgement:
    target_id: str
    level: str
    reason: str
    reviewed_on: date
    actor: str


def record_judgement(engine: Engine, actor: Actor, plan: Plan, config: ProgressConfig, target_id: str, level: str,
                     reason: str, reviewed_on: date, today: date | None = None) -> int:
    """Record a judgement of ``target_id``; its id. The reason is required (a rating without one cannot be
    defended at the next review), and the review's date cannot be in the future."""
    actor.require("judge")
    if target_id not in {t.id for t in plan.targets}:
        raise JudgementError(f"方案 {plan.id} 没有指标 {target_id}")
    levels = {s.id for s in config.delivery_confidence}
    if level not in levels:
        raise JudgementError(f"研判等级须为 {'、'.join(s.zh for s in config.delivery_confidence)} 之一")
    text = (reason or "").strip()
    if not text:
        raise JudgementError("研判须填写理由")
    if reviewed_on > (today or date.today()):
        raise JudgementError(f"调度会日期 {reviewed_on:%Y-%m-%d} 还未到")
    target = plan.in_force(month_of(reviewed_on)).target(target_id)
    end = target.period.end
    settled = add_months(end, 1), config.reporting.deadline_day   # the last month's return is due then
    if (month_of(reviewed_on), reviewed_on.day) > settled:
        raise JudgementError(f"“{target.name.zh}”已过期限（{end[:4]}年{int(end[5:])}月），"
                             "结果以报送数据为准，不再研判")
    with Session(engine) as session, session.begin():
        row = DeliveryJudgement(plan_id=plan.id, target_id=target_id, level=level, reason=text,
                                reviewed_on=reviewed_on, actor=actor.label)
        session.add(row)
        session.flush()
        ensure_open(session, plan.id)  # a closed plan is judged no more
        record(session, actor, "judge", f"target:{plan.id}/{target_id}",
               {"level": level, "reason": text, "reviewed_on": reviewed_on.isoformat()})
        return row.id


def latest(engine: Engine, plan_id: str, until: date | None = None) -> dict[str, Judgement]:
    """Each target's newest judgement (of reviews held on or before ``until``, when given)."""
    j = DeliveryJudgement
    newest = select(j.target_id, func.max(j.id).label("id")).where(j.plan_id == plan_id)
    if until is not None:
        newest = newest.where(j.reviewed_on <= until)
    newest = newest.group_by(j.target_id).subquery()
    query = select(j.target_id, j.level, j.reason, j.reviewed_on, j.actor).join(newest, newest.c.id == j.id)
    with engine.connect() as conn:
        return {r.target_id: Judgement(r.target_id, r.level, r.reason, r.reviewed_on, r.actor)
                for r in conn.execute(query)}


def standing(engine: Engine, plan_id: str, as_of: str) -> dict[str, Judgement]:
    """Each target's judgement as it stood at the end of the month ``as_of`` (YYYY-MM): a view or a deck of
    September 2023 does not show what the office thought in 2025."""
    import calendar

    year, month = (int(x) for x in as_of.split("-"))
    return latest(engine, plan_id, until=date(year, month, calendar.monthrange(year, month)[1]))


def history(engine: Engine, plan_id: str, target_id: str) -> pd.DataFrame:
    """Every judgement of a target, oldest first: reviewed_on, level, reason, actor, at."""
    j = DeliveryJudgement
    query = (select(j.reviewed_on, j.level, j.reason, j.actor, j.at)
             .where(j.plan_id == plan_id, j.target_id == target_id).order_by(j.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["reviewed_on", "level", "reason", "actor", "at"])
