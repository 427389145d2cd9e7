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


def test_postgresql_connections_run_without_jit_and_keep_the_urls_own_options(database_url):
    """JIT compiled the progress table's statement for 130 ms and saved nothing (tracker/store/db.py); the URL's
    ``options`` (the tests' search_path) still apply beside it."""
    from tracker.store.db import get_engine

    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL setting")
    with get_engine(database_url).connect() as conn:
        assert conn.scalar(sa.text("show jit")) == "off"
        assert conn.scalar(sa.text("show search_path")).startswith("t_")


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


def test_county_actuals_sent_in_several_statements_are_the_same(demo_url, monkeypatch):
    """A plan of many targets and years is sent a few hundred parts a statement (SQLite takes 500 terms)."""
    from tracker.store.db import get_engine

    engine, plan = get_engine(demo_url), load_plans()[PLAN]
    whole = store.county_figures(engine, plan, "2025-06")
    monkeypatch.setattr(store, "_PARTS_A_STATEMENT", 2)
    pd.testing.assert_frame_equal(store.county_figures(engine, plan, "2025-06"), whole)
    assert whole["target"].nunique() > 2


def test_rows_read_a_chunk_at_a_time_make_the_same_frames(demo_url, monkeypatch):
    """Large reads take the driver's rows a chunk at a time (the tuples of one national target's values were
    41 MB at once): the frames are the same however the rows are cut."""
    from tracker.store.db import get_engine

    engine, plan = get_engine(demo_url), load_plans()[PLAN]
    whole_figures = store.county_figures(engine, plan, "2025-06")
    whole_values = store.current_values(engine, PLAN, period_from="2023-03", period_to="2024-02")
    monkeypatch.setattr(store, "_ROWS_A_CHUNK", 397)
    assert len(whole_figures) > 397 * 2 and len(whole_values) > 397 * 2  # several chunks, a short last one
    pd.testing.assert_frame_equal(store.county_figures(engine, plan, "2025-06"), whole_figures)
    pd.testing.assert_frame_equal(
        store.current_values(engine, PLAN, period_from="2023-03", period_to="2024-02"), whole_values)


def test_county_actuals_of_some_targets_are_those_targets_rows_of_the_whole(demo_url):
    """The evaluation asks only for its year-by-year targets' figures."""
    from tracker.store.db import get_engine

    engine, plan = get_engine(demo_url), load_plans()[PLAN]
    whole = store.county_figures(engine, plan, "2025-12")
    some = [t.id for t in plan.targets][1::2]
    part = store.county_figures(engine, plan, "2025-12", targets=some)
    assert set(part["target"]) == set(some)
    pd.testing.assert_frame_equal(part.reset_index(drop=True),
                                  whole[whole["target"].isin(some)].reset_index(drop=True))
    assert store.county_figures(engine, plan, "2025-12", targets=[]).empty


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


# --- the closed years of a multi-year target summed over months (current_year_totals) -------------------------------

MULTI_YEAR = "multi-year-test"


def _multi_year_plan():
    """A plan whose monthly flows add up over three years, one begun in July (its first year is partial), beside a
    year-to-date total and a level, as the national plans have them."""
    from tracker.model.plan import Plan

    def target(number, kind, reporting, months, start):
        return {"id": f"t{number}", "name": {"zh": f"指标{number}", "en": f"Target {number}"}, "task": "task_1",
                "departments": {"responsible": ["人力资源社会保障厅"]}, "unit": "人", "value": 50_000.0,
                "comparator": "at_least", "kind": kind, "period": {"start": start, "end": "2025-12"},
                "reporting": reporting, "aggregation": {"months": months},
                "citation": {"section": "（一）", "sentence": f"指标{number}的原文。"}}

    return Plan.model_validate({
        "id": MULTI_YEAR, "title": {"zh": "多年指标测试方案", "en": "Multi-year test plan"},
        "source": {"document": "测试", "text": "none.txt"},
        "tasks": [{"id": "task_1", "number": 1, "title": {"zh": "任务一", "en": "Task 1"},
                   "departments": {"responsible": ["人力资源社会保障厅"]},
                   "citation": {"section": "（一）", "sentence": "任务一的原文。"}}],
        "targets": [target(1, "cumulative", "monthly", "sum", "2023-07"),
                    target(2, "cumulative", "monthly", "sum", "2023-01"),
                    target(3, "cumulative", "ytd", "sum_of_years", "2023-01"),
                    target(4, "level", "month_end", "latest", "2023-01")],
    })


def test_closed_years_read_from_the_year_totals_give_the_engines_figures_through_every_change(ready_engine):
    """store.county_figures reads a ``sum`` target's closed years from the year totals; the engine adds every month
    of the current figures. They agree at every as-of month, after re-uploads of a closed year, a return, a
    returned cell and demo figures beside real ones."""
    import random

    from tracker.access.roles import Actor
    from tracker.model.periods import months_between
    from tracker.progress.engine import county_figures
    from tracker.review import approval, corrections

    plan = _multi_year_plan()
    store.sync_reference(ready_engine, {plan.id: plan}, load_divisions())
    reviewer = Actor("shenhe", "province")
    rng = random.Random(11)
    counties = ["510703", "510704", "510781"]
    key = ["target", "region", "segment"]

    def submit(month, status="accepted", demo=False, skip=0.15):
        values = [NewValue(t.id, c, month, float(rng.randint(0, 900))) for t in plan.targets for c in counties
                  if rng.random() >= skip]
        with Session(ready_engine) as session, session.begin():
            return record_submission(session, plan_id=plan.id, period=month, prefecture_code="510700",
                                     uploader="测试", values=values, status=status, is_demo=demo)

    def agree(include_demo=None):
        for as_of in ("2023-06", "2023-12", "2024-01", "2024-07", "2025-01", "2025-02", "2026-06"):
            in_sql = store.county_figures(ready_engine, plan, as_of, include_demo=include_demo)
            in_pandas = county_figures(plan, store.current_values(ready_engine, plan.id, include_demo=include_demo),
                                       as_of)
            pd.testing.assert_frame_equal(in_sql.sort_values(key).reset_index(drop=True),
                                          in_pandas.sort_values(key).reset_index(drop=True), check_dtype=False)

    for month in months_between("2023-01", "2023-12"):  # demo figures only, at first: the demo layer's totals
        submit(month, demo=True)
    agree()
    for month in months_between("2023-01", "2025-02"):
        submit(month)
    agree()
    agree(include_demo=True)  # both layers, the newer figure of a cell winning: no totals, every month read
    restated = submit("2023-09", skip=0.0)  # a closed year restated: accepted, it supersedes September
    agree()
    approval.return_(ready_engine, reviewer, restated, "数据有误")  # returned: the older September counts again
    agree()
    with ready_engine.connect() as conn:
        standing = conn.scalar(sa.select(sa.func.max(Submission.id)).where(
            Submission.plan_id == plan.id, Submission.period == "2024-05", Submission.is_demo.is_(False)))
    corrections.return_cells(ready_engine, reviewer, standing, [("t1", "510704"), ("t2", None)], "核实")
    agree()
    # the year totals held what the figures add up to: the closed years do come from them
    with ready_engine.connect() as conn:
        totals = conn.scalar(sa.text("select count(*) from current_year_totals where plan_id = :p and year = '2024' "
                                     "and not is_demo"), {"p": plan.id})
    assert totals > 0
