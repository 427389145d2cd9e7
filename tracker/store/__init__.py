"""What is kept, and the reads and writes the rest of the core calls (``from tracker import store``): the edge
between stored rows and the pure progress engine. Its parts: ``db`` (engine, migrations run by Alembic),
``models`` (the tables), ``migrations/``, ``current`` (the derived table of figures that count), ``demo`` (demo
data), ``backup`` (portable backup and restore). A new table or query goes here.

Rows are only added. The current figure for a (target, county, month) is the one from the newest counted
(accepted) submission, unless a reviewer returned that cell for correction (``cell_returns``); older ones stay and
remain queryable (``value_history``). Submissions waiting for review or returned never count
(tracker/review/approval.py, tracker/review/corrections.py). Demo data is shown only while a plan has no accepted real
submission, so a database seeded with demo data never mixes it into real returns. The current figures are kept as
a table in step with every write (tracker/store/current.py), which is what progress reads.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, exists, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from tracker.model.figures import FIGURE_COLUMNS, HistoryNeed, effective_month, no_figures, segments
from tracker.model.periods import year_of
from tracker.model.plan import Plan, Target
from tracker.model.regions import RegionTree
from tracker.store import current
from tracker.store.closures import ensure_open
from tracker.store.current import COUNTED_STATUSES
from tracker.store.db import migrate
from tracker.store.models import (
    Allocation,
    AuditEntry,
    CellReturn,
    MilestoneRow,
    MilestoneUpdate,
    PlanRow,
    RegionRow,
    ReportedValue,
    Review,
    Submission,
    TargetRevisionRow,
    TargetRow,
)


def _plan_hash(plan: Plan) -> str:
    return hashlib.sha256(json.dumps(plan.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


class RevisionRewritten(ValueError):
    """A plan file rewrites or drops a target revision already recorded: refused, in Chinese, naming the file's
    entry, since revisions are append-only (the reviewed history of a target may not change behind its back)."""


def _revision_content(revision) -> str:
    return json.dumps(revision.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def _sync_revisions(session: Session, plan: Plan) -> None:
    """Record the plan's new revisions (each audited), and refuse the file if it rewrites or drops a recorded one."""
    recorded = {row.id: row for row in session.scalars(select(TargetRevisionRow).where(
        TargetRevisionRow.plan_id == plan.id))}
    stated = {r.id: r for r in plan.revisions}
    problems = [f"{plan.id}: revisions(id={rid}): 已登记的目标调整不能从方案文件中删除"
                for rid in recorded if rid not in stated]
    for i, revision in enumerate(plan.revisions):
        content = _revision_content(revision)
        digest = hashlib.sha256(content.encode()).hexdigest()
        row = recorded.get(revision.id)
        if row is None:
            session.add(TargetRevisionRow(plan_id=plan.id, id=revision.id, target_id=revision.target,
                                          effective=revision.effective, content=content, sha256=digest))
            # the audit trail's row, written here because the store comes before access (tracker/__init__.py)
            session.add(AuditEntry(actor="plan-file", action="revision", object=f"revision:{plan.id}/{revision.id}",
                                   detail=content, sha256=digest))
        elif row.sha256 != digest:
            problems.append(f"{plan.id}: revisions[{i}](id={revision.id}): 已登记的目标调整不能修改"
                            f"（{row.recorded_at:%Y-%m-%d} 登记）；如需再调整，请新增一条调整记录")
    if problems:
        raise RevisionRewritten("；".join(problems))


def sync_reference(engine: Engine, plans: Mapping[str, Plan], tree: RegionTree) -> None:
    """Make regions, plans, targets and milestones in the database match the files (idempotent), and record the
    plans' target revisions (append-only: ``RevisionRewritten`` if a file rewrites one, and nothing is written).

    Rows that the files no longer hold are kept: reported values may still point at them.
    """
    with Session(engine) as session, session.begin():
        existing = {r.code for r in session.scalars(select(RegionRow))}
        for region in tree.regions:  # parents come before children in the tree
            row = RegionRow(code=region.code, name=region.name, short_name=region.short_name, level=region.level,
                            parent_code=region.parent_code)
            if region.code in existing:
                session.merge(row)
            else:
                session.add(row)
                session.flush()
        for plan in plans.values():
            session.merge(PlanRow(id=plan.id, title=plan.title.zh, sha256=_plan_hash(plan)))
            session.flush()
            for target in plan.targets:
                session.merge(TargetRow(plan_id=plan.id, id=target.id, name=target.name.zh, unit=target.unit,
                                        kind=target.kind, value=target.value))
            for milestone in plan.milestones:
                session.merge(MilestoneRow(plan_id=plan.id, id=milestone.id, name=milestone.name.zh,
                                           task=milestone.task))
            _sync_revisions(session, plan)


def init_database(engine: Engine) -> None:
    """Create or migrate the schema and load plans and regions from the project files."""
    from loaders.plans import load_plans
    from loaders.regions import load_divisions

    migrate(engine)
    sync_reference(engine, load_plans(), load_divisions())


@dataclass(frozen=True)
class NewValue:
    target: str
    region: str
    period: str
    value: float


def record_submission(
    session: Session,
    *,
    plan_id: str,
    period: str,
    prefecture_code: str | None,
    uploader: str,
    values: Iterable[NewValue],
    file_name: str | None = None,
    sha256: str | None = None,
    status: str = "accepted",
    is_demo: bool = False,
    note: str | None = None,
    warnings: list[dict] | None = None,
    created_at: datetime | None = None,
) -> int:
    """Add one submission and its values inside the caller's transaction; return the submission id.

    ``warnings``: the warnings the uploader confirmed, kept for the data-quality review. ``created_at``: only for
    generated data (the demo), whose returns arrive on invented dates; real submissions take the database's now.
    A return is one month's: a value of another month is refused (the current figures rely on it). A closed plan
    takes none (``closures.PlanClosed``, raised inside the caller's transaction, which then writes nothing).
    """
    values = list(values)
    if other := {v.period for v in values} - {period}:
        raise ValueError(f"submission for {period} carries values of {sorted(other)}")
    submission = Submission(plan_id=plan_id, period=period, prefecture_code=prefecture_code, uploader=uploader,
                            file_name=file_name, sha256=sha256, status=status, is_demo=is_demo,
                            n_values=len(values), note=note,
                            warnings=json.dumps(warnings, ensure_ascii=False) if warnings else None)
    if created_at is not None:
        submission.created_at = created_at
    session.add(submission)
    session.flush()
    ensure_open(session, plan_id)  # after the first write: see tracker/store/closures.py
    if values:
        session.execute(insert(ReportedValue.__table__), [  # Core executemany: no ORM bookkeeping per row
            {"submission_id": submission.id, "plan_id": plan_id, "target_id": v.target, "region_code": v.region,
             "period": v.period, "value": float(v.value)}
            for v in values
        ])
        if status in COUNTED_STATUSES:
            current.add_accepted(session, submission.id, plan_id, period, is_demo,
                                 ((v.target, v.region, v.value) for v in values))
    return submission.id


def has_real_data(engine: Engine, plan_id: str) -> bool:
    """Whether the plan has real figures that count: a first return still waiting for review leaves the demo
    data on show rather than an empty dashboard."""
    with engine.connect() as conn:
        return bool(conn.scalar(select(exists().where(
            Submission.plan_id == plan_id, Submission.is_demo.is_(False),
            Submission.status.in_(COUNTED_STATUSES)))))


def shows_demo(engine: Engine, plan_id: str) -> bool:
    """Whether what is shown for this plan is demo data (there is demo data and no real submission)."""
    with engine.connect() as conn:
        demo = conn.scalar(select(exists().where(Submission.plan_id == plan_id, Submission.is_demo.is_(True))))
    return bool(demo) and not has_real_data(engine, plan_id)


def _counted_submissions(engine: Engine, plan_id: str, include_demo: bool | None = None):
    """Submissions whose values count; demo ones only while the plan has no real data (or as asked)."""
    if include_demo is None:
        include_demo = not has_real_data(engine, plan_id)
    condition = and_(Submission.plan_id == plan_id, Submission.status.in_(COUNTED_STATUSES))
    if not include_demo:
        condition = and_(condition, Submission.is_demo.is_(False))
    return select(Submission.id).where(condition)


def _layer(engine: Engine, plan_id: str, include_demo: bool | None) -> bool | None:
    """The layer of current figures to read (``current.layer``'s ``demo``): demo figures only while the plan has
    no real ones, unless asked; ``include_demo=False`` gives real figures only, ``True`` both."""
    if include_demo is None:
        return not has_real_data(engine, plan_id)
    return None if include_demo else False


def _shown(engine: Engine, plan_id: str, include_demo: bool | None):
    """The current figures of the layer ``_layer`` chooses, as a subquery."""
    return current.layer(plan_id, demo=_layer(engine, plan_id, include_demo))


def current_values(engine: Engine, plan_id: str, regions: Iterable[str] | None = None,
                   period_from: str | None = None, period_to: str | None = None,
                   include_demo: bool | None = None, prefectures: Iterable[str] | None = None,
                   targets: Iterable[str] | None = None) -> pd.DataFrame:
    """The current county figures of a plan: for each (target, county, month) the newest counted submission's,
    optionally only for some counties and months. ``include_demo=False`` gives real figures only (the history a
    real return is checked against).

    Counted means accepted, so the figure is the newest *accepted* submission's, not the newest submission's: a
    re-upload waiting for review leaves the accepted figures in place until it is accepted, and a returned one
    never replaces anything. A newer accepted submission supersedes older ones cell by cell: a cell it does not
    carry keeps the older accepted figure."""
    cur = _shown(engine, plan_id, include_demo)
    filters = []
    if targets is not None:
        filters.append(cur.c.target.in_(list(targets)))
    if regions is not None:
        filters.append(cur.c.region.in_(list(regions)))
    if prefectures is not None:  # counties of these prefectures, without a long IN list to compile
        filters.append(cur.c.region.in_(
            select(RegionRow.code).where(RegionRow.parent_code.in_(list(prefectures)))))
    if period_from is not None:
        filters.append(cur.c.period >= period_from)
    if period_to is not None:
        filters.append(cur.c.period <= period_to)
    query = select(cur.c.target, cur.c.region, cur.c.period, cur.c.value).where(*filters)
    with engine.connect() as conn:
        return _read_frame(conn, query, ["target", "region", "period", "value"]).astype({"value": "float64"})


def history_values(engine: Engine, plan_id: str, needs: Mapping[str, HistoryNeed], as_of: str) -> pd.DataFrame:
    """The current county values the coverage of incomplete regions reads (``progress.engine.needs_history``):
    for each target, every month up to ``as_of`` of the counties its need names, and all its counties' figures of
    each month in which every county in its scope may have reported (``_complete_months``). The engine's answers are those it gives with every value of the target
    (tests/test_snapshot_cache.py compares them); reading every value was 5 million rows, 2.5 GB and 20 s at
    national scale."""
    parts = []
    complete = _complete_months(engine, plan_id, needs)
    for target_id, need in needs.items():
        for month in complete.get(target_id, []):
            parts.append(current_values(engine, plan_id, targets=[target_id], period_from=month, period_to=month,
                                        regions=need.scope if need.scoped else None))
        if need.counties:
            parts.append(current_values(engine, plan_id, targets=[target_id], regions=sorted(need.counties),
                                        period_to=as_of))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["target", "region", "period", "value"])
    return pd.concat(parts, ignore_index=True).drop_duplicates(["target", "region", "period"], ignore_index=True)


def _complete_months(engine: Engine, plan_id: str, needs: Mapping[str, HistoryNeed]) -> dict[str, list[str]]:
    """For each target, the months up to its last segment that may be complete (oldest first): every month in
    which every county of its scope has a figure is among them, so that reading them whole lets the engine find
    the last complete one exactly. For the targets that apply everywhere, one statement counts each month's
    figures (no list of thousands of counties): a month with as many figures as there are counties, or more
    (a county no longer in the divisions, say); one statement each for those with a scope of their own."""
    shown = _shown(engine, plan_id, None)
    found: dict[str, list[str]] = {}
    everywhere = {t: n for t, n in needs.items() if not n.scoped}
    with engine.connect() as conn:
        if everywhere:
            size = len(next(iter(everywhere.values())).scope)  # every county of the divisions, for each of them
            top = max(max(n.segments) for n in everywhere.values())
            query = (select(shown.c.target, shown.c.period)
                     .where(shown.c.target.in_(list(everywhere)), shown.c.period <= top)
                     .group_by(shown.c.target, shown.c.period).having(func.count() >= size)
                     .order_by(shown.c.target, shown.c.period))
            for target_id, period in conn.execute(query):
                if period <= max(everywhere[target_id].segments):
                    found.setdefault(target_id, []).append(period)
        for target_id, need in needs.items():
            if need.scoped:
                found[target_id] = list(conn.scalars(
                    select(shown.c.period).where(shown.c.target == target_id, shown.c.period <= max(need.segments),
                                                 shown.c.region.in_(need.scope))
                    .group_by(shown.c.period).having(func.count() == len(need.scope)).order_by(shown.c.period)))
    return found


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    """Rows (SQLAlchemy's or plain tuples) as a frame, column by column: pandas probing each SQLAlchemy Row for
    ``_fields`` costs 25 µs a row."""
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(dict(zip(columns, (list(c) for c in zip(*rows)))), columns=columns)


def _current(shown, target_id: str, first: str, last: str):
    """This target's current county figures for months ``first``..``last``."""
    return select(shown.c.region, shown.c.period, shown.c.value).where(
        shown.c.target == target_id,
        *([shown.c.period == last] if first == last else [shown.c.period >= first, shown.c.period <= last]),
    ).subquery()


def closed_years(target: Target, month: str) -> list[int]:
    """The calendar years wholly inside ``target``'s period that are over at ``month``: what a ``sum`` target
    reads from the year totals (``current.year_totals``) rather than month by month."""
    first = year_of(target.period.start) + (0 if target.period.start.endswith("-01") else 1)
    return list(range(first, year_of(month)))


def _figure_parts(shown, target: Target, month: str, totals=None) -> list[tuple[str, object]]:
    """One target's county figures at ``month`` in SQL, by the engine's rules (``progress.engine.county_segments``):
    for each segment month (``model.figures.segments``), a query of a row per county with a figure for it (region,
    actual, reported). ``totals``: the year totals of ``shown``'s layer, for the closed years of a ``sum`` target."""
    how = target.aggregation.months
    if how == "latest":
        cur = _current(shown, target.id, month, month)
        return [(month, select(cur.c.region, func.sum(cur.c.value).label("actual"),
                               literal(1).label("reported")).group_by(cur.c.region))]
    if how == "sum":
        closed = closed_years(target, month) if totals is not None else []
        # the months outside the closed years: a first year begun after January, and the judged month's year
        spans = [(target.period.start, month)] if not closed else [
            *([(target.period.start, f"{closed[0] - 1:04d}-12")] if target.period.start < f"{closed[0]:04d}-01"
              else []),
            (f"{closed[-1] + 1:04d}-01", month)]
        pieces = []
        for first, last in spans:
            cur = _current(shown, target.id, first, last)
            pieces.append(select(cur.c.region, cur.c.value, case((cur.c.period == month, 1), else_=0).label("at")))
        if closed:
            pieces.append(select(totals.c.region, totals.c.value, literal(0).label("at")).where(
                totals.c.target == target.id, totals.c.year >= f"{closed[0]:04d}",
                totals.c.year <= f"{closed[-1]:04d}"))
        cur = (union_all(*pieces) if len(pieces) > 1 else pieces[0]).subquery()
        return [(month, select(cur.c.region, func.sum(cur.c.value).label("actual"),
                               func.max(cur.c.at).label("reported")).group_by(cur.c.region))]
    # sum_of_years: each closed year's December figure and the current year's figure for the month, each a segment
    # of its own; a county without its December figure has no figure for that year (nothing carried forward). One
    # part a month: ``period in (…)`` made PostgreSQL walk every month of the target (58 ms a target, 3 ms a month)
    parts = []
    for segment in segments(target, month):
        cur = _current(shown, target.id, segment, segment)
        parts.append((segment, select(cur.c.region, func.sum(cur.c.value).label("actual"),
                                      literal(1).label("reported")).group_by(cur.c.region)))
    return parts


#: Rows taken from the driver at a time (``_row_chunks``).
_ROWS_A_CHUNK = 50_000


def _row_chunks(conn, statement) -> Iterator[list[tuple]]:
    """The rows of ``statement`` as the driver's plain tuples, ``_ROWS_A_CHUNK`` at a time. SQLAlchemy compiles, caches and
    binds it; the rows are then taken from the driver's cursor (``CursorResult.cursor``, from which SQLAlchemy
    has read nothing yet) as they are: making a Row object of each of the national table's 130,000 was 0.15 s of
    its 0.77 s (the columns read this way are plain numbers and text, which need no conversion). In chunks, so
    that the tuples of a large read are never all alive at once: one target's 170,000 values passed through
    41 MB of them on their way to an 8 MB frame."""
    result = conn.execute(statement)
    try:
        while rows := result.cursor.fetchmany(_ROWS_A_CHUNK):
            yield rows
    finally:
        result.close()


def _read_frame(conn, statement, columns: list[str]) -> pd.DataFrame:
    """``statement``'s rows as a frame of ``columns``, a chunk of rows at a time (``_row_chunks``)."""
    frames = [_frame(rows, columns) for rows in _row_chunks(conn, statement)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


#: Parts of ``county_figures`` sent in one statement (a plan of 30 targets has about 50).
_PARTS_A_STATEMENT = 200


def county_figures(engine: Engine, plan: Plan, as_of: str, include_demo: bool | None = None,
                   targets: Iterable[str] | None = None) -> pd.DataFrame:
    """Every county's figures at ``as_of`` for every target, summed in the database: the frame
    ``progress.engine.county_figures`` computes from every value (target, region, segment, actual, reported),
    without reading the values into memory. One part per target and segment, each reading only the months that
    count for it, sent as one statement: a round trip per target was a fifth of the Sichuan table's time on
    PostgreSQL. A row names its part by number, not by its target and month: two strings fewer in each of the
    national table's 130,000 rows to parse and convert. ``targets``: only these (by id), else every target."""
    only = None if targets is None else set(targets)
    demo = _layer(engine, plan.id, include_demo)
    shown = current.layer(plan.id, demo)
    totals = current.year_totals(plan.id, demo) if demo is not None else None  # none across both layers
    keys: list[tuple[str, str]] = []
    parts = []
    for target in plan.targets:
        month = effective_month(target, as_of)
        if month is None or (only is not None and target.id not in only):
            continue
        for segment, query in _figure_parts(shown, target, month, totals):
            part = query.subquery()
            parts.append(select(literal(len(keys)).label("part"), part.c.region, part.c.actual, part.c.reported))
            keys.append((target.id, segment))
    if not parts:
        return no_figures()
    targets_of = np.array([t for t, _ in keys], dtype=object)
    segments_of = np.array([m for _, m in keys], dtype=object)

    def frame(rows: list[tuple]) -> pd.DataFrame:
        part, region, actual, reported = zip(*rows)
        index = np.array(part, dtype="int64")
        return pd.DataFrame({
            "target": pd.Series(targets_of[index], dtype="str"), "region": pd.Series(region, dtype="str"),
            "segment": pd.Series(segments_of[index], dtype="str"),
            "actual": np.array(actual, dtype="float64"), "reported": np.array(reported, dtype="bool")},
            columns=FIGURE_COLUMNS)

    frames = []
    with engine.connect() as conn:  # SQLite takes at most 500 terms in one compound SELECT
        for start in range(0, len(parts), _PARTS_A_STATEMENT):
            chunk = parts[start:start + _PARTS_A_STATEMENT]
            frames += [frame(rows) for rows in _row_chunks(conn, union_all(*chunk) if len(chunk) > 1 else chunk[0])]
    if not frames:
        return no_figures()
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def value_history(engine: Engine, plan_id: str, target_id: str, region: str, period: str) -> pd.DataFrame:
    """Every figure ever submitted for one cell, newest first, with the submission that carried it."""
    query = (
        select(ReportedValue.value, Submission.id.label("submission"), Submission.uploader, Submission.created_at,
               Submission.file_name, Submission.status, Submission.is_demo)
        .join(Submission, Submission.id == ReportedValue.submission_id)
        .where(ReportedValue.plan_id == plan_id, ReportedValue.target_id == target_id,
               ReportedValue.region_code == region, ReportedValue.period == period)
        .order_by(Submission.id.desc())
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=[c.name for c in query.selected_columns])


def current_allocations(engine: Engine, plan_id: str) -> pd.DataFrame:
    """The newest allocation per (target, region); demo allocations only while the plan has no real data."""
    condition = Allocation.plan_id == plan_id
    if has_real_data(engine, plan_id):
        condition = and_(condition, Allocation.is_demo.is_(False))
    newest = (
        select(func.max(Allocation.id))
        .where(condition)
        .group_by(Allocation.target_id, Allocation.region_code)
    )
    query = select(Allocation.target_id.label("target"), Allocation.region_code.label("region"),
                   Allocation.value).where(Allocation.id.in_(newest))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["target", "region", "value"])


def milestone_statuses(engine: Engine, plan_id: str, as_of: str) -> pd.DataFrame:
    """The newest status of each milestone as of a month (updates describing later months are ignored)."""
    condition = and_(MilestoneUpdate.plan_id == plan_id, MilestoneUpdate.as_of <= as_of)
    if has_real_data(engine, plan_id):
        condition = and_(condition, MilestoneUpdate.is_demo.is_(False))
    newest = select(func.max(MilestoneUpdate.id)).where(condition).group_by(MilestoneUpdate.milestone_id)
    query = (
        select(MilestoneUpdate.milestone_id.label("milestone"), MilestoneUpdate.status, MilestoneUpdate.as_of,
               MilestoneUpdate.note, MilestoneUpdate.updated_by)
        .where(MilestoneUpdate.id.in_(newest))
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(),
                            columns=["milestone", "status", "as_of", "note", "updated_by"])


def reported_months(engine: Engine, plan_id: str) -> list[str]:
    """Months for which the plan has counted figures, oldest first.

    Read from the submissions, not their values: a return is one prefecture-month, its figures that month's. Over
    the values, PostgreSQL without statistics yet (just after a bulk load) scanned the plan's values once per
    submission: 4.5 s for the Sichuan demo, against milliseconds here."""
    counted = _counted_submissions(engine, plan_id)
    query = (select(Submission.period).where(Submission.id.in_(counted))
             .distinct().order_by(Submission.period))
    with engine.connect() as conn:
        return list(conn.scalars(query))


def report_arrivals(engine: Engine, plan_id: str, period_from: str | None = None,
                    period_to: str | None = None) -> pd.DataFrame:
    """When each county's figures for each month first arrived (counted submissions only)."""
    counted = _counted_submissions(engine, plan_id)
    query = (select(ReportedValue.region_code.label("region"), ReportedValue.period,
                    func.min(Submission.created_at).label("first_at"))
             .join(Submission, Submission.id == ReportedValue.submission_id)
             .where(ReportedValue.plan_id == plan_id, ReportedValue.submission_id.in_(counted))
             .group_by(ReportedValue.region_code, ReportedValue.period))
    if period_from is not None:
        query = query.where(ReportedValue.period >= period_from)
    if period_to is not None:
        query = query.where(ReportedValue.period <= period_to)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["region", "period", "first_at"])


def data_version(engine: Engine) -> str:
    """A cheap fingerprint that changes whenever anything shown could change; caches key on it. One statement (the
    pages ask for it several times a run; six round trips were a tenth of a warm render)."""
    counts = select(
        select(func.max(Submission.id)).scalar_subquery(),
        select(func.count(Submission.id)).scalar_subquery(),
        select(func.max(Allocation.id)).scalar_subquery(),
        select(func.max(MilestoneUpdate.id)).scalar_subquery(),
        select(func.max(Review.id)).scalar_subquery(),  # a review changes what counts without a new submission
        select(func.max(CellReturn.id)).scalar_subquery(),  # so does a figure returned from an accepted one
    )
    with engine.connect() as conn:
        parts = [*conn.execute(counts).one(),
                 *(f"{plan_id}:{sha}" for plan_id, sha in conn.execute(select(PlanRow.id, PlanRow.sha256)
                                                                       .order_by(PlanRow.id)))]
    return "|".join(str(p) for p in parts)


def latest_submission(engine: Engine, plan_id: str, prefecture: str, period: str) -> Submission | None:
    """The newest submission of a prefecture for a month (whatever its status), to recognise a re-upload."""
    query = (select(Submission).where(Submission.plan_id == plan_id, Submission.prefecture_code == prefecture,
                                      Submission.period == period, Submission.is_demo.is_(False))
             .order_by(Submission.id.desc()).limit(1))
    with Session(engine) as session:
        row = session.scalars(query).first()
        if row is not None:
            session.expunge(row)
        return row


def submissions_of(engine: Engine, plan_id: str, prefecture: str | None = None) -> pd.DataFrame:
    """Submission history, newest first, for the upload page and the receipt."""
    query = select(Submission.id, Submission.period, Submission.prefecture_code, Submission.uploader,
                   Submission.created_at, Submission.file_name, Submission.sha256, Submission.status,
                   Submission.n_values, Submission.is_demo).where(Submission.plan_id == plan_id)
    if prefecture is not None:
        query = query.where(Submission.prefecture_code == prefecture)
    query = query.where(Submission.is_demo.is_(False)).order_by(Submission.id.desc())
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=[c.name for c in query.selected_columns])


def submission_count(engine: Engine, plan_id: str | None = None) -> int:
    query = select(func.count(Submission.id))
    if plan_id is not None:
        query = query.where(Submission.plan_id == plan_id)
    with engine.connect() as conn:
        return int(conn.scalar(query) or 0)
