"""The monthly review: completeness, trends, milestones, red list, data quality — core and pages."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plans
from tests.conftest import PROJECT, table_of
from tracker.intake.milestones import Evidence, MilestoneError, history, set_status
from tracker.model.plan import Plan
from tracker.model.regions import Region, RegionTree
from tracker.model.status import Deadline, load_config
from tracker.progress.completeness import completeness, county_states, deadline_of
from tracker.progress.engine import trend

PLAN = load_plans()["sichuan-2023-citizenization"]
RULE = Deadline(deadline_day=10, timezone="Asia/Shanghai")
TREE = RegionTree((Region("510000", "四川省", "四川", "province", None),
                   Region("510100", "成都市", "成都", "prefecture", "510000"),
                   Region("510104", "锦江区", "锦江", "county", "510100"),
                   Region("510105", "青羊区", "青羊", "county", "510100"),
                   Region("510106", "金牛区", "金牛", "county", "510100")))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# ------------------------------------------------------------------------------------------ completeness

def test_the_deadline_is_the_tenth_of_the_next_month_end_of_day_in_beijing():
    due = deadline_of("2023-06", RULE)
    assert due == datetime(2023, 7, 10, 23, 59, 59, tzinfo=due.tzinfo)
    assert due.utcoffset().total_seconds() == 8 * 3600
    assert deadline_of("2023-12", RULE).year == 2024


def test_each_county_month_is_on_time_late_missing_or_pending():
    arrivals = pd.DataFrame({"region": ["510104", "510105"], "period": ["2023-06", "2023-06"],
                             "first_at": [utc(2023, 7, 10, 15, 59),  # 23:59 in Beijing: just in time
                                          utc(2023, 7, 10, 16, 1)]})  # 00:01 on the 11th: late
    states = county_states(arrivals, TREE, ["2023-06"], RULE, now=utc(2023, 8, 1))
    assert dict(zip(states["region"], states["state"])) == {"510104": "on_time", "510105": "late",
                                                           "510106": "missing"}
    before_deadline = county_states(arrivals, TREE, ["2023-06"], RULE, now=utc(2023, 7, 5))
    assert dict(zip(before_deadline["region"], before_deadline["state"]))["510106"] == "pending"


def test_rates_by_prefecture_and_province():
    arrivals = pd.DataFrame({"region": ["510104", "510105"], "period": ["2023-06", "2023-06"],
                             "first_at": [utc(2023, 7, 3), utc(2023, 7, 20)]})
    report = completeness(arrivals, TREE, ["2023-06"], RULE, now=utc(2024, 1, 1))
    row = report.by_prefecture.iloc[0]
    assert (row["expected"], row["reported"], row["on_time"], row["late"], row["missing"]) == (3, 2, 1, 1, 1)
    assert row["reporting_rate"] == pytest.approx(2 / 3) and row["on_time_rate"] == pytest.approx(1 / 3)
    assert list(report.missing("2023-06")["region"]) == ["510106"]
    assert report.province.iloc[0]["reporting_rate"] == pytest.approx(2 / 3)


def test_naive_timestamps_from_sqlite_are_read_as_utc():
    arrivals = pd.DataFrame({"region": ["510104"], "period": ["2023-06"],
                             "first_at": [datetime(2023, 7, 10, 15, 59)]})
    states = county_states(arrivals, TREE, ["2023-06"], RULE, now=utc(2024, 1, 1))
    assert states.set_index("region").loc["510104", "state"] == "on_time"


# ------------------------------------------------------------------------------------------ trends

def test_trend_of_a_target_with_no_figure_yet_is_an_empty_history_not_an_error():
    target = PLAN.targets[0]
    values = pd.DataFrame({"target": pd.Series(dtype="str"), "region": pd.Series(dtype="str"),
                           "period": pd.Series(dtype="str"), "value": pd.Series(dtype="float64")})
    history_, projection = trend(target, values, "2023-06")
    assert len(history_) == len(target.period.months())
    assert history_["actual"].isna().all() and history_["increment"].isna().all()
    assert history_["expected"].notna().all()
    assert projection.empty or projection["projected"].isna().all()


def test_trend_gives_increments_a_projection_band_and_last_year():
    plan = Plan.model_validate({
        "id": "t", "title": {"zh": "试", "en": "T"}, "source": {"document": "d", "text": "x.txt"},
        "tasks": [{"id": "a", "number": 1, "title": {"zh": "甲", "en": "A"}, "departments": {"responsible": ["hrss"]},
                   "citation": {"section": "s", "sentence": "句子句子"}}],
        "targets": [{"id": "f", "name": {"zh": "培训", "en": "Training"}, "task": "a",
                     "departments": {"responsible": ["hrss"]}, "unit": "人", "value": 1200, "comparator": "at_least",
                     "kind": "cumulative", "period": {"start": "2023-01", "end": "2024-12"}, "reporting": "ytd",
                     "aggregation": {"regions": "sum", "months": "sum_of_years"},
                     "citation": {"section": "s", "sentence": "句子句子"}}]})
    target = plan.target("f")
    values = pd.DataFrame({"target": "f", "region": "510104",
                           "period": ["2023-01", "2023-02", "2023-03", "2023-12", "2024-01", "2024-02", "2024-03"],
                           "value": [10.0, 30.0, 60.0, 100.0, 20.0, 50.0, 70.0]})
    history_, projection = trend(target, values, "2024-03")
    by_month = history_.set_index("period")
    assert by_month.loc["2024-03", "actual"] == 170  # 2023's December year-to-date 100 + 2024's 70
    assert by_month.loc["2024-03", "increment"] == 20  # 170 − 150
    assert by_month.loc["2024-01", "increment"] == 20  # 120 − December's 100
    assert by_month.loc["2023-01", "increment"] == 10  # the first month adds its whole figure
    assert by_month.loc["2024-03", "previous_year"] == 60  # the cumulative a year earlier
    # 2023-04..11 were not reported, so December's increment is unknown (nothing is carried forward); the last
    # three known increments are 2024-01: 20, 2024-02: 30, 2024-03: 20 → rate 23.33, slowest 20, fastest 30
    assert pd.isna(by_month.loc["2023-12", "increment"])
    first = projection.iloc[0]
    assert first["period"] == "2024-04"
    assert first["projected"] == pytest.approx(170 + 70 / 3)
    assert (first["low"], first["high"]) == (190, 200)
    # without its December figure 2023 counts nothing in 2024: its March 60 is not carried forward
    without = trend(target, values[values["period"] != "2023-12"], "2024-03")[0].set_index("period")
    assert without.loc["2024-03", "actual"] == 70
    assert projection.iloc[-1]["period"] == "2024-12"


# ------------------------------------------------------------------------------------------ milestones

def test_milestone_updates_keep_history_and_store_evidence_once(ready_engine):
    config = load_config()
    milestone = PLAN.milestones[0].id
    first = set_status(ready_engine, PLAN, config, milestone, "推进中", as_of="2023-08", note="已部署",
                       updated_by="张三", evidence=Evidence("通知.pdf", b"%PDF-1.4 notice"))
    second = set_status(ready_engine, PLAN, config, milestone, "done", as_of="2023-11", note="已完成",
                        updated_by="李四", evidence=Evidence("另存.pdf", b"%PDF-1.4 notice"))
    records = history(ready_engine, PLAN.id, milestone)
    assert list(records["id"]) == [second, first]
    assert list(records["status"]) == ["done", "in_progress"]
    assert records["evidence_id"].nunique() == 1  # the same content is stored once
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from evidence_files")) == 1
    with pytest.raises(MilestoneError, match="未知状态"):
        set_status(ready_engine, PLAN, config, milestone, "差不多", as_of="2023-11", note=None, updated_by="x")
    with pytest.raises(MilestoneError, match="没有工作任务"):
        set_status(ready_engine, PLAN, config, "no_such", "done", as_of="2023-11", note=None, updated_by="x")


def test_milestone_cli_sets_and_lists(ready_engine, capsys, tmp_path):
    from tracker.cli import main

    milestone = PLAN.milestones[1].id
    proof = tmp_path / "会议纪要.docx"
    proof.write_bytes(b"minutes")
    assert main(["milestone", "set", milestone, "滞后", "--note", "资金未到位", "--as-of", "2024-03",
                 "--evidence", str(proof), "--by", "王五"]) == 0
    assert "滞后" in capsys.readouterr().out
    assert main(["milestone", "history", milestone]) == 0
    out = capsys.readouterr().out
    assert "资金未到位" in out and "会议纪要.docx" in out and "王五" in out
    assert main(["milestone", "set", milestone, "maybe"]) == 2


# ------------------------------------------------------------------------------------------ pages

def page(name: str, as_of: str = "2025-12", **state) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["as_of"] = as_of
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_completeness_page_lists_the_missing_counties_of_the_month(demo_env):
    from tracker.store.db import get_engine

    at = page("completeness", as_of="2023-12")   # every target of the plan in force: all 183 counties due
    metrics = {m.label: m.value for m in at.metric}
    with get_engine(demo_env).connect() as conn:
        reported = conn.scalar(sa.text("select count(distinct region_code) from reported_values "
                                       "where period = '2023-12'"))
    assert metrics["已报送县数"] == f"{reported}/183"
    assert reported < 183  # the demo has counties that missed the month
    missing = table_of(at.table[-1])
    assert len(missing) == 183 - reported
    by_prefecture = table_of(at.table[0])
    assert len(by_prefecture) == 21


def test_completeness_after_the_annual_targets_expects_only_the_counties_still_due(demo_env):
    from loaders.regions import load_region_set

    at = page("completeness")  # 2025-12: only the three-year target of the key-assistance counties is in force
    metrics = {m.label: m.value for m in at.metric}
    key = load_region_set("key_assistance_counties").counties
    assert metrics["已报送县数"].endswith(f"/{len(key)}")
    missing = table_of(at.table[-1]) if len(at.table) > 1 else None
    if missing is not None:
        assert set(missing["区划代码"]) <= set(key)


def test_redlist_page_puts_the_furthest_behind_first(demo_env):
    at = page("redlist", as_of="2023-09")
    table = table_of(at.table[0])
    assert len(table) > 0
    assert set(table["状态"]) <= {"预警", "滞后"}
    assert "职责" not in table  # each item once, with its departments as the plan names them: nobody is 牵头
    assert all("按职责分工负责" in d and "牵头" not in d for d in table["责任部门"])
    assert table["指标或任务"].is_unique if "指标或任务" in table else True


def test_milestones_page_records_a_status(ready_engine):
    at = page("milestones", as_of="2023-06")
    milestone = PLAN.milestones[0]
    at.selectbox(key="milestone_id").set_value(milestone.id).run()
    status = f"milestone_status_{milestone.id}"
    assert at.radio(key=status).value == "not_started"  # what it is now
    at.radio(key=status).set_value("delayed")
    at.selectbox(key="milestone_as_of").set_value("2023-06")
    at.text_area(key="milestone_note").input("进度滞后")
    at.button[0].click().run()
    assert not at.exception
    assert any("已记录" in s.value for s in at.success)
    assert history(ready_engine, PLAN.id, milestone.id)["note"].tolist() == ["进度滞后"]
    again = page("milestones", as_of="2023-06")  # the next visit offers the status it has now, not 未启动
    again.selectbox(key="milestone_id").set_value(milestone.id).run()
    assert again.radio(key=status).value == "delayed"


def test_quality_page_shows_superseded_figures_and_confirmed_warnings(ready_engine):
    from tests.intake_files import good_rows, import_bytes, put, xlsx

    first = xlsx(good_rows())
    assert import_bytes(ready_engine, first, "绵阳.xlsx").status == "imported"
    again = xlsx(put(good_rows()[:-1], "G6", 999))  # 江油市 dropped (a warning), 涪城区 changed
    assert import_bytes(ready_engine, again, "绵阳-改.xlsx", accept_warnings=True).status == "imported"
    at = page("quality", as_of="2023-06")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["重报修改的数值"] == "1"  # eight counties restated, one figure changed (游仙区's)
    assert metrics["确认导入的警告"] == "1"
    changed = table_of(at.table[0])
    assert "999人" in set(changed["新数值"])


def _outliers_one_by_one(plan, values, period, checks) -> pd.DataFrame:
    """The rule figure by figure, as it was first written: the oracle for the vectorised ``outliers``."""
    from tracker.model.periods import add_months, year_of

    previous_month = add_months(period, -1)
    both = values[values["period"].isin([period, previous_month])]
    indexed = {(t, r, p): v for t, r, p, v in both[["target", "region", "period", "value"]].itertuples(index=False)}
    rows = []
    for target in plan.targets:
        for (t, region, p), value in indexed.items():
            if t != target.id or p != period:
                continue
            before = indexed.get((t, region, previous_month))
            if before is None:
                continue
            if target.reporting == "month_end" and before:
                change = (value - before) / before
                if change < -checks.level_drop or change > checks.level_jump:
                    rows.append({"target": t, "region": region, "previous": before, "value": value, "change": change})
            elif target.reporting == "ytd" and year_of(previous_month) == year_of(period):
                average = before / int(previous_month[5:])
                increase = value - before
                if increase > checks.flow_jump_minimum and increase > checks.flow_jump_factor * average:
                    rows.append({"target": t, "region": region, "previous": before, "value": value,
                                 "change": increase / before if before else None})
    return pd.DataFrame(rows, columns=["target", "region", "previous", "value", "change"])


@pytest.mark.parametrize("period", ["2023-02", "2023-07", "2023-12", "2024-01", "2024-07"])
def test_outliers_are_the_rule_applied_figure_by_figure(demo_url, period):
    """2023: every target reports; 2024: the five-year skill training alone (and in January its year-to-date
    total restarts, so nothing is compared)."""
    from dataclasses import replace

    from tracker import store
    from tracker.progress.quality import outliers
    from tracker.store.db import get_engine

    values = store.current_values(get_engine(demo_url), PLAN.id)
    tight = replace(load_config().checks, level_drop=0.0005, level_jump=0.0005, flow_jump_factor=0.9,
                    flow_jump_minimum=0)  # thresholds low enough that the demo's moves cross them
    found = outliers(PLAN, values, period, tight)
    pd.testing.assert_frame_equal(found, _outliers_one_by_one(PLAN, values, period, tight))
    if period.startswith("2023"):
        assert len(found) >= 50 and {"month_end", "ytd"} <= {PLAN.target(t).reporting for t in found["target"]}
    else:
        assert found.empty == (period == "2024-01")


def test_outliers_skip_a_county_new_last_month_and_a_level_from_zero():
    from dataclasses import replace

    from tracker.progress.quality import outliers

    level = next(t for t in PLAN.targets if t.reporting == "month_end")
    ytd = next(t for t in PLAN.targets if t.reporting == "ytd")
    rows = [(level.id, "510104", "2024-05", 100.0), (level.id, "510104", "2024-06", 150.0),   # +50 %: out
            (level.id, "510105", "2024-05", 0.0), (level.id, "510105", "2024-06", 500.0),     # from zero: not judged
            (level.id, "510106", "2024-06", 900.0),                                           # new: not compared
            (ytd.id, "510104", "2024-05", 0.0), (ytd.id, "510104", "2024-06", 800.0),         # from zero: no ratio
            (ytd.id, "510105", "2024-05", 500.0), (ytd.id, "510105", "2024-06", 600.0)]       # +100 of 100 a month
    values = pd.DataFrame(rows, columns=["target", "region", "period", "value"])
    checks = replace(load_config().checks, level_drop=0.3, level_jump=0.3, flow_jump_factor=3, flow_jump_minimum=50)
    found = outliers(PLAN, values, "2024-06", checks)
    assert found[["target", "region", "previous", "value"]].to_dict("records") == [
        {"target": level.id, "region": "510104", "previous": 100.0, "value": 150.0},
        {"target": ytd.id, "region": "510104", "previous": 0.0, "value": 800.0}]
    assert found["change"].iloc[0] == 0.5 and pd.isna(found["change"].iloc[1])  # no ratio from zero
    assert found.equals(_outliers_one_by_one(PLAN, values, "2024-06", checks))
