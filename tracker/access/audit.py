"""The audit trail: every write records who, when, what and the file's hash, in the same transaction as the
write itself, so there is no write without its entry and no entry without its write. The table is append-only
(database triggers refuse UPDATE, DELETE and TRUNCATE)."""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker.access.roles import Actor
from tracker.i18n import catalogue, t
from tracker.store.models import AuditEntry


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


#: The audit page shows times in Beijing time: the people reading it work in it, and the database keeps UTC.
BEIJING = timezone(timedelta(hours=8), "北京时间")


def _local(at: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(at)
    if stamps.dt.tz is None:  # SQLite returns naive timestamps; they are UTC (CURRENT_TIMESTAMP)
        stamps = stamps.dt.tz_localize("UTC")
    return stamps.dt.tz_convert(BEIJING)


def beijing_dates(at: pd.Series) -> pd.Series:
    """The calendar day of each entry where its readers are (the database keeps UTC)."""
    return _local(at).dt.date


def action_label(action: str, lang: str = "zh") -> str:
    """An action's name for people; an action this version has no label for is shown as recorded."""
    key = f"audit.action.{action}"
    return t(key, lang) if key in catalogue("zh") else action


def filter_entries(frame: pd.DataFrame, start: date | None = None, end: date | None = None,
                   actions: Iterable[str] | None = None) -> pd.DataFrame:
    """Entries between two Beijing dates (both included) and of the given actions (all when None)."""
    if frame.empty:
        return frame
    day = beijing_dates(frame["at"])
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= day >= start
    if end is not None:
        keep &= day <= end
    if actions is not None:
        keep &= frame["action"].isin(list(actions))
    return frame[keep]


def audit_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The trail as people read it, newest first: who, when (Beijing time), what, on what, the file's hash."""
    ordered = frame.sort_values("id", ascending=False)
    times = _local(ordered["at"]).dt.strftime("%Y-%m-%d %H:%M:%S").tolist() if len(ordered) else []
    return pd.DataFrame({
        t("audit.col.at", lang): times,
        t("audit.col.actor", lang): ordered["actor"].tolist(),
        t("audit.col.action", lang): [action_label(a, lang) for a in ordered["action"]],
        t("audit.col.object", lang): ordered["object"].tolist(),
        t("audit.col.sha256", lang): [s or "" for s in ordered["sha256"]],
        t("audit.col.detail", lang): [json.dumps(d, ensure_ascii=False) if d else "" for d in ordered["detail"]],
    })
