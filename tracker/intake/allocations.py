"""Allocations (分解下达): the province's targets split among prefectures, or a prefecture's among counties.

Read through the same loader and checks as county returns; a new allocation supersedes the old one for its region
and target, and the old one stays in history. The sum of prefecture allocations is shown against the provincial
target, never forced to match it: provinces often hand down more than they promise. A closed plan takes no new
allocation (``plan_closed``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from loaders.sandbox import read_workbook_limited
from loaders.workbooks import UnreadableFile
from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.intake.problems import Problem, a1, closed_problem, errors
from tracker.intake.reader import _TOTAL_WORDS, Lookups, _find_table, _identify, _is_footer, _read_value, _row_label
from tracker.model.plan import Plan
from tracker.model.regions import RegionTree
from tracker.store.closures import PlanClosed, closure_of, ensure_open
from tracker.store.models import Allocation


@dataclass
class AllocationOutcome:
    file_name: str
    sha256: str
    status: str  # imported | refused
    problems: list[Problem] = field(default_factory=list)
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # target, region, region_name, value


def read_allocations(data: bytes, file_name: str, plan: Plan, tree: RegionTree) -> tuple[pd.DataFrame, list[Problem]]:
    try:
        book = read_workbook_limited(data, file_name)  # in a limited child process, as returns are
    except UnreadableFile as exc:
        return pd.DataFrame(), [Problem(exc.code, params=exc.params)]
    lookups = Lookups.build(plan, tree, row_levels=("prefecture", "county"))
    problems: list[Problem] = []
    rows: list[dict] = []
    seen: dict[tuple[str, str], str] = {}
    tables = [t for s in book.data_sheets() if (t := _find_table(s, lookups)) is not None]
    if not tables:
        return pd.DataFrame(), [Problem("no_target_column" if book.data_sheets() else "no_table",
                                        params={"sheets": "、".join(s.name for s in book.data_sheets()) or "—"})]
    for table in tables:
        problems.extend(table.problems)
        sheet = table.sheet
        if table.code_column is None and table.name_column is None:
            continue
        for r in range(table.last_header_row + 1, len(sheet.rows)):
            row = sheet.rows[r]
            if _is_footer(row):
                break
            label = _row_label(row, table)
            if not label or any(w in label for w in _TOTAL_WORDS):
                continue
            region, written, code = _identify(row, table, None, lookups)
            if region is None:
                problems.append(Problem("unknown_county", sheet.name, a1(r, table.name_column or 0), written, None,
                                        {"county": written, "prefecture": tree.province.name}))
                continue
            for target_id, column in table.columns.items():
                value = _read_value(sheet, r, column, column.scale or table.scale, region.name, problems)
                if value is None:
                    continue
                key = (target_id, region.code)
                if key in seen:
                    problems.append(Problem("duplicate_county", sheet.name, a1(r, column.index), region.name,
                                            target_id, {"county": region.name, "first": seen[key]}))
                    continue
                seen[key] = a1(r, column.index)
                rows.append({"target": target_id, "region": region.code, "region_name": region.name,
                             "level": region.level, "value": value})
    return pd.DataFrame(rows, columns=["target", "region", "region_name", "level", "value"]), problems


def import_allocations(engine: Engine, data: bytes, file_name: str, plan: Plan, tree: RegionTree, *,
                       uploader: str, dry_run: bool = False, actor: Actor | None = None) -> AllocationOutcome:
    actor = actor or Actor(uploader, "admin")
    actor.require("allocate")
    digest = hashlib.sha256(data).hexdigest()
    if (closure := closure_of(engine, plan.id)) is not None:
        return AllocationOutcome(file_name, digest, "refused", [closed_problem(closure)])
    rows, problems = read_allocations(data, file_name, plan, tree)
    outcome = AllocationOutcome(file_name, digest, "refused", problems, rows)
    if errors(problems) or rows.empty:
        if rows.empty and not errors(problems):
            outcome.problems.append(Problem("no_table", params={"sheets": file_name}))
        return outcome
    outcome.status = "imported"
    if dry_run:
        return outcome
    try:
        with Session(engine) as session, session.begin():
            session.execute(insert(Allocation), [
                {"plan_id": plan.id, "target_id": r.target, "region_code": r.region, "value": float(r.value),
                 "uploader": uploader, "source": f"{file_name} sha256:{digest[:16]}", "is_demo": False}
                for r in rows.itertuples(index=False)
            ])
            ensure_open(session, plan.id)  # after the first write: see tracker/store/closures.py
            record(session, actor, "allocate", f"allocations:{plan.id}", {"file": file_name, "rows": len(rows)},
                   sha256=digest)
    except PlanClosed as exc:  # closed while the file was being read: nothing of it was written
        outcome.status, outcome.problems = "refused", problems + [closed_problem(exc.closure)]
    return outcome


def allocation_summary(plan: Plan, allocations: pd.DataFrame, tree: RegionTree) -> pd.DataFrame:
    """Per target: the sum of prefecture allocations against the provincial target (shown, not enforced)."""
    prefectures = {r.code for r in tree.level("prefecture")}
    out = []
    for target in plan.targets:
        mine = allocations[(allocations["target"] == target.id) & allocations["region"].isin(prefectures)]
        total = float(mine["value"].sum()) if not mine.empty else None
        out.append({"target": target.id, "target_name": target.name.zh, "unit": target.unit,
                    "provincial": target.value, "allocated_sum": total, "prefectures": len(mine),
                    "ratio": (total / target.value) if total is not None else None})
    return pd.DataFrame(out)
