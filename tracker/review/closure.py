"""Closing an ended plan (关闭) once its evaluation (成效评估) has gone upward, and reopening it.

A plan whose period has ended still takes the returns of its last months, their reviews and corrections; closing
is the office's explicit act that ends that, and from then on the plan is read-only (tracker/store/closures.py
holds the guard every write passes). Only an administrator closes or reopens, only an ended plan can be closed, and
both need a reason (closing may cite the document, 文号, the evaluation went up under). Each act is one
transaction: the event row and its audit entry, or nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.i18n import month_label
from tracker.model.periods import month_of
from tracker.model.plan import Plan
from tracker.store.closures import Closure, closure_of, lock_plan
from tracker.store.models import PlanClosure

__all__ = ["ClosureError", "close_plan", "closure_of", "reopen_plan"]

#: How long a document number (文号) may be.
MAX_DOCUMENT = 128


class ClosureError(ValueError):
    """A closing or reopening that cannot be done; the message says why, in Chinese."""


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ClosureError(f"{what}须填写原因")
    return text


def _act(engine: Engine, actor: Actor, plan: Plan, action: str, reason: str, document: str | None) -> Closure | None:
    """Add the event and its audit entry; the standing before it must be the opposite of what it asks."""
    with Session(engine) as session, session.begin():
        lock_plan(session, plan.id, exclusive=True)
        row = PlanClosure(plan_id=plan.id, action=action, reason=reason, document=document, actor=actor.label)
        session.add(row)
        session.flush()  # on SQLite the first write: the standing read next cannot change before this commits
        before = session.execute(select(PlanClosure.action, PlanClosure.at)
                                 .where(PlanClosure.plan_id == plan.id, PlanClosure.id < row.id)
                                 .order_by(PlanClosure.id.desc()).limit(1)).first()
        if action == "close" and before is not None and before.action == "close":
            closed = Closure(plan.id, plan.title.zh, "", None, "", before.at).date_text()
            raise ClosureError(f"《{plan.title.zh}》已于{closed}关闭，无需再次关闭")
        if action == "reopen" and (before is None or before.action != "close"):
            raise ClosureError(f"《{plan.title.zh}》未关闭，无需重新开放")
        record(session, actor, "close_plan" if action == "close" else "reopen_plan", f"plan:{plan.id}",
               {"reason": reason, "document": document})
    return closure_of(engine, plan.id)


def close_plan(engine: Engine, actor: Actor, plan: Plan, reason: str, document: str | None = None,
               today: date | None = None) -> Closure:
    """Close an ended plan: from now on nothing of it is written until it is reopened. The standing closure.

    Refused (``ClosureError``) for a plan whose period has not ended by ``today``'s month, one already closed, or
    a blank reason; ``PermissionDenied`` for anyone but an administrator."""
    actor.require("close_plan")
    reason = _reason(reason, "关闭")
    document = (document or "").strip() or None
    if document is not None and len(document) > MAX_DOCUMENT:
        raise ClosureError(f"文号不超过 {MAX_DOCUMENT} 字")
    month = month_of(today or date.today())
    if plan.end is None:
        raise ClosureError(f"《{plan.title.zh}》没有量化目标，不设期限，不能关闭")
    if not plan.ended(month):
        raise ClosureError(f"《{plan.title.zh}》的目标期限至{month_label(plan.end)}，尚未结束，不能关闭")
    closure = _act(engine, actor, plan, "close", reason, document)
    assert closure is not None
    return closure


def reopen_plan(engine: Engine, actor: Actor, plan: Plan, reason: str) -> None:
    """Reopen a closed plan, with the reason (a correction the evaluation needs, a return that must be redone):
    its data can be written again until it is closed again."""
    actor.require("close_plan")
    reason = _reason(reason, "重新开放")
    _act(engine, actor, plan, "reopen", reason, None)
