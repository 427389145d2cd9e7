"""成效评估 and the next plan beside the last (issue #18): the closing account of the 2023 plan on the demo data,
checked against the stored figures by hand-written sums; which plan the app opens on; an indicator followed from
one plan to the next."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from docx import Document
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plans
from loaders.regions import resolve_scopes
from tests.conftest import PROJECT, table_of
from tracker import TARGETS_DIR, store
from tracker.cli import main
from tracker.model.periods import month_of
from tracker.model.plan import Plan, continuations, opening_order
from tracker.outputs.evaluation import build_evaluation, evaluation_report, outcome_table
from tracker.store.db import get_engine

PLAN_ID = "sichuan-2023-citizenization"
PLAN = load_plans()[PLAN_ID]
N_COUNTIES = 183


def _successor(start_year: int) -> dict:
    """A five-year plan following the 2023 one, whose labour-brand target continues the same indicator."""
    data = yaml.safe_load((TARGETS_DIR / f"{PLAN_ID}.yaml").read_text(encoding="utf-8"))
    brand = next(t for t in data["targets"] if t["id"] == "labor_brand_training")
    brand = {**brand, "id": "labor_brand_training_5y", "indicator": "labor_brand_training", "value": 600000,
             "kind": "cumulative", "aggregation": {"regions": "sum", "months": "sum_of_years"},
             "period": {"start": f"{start_year}-01", "end": f"{start_year + 4}-12"}}
    # and a growth target: 10 % more labour-brand trainees in its first year than in 2023, each region against its
    # own 2023 figure from the returns of the plan it follows (the same indicator)
    growth = {**brand, "id": "labor_brand_growth", "indicator": "labor_brand_training", "value": None,
              "relative": {"change": "percent", "amount": 10, "baseline": {"period": "2023-12"}},
              "kind": "flow", "aggregation": {"regions": "sum", "months": "latest"},
              "period": {"start": f"{start_year}-01", "end": f"{start_year}-12"}}
    growth.pop("comparator_assumed", None)
    return {**data, "id": "sichuan-next-citizenization", "follows": PLAN_ID, "revisions": [],
            "title": {"zh": "县域农民工市民化质量提升五年行动方案（测试）", "en": "Five-year plan (test)"},
            "targets": [brand, growth], "milestones": data["milestones"][:2], "validation_rules": []}


def _plan(data: dict) -> Plan:
    from loaders.plans import load_departments

    return Plan.model_validate(data, context={"departments": set(load_departments().by_id())})


# ------------------------------------------------------------------------------------------ which plan opens


def test_the_app_opens_on_the_plan_in_force_then_the_last_ended_then_measures_only():
    plans = {**load_plans(), "sichuan-next-citizenization": _plan(_successor(2026))}
    # the 2022 work points hold measures only: they never end and come last
    assert opening_order(plans, "2026-12") == ["sichuan-next-citizenization", PLAN_ID, "sichuan-2022-work-points"]
    assert opening_order(plans, "2024-03") == [PLAN_ID, "sichuan-next-citizenization", "sichuan-2022-work-points"]
    assert opening_order(plans, "2031-01")[:2] == ["sichuan-next-citizenization", PLAN_ID]  # latest ended first
    assert PLAN.ended("2026-01") and not PLAN.ended("2025-12")
    assert (PLAN.start, PLAN.end) == ("2023-01", "2025-12")


def test_an_indicator_is_followed_across_the_plans_that_follow_each_other():
    nxt = _plan(_successor(2026))
    plans = {**load_plans(), nxt.id: nxt}
    forward = [(p.id, t.id) for p, t in continuations(plans, PLAN_ID, "labor_brand_training")]
    assert forward == [(PLAN_ID, "labor_brand_training"), (nxt.id, "labor_brand_training_5y"),
                       (nxt.id, "labor_brand_growth")]  # by period, then in the plan's order
    assert [(p.id, t.id) for p, t in continuations(plans, nxt.id, "labor_brand_training_5y")] == forward
    assert [t.id for _, t in continuations(plans, PLAN_ID, "rural_labor_transfer")] == ["rural_labor_transfer"]
    assert [(p.id, t.id) for p, t in continuations(plans, nxt.id, "labor_brand_growth")] == forward


# ------------------------------------------------------------------------------------------ the closing account


@pytest.fixture
def evaluation(demo_url):
    return build_evaluation(get_engine(demo_url), PLAN_ID)


def test_each_target_is_judged_at_its_own_deadline_with_the_stored_figures(demo_url, evaluation):
    current = store.current_values(get_engine(demo_url), PLAN_ID)
    scopes = resolve_scopes(PLAN)
    outcomes = {o.target.id: o for o in evaluation.outcomes}
    assert list(outcomes) == [t.id for t in PLAN.targets]
    for target in PLAN.targets:
        row = outcomes[target.id].row
        mine = current[(current["target"] == target.id) & current["region"].isin(scopes.get(target.id, current["region"]))]
        if target.aggregation.months == "latest":  # the counties' figures of the deadline month, added up
            at_deadline = mine[mine["period"] == target.period.end]
            expected_actual = at_deadline["value"].sum()
        else:  # sum_of_years: each year's December figure (its year-to-date total), added over the years
            expected_actual = mine[mine["period"].str.endswith("-12")]["value"].sum()
        assert row["actual"] == pytest.approx(expected_actual), target.id
        assert row["target_value"] == target.value
        if row["status"] in ("completed", "completed_early", "attained"):
            assert row["actual"] >= target.value * (1 - (target.tolerance or 0)), target.id
    # the labour-brand target: 8.01万人 of 10万 at 2023-12 in the demo data, so not met
    brand = outcomes["labor_brand_training"]
    assert not brand.met and brand.row["actual"] < 100000


def test_a_multi_year_target_is_given_year_by_year_and_the_years_add_up(evaluation):
    skill = next(o for o in evaluation.outcomes if o.target.id == "key_area_skill_training")
    assert [y.year for y in skill.years] == [2023, 2024, 2025]
    assert sum(y.actual for y in skill.years) == pytest.approx(skill.row["actual"])
    # 100,000 over three years, spread evenly: a third a year
    assert [y.expected for y in skill.years] == pytest.approx([100000 / 3] * 3)
    single = next(o for o in evaluation.outcomes if o.target.id == "labor_brand_training")
    assert single.years == ()


def test_reporting_is_counted_over_every_month_a_county_owed_a_return(evaluation):
    skill_counties = len(resolve_scopes(PLAN)["key_area_skill_training"])
    # 2023: every target is due, from all 183 counties; 2024-25: only the three-year target, from its counties
    assert evaluation.reporting["months"] == 36
    assert evaluation.reporting["expected"] == 12 * N_COUNTIES + 24 * skill_counties
    assert 0 < evaluation.reporting["reported"] <= evaluation.reporting["expected"]
    assert evaluation.reporting["on_time"] <= evaluation.reporting["reported"]


def test_the_prefectures_of_an_allocated_target_are_each_met_or_not(evaluation):
    brand = evaluation.prefectures[evaluation.prefectures["target"] == "labor_brand_training"]
    assert len(brand) == 21
    assert brand["status"].notna().all()


def test_the_text_is_formal_deterministic_and_says_what_the_figures_say(demo_url, evaluation):
    report = evaluation_report(evaluation, "zh")
    again = evaluation_report(build_evaluation(get_engine(demo_url), PLAN_ID), "zh")
    assert report.markdown() == again.markdown()
    met = sum(o.met for o in evaluation.outcomes)
    text = report.markdown()
    assert f"方案确定的{len(PLAN.targets)}项量化指标中，按期完成{met}项" in text
    assert "劳务品牌培训人数8.01万人，目标10万人" in text
    assert [h for h, _ in report.sections][:3] == ["一、量化指标完成情况", "二、分年度完成情况", "三、分地区完成情况"]
    assert "示例数据" in report.demo  # the demo database says so
    done = int((evaluation.snap.milestones["status"] == "done").sum())
    assert f"{len(PLAN.milestones)}项工作任务中，已完成{done}项" in text
    english = evaluation_report(evaluation, "en").markdown()
    assert "Labour-brand" in english or "labour-brand" in english.lower()
    table = outcome_table(evaluation, "zh")
    assert list(table["期限"]) == ["2023年12月"] * 6 + ["2025年12月"]


def test_tracker_evaluate_writes_markdown_word_and_pdf(demo_env, tmp_path, capsys):
    assert main(["evaluate", "--plan", PLAN_ID]) == 0
    assert "成效的评估报告" in capsys.readouterr().out
    assert main(["evaluate", "--plan", PLAN_ID, "-o", str(tmp_path / "评估.docx")]) == 0
    paragraphs = [p.text for p in Document(tmp_path / "评估.docx").paragraphs]
    assert paragraphs[0].startswith("关于《开展全省县域农民工市民化质量提升行动实施方案》")
    assert "一、量化指标完成情况" in paragraphs
    assert main(["evaluate", "--plan", PLAN_ID, "-o", str(tmp_path / "评估.pdf")]) == 0
    assert (tmp_path / "评估.pdf").read_bytes()[:5] == b"%PDF-"
    capsys.readouterr()
    assert main(["evaluate", "--plan", "sichuan-2022-work-points"]) == 2  # measures only: nothing to evaluate
    assert "没有量化目标" in capsys.readouterr().err
    assert main(["evaluate", "--plan", PLAN_ID, "-o", str(tmp_path / "x.txt")]) == 2


def test_an_evaluation_on_the_snapshot_given_is_the_one_it_reads_itself(demo_url, evaluation):
    """The app builds the evaluation on the snapshot its pages share: the same account, and no other month's."""
    from tracker.progress.snapshot import load_snapshot

    engine = get_engine(demo_url)
    snap = load_snapshot(engine, PLAN_ID, PLAN.end)
    given = build_evaluation(engine, PLAN_ID, snap)
    assert given.snap is snap
    assert outcome_table(given).equals(outcome_table(evaluation))
    assert [o.years for o in given.outcomes] == [o.years for o in evaluation.outcomes]
    assert any(o.years for o in given.outcomes)  # the year-by-year figures (county_figures of those targets)
    assert given.reporting == evaluation.reporting
    assert evaluation_report(given).markdown() == evaluation_report(evaluation).markdown()
    with pytest.raises(ValueError, match="2025-12"):
        build_evaluation(engine, PLAN_ID, load_snapshot(engine, PLAN_ID, "2025-06"))


def test_the_apps_evaluation_holds_the_snapshot_its_pages_show(demo_env):
    """One snapshot of the plan's last month in the process, not a second inside the evaluation (at national scale
    each is a tenth of a GB)."""
    import importlib

    context = importlib.import_module("ui.context")  # ``ui.context`` the attribute is the function of that name
    url = context.database_url()
    version = store.data_version(context._ready_engine(url))
    ev = context._evaluation(url, PLAN_ID, version, date.today().isoformat())
    assert ev.snap is context._snapshot(url, PLAN_ID, PLAN.end, version)
    assert context._evaluation(url, PLAN_ID, version, date.today().isoformat()) is ev  # shared, not a copy


# ------------------------------------------------------------------------------------------ the app


def test_an_ended_plan_opens_on_its_evaluation(demo_env):
    assert PLAN.ended(month_of(date.today()))  # the demo plan closed in December 2025
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["成效评估"]
    assert any("本方案已于2025年12月结束" in i.value for i in at.info)
    table = table_of(at.table[0])
    assert len(table) == len(PLAN.targets)
    assert any("五、数据报送情况" in m.value for m in at.markdown)
    at.switch_page("pages/overview.py").run()  # the month-by-month view stays reachable
    assert not at.exception


@pytest.fixture
def two_plans(tmp_path_factory) -> Path:
    """A folder of plan files as an office has it after the next plan arrives: the 2023 plan and its successor,
    in force from this January for five years."""
    folder = tmp_path_factory.mktemp("targets")
    for name in ("departments.yaml", "progress.yaml", f"{PLAN_ID}.yaml"):
        shutil.copy(TARGETS_DIR / name, folder / name)
    shutil.copytree(TARGETS_DIR / "sources", folder / "sources")
    (folder / "sichuan-next-citizenization.yaml").write_text(
        yaml.safe_dump(_successor(date.today().year), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.browser
def test_with_two_plans_the_app_opens_on_todays_and_follows_the_indicator_back(demo_url, two_plans, monkeypatch):
    from tests.browsing import chromium, new_page, running_app, settle

    monkeypatch.setenv("TRACKER_TARGETS_DIR", str(two_plans))
    with running_app(demo_url) as url, chromium() as browser, new_page(browser, 1440, 900) as page:
        page.goto(url)
        settle(page)
        body = page.inner_text("body")
        assert "县域农民工市民化质量提升五年行动方案（测试）" in body  # today's plan, not the first id in sort order
        assert f"{date.today().year}年" in body and "2030年12月" not in body.split("截至")[1][:12]
        page.goto(f"{url}/target?target=labor_brand_training_5y")
        settle(page)
        page.get_by_text("跨方案延续").first.wait_for()
        # the table of the indicator across plans (the grid draws on a canvas; its accessible copy holds the text)
        grids = " ".join(page.locator('[data-testid="stTable"]').all_text_contents())
        assert "开展全省县域农民工市民化质量提升行动实施方案" in grids
        assert "2023年12月" in grids and "8.01万人" in grids  # the ended plan's figure, at its deadline
        page.screenshot(path=str(PROJECT / "test-artifacts" / "two-plans-target.png"), full_page=True)
        page.get_by_role("button", name="在《开展全省县域农民工市民化质量提升行动实施方案》中查看").click()
        page.get_by_text("开展全省县域农民工市民化质量提升行动实施方案 · 截至 2023年12月").wait_for()
        settle(page)
        assert "plan=sichuan-2023-citizenization" in page.url and "target=labor_brand_training&" in page.url + "&"
        grids = " ".join(page.locator('[data-testid="stTable"]').all_text_contents())
        assert "8.01万人" in grids and "未完成" in grids


def test_a_growth_target_of_the_next_plan_is_worked_out_from_the_last_plans_returns(demo_url, two_plans):
    """End to end through ``tracker progress`` with the office's folder of plans: each region's 2026 target is 110 %
    of its counties' December 2023 figures, rounded up to whole persons (9129 × 1.1 = 10041.9 persons to train is
    10042); a region with a county missing from that month has none yet."""
    import json
    import math
    import os
    import subprocess
    import sys

    from loaders.regions import load_divisions

    env = {**os.environ, "TRACKER_DATABASE_URL": demo_url, "TRACKER_TARGETS_DIR": str(two_plans)}
    as_of = f"{date.today().year}-{date.today().month:02d}"

    def rows(level: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "tracker.cli", "progress", "--plan", "sichuan-next-citizenization",
                              "--as-of", as_of, "--format", "json", "--level", level], env=env, capture_output=True,
                             text=True, cwd=PROJECT, timeout=300, check=True).stdout
        return {r["region"]: r for r in json.loads(out)["rows"] if r["target"] == "labor_brand_growth"}

    current = store.current_values(get_engine(demo_url), PLAN_ID)
    base = current[(current["target"] == "labor_brand_training") & (current["period"] == "2023-12")]
    base = dict(zip(base["region"], base["value"]))
    tree = load_divisions()
    prefectures = rows("prefecture")
    assert len(prefectures) == 21
    for code, row in prefectures.items():
        counties = [c.code for c in tree.children(code)]
        if all(c in base for c in counties):
            assert row["target_value"] == math.ceil(1.1 * sum(base[c] for c in counties) - 1e-9), code
        else:  # a county silent in December 2023: no baseline, so no target yet (数据不全 once figures arrive)
            assert row["target_value"] is None, code
        assert row["status"] == "no_data"  # nothing reported for the new plan yet
    (province,) = rows("province").values()
    complete = all(c.code in base for c in tree.level("county"))
    assert province["target_value"] == (math.ceil(1.1 * sum(base.values()) - 1e-9) if complete else None)
