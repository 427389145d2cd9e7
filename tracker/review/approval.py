"""Review of prefecture returns (审核): accept, return with a reason, reopen a locked month.

A prefecture user's upload arrives ``submitted`` (待审核) and does not count until a province user accepts it; a
returned one (已退回) never counts, and the prefecture sees why. Imports by province users and administrators (and
the command line on the server) are ``accepted`` at once: they are the reviewers, a second look by themselves adds
nothing. ``approval: auto_accept: true`` in targets/progress.yaml accepts prefecture uploads at once too.

What counts is the newest *accepted* submission of a prefecture-month (``store.current_values``), so a pending
re-upload never removes accepted figures. A decision updates the current figures (tracker/store/current.py) in its own
transaction.

A prefecture-month whose submission a province user accepted is locked (已锁定): no import, by anyone, until a
province user reopens it with a reason. The lock is not stored as a flag but read from the reviews, which are only
ever added: a month is locked when its newest accept-or-reopen decision is an acceptance. Figures accepted without a
review (a reviewer's own import, auto-accept, demo data) do not lock the month, so the simple flow stays as it was.

Every decision is one transaction: the submission's new status, the review row and the audit entry, or nothing.
A closed plan (tracker/store/closures.py) takes no decision: ``PlanClosed``, and nothing is written.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, select, update
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.store import current
from tracker.store.closures import ensure_open
from tracker.store.models import CurrentFigure, RegionRow, Review, Submission

#: Statuses a submission can have (``submissions.status``).
STATUSES = ("submitted", "accepted", "returned")
#: States shown to people: the status, or ``superseded`` when a newer submission of the month replaced it.
STATES = ("submitted", "accepted", "returned", "partly_superseded", "superseded")
#: Review actions (``reviews.action``) and the audit action each is recorded as.
AUDIT_ACTIONS = {"accepted": "accept", "returned": "return", "reopened": "reopen", "withdrawn": "withdraw"}


class ReviewError(ValueError):
    """A decision the submission's state does not allow, or a missing reason; the message says why, in Chinese."""


def initial_status(actor: Actor, auto_accept: bool) -> str:
    """The status an import gets: only a prefecture user's upload waits for review, unless the office set
    auto-accept."""
    return "submitted" if actor.role == "prefecture" and not auto_accept else "accepted"


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReviewError(f"{what}须填写原因")
    return text


def _month_name(session: Session | Connection, prefecture: str | None, period: str) -> str:
    name = session.scalar(select(RegionRow.name).where(RegionRow.code == prefecture)) if prefecture else None
    return f"{name or prefecture or '全省'} {period}"


def serialise_writers(session: Session, prefecture: str | None) -> None:
    """Serialise writers of one prefecture on PostgreSQL (a row lock on its region that inserting submissions
    does not conflict with), so a review and an import of the same month cannot pass each other's checks. SQLite
    has one writer at a time already: there the checks run after the transaction's first write."""
    if prefecture and session.get_bind().dialect.name == "postgresql":
        session.execute(select(RegionRow.code).where(RegionRow.code == prefecture).with_for_update(key_share=True))


def _lock_decision(conn: Session | Connection, plan_id: str, prefecture: str | None,
                   period: str) -> tuple[str, int] | None:
    """The newest accept-or-reopen decision on a prefecture-month: (action, submission id), or None. An accepted
    submission withdrawn since (``withdraw``) no longer locks its month: ("withdrawn", id)."""
    row = conn.execute(
        select(Review.action, Review.submission_id, Submission.status)
        .join(Submission, Submission.id == Review.submission_id)
        .where(Submission.plan_id == plan_id, Submission.prefecture_code == prefecture, Submission.period == period,
               Review.action.in_(("accepted", "reopened")))
        .order_by(Review.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return ("withdrawn" if row[0] == "accepted" and row[2] == "withdrawn" else row[0]), row[1]


def locked_in(conn: Session | Connection, plan_id: str, prefecture: str | None, period: str) -> bool:
    """``is_locked`` inside the caller's transaction (the import checks again after its writes)."""
    decision = _lock_decision(conn, plan_id, prefecture, period)
    return decision is not None and decision[0] == "accepted"


def is_locked(engine: Engine, plan_id: str, prefecture: str, period: str) -> bool:
    with engine.connect() as conn:
        return locked_in(conn, plan_id, prefecture, period)


def _load(session: Session, submission_id: int) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise ReviewError(f"没有编号为 {submission_id} 的报送")
    if sub.is_demo:
        raise ReviewError(f"报送 {submission_id} 是示例数据，不审核")
    return sub


def _claim(session: Session, sub: Submission, new_status: str) -> None:
    """Set the new status only if nobody changed it since it was read: two reviewers deciding at once cannot
    both win. On SQLite this first write also takes the database's write lock for the checks that follow."""
    result = session.execute(update(Submission).where(Submission.id == sub.id, Submission.status == sub.status)
                             .values(status=new_status).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ReviewError(f"报送 {sub.id} 的状态刚被他人更改，请刷新后再操作")


def _check_current(session: Session, sub: Submission, verb: str) -> None:
    """Only the submission that is the month's state can be decided on: for a submitted one, the newest of its
    month (a re-upload replaced it before review); for an accepted one, the newest accepted (the one counting)."""
    newer = [Submission.plan_id == sub.plan_id, Submission.prefecture_code == sub.prefecture_code,
             Submission.period == sub.period, Submission.is_demo.is_(False), Submission.id > sub.id]
    if sub.status == "accepted":
        newer.append(Submission.status == "accepted")
    by = session.scalar(select(func.min(Submission.id)).where(*newer))
    if by is not None:
        raise ReviewError(f"报送 {sub.id}（{_month_name(session, sub.prefecture_code, sub.period)}）已被报送 {by} "
                          f"取代，不能{verb}；请审核最新的报送")


def _decide(engine: Engine, actor: Actor, submission_id: int, action: str, reason: str | None) -> None:
    actor.require("approve")
    verb = {"accepted": "接收", "returned": "退回"}[action]
    with Session(engine) as session, session.begin():
        sub = _load(session, submission_id)
        serialise_writers(session, sub.prefecture_code)
        month = _month_name(session, sub.prefecture_code, sub.period)
        if sub.status == "returned":
            raise ReviewError(f"报送 {sub.id}（{month}）已退回，不能{verb}：请市（州）修改后重新报送")
        _claim(session, sub, action)
        ensure_open(session, sub.plan_id)  # a closed plan's submissions are decided for good
        _check_current(session, sub, verb)
        if sub.status == "accepted" and locked_in(session, sub.plan_id, sub.prefecture_code, sub.period):
            raise ReviewError(f"报送 {sub.id}（{month}）已接收，该月已锁定；如需{verb}，请先重新开放该月")
        session.add(Review(submission_id=sub.id, action=action, reason=reason, actor=actor.username))
        current.refresh(session, sub.id)  # its figures start or stop counting: the month's current ones change
        record(session, actor, AUDIT_ACTIONS[action], f"submission:{sub.id}",
               {"plan": sub.plan_id, "prefecture": sub.prefecture_code, "period": sub.period,
                "from": sub.status, "to": action, "reason": reason})


def accept(engine: Engine, actor: Actor, submission_id: int) -> None:
    """Accept the newest submission of a prefecture-month: its figures count, and the month is locked.

    A returned or superseded submission cannot be accepted. Accepting an already accepted one locks its month
    again after a reopen (a reopen that turned out not to be needed)."""
    _decide(engine, actor, submission_id, "accepted", None)


def return_(engine: Engine, actor: Actor, submission_id: int, reason: str) -> None:
    """Return a submission to its prefecture with a reason the prefecture sees; its figures stop counting (the
    month's earlier accepted figures count again). An accepted one can be returned only once its month is
    reopened: a locked month does not change."""
    _decide(engine, actor, submission_id, "returned", _reason(reason, "退回"))


def reopen(engine: Engine, actor: Actor, plan_id: str, prefecture: str, period: str, reason: str) -> int:
    """Unlock an accepted prefecture-month so it can be re-submitted (or its submission returned); return the id
    of the submission whose acceptance had locked it. The accepted figures keep counting until newer ones are
    accepted."""
    actor.require("approve")
    reason = _reason(reason, "重新开放")
    with Session(engine) as session, session.begin():
        serialise_writers(session, prefecture)
        decision = _lock_decision(session, plan_id, prefecture, period)
        if decision is None or decision[0] != "accepted":
            raise ReviewError(f"{_month_name(session, prefecture, period)} 未锁定，无需重新开放")
        submission_id = decision[1]
        session.add(Review(submission_id=submission_id, action="reopened", reason=reason, actor=actor.username))
        session.flush()
        ensure_open(session, plan_id)
        record(session, actor, "reopen", f"submission:{submission_id}",
               {"plan": plan_id, "prefecture": prefecture, "period": period, "reason": reason})
    return submission_id


def withdraw(engine: Engine, actor: Actor, submission_id: int, reason: str) -> None:
    """撤回: take back a mistaken upload (a trial upload on a fresh installation, the wrong month's file). Its
    figures stop counting in the same transaction (the cells' earlier accepted figures count again, or none);
    the submission, its values, the decision and the reason stay in history and the audit trail, and the
    prefecture sees it as 已撤回 with the reason. Withdrawing the accepted submission that locked its month
    unlocks it (there is nothing accepted left to protect). Province users and administrators only."""
    actor.require("approve")
    reason = _reason(reason, "撤回")
    with Session(engine) as session, session.begin():
        sub = _load(session, submission_id)
        serialise_writers(session, sub.prefecture_code)
        month = _month_name(session, sub.prefecture_code, sub.period)
        if sub.status == "withdrawn":
            raise ReviewError(f"报送 {sub.id}（{month}）已撤回")
        if sub.status == "returned":
            raise ReviewError(f"报送 {sub.id}（{month}）已退回，不计入进度，无需撤回")
        _claim(session, sub, "withdrawn")
        ensure_open(session, sub.plan_id)
        session.add(Review(submission_id=sub.id, action="withdrawn", reason=reason, actor=actor.username))
        current.refresh(session, sub.id)  # its figures stop counting now
        record(session, actor, "withdraw", f"submission:{sub.id}",
               {"plan": sub.plan_id, "prefecture": sub.prefecture_code, "period": sub.period,
                "from": sub.status, "to": "withdrawn", "reason": reason})


# ------------------------------------------------------------------------------------------ reading

LIST_COLUMNS = ["id", "period", "prefecture", "prefecture_name", "uploader", "created_at", "file_name", "n_values",
                "counting", "warnings", "status", "state", "reason", "reviewed_by", "reviewed_at", "locked"]


def review_list(engine: Engine, plan_id: str, prefecture: str | None = None,
                states: Iterable[str] | None = None) -> pd.DataFrame:
    """Real submissions of a plan, newest first, each with its state, the latest decision on it (reason, who,
    when), how many warnings the uploader confirmed, and whether its acceptance locks its month."""
    query = (select(Submission.id, Submission.period, Submission.prefecture_code, RegionRow.name,
                    Submission.uploader, Submission.created_at, Submission.file_name, Submission.n_values,
                    Submission.warnings, Submission.status)
             .outerjoin(RegionRow, RegionRow.code == Submission.prefecture_code)
             .where(Submission.plan_id == plan_id, Submission.is_demo.is_(False))
             .order_by(Submission.id.desc()))
    reviews = (select(Review.id, Review.submission_id, Review.action, Review.reason, Review.actor, Review.at)
               .join(Submission, Submission.id == Review.submission_id)
               .where(Submission.plan_id == plan_id, Submission.is_demo.is_(False)).order_by(Review.id))
    if prefecture is not None:
        query = query.where(Submission.prefecture_code == prefecture)
        reviews = reviews.where(Submission.prefecture_code == prefecture)
    # how many of each accepted submission's figures still count, cell by cell (the current-figures table)
    counting_query = (select(CurrentFigure.submission_id, func.count()).where(
        CurrentFigure.plan_id == plan_id, CurrentFigure.is_demo.is_(False)).group_by(CurrentFigure.submission_id))
    with engine.connect() as conn:
        subs = conn.execute(query).all()
        decisions = conn.execute(reviews).all()
        counting = dict(conn.execute(counting_query).all())
    latest: dict[int, tuple] = {}
    lock: dict[tuple, tuple[str, int]] = {}  # (prefecture, period) → newest accept-or-reopen decision
    month_of = {row.id: (row.prefecture_code, row.period) for row in subs}
    for review in decisions:
        latest[review.submission_id] = review
        if review.action in ("accepted", "reopened"):
            lock[month_of[review.submission_id]] = (review.action, review.submission_id)
    newest: dict[tuple, int] = {}
    newest_accepted: dict[tuple, int] = {}
    for row in subs:  # newest first
        key = (row.prefecture_code, row.period)
        newest.setdefault(key, row.id)
        if row.status == "accepted":
            newest_accepted.setdefault(key, row.id)
    rows = []
    for row in subs:
        key = (row.prefecture_code, row.period)
        state = row.status
        if row.status == "submitted" and newest[key] != row.id:
            state = "superseded"  # replaced before anyone reviewed it
        elif row.status == "accepted" and newest_accepted[key] != row.id:
            # a newer accepted return replaces this one cell by cell: whatever it did not restate still counts
            counted = counting.get(row.id, 0)
            state = "superseded" if counted == 0 else ("partly_superseded" if counted < row.n_values else "accepted")
        decision = latest.get(row.id)
        rows.append({
            "id": row.id, "period": row.period, "prefecture": row.prefecture_code, "prefecture_name": row.name,
            "uploader": row.uploader, "created_at": row.created_at, "file_name": row.file_name,
            "n_values": row.n_values, "counting": counting.get(row.id, 0) if row.status == "accepted" else 0,
            "warnings": len(json.loads(row.warnings)) if row.warnings else 0,
            "status": row.status, "state": state,
            "reason": decision.reason if decision is not None else None,
            "reviewed_by": decision.actor if decision is not None else None,
            "reviewed_at": decision.at if decision is not None else None,
            "locked": lock.get(key) == ("accepted", row.id) and row.status != "withdrawn",
        })
    frame = pd.DataFrame(rows, columns=LIST_COLUMNS)
    if states is not None:
        frame = frame[frame["state"].isin(list(states))].reset_index(drop=True)
    return frame


def pending(engine: Engine, plan_id: str, prefecture: str | None = None) -> pd.DataFrame:
    """Submissions waiting for a decision (the newest of their month, still submitted), oldest first: the
    province's work list, in the order the returns arrived."""
    return review_list(engine, plan_id, prefecture, ("submitted",)).iloc[::-1].reset_index(drop=True)


def status_of(engine: Engine, plan_id: str, prefecture: str) -> pd.DataFrame:
    """What a prefecture sees: its submissions, newest first, with state and the reviewer's reason."""
    return review_list(engine, plan_id, prefecture)


def history(engine: Engine, submission_id: int) -> pd.DataFrame:
    """Every decision on one submission, oldest first."""
    query = (select(Review.id, Review.action, Review.reason, Review.actor, Review.at)
             .where(Review.submission_id == submission_id).order_by(Review.id))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["id", "action", "reason", "actor", "at"])


def locked_months(engine: Engine, plan_id: str) -> pd.DataFrame:
    """The locked prefecture-months of a plan (for the reopen control): prefecture, name, period, the accepted
    submission, who accepted it and when."""
    ranked = (select(Submission.prefecture_code, Submission.period, Review.action, Review.submission_id,
                     Review.actor, Review.at,
                     func.row_number().over(partition_by=(Submission.prefecture_code, Submission.period),
                                            order_by=Review.id.desc()).label("rank"))
              .join(Submission, Submission.id == Review.submission_id)
              .where(Submission.plan_id == plan_id, Review.action.in_(("accepted", "reopened")))
              .subquery())
    query = (select(ranked.c.prefecture_code, RegionRow.name, ranked.c.period, ranked.c.submission_id,
                    ranked.c.actor, ranked.c.at)
             .outerjoin(RegionRow, RegionRow.code == ranked.c.prefecture_code)
             .join(Submission, Submission.id == ranked.c.submission_id)
             .where(and_(ranked.c.rank == 1, ranked.c.action == "accepted", Submission.status != "withdrawn"))
             .order_by(ranked.c.period.desc(), ranked.c.prefecture_code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(),
                            columns=["prefecture", "prefecture_name", "period", "submission", "accepted_by",
                                     "accepted_at"])
