"""The audit trail: every write records who, when, what and the file's hash, in the same transaction as the
write itself, so there is no write without its entry and no entry without its write. The table is append-only
(database triggers refuse UPDATE, DELETE and TRUNCATE)."""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from .access import Actor
from .models import AuditEntry


def record(session: Session, actor: Actor, action: str, obj: str, detail: dict | None = None,
           sha256: str | None = None) -> None:
    session.add(AuditEntry(actor=actor.username, action=action, object=obj, sha256=sha256,
                           detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None))


def entries(engine: Engine, since: datetime | None = None) -> pd.DataFrame:
    query = select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.object,
                   AuditEntry.sha256, AuditEntry.detail).order_by(AuditEntry.id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(),
                             columns=["id", "at", "actor", "action", "object", "sha256", "detail"])
    frame["detail"] = [json.loads(d) if isinstance(d, str) else None for d in frame["detail"]]
    return frame
