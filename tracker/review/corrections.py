"""Returning one figure, not the whole month (退回单元格).

A province reviewer who finds one wrong figure in a prefecture's return — a county's figure for a target, or a
target's whole column — returns just that, with a message. The rest of the submission counts (a waiting one is
accepted with the same act); the returned cells stop counting at once (tracker/store/current.py leaves them out).
The prefecture sees exactly which cells to fix and why, on its upload and review pages and marked in the month's
template. The month's lock still covers every accepted cell: a re-upload (or an online correction) of a locked month
may change only the returned cells; any other figure that differs from the accepted one is refused at its cell.

A returned cell is *corrected* when a later submission of the month carries a figure for it (for a column: for every
county the returned submission had), *awaiting review* while that submission waits, and *open* until then. The
returns themselves are append-only rows (``cell_returns``) and each act is an audit entry.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.review.approval import (
    ReviewError,
    _check_current,
    _claim,
    _load,
    _month_name,
    _reason,
    serialise_writers,
)
from tracker.store import current
from tracker.store.closures import ensure_open
from tracker.store.models import CellReturn, ReportedValue, Review, Submission

#: States of a returned cell, as the pages show them (``void``: its submission was withdrawn or returned whole since,
#: so nothing of it counts and there is nothing to correct).
STATES = ("open", "pending", "corrected", "void")


@dataclass(frozen=True)
class ReturnedCell:
    id: int
    submission_id: int
    prefecture: str
    period: str
    target_id: str
    county: str | None      # None: the target's whole column
    value: float | None     # the returned figure (None for a column)
    reason: str
    actor: str
    at: datetime
    state: str              # open | pending (a correction awaits review) | corrected | void
    corrected_by: int | None = None

    @property
    def cell(self) -> tuple[str, str | None]:
        return self.target_id, self.county

    @property
    def unresolved(self) -> bool:
        """Still to be corrected, or corrected by a submission not yet accepted: a locked month takes figures
        for it."""
        return self.state in ("open", "pending")


def return_cells(engine: Engine, actor: Actor, submission_id: int, cells: Iterable[tuple[str, str | None]],
                 reason: str) -> list[int]:
    """Return ``cells`` — (target, county) pairs, county None for the target's whole column — of a submission to
    its prefecture with ``reason``; the ids of the new returns. The submission must be the month's standing one
    (the newest waiting, or the newest accepted); a waiting one is accepted for the rest in the same transaction
    (that acceptance locks the month like any other). Province users and administrators only."""
    actor.require("approve")
    reason = _reason(reason, "退回数据")
    wanted = list(dict.fromkeys(cells))
    if not wanted:
        raise ReviewError("请选择要退回的数据（指标，及县（市、区）或整列）")
    with Session(engine) as session, session.begin():
        sub = _load(session, submission_id)
        serialise_writers(session, sub.prefecture_code)
        month = _month_name(session, sub.prefecture_code, sub.period)
        if sub.status not in ("submitted", "accepted"):
            raise ReviewError(f"报送 {sub.id}（{month}）不计入进度（{sub.status}），无需退回其中的数据")
        carried: dict[str, dict[str, float]] = {}
        for target, county, value in session.execute(
                select(ReportedValue.target_id, ReportedValue.region_code, ReportedValue.value)
                .where(ReportedValue.submission_id == sub.id)):
            carried.setdefault(target, {})[county] = value
        standing = {(c.target_id, c.region_code) for c in _returns(session, [sub.id])}
        for target, county in wanted:
            if target not in carried or (county is not None and county not in carried[target]):
                where = f"{county} 的 {target}" if county else target
                raise ReviewError(f"报送 {sub.id}（{month}）没有 {where} 的数据，不能退回")
            if (target, county) in standing or (target, None) in standing:
                raise ReviewError(f"报送 {sub.id}（{month}）的这项数据已退回：{target} {county or '整列'}")
        was = sub.status
        if was == "submitted":   # the rest of it counts: accepted by the same act, which locks the month
            _claim(session, sub, "accepted")
            _check_current(session, sub, "审核")
            session.add(Review(submission_id=sub.id, action="accepted", reason=f"部分数据退回：{reason}",
                               actor=actor.username))
        else:
            _check_current(session, sub, "退回其中的数据")
        rows = [CellReturn(submission_id=sub.id, target_id=target, region_code=county, reason=reason,
                           actor=actor.username) for target, county in wanted]
        session.add_all(rows)
        session.flush()
        ensure_open(session, sub.plan_id)   # after a write (SQLite's lock is held): a closed plan's figures are settled
        current.refresh(session, sub.id)   # the returned cells stop counting, the rest (now) counts
        record(session, actor, "return_cells", f"submission:{sub.id}",
               {"plan": sub.plan_id, "prefecture": sub.prefecture_code, "period": sub.period, "from": was,
                "cells": [[target, county] for target, county in wanted], "reason": reason})
        return [row.id for row in rows]


def _returns(session: Session, submission_ids: list[int]) -> list[CellReturn]:
    return list(session.scalars(select(CellReturn).where(CellReturn.submission_id.in_(submission_ids))
                                .order_by(CellReturn.id)))


def returned_cells(conn: Engine | Session | Connection, plan_id: str, prefecture: str | None = None,
                   period: str | None = None) -> list[ReturnedCell]:
    """Every returned cell of a plan (of one prefecture, of one month), oldest first, with its state."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return returned_cells(c, plan_id, prefecture, period)
    s, cr, rv = Submission, CellReturn, ReportedValue
    where = [s.plan_id == plan_id, s.is_demo.is_(False)]
    if prefecture is not None:
        where.append(s.prefecture_code == prefecture)
    if period is not None:
        where.append(s.period == period)
    returns = conn.execute(
        select(cr.id, cr.submission_id, cr.target_id, cr.region_code, cr.reason, cr.actor, cr.at,
               s.prefecture_code, s.period, s.status, rv.value)
        .join(s, s.id == cr.submission_id)
        .outerjoin(rv, (rv.submission_id == cr.submission_id) & (rv.target_id == cr.target_id)
                   & (rv.region_code == cr.region_code))
        .where(*where).order_by(cr.id)).all()
    if not returns:
        return []
    months = {(r.prefecture_code, r.period) for r in returns}
    # the later submissions of those months that could correct them, and what each carries
    later = conn.execute(
        select(s.id, s.prefecture_code, s.period, s.status, rv.target_id, rv.region_code)
        .join(rv, rv.submission_id == s.id)
        .where(*where, s.status.in_(("submitted", "accepted")),
               s.id > min(r.submission_id for r in returns))).all()
    carried: dict[tuple[str, str], list[tuple[int, str, str, str]]] = {}
    for row in later:
        if (row.prefecture_code, row.period) in months:
            carried.setdefault((row.prefecture_code, row.period), []).append(
                (row.id, row.status, row.target_id, row.region_code))
    counties: dict[tuple[int, str], set[str]] = {}   # what a returned column covered
    for sub_id, target, county in conn.execute(
            select(rv.submission_id, rv.target_id, rv.region_code)
            .where(rv.submission_id.in_({r.submission_id for r in returns if r.region_code is None}))):
        counties.setdefault((sub_id, target), set()).add(county)
    out = []
    for r in returns:
        need = {r.region_code} if r.region_code is not None else counties.get((r.submission_id, r.target_id), set())
        state, by = ("open" if r.status == "accepted" else "void"), None
        by_sub: dict[int, tuple[str, set[str]]] = {}
        for sub_id, status, target, county in carried.get((r.prefecture_code, r.period), []):
            if sub_id > r.submission_id and target == r.target_id:
                by_sub.setdefault(sub_id, (status, set()))[1].add(county)
        for sub_id in sorted(by_sub) if state == "open" else ():
            status, seen = by_sub[sub_id]
            if need <= seen:
                state, by = ("corrected" if status == "accepted" else "pending"), sub_id
                if state == "corrected":
                    break
        out.append(ReturnedCell(id=r.id, submission_id=r.submission_id, prefecture=r.prefecture_code,
                                period=r.period, target_id=r.target_id, county=r.region_code, value=r.value,
                                reason=r.reason, actor=r.actor, at=r.at, state=state, corrected_by=by))
    return out


def cells_of(engine: Engine, submission_id: int) -> dict[str, list[str]]:
    """What a submission carries, target → counties in code order: what a reviewer can return from it."""
    rv = ReportedValue
    with engine.connect() as conn:
        rows = conn.execute(select(rv.target_id, rv.region_code).where(rv.submission_id == submission_id)
                            .order_by(rv.target_id, rv.region_code)).all()
    out: dict[str, list[str]] = {}
    for target, county in rows:
        out.setdefault(target, []).append(county)
    return out


def unresolved_cells(conn: Session | Connection, plan_id: str, prefecture: str,
                     period: str) -> set[tuple[str, str | None]]:
    """The cells of a prefecture-month still to be corrected (or whose correction awaits review): the only figures
    a locked month takes."""
    return {c.cell for c in returned_cells(conn, plan_id, prefecture, period) if c.unresolved}
