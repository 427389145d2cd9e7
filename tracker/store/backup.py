"""Backup and restore: every table as JSON lines in one gzip file, portable between SQLite and PostgreSQL.

A backup is taken inside one read transaction (a consistent snapshot on both databases). A restore goes into an
empty database (freshly migrated, no submissions, accounts or history): it never merges into live data, so
restoring cannot overwrite a value that was submitted since.
"""
from __future__ import annotations

import base64
import gzip
import json
import os
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, LargeBinary, func, insert, select, text

from tracker.store import current
from tracker.store.db import PRIVATE, migrate
from tracker.store.models import Base

FORMAT = "citizenization-tracker-backup/1"
#: Tables that ``tracker init`` fills from the project files; a restore replaces their rows.
REFERENCE = ("regions", "plans", "targets", "milestones")
#: Tables derived from the others: not backed up, worked out again after a restore.
DERIVED = ("current_figures", "current_year_totals")
#: Tables not worth restoring: sign-in sessions (a restored database starts with everyone signed out).
TRANSIENT = ("sign_in_sessions",)


def _tables() -> list:
    return [t for t in Base.metadata.sorted_tables if t.name not in DERIVED + TRANSIENT]


class BackupError(ValueError):
    pass


def _encode(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _private_writer(path: Path):
    """A gzip text stream into ``path``, which is made (or kept) mode 0600 before a byte is written: a backup
    holds password hashes."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE))
    os.chmod(path, PRIVATE)  # an existing file keeps its old mode through O_CREAT
    return gzip.open(path, "wt", encoding="utf-8")


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Every table but the derived and transient ones, into ``path`` (mode 0600)."""
    counts: dict[str, int] = {}
    with engine.connect() as conn, conn.begin(), _private_writer(path) as out:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        version = conn.execute(text("select version_num from alembic_version")).scalar()
        out.write(json.dumps({"format": FORMAT, "schema": version}) + "\n")
        for table in _tables():
            n = 0
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings():
                out.write(json.dumps({"table": table.name, "row": {k: _encode(v) for k, v in row.items()}},
                                     ensure_ascii=False) + "\n")
                n += 1
            counts[table.name] = n
    return counts


def _decode(table, row: dict) -> dict:
    out = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and isinstance(column.type, LargeBinary):
            value = base64.b64decode(value)
        elif value is not None and isinstance(column.type, DateTime):
            value = datetime.fromisoformat(value)
        out[column.name] = value
    return out


def restore(engine: Engine, path: Path) -> dict[str, int]:
    migrate(engine)
    tables = {t.name: t for t in _tables()}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = json.loads(handle.readline())
            if header.get("format") != FORMAT:
                raise BackupError(f"不是本系统的备份文件：{path.name}")
            rows: dict[str, list[dict]] = {name: [] for name in tables}
            for line in handle:
                item = json.loads(line)
                rows[item["table"]].append(_decode(tables[item["table"]], item["row"]))
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise BackupError(f"备份文件无法读取：{path.name}（{exc}）") from exc
    with engine.begin() as conn:
        for name, table in tables.items():
            if name in REFERENCE:
                continue
            if conn.scalar(select(func.count()).select_from(table)):
                raise BackupError(f"目标数据库不是空的（{name} 已有数据）：只能恢复到新建的数据库")
        for table in reversed(_tables()):
            if table.name in REFERENCE:
                conn.execute(table.delete())
        for table in _tables():
            if rows[table.name]:
                conn.execute(insert(table), rows[table.name])
        current.rebuild(conn)
        if conn.dialect.name == "postgresql":  # ids were inserted explicitly: move the sequences past them
            for table in _tables():
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (column.autoincrement == "auto" and
                                                        column.type.python_type is int and
                                                        len(table.primary_key.columns) == 1):
                        conn.execute(text(
                            f"select setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                            f"coalesce((select max({column.name}) from {table.name}), 0) + 1, false)"))
    return {name: len(items) for name, items in rows.items()}
