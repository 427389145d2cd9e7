"""Whether a plan is closed (已关闭 · 只读), and the guard every write of a plan's data passes.

A plan's period ending does not freeze it: the last months' returns arrive after the end (December's is due on 10
January), reviews and corrections follow, and the evaluation (成效评估) is written from them. The office closes an
ended plan once its evaluation has gone upward (tracker/review/closure.py: administrators only, audited); from then
on nothing of it is written — no return, review decision, judgement, explanation, measure update, allocation or
reminder — until an administrator reopens it with a reason. Reading is not affected.

The acts are rows of ``plan_closures`` (append-only); the newest of a plan is its standing. ``ensure_open`` runs
inside each write's own transaction, after its first write: on SQLite the transaction then holds the database's
write lock, so a closing cannot commit between the check and the write; on PostgreSQL it takes a key-share lock on
the plan's row, which the closing act's ``FOR UPDATE`` waits for (and the other way round), and reads the standing
afresh (read committed). So no path that writes through the core can slip past a closing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from tracker.i18n import day_label, t
from tracker.store.models import PlanClosure, PlanRow

#: Dates of closing are said as the office reads them, in Beijing time (the database keeps UTC).
_BEIJING = timezone(timedelta(hours=8))

Bind = Engine | Connection | Session


@dataclass(frozen=True)
class Closure:
    """The standing closure of a plan: who closed it, when, why, under which document (文号)."""

    plan_id: str
    title: str
    reason: str
    document: str | None
    actor: str
    at: datetime

    @property
    def day(self) -> date:
        """The day it was closed, in Beijing time."""
        at = self.at if self.at.tzinfo is not None else self.at.replace(tzinfo=timezone.utc)  # SQLite: naive UTC
        return at.astimezone(_BEIJING).date()

    def date_text(self, lang: str = "zh") -> str:
        day = self.day
        return f"{day:%Y-%m-%d}" if lang == "en" else day_label(day)

    def why(self, lang: str = "zh") -> str:
        """The reason, with the document number when there is one: "成效评估已报送，川人社函〔2026〕12号"."""
        if not self.document:
            return self.reason
        return f"{self.reason}; {self.document}" if lang == "en" else f"{self.reason}，{self.document}"

    def message(self, lang: str = "zh") -> str:
        """"《…》已于2026年3月31日关闭（成效评估已报送），不再接收报送、审核或修改。"."""
        return t("closure.refused", lang, plan=self.title, date=self.date_text(lang), reason=self.why(lang))


class PlanClosed(Exception):
    """A write to a closed plan; the message (Chinese, ``message("en")`` in English) says since when and why."""

    def __init__(self, closure: Closure) -> None:
        super().__init__(closure.message("zh"))
        self.closure = closure

    def message(self, lang: str = "zh") -> str:
        return self.closure.message(lang)


def _standing(conn: Connection | Session, plan_id: str) -> Closure | None:
    row = conn.execute(
        select(PlanClosure.action, PlanClosure.reason, PlanClosure.document, PlanClosure.actor, PlanClosure.at,
               PlanRow.title)
        .join(PlanRow, PlanRow.id == PlanClosure.plan_id, isouter=True)
        .where(PlanClosure.plan_id == plan_id).order_by(PlanClosure.id.desc()).limit(1)
    ).first()
    if row is None or row.action != "close":
        return None
    return Closure(plan_id, row.title or plan_id, row.reason, row.document, row.actor, row.at)


def closure_of(bind: Bind, plan_id: str) -> Closure | None:
    """The plan's standing closure (who, when, why), or None when it is open (never closed, or reopened since)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return _standing(conn, plan_id)
    return _standing(bind, plan_id)


def lock_plan(conn: Connection | Session, plan_id: str, exclusive: bool = False) -> None:
    """On PostgreSQL, lock the plan's row: shared (key share) for a write of its data, exclusive for closing or
    reopening it, so the two wait for each other. SQLite has one writer at a time already."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    if bind.dialect.name == "postgresql":
        query = select(PlanRow.id).where(PlanRow.id == plan_id)
        conn.execute(query.with_for_update() if exclusive else query.with_for_update(key_share=True))


def ensure_open(conn: Connection | Session, plan_id: str) -> None:
    """Raise ``PlanClosed`` if the plan is closed. Call it inside the write's transaction, after its first write
    (see the module's docstring), so the write and the check commit together or not at all."""
    lock_plan(conn, plan_id)
    closure = _standing(conn, plan_id)
    if closure is not None:
        raise PlanClosed(closure)


def history(bind: Bind, plan_id: str) -> list[dict]:
    """Every closing and reopening of a plan, oldest first: action, reason, document, actor, at."""
    query = (select(PlanClosure.id, PlanClosure.action, PlanClosure.reason, PlanClosure.document, PlanClosure.actor,
                    PlanClosure.at).where(PlanClosure.plan_id == plan_id).order_by(PlanClosure.id))
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
    return [dict(r._mapping) for r in bind.execute(query)]
