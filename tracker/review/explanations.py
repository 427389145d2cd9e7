"""情况说明: a prefecture's explanation of a figure — why it lags, why it jumped — shown beside the figure.

With a return (or later), a prefecture user explains a target's figure of a month, for one county or for the
prefecture as a whole; confirming a warning at import on the upload page requires one, and it is recorded against
the counties and targets the warnings name. The newest explanation of a (prefecture, month, target, county) is
the one shown — on the target and regions pages, in the red list, in the briefing's notes and in the 情况汇报
("据雅安市说明：……") — with who wrote it and when; the earlier ones stay as its history (append-only, migration 0011).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import Actor, PermissionDenied
from tracker.model.plan import Plan
from tracker.model.regions import RegionTree
from tracker.store.closures import ensure_open
from tracker.store.models import Explanation as Row

#: How long an explanation may be: a paragraph, not a report.
MAX_CHARS = 1000


class ExplanationError(ValueError):
    """An explanation that cannot be recorded; the message says why, in Chinese."""


@dataclass(frozen=True)
class Explanation:
    prefecture: str
    period: str
    target_id: str
    county: str | None
    text: str
    author: str
    at: datetime


def explain(engine: Engine, actor: Actor, plan: Plan, tree: RegionTree, prefecture: str, period: str,
            target_ids: list[str], text: str, counties: list[str | None] | None = None,
            submission_id: int | None = None) -> int:
    """Record one explanation for each (target, county) — ``counties`` None: for the prefecture as a whole; the
    number recorded. A prefecture user explains its own prefecture's figures; province users and administrators
    any."""
    actor.require("import")
    if actor.role == "prefecture" and actor.prefecture != prefecture:
        raise PermissionDenied(f"{actor.label} 只能说明本市（州）的数据")
    words = (text or "").strip()
    if not words:
        raise ExplanationError("情况说明不能为空")
    if len(words) > MAX_CHARS:
        raise ExplanationError(f"情况说明不超过 {MAX_CHARS} 字（现 {len(words)} 字）")
    known = {t.id for t in plan.targets}
    unknown = [t for t in target_ids if t not in known]
    if unknown or not target_ids:
        raise ExplanationError(f"方案 {plan.id} 没有指标 {'、'.join(unknown) or '（未指定）'}")
    places = counties if counties is not None else [None]
    for county in places:
        if county is not None and (county not in tree or tree[county].parent_code != prefecture):
            raise ExplanationError(f"{county} 不是 {tree[prefecture].name} 的县（市、区）")
    with Session(engine) as session, session.begin():
        n = 0
        for target_id in dict.fromkeys(target_ids):
            for county in dict.fromkeys(places):
                session.add(Row(plan_id=plan.id, prefecture_code=prefecture, period=period, target_id=target_id,
                                county_code=county, text=words, author=actor.label, submission_id=submission_id))
                n += 1
        session.flush()
        ensure_open(session, plan.id)  # a closed plan's figures are explained no more
        record(session, actor, "explain", f"prefecture:{prefecture}",
               {"plan": plan.id, "period": period, "targets": list(dict.fromkeys(target_ids)),
                "counties": [c for c in places if c], "text": words, "submission": submission_id})
    return n


def explain_warnings(engine: Engine, actor: Actor, plan: Plan, tree: RegionTree, prefecture: str, period: str,
                     warnings: list, text: str, submission_id: int | None, targets: list[str]) -> int:
    """The explanation a prefecture gave when it confirmed an import's warnings, recorded against what the warnings
    name: each warning's county and target (a county named by its label in the file); a warning about no one
    target (counties missing from the return) explains the prefecture's figures of every target in ``targets``."""
    by_name = {c.name: c.code for c in tree.children(prefecture)} | {c.code: c.code for c in tree.children(prefecture)}
    pairs: dict[tuple[str, str | None], None] = {}
    for warning in warnings:
        county = by_name.get(warning.county or "")
        for target_id in ([warning.target] if warning.target else targets):
            pairs[(target_id, county)] = None
    n = 0
    for target_id, county in pairs:
        n += explain(engine, actor, plan, tree, prefecture, period, [target_id], text, [county],
                     submission_id=submission_id)
    return n


def current(engine: Engine, plan_id: str, period: str | None = None, target_id: str | None = None,
            prefecture: str | None = None) -> list[Explanation]:
    """The newest explanation of each (prefecture, month, target, county), in prefecture, target, county order."""
    keys = (Row.prefecture_code, Row.period, Row.target_id, func.coalesce(Row.county_code, ""))
    conditions = [Row.plan_id == plan_id]
    if period is not None:
        conditions.append(Row.period == period)
    if target_id is not None:
        conditions.append(Row.target_id == target_id)
    if prefecture is not None:
        conditions.append(Row.prefecture_code == prefecture)
    newest = select(func.max(Row.id).label("id")).where(*conditions).group_by(*keys).subquery()
    query = (select(Row).join(newest, and_(newest.c.id == Row.id))
             .order_by(Row.prefecture_code, Row.target_id, Row.county_code))
    with Session(engine) as session:
        return [Explanation(r.prefecture_code, r.period, r.target_id, r.county_code, r.text, r.author, r.at)
                for r in session.scalars(query)]


def history(engine: Engine, plan_id: str, prefecture: str, period: str, target_id: str) -> pd.DataFrame:
    """Every explanation of a prefecture's target for a month, oldest first."""
    query = (select(Row.county_code, Row.text, Row.author, Row.at)
             .where(Row.plan_id == plan_id, Row.prefecture_code == prefecture, Row.period == period,
                    Row.target_id == target_id).order_by(Row.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["county", "text", "author", "at"])


def said(explanation: Explanation, tree: RegionTree, lang: str = "zh") -> str:
    """"据雅安市说明（雨城区）：……（雅安市人社局，2023-10-08）" — the words as the prefecture wrote them, said to
    be theirs."""
    who = tree[explanation.prefecture].name
    place = f"（{tree[explanation.county].name}）" if explanation.county else ""
    when = f"{explanation.at:%Y-%m-%d}"
    if lang == "en":
        place = f" ({tree[explanation.county].name})" if explanation.county else ""
        return f"{who}{place} explains: {explanation.text} ({explanation.author}, {when})"
    return f"据{who}说明{place}：{explanation.text}（{explanation.author}，{when}）"
