"""Status updates on the plan's qualitative measures (里程碑): 未启动 / 推进中 / 已完成 / 滞后.

Every update is a new row (who, when, which month it describes, a note, optionally an evidence file); the newest
is the measure's status. Nothing is overwritten, so the history of a measure can always be read back.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.intake.textnorm import norm
from tracker.model.plan import Milestone, Plan
from tracker.model.status import ProgressConfig
from tracker.store.closures import ensure_open
from tracker.store.models import EvidenceFile, MilestoneUpdate

#: Evidence files are kept in the database; larger ones belong on a file share, linked in the note.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class MilestoneError(ValueError):
    """A wrong milestone, status or file; the message is for the person who asked."""


def find_milestone(plan: Plan, milestone_id: str) -> Milestone:
    for milestone in plan.milestones:
        if milestone.id == milestone_id:
            return milestone
    raise MilestoneError(f"方案 {plan.id} 中没有工作任务 {milestone_id!r}")


def parse_status(text: str, config: ProgressConfig) -> str:
    """A status given as its id (in_progress) or its label in either language (推进中, In progress)."""
    for status in config.milestone_statuses:
        if norm(text) in {norm(status.id), norm(status.zh), norm(status.en)}:
            return status.id
    labels = "、".join(f"{s.id}（{s.zh}）" for s in config.milestone_statuses)
    raise MilestoneError(f"未知状态 {text!r}，可用：{labels}")


@dataclass(frozen=True)
class Evidence:
    name: str
    content: bytes


def set_status(engine: Engine, plan: Plan, config: ProgressConfig, milestone_id: str, status: str, *,
               as_of: str, note: str | None, updated_by: str, evidence: Evidence | None = None,
               actor: Actor | None = None) -> int:
    """Record a new status for a milestone; return the update's id."""
    actor = actor or Actor(updated_by, "admin")
    actor.require("milestone")
    find_milestone(plan, milestone_id)
    status = parse_status(status, config)
    with Session(engine) as session, session.begin():
        evidence_id = None
        if evidence is not None:
            if len(evidence.content) > MAX_EVIDENCE_BYTES:
                raise MilestoneError(f"佐证材料超过 {MAX_EVIDENCE_BYTES // 1024 // 1024} MB：请放在共享目录，在说明中注明位置")
            digest = hashlib.sha256(evidence.content).hexdigest()
            stored = session.scalars(select(EvidenceFile).where(EvidenceFile.sha256 == digest)).first()
            if stored is None:
                stored = EvidenceFile(sha256=digest, name=evidence.name[:200], content=evidence.content,
                                      size=len(evidence.content))
                session.add(stored)
                session.flush()
            evidence_id = stored.id
        update = MilestoneUpdate(plan_id=plan.id, milestone_id=milestone_id, status=status, as_of=as_of,
                                 note=note, updated_by=updated_by, is_demo=False, evidence_id=evidence_id)
        session.add(update)
        session.flush()
        ensure_open(session, plan.id)  # a closed plan's measures stay as they were closed
        record(session, actor, "milestone", f"milestone:{milestone_id}",
               {"status": status, "as_of": as_of, "note": note, "update": update.id},
               sha256=stored.sha256 if evidence is not None else None)
        return update.id


def history(engine: Engine, plan_id: str, milestone_id: str | None = None) -> pd.DataFrame:
    """Every update, newest first, with the evidence file's name and hash where there is one."""
    query = (select(MilestoneUpdate.id, MilestoneUpdate.milestone_id.label("milestone"), MilestoneUpdate.status,
                    MilestoneUpdate.as_of, MilestoneUpdate.note, MilestoneUpdate.updated_by,
                    MilestoneUpdate.created_at, MilestoneUpdate.is_demo, EvidenceFile.name.label("evidence"),
                    EvidenceFile.sha256.label("evidence_sha256"), MilestoneUpdate.evidence_id)
             .outerjoin(EvidenceFile, EvidenceFile.id == MilestoneUpdate.evidence_id)
             .where(MilestoneUpdate.plan_id == plan_id)
             .order_by(MilestoneUpdate.id.desc()))
    if milestone_id is not None:
        query = query.where(MilestoneUpdate.milestone_id == milestone_id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=[c.name for c in query.selected_columns])


def evidence_file(engine: Engine, evidence_id: int) -> Evidence:
    with Session(engine) as session:
        stored = session.get(EvidenceFile, evidence_id)
        if stored is None:
            raise MilestoneError(f"没有编号为 {evidence_id} 的佐证材料")
        return Evidence(stored.name, stored.content)
