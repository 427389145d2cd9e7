"""Importing a return: read, validate, compare with history, and write it as one transaction — or nothing.

A file with any error writes nothing. A file with warnings writes nothing unless the uploader confirms them. A
re-upload for the same prefecture and month supersedes the earlier figures cell by cell (they stay in history);
the very same file uploaded again is recognised and changes nothing.

A prefecture user's return arrives waiting for review (``submitted``, tracker/review/approval.py) unless the office
accepts automatically; a month that a province user accepted is locked, and a file for it is refused — except for
the cells a reviewer returned (tracker/review/corrections.py), which a file may correct while every other figure
stays as accepted. A closed plan (tracker/store/closures.py) refuses every file (``plan_closed``).
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from loaders.sandbox import read_workbook_limited
from loaders.workbooks import UnreadableFile
from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.intake.problems import Problem, closed_problem, errors, warnings
from tracker.intake.reader import Intake, Lookups, check_history, read_return
from tracker.model.periods import add_months
from tracker.model.plan import Plan
from tracker.model.regions import RegionTree
from tracker.model.status import HistoryChecks
from tracker.review.approval import initial_status, locked_in, serialise_writers
from tracker.review.corrections import unresolved_cells
from tracker.store import NewValue, current_values, latest_submission, record_submission
from tracker.store.closures import PlanClosed, closure_of

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one file: the receipt shown on the page and printed by ``tracker import``."""

    file_name: str
    sha256: str
    status: str  # imported | refused | unchanged
    problems: list[Problem] = field(default_factory=list)
    submissions: list[int] = field(default_factory=list)
    values: int = 0
    dry_run: bool = False
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    returns: list[tuple[str, str]] = field(default_factory=list)  # (prefecture, period) per sheet read
    review_status: str | None = None  # what the submissions got (would get, dry run): submitted | accepted

    @property
    def needs_confirmation(self) -> bool:
        return self.status == "refused" and not errors(self.problems) and bool(warnings(self.problems))

    def as_dict(self, lang: str = "zh") -> dict:
        return {"file": self.file_name, "status": self.status,
                "submission": self.submissions[0] if self.submissions else None,
                "submissions": self.submissions, "values": self.values, "sha256": self.sha256,
                "dry_run": self.dry_run, "review_status": self.review_status,
                "problems": [p.as_dict(lang) for p in self.problems]}


def _history(engine: Engine, plan: Plan, tree: RegionTree, intake: Intake) -> pd.DataFrame:
    """Current real figures of the counties concerned, from January of the year before the earliest return, in
    one query: demo data is never the history a real return is judged against."""
    if not intake.returns:
        return pd.DataFrame(columns=["target", "region", "period", "value"])
    prefectures = sorted({ret.prefecture for ret in intake.returns})
    start = f"{min(int(ret.period[:4]) for ret in intake.returns) - 1:04d}-01"
    end = max(ret.period for ret in intake.returns)
    return current_values(engine, plan.id, None, start, end, include_demo=False, prefectures=prefectures)


def preview_frame(intake: Intake, history: pd.DataFrame, tree: RegionTree, plan: Plan) -> pd.DataFrame:
    """Each new figure beside the county's current figure for the same month and its previous months, so a
    reviewer sees what changes and the jump a warning points at."""
    current = {(t, r, p): v for t, r, p, v in history[["target", "region", "period", "value"]].itertuples(index=False)}
    rows = []
    for figure in intake.figures:
        before = current.get((figure.target, figure.county, figure.period))
        rows.append({
            "county": figure.county, "county_name": tree[figure.county].name, "target": figure.target,
            "target_name": plan.target(figure.target).name.zh, "period": figure.period, "value": figure.value,
            "previous_1": current.get((figure.target, figure.county, add_months(figure.period, -1))),
            "previous_2": current.get((figure.target, figure.county, add_months(figure.period, -2))),
            "current": before,
            "change": "new" if before is None else ("same" if before == figure.value else "changed"),
            "sheet": figure.sheet, "cell": figure.cell,
        })
    return pd.DataFrame(rows, columns=["county", "county_name", "target", "target_name", "period", "value",
                                       "previous_1", "previous_2", "current", "change", "sheet", "cell"])


class _MonthLocked(Exception):
    """A month was locked while this import was being checked: roll its writes back."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _locked_problems(conn, plan: Plan, tree: RegionTree, intake: Intake, history: pd.DataFrame) -> list[Problem]:
    """A locked month refuses the file, unless a reviewer returned some of its cells (退回单元格): then the file
    may correct those, and every other figure must be the accepted one (the lock covers the accepted cells)."""
    accepted = {(t, r, p): v for t, r, p, v in history[["target", "region", "period", "value"]].itertuples(index=False)}
    problems = []
    for ret in intake.returns:
        if not locked_in(conn, plan.id, ret.prefecture, ret.period):
            continue
        returned = unresolved_cells(conn, plan.id, ret.prefecture, ret.period)
        if not returned:
            problems.append(Problem("month_locked", ret.sheet, None, None, None,
                                    {"prefecture": tree[ret.prefecture].name, "period": ret.period}))
            continue
        for f in ret.figures:
            before = accepted.get((f.target, f.county, f.period))
            if (f.target, f.county) in returned or (f.target, None) in returned or before == f.value:
                continue
            problems.append(Problem("cell_locked", f.sheet, f.cell, f.county, f.target, {
                "county": tree[f.county].name, "target_name": plan.target(f.target).name.zh,
                "target_name_en": plan.target(f.target).name.en, "period": ret.period,
                "value": "—" if before is None else f"{before:g}", "given": f"{f.value:g}"}))
    return problems


def _hold_for_crash_test() -> None:
    """Tests kill an import here, inside its open transaction, to prove a crash leaves nothing half-written."""
    hold = os.environ.get("TRACKER_TEST_HOLD_TRANSACTION")
    if hold:
        print("holding transaction", file=sys.stderr, flush=True)
        time.sleep(float(hold))


def import_file(
    engine: Engine,
    data: bytes,
    file_name: str,
    plan: Plan,
    tree: RegionTree,
    scopes: dict[str, list[str]],
    checks: HistoryChecks,
    *,
    uploader: str,
    period: str | None = None,
    prefecture: str | None = None,
    accept_warnings: bool = False,
    dry_run: bool = False,
    today: date | None = None,
    lookups: Lookups | None = None,
    preview: bool = True,
    actor: Actor | None = None,
    auto_accept: bool | None = None,
) -> Outcome:
    """Import one file. ``preview=False`` skips the side-by-side table only the upload page shows.

    ``actor`` is who imports: a viewer is refused outright, a prefecture user's file is refused when it holds
    another prefecture's counties. Without an actor the caller is trusted (the command line on the server).
    A prefecture user's submissions are ``submitted`` (they count once accepted), anyone else's ``accepted``;
    ``auto_accept`` (default: ``approval.auto_accept`` of targets/progress.yaml) accepts a prefecture's at once.
    A month locked by an acceptance refuses the file (``month_locked``), whoever sends it; a closed plan refuses
    every file (``plan_closed``), checked before reading it and again inside the import's transaction.
    """
    actor = actor or Actor(uploader, "admin")
    actor.require("import")
    digest = hashlib.sha256(data).hexdigest()
    if (closure := closure_of(engine, plan.id)) is not None:
        return Outcome(file_name, digest, "refused", [closed_problem(closure)], dry_run=dry_run)
    if auto_accept is None:
        from tracker.model.status import load_config

        auto_accept = load_config().approval.auto_accept
    try:
        # read in a child process with hard limits (loaders/sandbox.py): whatever the file does, the server answers
        book = read_workbook_limited(data, file_name)
    except UnreadableFile as exc:
        return Outcome(file_name, digest, "refused", [Problem(exc.code, params=exc.params)])
    try:
        intake = read_return(book, plan, tree, scopes, period, prefecture, today, lookups)
    except Exception as exc:  # a layout the reader never met: a refusal the person can act on, never a traceback
        log.exception("reading %s failed", file_name)
        return Outcome(file_name, digest, "refused",
                       [Problem("unreadable_file", params={"detail": f"表格结构无法识别（{type(exc).__name__}）"})])
    history = _history(engine, plan, tree, intake)
    problems = list(intake.problems)
    if actor.role == "prefecture":
        for ret in intake.returns:
            if ret.prefecture != actor.prefecture:
                problems.append(Problem("not_your_prefecture", ret.sheet, None, None, None,
                                        {"prefecture": tree[ret.prefecture].name, "user": actor.label}))
    if intake.ok:
        problems += check_history(intake, plan, history, checks)
    outcome = Outcome(file_name, digest, "refused", problems, values=len(intake.figures), dry_run=dry_run,
                      preview=preview_frame(intake, history, tree, plan) if preview else pd.DataFrame(),
                      returns=[(r.prefecture, r.period) for r in intake.returns])
    if errors(problems):
        return outcome
    if intake.returns and all(  # a returned file sent again is a new submission, to be reviewed again
        (latest := latest_submission(engine, plan.id, r.prefecture, r.period)) is not None
        and latest.sha256 == digest and latest.status not in ("returned", "withdrawn") for r in intake.returns
    ):
        outcome.status = "unchanged"  # imported before (its warnings confirmed then): nothing to do
        return outcome
    with engine.connect() as conn:
        locked = _locked_problems(conn, plan, tree, intake, history)
    if locked:
        outcome.problems = problems + locked
        return outcome
    if warnings(problems) and not accept_warnings:
        return outcome
    outcome.status = "imported"
    outcome.review_status = initial_status(actor, auto_accept)
    if dry_run:
        return outcome
    try:
        with Session(engine) as session, session.begin():
            for code in sorted({ret.prefecture for ret in intake.returns}):
                serialise_writers(session, code)
            for ret in intake.returns:
                outcome.submissions.append(record_submission(
                    session, plan_id=plan.id, period=ret.period, prefecture_code=ret.prefecture, uploader=uploader,
                    values=[NewValue(f.target, f.county, f.period, f.value) for f in ret.figures],
                    file_name=file_name, sha256=digest, status=outcome.review_status,
                    note=f"工作表 {ret.sheet}" if len(intake.returns) > 1 else None,
                    warnings=[p.as_dict() for p in warnings(problems)
                              if p.sheet == ret.sheet or p.sheet is None] or None))
            # again, now that this transaction writes: a month accepted since the check above refuses the file
            if locked := _locked_problems(session, plan, tree, intake, history):
                raise _MonthLocked(locked)
            _hold_for_crash_test()
            record(session, actor, "import", "submission:" + ",".join(map(str, outcome.submissions)),
                   {"file": file_name, "plan": plan.id, "returns": outcome.returns, "values": outcome.values,
                    "status": outcome.review_status, "warnings_confirmed": len(warnings(problems))}, sha256=digest)
    except _MonthLocked as exc:
        outcome.status, outcome.review_status, outcome.submissions = "refused", None, []
        outcome.problems = problems + exc.problems
    except PlanClosed as exc:  # closed while this file was being checked: nothing of it was written
        outcome.status, outcome.review_status, outcome.submissions = "refused", None, []
        outcome.problems = problems + [closed_problem(exc.closure)]
    return outcome


def failed(file_name: str, data: bytes, exc: Exception) -> Outcome:
    """The refusal of a file whose import failed for a reason nobody foresaw: logged with its traceback, said to
    the person in one located line, and nothing written (the import's transaction never committed)."""
    log.error("import of %s failed", file_name, exc_info=exc)
    return Outcome(file_name, hashlib.sha256(data).hexdigest(), "refused",
                   [Problem("unreadable_file", params={"detail": f"导入失败（{type(exc).__name__}），未写入任何数据"})])


def import_for_plan(engine: Engine, data: bytes, file_name: str, plan_id: str, **options) -> Outcome:
    """``import_file`` with the plan, divisions, scopes and checks looked up: what the page and scripts call."""
    from loaders.plans import get_plan
    from loaders.regions import load_divisions, resolve_scopes
    from tracker.model.status import load_config

    plan = get_plan(plan_id)
    config = load_config()
    options.setdefault("auto_accept", config.approval.auto_accept)
    return import_file(engine, data, file_name, plan, load_divisions(), resolve_scopes(plan), config.checks,
                       **options)
