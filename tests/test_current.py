"""The current-figures and year-totals tables (tracker/store/current.py) against an oracle computed in Python from
everything stored: after every write, review and returned cell of a random history, in a migrated old database, on
SQLite and PostgreSQL."""
from __future__ import annotations

import random

import pandas as pd
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from loaders.plans import load_plans
from loaders.regions import load_divisions
from tracker import store
from tracker.access.roles import Actor
from tracker.review import approval, corrections
from tracker.store import NewValue, current, record_submission
from tracker.store.db import alembic_config

PLAN = "sichuan-2023-citizenization"
REVIEWER = Actor("shenhe", "province")
KEY = ["plan_id", "target_id", "period", "region_code", "is_demo"]


TOTAL_KEY = ["plan_id", "target_id", "is_demo", "year", "region_code"]


def table(engine) -> pd.DataFrame:
    return _tidy(_read(engine, "current_figures"))


def totals(engine) -> pd.DataFrame:
    return _tidy_totals(_read(engine, "current_year_totals"))


def oracle(engine) -> pd.DataFrame:
    """For each cell and layer, the figure of the accepted submission with the highest id that was not returned
    from it (a county's figure, or the target's column): the rule, in pandas."""
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(
            "select rv.plan_id, rv.target_id, rv.period, rv.region_code, s.is_demo, rv.value, rv.submission_id "
            "from reported_values rv join submissions s on s.id = rv.submission_id where s.status = 'accepted'"), conn)
        returned = pd.read_sql(sa.text("select submission_id, target_id, region_code from cell_returns"), conn)
    cells = {(s, t, r) for s, t, r in returned.itertuples(index=False)}
    kept = [(s, t, r) not in cells and (s, t, None) not in cells
            for s, t, r in frame[["submission_id", "target_id", "region_code"]].itertuples(index=False)]
    frame = frame[kept].sort_values("submission_id").drop_duplicates(KEY, keep="last")
    return _tidy(frame)


def totals_oracle(engine) -> pd.DataFrame:
    """Each (target, county, layer, year)'s sum of the current figures (the oracle's, not the table's)."""
    figures = oracle(engine)
    figures = figures.assign(year=figures["period"].str[:4])
    return _tidy_totals(figures.groupby(TOTAL_KEY, as_index=False)["value"].sum())


def _read(engine, name: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(f"select * from {name}"), conn)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"is_demo": bool, "value": float, "submission_id": int})
    return frame[KEY + ["value", "submission_id"]].sort_values(KEY).reset_index(drop=True)


def _tidy_totals(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"is_demo": bool, "value": float, "year": str})
    return frame[TOTAL_KEY + ["value"]].sort_values(TOTAL_KEY).reset_index(drop=True)


def _record(engine, prefecture: str, month: str, values: dict, status: str, demo: bool = False) -> int:
    with Session(engine) as session, session.begin():
        return record_submission(session, plan_id=PLAN, period=month, prefecture_code=prefecture, uploader="测试",
                                 values=[NewValue(t, r, month, v) for (t, r), v in values.items()],
                                 status=status, is_demo=demo)


def test_the_table_matches_the_rule_after_every_step_of_a_random_history(ready_engine):
    rng = random.Random(7)
    counties = {"510700": ["510703", "510704", "510781"], "510600": ["510603", "510604"]}
    targets = ["labor_brand_training", "key_area_skill_training", "rural_labor_transfer"]
    months = ["2023-05", "2023-06", "2024-02"]
    submitted: list[int] = []
    accepted: list[int] = []
    locked: list[tuple[str, str]] = []
    steps = {"accepted": 0, "submitted": 0, "accept": 0, "return": 0, "reopen": 0, "return_cells": 0,
             "refused": 0}
    for _ in range(100):
        action = rng.choice(["accepted", "submitted", "submitted", "demo", "accept", "return", "reopen",
                             "return_cells"])
        prefecture, month = rng.choice(sorted(counties)), rng.choice(months)
        if action in ("accepted", "submitted", "demo"):
            cells = [(t, c) for t in targets for c in counties[prefecture] if rng.random() < 0.7]
            values = {cell: rng.randint(0, 500) for cell in cells}
            sid = _record(ready_engine, prefecture, month, values, "accepted" if action == "demo" else action,
                          demo=action == "demo")
            (accepted if action == "accepted" else submitted if action == "submitted" else []).append(sid)
            steps[action if action != "demo" else "accepted"] += 1
        else:
            try:
                if action == "accept" and submitted:  # the month's newest, mostly (an older one is refused)
                    with ready_engine.connect() as conn:
                        newest = conn.scalar(sa.text(
                            "select max(id) from submissions where prefecture_code = :f and period = :m "
                            "and not is_demo"), {"f": prefecture, "m": month})
                    chosen = newest if newest and rng.random() < 0.8 else rng.choice(submitted)
                    approval.accept(ready_engine, REVIEWER, chosen)
                    locked.append((prefecture, month))
                elif action == "return" and (submitted or accepted):
                    approval.return_(ready_engine, REVIEWER, rng.choice(submitted + accepted), "数据有误")
                elif action == "reopen" and locked:
                    approval.reopen(ready_engine, REVIEWER, PLAN, *rng.choice(locked), "更正")
                elif action == "return_cells" and (submitted or accepted):  # a county's figure, or a column
                    target = rng.choice(targets)
                    county = rng.choice([None, *counties["510700"], *counties["510600"]])
                    corrections.return_cells(ready_engine, REVIEWER, rng.choice(submitted + accepted),
                                             [(target, county)], "数据有误")
                else:
                    continue
                steps[action] += 1
            except approval.ReviewError:
                steps["refused"] += 1
        pd.testing.assert_frame_equal(table(ready_engine), oracle(ready_engine))
        pd.testing.assert_frame_equal(totals(ready_engine), totals_oracle(ready_engine))
    # the history really went through every kind of step
    assert all(n > 0 for n in steps.values()), steps
    expected, expected_totals = oracle(ready_engine), totals_oracle(ready_engine)
    assert set(expected_totals["year"]) == {"2023", "2024"}
    with ready_engine.begin() as conn:
        current.rebuild(conn)
    pd.testing.assert_frame_equal(table(ready_engine), expected)
    pd.testing.assert_frame_equal(totals(ready_engine), expected_totals)


def test_a_submitted_value_counts_only_once_accepted_and_an_older_one_counts_again_when_it_is_returned(ready_engine):
    cell = ("labor_brand_training", "510704")
    first = _record(ready_engine, "510700", "2023-06", {cell: 100}, "accepted")
    second = _record(ready_engine, "510700", "2023-06", {cell: 120}, "submitted")
    shown = lambda: store.current_values(ready_engine, PLAN)["value"].tolist()  # noqa: E731
    assert shown() == [100.0]
    approval.accept(ready_engine, REVIEWER, second)
    assert shown() == [120.0]
    approval.reopen(ready_engine, REVIEWER, PLAN, "510700", "2023-06", "更正")
    assert shown() == [120.0]  # reopening keeps the accepted figures
    approval.return_(ready_engine, REVIEWER, second, "数据有误")
    assert shown() == [100.0]
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select submission_id from current_figures")) == first


def test_demo_figures_are_their_own_layer(ready_engine):
    cell = ("labor_brand_training", "510704")
    _record(ready_engine, "510700", "2023-06", {cell: 7}, "accepted", demo=True)
    assert store.current_values(ready_engine, PLAN)["value"].tolist() == [7.0]
    assert store.current_values(ready_engine, PLAN, include_demo=False).empty
    _record(ready_engine, "510700", "2023-06", {cell: 9}, "accepted")
    _record(ready_engine, "510700", "2023-06", {cell: 8}, "accepted", demo=True)  # demo written after: still apart
    assert store.current_values(ready_engine, PLAN)["value"].tolist() == [9.0]
    assert store.current_values(ready_engine, PLAN, include_demo=True)["value"].tolist() == [8.0]
    assert len(table(ready_engine)) == 2


def _old_reference_rows(engine) -> None:
    """The regions, plan and target rows a database at 0005 held, written with that schema's columns: today's
    ``sync_reference`` also fills tables 0005 did not have (target revisions, 0008)."""
    plan = load_plans()[PLAN]
    target = next(t for t in plan.targets if t.id == "labor_brand_training")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "insert into regions (code, name, short_name, level, parent_code) values (:c, :n, :s, :l, :p)"),
            [{"c": r.code, "n": r.name, "s": r.short_name, "l": r.level, "p": r.parent_code}
             for r in load_divisions().regions])  # parents come first in the tree
        conn.execute(sa.text("insert into plans (id, title, sha256) values (:i, :t, 'x')"),
                     {"i": PLAN, "t": plan.title.zh})
        conn.execute(sa.text("insert into targets (plan_id, id, name, unit, kind, value) "
                             "values (:p, :i, :n, :u, :k, :v)"),
                     {"p": PLAN, "i": target.id, "n": target.name.zh, "u": target.unit, "k": target.kind,
                      "v": target.value})


def test_the_migration_fills_the_table_from_the_values_already_stored(engine):
    command.upgrade(alembic_config(engine), "0005")
    _old_reference_rows(engine)
    rows = [  # (id, status, demo, value of labor_brand_training at 510704 in 2023-06)
        (1, "accepted", False, 10.0), (2, "accepted", False, 20.0), (3, "submitted", False, 30.0),
        (4, "returned", False, 40.0), (5, "accepted", True, 50.0),
    ]
    with engine.begin() as conn:
        for sid, status, demo, value in rows:
            conn.execute(sa.text(
                "insert into submissions (id, plan_id, period, prefecture_code, uploader, status, is_demo, n_values) "
                "values (:i, :p, '2023-06', '510700', 'old', :s, :d, 1)"),
                {"i": sid, "p": PLAN, "s": status, "d": demo})
            conn.execute(sa.text(
                "insert into reported_values (submission_id, plan_id, target_id, region_code, period, value) "
                "values (:i, :p, 'labor_brand_training', '510704', '2023-06', :v)"), {"i": sid, "p": PLAN, "v": value})
        conn.execute(sa.text(
            "insert into reported_values (submission_id, plan_id, target_id, region_code, period, value) "
            "values (1, :p, 'labor_brand_training', '510781', '2023-06', 5)"), {"p": PLAN})
    command.upgrade(alembic_config(engine), "head")
    got = table(engine)
    pd.testing.assert_frame_equal(got, oracle(engine))
    assert sorted(zip(got["region_code"], got["is_demo"], got["value"])) == [
        ("510704", False, 20.0), ("510704", True, 50.0), ("510781", False, 5.0)]
    pd.testing.assert_frame_equal(totals(engine), totals_oracle(engine))  # migration 0014 summed the years too
    assert len(totals(engine)) == 3
    if engine.dialect.name == "postgresql":  # ids were written by hand: the next submission gets a free one
        with engine.begin() as conn:
            conn.execute(sa.text("select setval(pg_get_serial_sequence('submissions', 'id'), 5)"))
    _record(engine, "510700", "2023-06", {("labor_brand_training", "510781"): 6}, "accepted")
    pd.testing.assert_frame_equal(table(engine), oracle(engine))
    pd.testing.assert_frame_equal(totals(engine), totals_oracle(engine))
