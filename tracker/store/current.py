"""The current figures: for each (target, county, month) the figure that counts now, kept as a table.

What counts is the newest accepted submission's figure for a cell (store.py states the rule), leaving out the cells
a reviewer returned for correction (``cell_returns``: one county's figure, or a target's column, of a submission). Working it out at
every read meant ranking every stored figure of the months read: at national scale (5 million values) that ranking
was most of the progress table's 4.7 s on PostgreSQL and 28 s on SQLite. The answer changes only when a submission
is recorded accepted or a review changes a submission's status, so it is worked out then, in the same transaction,
for the cells that submission carries; progress reads the result with a plain range scan and ``GROUP BY``.

Real and demo figures are separate layers (``is_demo``): demo figures are shown only while a plan has no real
ones, and a real return is never checked against demo history.

Beside it, ``current_year_totals`` holds each calendar year's sum of a (target, county)'s current figures: a
multi-year target summed over months reads its closed years as one row a year (store.county_figures). Whatever
changes current figures changes the totals of their year in the same transaction (``_retotal``).

Both tables are derived, so they are not in backups: ``rebuild`` works them out again from the stored values (after
a restore, a bulk load, and in the migrations that created them).

A submission's figures are all of its own month (one prefecture-month return); ``store.record_submission``
refuses anything else, and the refresh of a submission's cells relies on it.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, exists, func, insert, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tracker.store.models import CellReturn, CurrentFigure, CurrentYearTotal, ReportedValue, Submission, TargetRow

#: Submission statuses whose values count in progress: ``submitted`` (待审核) and ``returned`` (已退回) do not.
COUNTED_STATUSES = ("accepted",)

_COLUMNS = ["plan_id", "target_id", "period", "region_code", "is_demo", "value", "submission_id"]


def _dialect(conn: Session | Connection) -> str:
    return (conn.get_bind() if isinstance(conn, Session) else conn).dialect.name


def _newest_counted(*conditions):
    """The newest counted figure of each cell (per layer) among the stored values meeting ``conditions``: of an
    accepted submission, and not a cell a reviewer returned from it."""
    rv, s, cr = ReportedValue, Submission, CellReturn
    returned = exists().where(cr.submission_id == rv.submission_id, cr.target_id == rv.target_id,
                              or_(cr.region_code.is_(None), cr.region_code == rv.region_code))
    ranked = (
        select(rv.plan_id, rv.target_id, rv.period, rv.region_code, s.is_demo, rv.value, rv.submission_id,
               func.row_number().over(partition_by=(rv.plan_id, rv.target_id, rv.period, rv.region_code, s.is_demo),
                                      order_by=rv.submission_id.desc()).label("rank"))
        .join(s, s.id == rv.submission_id)
        .where(s.status.in_(COUNTED_STATUSES), ~returned, *conditions)
        .subquery()
    )
    return select(*(ranked.c[name] for name in _COLUMNS)).where(ranked.c.rank == 1)


def add_accepted(session: Session, submission_id: int, plan_id: str, period: str, is_demo: bool,
                 values: Iterable[tuple[str, str, float]]) -> None:
    """A submission just recorded as accepted: its figures (target, county, value) become current. It is the
    newest submission, so no ranking is needed; the ``where`` keeps a figure of a newer one should two writers
    ever overlap."""
    rows = [{"plan_id": plan_id, "target_id": t, "period": period, "region_code": r, "is_demo": is_demo,
             "value": float(v), "submission_id": submission_id} for t, r, v in values]
    if not rows:
        return
    table = CurrentFigure.__table__
    statement = (pg_insert if _dialect(session) == "postgresql" else sqlite_insert)(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.plan_id, table.c.target_id, table.c.period, table.c.region_code, table.c.is_demo],
        set_={"value": statement.excluded.value, "submission_id": statement.excluded.submission_id},
        where=table.c.submission_id < statement.excluded.submission_id,
    )
    session.execute(statement, rows)
    _retotal(session, plan_id, period, is_demo, sorted({row["region_code"] for row in rows}))


def refresh(session: Session | Connection, submission_id: int) -> None:
    """Work the current figures out again for every cell a submission carries, after its status changed (accepted
    later, or returned) or some of its cells were returned: the cells' newest accepted figures may now be its own
    or an older submission's."""
    sub = session.execute(select(Submission.plan_id, Submission.period, Submission.is_demo)
                          .where(Submission.id == submission_id)).one()
    rv, cf = ReportedValue, CurrentFigure
    targets = select(TargetRow.id).where(TargetRow.plan_id == sub.plan_id)
    # its counties, found through the (plan, target, month) index; every target of theirs that month is redone
    regions = (select(rv.region_code).distinct()
               .where(rv.plan_id == sub.plan_id, rv.target_id.in_(targets), rv.period == sub.period,
                      rv.submission_id == submission_id))
    region_list = list(session.scalars(regions))
    if not region_list:
        return
    session.execute(delete(cf).where(cf.plan_id == sub.plan_id, cf.period == sub.period,
                                     cf.is_demo.is_(sub.is_demo), cf.region_code.in_(region_list)))
    session.execute(insert(cf).from_select(_COLUMNS, _newest_counted(
        rv.plan_id == sub.plan_id, rv.target_id.in_(targets), rv.period == sub.period,
        rv.region_code.in_(region_list), Submission.is_demo.is_(sub.is_demo))))
    _retotal(session, sub.plan_id, sub.period, sub.is_demo, region_list)


_TOTAL_COLUMNS = ["plan_id", "target_id", "is_demo", "year", "region_code", "value"]


def _year_sums(*conditions):
    """Each (target, county, layer, year)'s sum of the current figures meeting ``conditions``."""
    cf = CurrentFigure
    year = func.substr(cf.period, 1, 4)
    return (select(cf.plan_id, cf.target_id, cf.is_demo, year, cf.region_code, func.sum(cf.value))
            .where(*conditions).group_by(cf.plan_id, cf.target_id, cf.is_demo, year, cf.region_code))


def _retotal(session: Session | Connection, plan_id: str, period: str, is_demo: bool, regions: list[str]) -> None:
    """The year totals of ``period``'s year again for these counties (every target), after their figures of
    ``period`` changed."""
    cf, yt = CurrentFigure, CurrentYearTotal
    year = period[:4]
    targets = select(TargetRow.id).where(TargetRow.plan_id == plan_id)  # the keys' second column: index seeks
    session.execute(delete(yt).where(yt.plan_id == plan_id, yt.target_id.in_(targets), yt.is_demo.is_(is_demo),
                                     yt.year == year, yt.region_code.in_(regions)))
    session.execute(insert(yt).from_select(_TOTAL_COLUMNS, _year_sums(
        cf.plan_id == plan_id, cf.target_id.in_(targets), cf.is_demo.is_(is_demo), cf.period >= f"{year}-01",
        cf.period <= f"{year}-12", cf.region_code.in_(regions))))


def rebuild(conn: Session | Connection, plan_id: str | None = None) -> None:
    """Work out every current figure and year total again from the stored values (of one plan, or all).

    On PostgreSQL the two tables read are analysed first: just after a restore or a bulk load they have no
    statistics, and without them the planner chose a plan that had not finished 5 million values in 27 minutes
    (31 s with them)."""
    cf, rv = CurrentFigure, ReportedValue
    if _dialect(conn) == "postgresql":
        conn.execute(text("analyze reported_values"))
        conn.execute(text("analyze submissions"))
    conn.execute(delete(cf).where(*([cf.plan_id == plan_id] if plan_id else [])))
    conn.execute(insert(cf).from_select(_COLUMNS, _newest_counted(*([rv.plan_id == plan_id] if plan_id else []))))
    yt = CurrentYearTotal
    conn.execute(delete(yt).where(*([yt.plan_id == plan_id] if plan_id else [])))
    conn.execute(insert(yt).from_select(_TOTAL_COLUMNS, _year_sums(*([cf.plan_id == plan_id] if plan_id else []))))


def layer(plan_id: str, demo: bool | None):
    """A plan's current figures as a subquery (target, region, period, value): the real layer (``demo=False``),
    the demo layer (``True``), or both with the newer figure of a cell winning (``None``)."""
    cf = CurrentFigure
    columns = (cf.target_id.label("target"), cf.region_code.label("region"), cf.period, cf.value)
    if demo is not None:
        return select(*columns).where(cf.plan_id == plan_id, cf.is_demo.is_(demo)).subquery()
    ranked = select(*columns, func.row_number().over(
        partition_by=(cf.target_id, cf.region_code, cf.period), order_by=cf.submission_id.desc()).label("rank")) \
        .where(cf.plan_id == plan_id).subquery()
    return select(ranked.c.target, ranked.c.region, ranked.c.period, ranked.c.value) \
        .where(ranked.c.rank == 1).subquery()


def year_totals(plan_id: str, demo: bool):
    """A plan's year totals of one layer as a subquery (target, region, year, value)."""
    yt = CurrentYearTotal
    return select(yt.target_id.label("target"), yt.region_code.label("region"), yt.year, yt.value) \
        .where(yt.plan_id == plan_id, yt.is_demo.is_(demo)).subquery()
