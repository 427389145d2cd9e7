"""Storage on real SQLite and real PostgreSQL: migrations, reference data, append-only values, demo data."""
from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from loaders.plans import load_plans
from loaders.regions import load_divisions, resolve_scopes
from tracker import store
from tracker.store import NewValue, record_submission
from tracker.store.db import has_schema, migrate
from tracker.store.demo import generate_values, load_demo
from tracker.store.models import Base, ReportedValue, Submission

PLAN = "sichuan-2023-citizenization"


def test_migrations_on_an_empty_database_create_exactly_the_models_schema(engine):
    assert not has_schema(engine)
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert has_schema(engine)


def test_migrating_twice_changes_nothing(engine):
    migrate(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from alembic_version")) == 1


def test_init_loads_regions_and_plans_idempotently(ready_engine):
    store.init_database(ready_engine)  # a second run must not duplicate or fail
    with ready_engine.connect() as conn:
        levels = dict(conn.execute(sa.text("select level, count(*) from regions group by level")).all())
        targets = conn.scalar(sa.text("select count(*) from targets where plan_id = :p"), {"p": PLAN})
        parent = conn.scalar(sa.text("select parent_code from regions where code = '510704'"))
        milestones = conn.scalar(sa.text("select count(*) from milestones where plan_id = :p"), {"p": PLAN})
    assert levels == {"province": 1, "prefecture": 21, "county": 183}
    assert targets == 7
    assert parent == "510700"  # 涪城区 belongs to 绵阳市
    assert milestones == len(load_plans()[PLAN].milestones)


def _submit(engine, values, period="2023-06", prefecture="510700", demo=False) -> int:
    """One return per month the values are of (a return is one month's); the last one's id."""
    months = sorted({v.period for v in values}) or [period]
    with Session(engine) as session, session.begin():
        for month in months:
            last = record_submission(session, plan_id=PLAN, period=month, prefecture_code=prefecture,
                                     uploader="测试", values=[v for v in values if v.period == month],
                                     is_demo=demo, file_name="绵阳.xlsx")
    return last


def test_a_return_carries_only_its_own_month(ready_engine):
    with pytest.raises(ValueError, match="2023-07"), Session(ready_engine) as session, session.begin():
        record_submission(session, plan_id=PLAN, period="2023-06", prefecture_code="510700", uploader="测试",
                          values=[NewValue("labor_brand_training", "510704", "2023-07", 1)])
    assert store.submission_count(ready_engine, PLAN) == 0


def test_a_newer_submission_supersedes_a_value_and_history_stays(ready_engine):
    first = _submit(ready_engine, [NewValue("labor_brand_training", "510704", "2023-06", 100),
                                   NewValue("labor_brand_training", "510781", "2023-06", 50)])
    second = _submit(ready_engine, [NewValue("labor_brand_training", "510704", "2023-06", 120)])
    current = store.current_values(ready_engine, PLAN).set_index("region")["value"]
    # 510704 takes the newer figure; 510781, absent from the resubmission, keeps the earlier one
    assert current.to_dict() == {"510704": 120.0, "510781": 50.0}
    history = store.value_history(ready_engine, PLAN, "labor_brand_training", "510704", "2023-06")
    assert list(history["value"]) == [120.0, 100.0]
    assert list(history["submission"]) == [second, first]
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(ReportedValue)) == 3


def test_values_of_an_unknown_target_are_refused_by_the_database(ready_engine):
    with pytest.raises(sa.exc.IntegrityError):
        _submit(ready_engine, [NewValue("no_such_target", "510704", "2023-06", 1)])
    with ready_engine.connect() as conn:  # the refused transaction left nothing behind
        assert conn.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_demo_data_is_hidden_once_a_real_submission_exists(ready_engine):
    _submit(ready_engine, [NewValue("labor_brand_training", "510704", "2023-06", 999)], demo=True)
    assert store.shows_demo(ready_engine, PLAN)
    assert list(store.current_values(ready_engine, PLAN)["value"]) == [999.0]
    _submit(ready_engine, [NewValue("labor_brand_training", "510781", "2023-06", 7)])
    assert not store.shows_demo(ready_engine, PLAN)
    assert list(store.current_values(ready_engine, PLAN)["value"]) == [7.0]


def test_demo_generation_is_reproducible_and_year_to_date_never_falls():
    plan = load_plans()[PLAN]
    tree, scopes = load_divisions(), resolve_scopes(plan)
    first = generate_values(plan, tree, scopes)
    assert first == generate_values(plan, tree, scopes)
    frame = pd.DataFrame([v.__dict__ for group in first.values() for v in group])
    ytd_targets = [t.id for t in plan.targets if t.reporting == "ytd"]
    flows = frame[frame["target"].isin(ytd_targets)].sort_values("period")
    flows = flows.assign(year=flows["period"].str[:4])
    falls = flows.groupby(["target", "region", "year"])["value"].apply(lambda s: (s.diff().dropna() < 0).sum())
    assert falls.sum() == 0
    scoped = frame[frame["target"] == "key_area_skill_training"]["region"].unique()
    assert set(scoped) <= set(scopes["key_area_skill_training"])


def test_demo_load_marks_everything_as_demo(ready_engine):
    plan = load_plans()[PLAN]
    count = load_demo(ready_engine, plan, load_divisions(), resolve_scopes(plan))
    with ready_engine.connect() as conn:
        real = conn.scalar(sa.select(sa.func.count()).select_from(Submission).where(Submission.is_demo.is_(False)))
        stored = conn.scalar(sa.select(sa.func.count()).select_from(ReportedValue))
        months = conn.scalar(sa.select(sa.func.count(sa.distinct(Submission.period))))
    assert real == 0
    # six annual targets of 2023 for 183 counties (≤ 6 × 183 × 12 = 13,176) and the three-year target for the 21
    # key-assistance counties (≤ 21 × 36 = 756), less the months some counties missed: only figures that were due
    assert 13_176 < stored == count <= 13_176 + 756
    assert months == 36  # 2023-01 … 2025-12
    assert store.shows_demo(ready_engine, PLAN)
    assert not store.current_allocations(ready_engine, PLAN).empty


@pytest.mark.parametrize("as_of", ["2022-12", "2023-01", "2023-07", "2024-12", "2025-06", "2025-12", "2026-03"])
def test_county_actuals_summed_in_the_database_equal_the_engines(demo_url, as_of):
    from tracker.progress.engine import county_figures
    from tracker.store.db import get_engine

    engine = get_engine(demo_url)
    plan = load_plans()[PLAN]
    in_sql = store.county_figures(engine, plan, as_of)
    in_pandas = county_figures(plan, store.current_values(engine, PLAN), as_of)
    key = ["target", "region", "segment"]
    pd.testing.assert_frame_equal(in_sql.sort_values(key).reset_index(drop=True),
                                  in_pandas.sort_values(key).reset_index(drop=True), check_dtype=False)


def test_county_actuals_in_the_database_take_the_newest_figure_of_each_month(ready_engine):
    plan = load_plans()[PLAN]
    _submit(ready_engine, [NewValue("key_area_skill_training", "510704", "2023-11", 40),
                           NewValue("key_area_skill_training", "510704", "2023-12", 50),
                           NewValue("labor_brand_training", "510704", "2024-03", 9)])
    _submit(ready_engine, [NewValue("key_area_skill_training", "510704", "2023-12", 60),  # restated
                           NewValue("key_area_skill_training", "510704", "2024-02", 5),
                           NewValue("labor_brand_training", "510781", "2023-12", 8)])
    figures = store.county_figures(ready_engine, plan, "2024-03").set_index(["target", "region", "segment"])
    # 2023's December figure as restated (60); 2024 not reported for March: no figure for that segment
    assert figures.loc[("key_area_skill_training", "510704", "2023-12")].to_dict() == {"actual": 60.0,
                                                                                      "reported": True}
    assert ("key_area_skill_training", "510704", "2024-03") not in figures.index
    # the annual 2023 target is judged at its end month, where only 510781 reported
    assert figures.loc[("labor_brand_training", "510781", "2023-12")].to_dict() == {"actual": 8.0, "reported": True}
    assert ("labor_brand_training", "510704", "2023-12") not in figures.index


def test_a_closed_year_without_a_december_figure_counts_nothing_for_that_year(ready_engine):
    from tracker.progress.engine import county_figures

    plan = load_plans()[PLAN]
    _submit(ready_engine, [NewValue("key_area_skill_training", "510704", "2023-10", 30),
                           NewValue("key_area_skill_training", "510704", "2023-11", 40),  # no December
                           NewValue("key_area_skill_training", "510781", "2023-03", 7),  # one month of 2023 only
                           NewValue("key_area_skill_training", "510704", "2024-06", 11),  # 2024: June only
                           NewValue("key_area_skill_training", "510704", "2025-02", 3)])
    in_sql = store.county_figures(ready_engine, plan, "2025-02").set_index(["target", "region", "segment"])
    # 510704: no December in 2023 or 2024, so only February 2025 (3) counts; November's 40 is not carried forward
    assert in_sql.loc[("key_area_skill_training", "510704", "2025-02")].to_dict() == {"actual": 3.0,
                                                                                      "reported": True}
    assert not any(key[:2] == ("key_area_skill_training", "510781") for key in in_sql.index)  # 2023-03 only
    assert len([k for k in in_sql.index if k[0] == "key_area_skill_training"]) == 1
    in_pandas = county_figures(plan, store.current_values(ready_engine, PLAN), "2025-02").set_index(
        ["target", "region", "segment"])
    pd.testing.assert_frame_equal(in_sql.sort_index(), in_pandas.sort_index(), check_dtype=False)
