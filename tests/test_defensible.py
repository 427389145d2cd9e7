"""Figures an official can defend (issue #14): no status word contradicted by the figures printed beside it, in the
情况汇报, the deck's speaker notes and the monthly report; missing counties never turn a target 滞后 by themselves;
stocks are not 已完成 mid-year; the plan's own words and departments; templates and expected reporters by period;
demo data within the plan's rules.

The edge cases are real databases with real returns (``store.record_submission``), their expected statuses and
figures worked out by hand in the comments.
"""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from loaders.plans import get_plan
from loaders.regions import load_divisions, load_region_set, resolve_scopes
from tracker import store
from tracker.cli.reports import progress_rows
from tracker.intake.rules import violated
from tracker.intake.template import NothingDue, build_template
from tracker.model.units import format_quantity
from tracker.outputs.exports import monthly_report
from tracker.outputs.slides import build_deck
from tracker.outputs.summary import build_summary, load_facts
from tracker.progress.completeness import load_completeness
from tracker.progress.snapshot import load_snapshot
from tracker.store import NewValue
from tracker.store.demo import generate_values

PLAN = "sichuan-2023-citizenization"
MET = {"已完成", "提前完成", "达标"}
CLAUSE = re.compile(
    r"(?P<name>[\u4e00-\u9fff（）]+?)(?P<actual>\d[\d.]*(?:万|亿)?(?:人次|人|个|家))(?:（(?P<remarks>[^）]*)）)?，"
    r"目标(?P<goal>[^，]+)，完成(?P<completion>[\d.]+)%，为序时进度的(?P<pace>[\d.]+)%（(?P<status>[^）]+)）")


def contradictions(text: str, thresholds=(95.0, 85.0)) -> list[str]:
    """Every clause "X…，目标…，完成C%，为序时进度的P%（S）" of ``text`` whose figures contradict its status word S."""
    on_track, at_risk = thresholds
    wrong = []
    for m in CLAUSE.finditer(text):
        completion, pace, status = float(m["completion"]), float(m["pace"]), m["status"]
        remarks = m["remarks"] or ""
        goal = m["goal"]
        floor = 98.0 if "左右" in goal else 100.0
        amount = re.match(r"\d[\d.]*(?:万|亿)?(?:人次|人|个|家)", goal)
        ended = "目标期末数" in remarks
        if status in MET and completion < floor:
            wrong.append(f"{status} at {completion}%: {m[0]}")
        if status not in MET and completion >= floor and "数据不全" != status:
            wrong.append(f"{status} though {completion}% ≥ {floor}%: {m[0]}")
        if status == "正常" and pace < on_track:
            wrong.append(f"正常 at pace {pace}%: {m[0]}")
        if status == "预警" and not at_risk <= pace < on_track:
            wrong.append(f"预警 at pace {pace}%: {m[0]}")
        if status == "滞后" and pace >= at_risk and not (ended and pace < 100):
            wrong.append(f"滞后 at pace {pace}%: {m[0]}")
        if status not in MET and amount and m["actual"] == amount[0] and "差" not in remarks:
            wrong.append(f"{status} with the actual reading as its target and no shortfall: {m[0]}")
    return wrong


def test_the_scanner_catches_what_it_is_for():
    assert contradictions("脱贫劳动力转移就业人数220.6万人，目标220.6万人以上，完成100.0%，为序时进度的100.0%（正常）")
    assert contradictions("劳务品牌培训人数5.79万人，目标10万人以上，完成57.9%，为序时进度的97.4%（滞后）")
    assert not contradictions("脱贫劳动力转移就业人数220.6万人（差15人），目标220.6万人以上，完成99.9%，"
                              "为序时进度的99.9%（正常）")


# --- real databases -----------------------------------------------------------------------------------------------


def _record(engine, groups: dict[tuple[str, str], list[NewValue]], keep=lambda prefecture, month: True) -> None:
    with Session(engine) as session, session.begin():
        for (prefecture, month), values in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            if keep(prefecture, month):
                store.record_submission(session, plan_id=PLAN, period=month, prefecture_code=prefecture,
                                        uploader="测试", values=values)


def _province_sum_to(groups, target: str, month: str, total: int) -> None:
    """Rescale one target's county figures of ``month`` so that they add up to exactly ``total``."""
    cells = [v for (_, m), values in groups.items() if m == month for v in values if v.target == target]
    current = sum(v.value for v in cells)
    scaled = [int(v.value * total / current) for v in cells]
    scaled[0] += total - sum(scaled)
    replace = {(v.region, v.period): s for v, s in zip(cells, scaled)}
    for key, values in groups.items():
        groups[key] = [NewValue(v.target, v.region, v.period, float(replace[(v.region, v.period)]))
                       if v.target == target and (v.region, v.period) in replace else v for v in values]


def _complete(groups, tree, scopes, plan) -> dict:
    """The demo's figures with every county present every month (a county the demo left silent takes its own
    figure of the month before, or the month after in January): a world in which nobody is missing."""
    have = {(v.target, v.region, v.period): v.value for values in groups.values() for v in values}
    out: dict[tuple[str, str], list[NewValue]] = {k: list(v) for k, v in groups.items()}
    for target in plan.targets:
        for county in scopes.get(target.id, [c.code for c in tree.level("county")]):
            for month in [m for m in target.period.months() if m <= "2023-12"]:
                if (target.id, county, month) in have:
                    continue
                year, mon = int(month[:4]), int(month[5:])
                near = [f"{year}-{m:02d}" for m in (mon - 1, mon + 1, mon - 2, mon + 2) if 1 <= m <= 12]
                value = next(have[(target.id, county, m)] for m in near if (target.id, county, m) in have)
                have[(target.id, county, month)] = value
                out.setdefault((tree.prefecture_of(county), month), []).append(
                    NewValue(target.id, county, month, value))
    return out


@pytest.fixture
def real_world(ready_engine):
    """Every county's returns for 2023, as real (accepted) submissions, from the demo generator's figures with no
    county missing."""
    plan = get_plan(PLAN)
    tree, scopes = load_divisions(), resolve_scopes(plan)
    groups = {k: v for k, v in generate_values(plan, tree, scopes).items() if k[1] <= "2023-12"}
    return ready_engine, _complete(groups, tree, scopes, plan)


def _texts(engine, as_of: str) -> list[str]:
    facts = load_facts(engine, PLAN, as_of)
    summary = build_summary(facts)
    deck = build_deck(facts.snap, facts=facts, lang="zh")
    return ["\n".join(summary.paragraphs()), *(s.notes for s in deck.slides)]


def test_the_band_edge_and_a_shortfall_of_fifteen_read_as_their_status(real_world):
    engine, groups = real_world
    # December: rural transfer 24,499,999 (one person under the band's lower edge 25,000,000 × 0.98)
    _province_sum_to(groups, "rural_labor_transfer", "2023-12", 24_499_999)
    # September: poverty-exit transfer 2,205,985 — 15 short of 220.6万
    _province_sum_to(groups, "poverty_labor_transfer", "2023-09", 2_205_985)
    _record(engine, groups)
    december = {r["target"]: r for r in progress_rows(engine, PLAN, "2023-12", "province")}
    assert december["rural_labor_transfer"]["status"] == "not_met"  # 24,499,999 < 24,500,000 at the period's end: 未完成
    september = {r["target"]: r for r in progress_rows(engine, PLAN, "2023-09", "province")}
    poverty = september["poverty_labor_transfer"]
    assert poverty["actual"] == 2_205_985 and poverty["status"] not in ("completed", "attained")
    for as_of in ("2023-09", "2023-12"):
        for text in _texts(engine, as_of):
            assert contradictions(text) == [], as_of
    text = _texts(engine, "2023-12")[0]
    assert "农村劳动力转移就业人数2450万人（2023年12月目标期末数；差1人）" in text  # not "2450万人 98.0%"
    assert "完成97.9%" in text
    assert "脱贫劳动力转移就业人数220.6万人（差15人）" in _texts(engine, "2023-09")[0]


def test_at_the_band_edge_exactly_the_level_is_completed(real_world):
    engine, groups = real_world
    _province_sum_to(groups, "rural_labor_transfer", "2023-12", 24_500_000)
    _record(engine, groups)
    row = next(r for r in progress_rows(engine, PLAN, "2023-12", "province") if r["target"] == "rural_labor_transfer")
    assert row["status"] == "completed" and f"{row['completion']:.3f}" == "0.980"
    assert "农村劳动力转移就业人数2450万人（2023年12月目标期末数），目标2500万人左右，完成98.0%" in _texts(
        engine, "2023-12")[0]  # no shortfall: it is reached
    assert contradictions(_texts(engine, "2023-12")[0]) == []


def test_the_monthly_report_agrees_with_its_status_words(real_world):
    engine, groups = real_world
    _province_sum_to(groups, "poverty_labor_transfer", "2023-09", 2_205_985)
    _record(engine, groups)
    book = load_workbook(io.BytesIO(monthly_report(engine, PLAN, "2023-09")))
    sheet = book["总览"]
    header_row = int(re.sub(r"\D", "", sheet.freeze_panes)) - 1
    header = [c.value for c in sheet[header_row]]
    col = {name: header.index(name) for name in header}
    pace_col = next(i for i, h in enumerate(header) if h.startswith("进度"))
    for row in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        if row[0] is None:
            continue
        status, completion, pace = row[col["状态"]], row[col["完成率"]], row[pace_col]
        if status in MET:
            assert completion >= 0.98, row
        if status == "正常":
            assert pace >= 0.95, row
        if status == "预警":
            assert 0.85 <= pace < 0.95, row
        if row[0] == "脱贫劳动力转移就业人数":
            assert status not in MET and "差15人" in row[col["备注"]]  # the remark says what the 万 format hides


def test_one_prefecture_returning_first_makes_every_target_incomplete_not_behind(real_world):
    engine, groups = real_world
    # Everyone through August; for September only 绵阳 (9 of 183 counties) has sent its return so far.
    _record(engine, groups, keep=lambda prefecture, month: month <= "2023-08" or prefecture == "510700")
    rows = progress_rows(engine, PLAN, "2023-09", "province")
    # (the key-assistance target has no county in 绵阳: nothing of it has come in, 未报送)
    assert {r["status"] for r in rows} <= {"incomplete", "completed_early", "attained", "no_data"}
    assert "behind" not in {r["status"] for r in rows} and "incomplete" in {r["status"] for r in rows}
    for row in rows:
        if row["status"] == "incomplete":
            assert row["reported"] == 9 and row["coverage"] < 0.1 and row["pace"] is None
    facts = load_facts(engine, PLAN, "2023-09")
    deck = build_deck(facts.snap, facts=facts, lang="zh")
    glance = deck.slides[0]
    assert "滞后" not in {f.label for f in glance.figures} and "数据不全" in {f.label for f in glance.figures}
    summary = "\n".join(build_summary(facts).paragraphs())
    assert "暂不能判断进度的有：" in summary and "慢于序时进度的有：" not in summary


def test_a_prefecture_missing_its_biggest_county_is_not_named_the_worst(demo_url):
    """The demo's September 2023: 雅安's 雨城区 has not reported. Its rural transfer is not 滞后 at 82 % but 数据不全."""
    from tracker.store.db import get_engine

    engine = get_engine(demo_url)
    rows = progress_rows(engine, PLAN, "2023-09", "prefecture")
    yaan = next(r for r in rows if r["target"] == "rural_labor_transfer" and r["region"] == "511800")
    assert (yaan["reported"], yaan["expected_reporters"]) == (7, 8)
    assert yaan["status"] == "incomplete" and yaan["coverage"] < 0.9
    facts = load_facts(engine, PLAN, "2023-09")
    rural = next(f for f in facts.targets if f.id == "rural_labor_transfer")
    assert "511800" not in {r["region"] for r in rural.lagging}


def test_stock_targets_are_never_completed_before_the_end_of_their_period(demo_url):
    from tracker.store.db import get_engine

    engine = get_engine(demo_url)
    plan = get_plan(PLAN)
    levels = {t.id for t in plan.targets if t.kind == "level"}
    for month in ("2023-03", "2023-06", "2023-07", "2023-11"):
        for row in progress_rows(engine, PLAN, month, "province"):
            if row["target"] in levels:
                assert row["status"] != "completed", (month, row["target"])
    december = {r["target"]: r["status"] for r in progress_rows(engine, PLAN, "2023-12", "province")}
    assert {december[t] for t in levels} <= {"completed", "behind", "incomplete"}


def test_after_the_period_the_json_says_which_month_was_judged(demo_url):
    from tracker.store.db import get_engine

    rows = {r["target"]: r for r in progress_rows(get_engine(demo_url), PLAN, "2024-02", "province")}
    assert rows["labor_brand_training"]["judged_month"] == "2023-12"
    assert rows["key_area_skill_training"]["judged_month"] == "2024-02"


def test_before_its_period_a_target_is_not_started_not_unreported(demo_url):
    from tracker.store.db import get_engine

    rows = progress_rows(get_engine(demo_url), PLAN, "2022-12", "province")
    assert {r["status"] for r in rows} == {"not_started"}


# --- the plan's words ----------------------------------------------------------------------------------------------

COMPARATOR_WORDS = ("以上", "不少于", "不低于", "至少", "左右", "约", "以内", "以下", "不超过", "控制在")


def test_a_comparator_is_marked_assumed_exactly_where_the_sentence_states_none():
    plan = get_plan(PLAN)
    for target in plan.targets:
        amount = format_quantity(target.value, target.unit)
        raw = target.citation.sentence
        clause = raw[max(0, raw.find(amount.rstrip("人次").rstrip("人")) - 20):]
        stated = any(w in clause for w in COMPARATOR_WORDS)
        assert target.comparator_assumed == (not stated), target.id


def test_no_output_quotes_a_comparator_the_plan_does_not_state(demo_url):
    from tracker.store.db import get_engine

    engine = get_engine(demo_url)
    plan = get_plan(PLAN)
    assumed = {t.name.zh: t for t in plan.targets if t.comparator_assumed}
    assert len(assumed) == 3
    seen = set()
    for text in _texts(engine, "2023-09"):
        for m in CLAUSE.finditer(text):
            if m["name"] in assumed:
                target = assumed[m["name"]]
                assert m["goal"] == f"{format_quantity(target.value, target.unit)}（按“不少于”理解）", m[0]
                seen.add(m["name"])
    assert seen == set(assumed)
    book = load_workbook(io.BytesIO(monthly_report(engine, PLAN, "2023-09")))
    for row in book["总览"].iter_rows(values_only=True):
        if row[0] in assumed:
            assert "以上" not in " ".join(str(v) for v in row if v is not None) and "按“不少于”理解" in str(row)


def test_no_task_or_item_is_said_to_be_led_by_a_department_the_plan_does_not_name(demo_url):
    from tracker.outputs.tables import red_list_table
    from tracker.progress.redlist import lagging
    from tracker.store.db import get_engine

    engine = get_engine(demo_url)
    plan = get_plan(PLAN)
    assert all(item.departments.lead is None for item in (*plan.tasks, *plan.targets, *plan.milestones))
    assert plan.coordination is not None and plan.coordination.lead == "hrss"
    assert "人力资源社会保障部门牵头" in plan.coordination.citation.sentence
    for as_of in ("2023-09", "2025-12"):
        for text in _texts(engine, as_of):
            assert "牵头" not in text, as_of
        snap = load_snapshot(engine, PLAN, as_of)
        table = red_list_table(snap, lagging(snap), {d: d for d in {"hrss", "ndrc", "education", "public_security",
                                                                   "finance", "housing", "agriculture",
                                                                   "healthcare_security", "trade_unions"}},
                               by_item=True)
        assert not any("牵头" in str(v) for v in table.to_numpy().ravel())


def test_the_plans_departments_are_listed_in_the_order_of_its_parentheses():
    from loaders.plans import load_departments
    from tracker.extract.departments import DepartmentMatcher

    plan = get_plan(PLAN)
    matcher = DepartmentMatcher(load_departments())
    for task in plan.tasks:
        found = matcher.resolve(task.citation.sentence.strip("()（）"))
        assert found.lead is None and found.co == task.departments.responsible, task.id
        for item in (*plan.targets, *plan.milestones):
            if item.task == task.id:
                assert item.departments == task.departments, item.id


# --- what is due --------------------------------------------------------------------------------------------------


def test_a_2024_template_asks_only_for_the_targets_and_counties_in_force():
    plan = get_plan(PLAN)
    tree, scopes = load_divisions(), resolve_scopes(plan)
    key = set(load_region_set("key_assistance_counties").counties)
    liangshan = "513400"
    book = load_workbook(io.BytesIO(build_template(plan, tree, "2024-03", liangshan, scopes)))
    sheet = book["数据"]
    headers = [c.value for c in sheet[4] if c.value]
    assert headers == ["区划代码", "县（市、区）", "重点帮扶地区职业技能培训人次（人次）"]  # 2023's six are over
    codes = {sheet.cell(r, 1).value for r in range(6, sheet.max_row + 1)} - {None, "填表人："}
    assert codes and codes <= key  # only 凉山's key-assistance counties
    with pytest.raises(NothingDue):
        build_template(plan, tree, "2024-03", "510700", scopes)  # 绵阳 has no key-assistance county
    with pytest.raises(NothingDue):
        build_template(plan, tree, "2026-01", liangshan, scopes)  # the plan's last target ended in 2025
    headers_2023 = [c.value for c in load_workbook(io.BytesIO(build_template(
        plan, tree, "2023-06", "510700", scopes)))["数据"][4] if c.value]
    assert len(headers_2023) == 2 + 6  # June 2023: the six annual targets (绵阳 has no key-assistance county)


def test_expected_reporters_follow_the_targets_in_force(demo_url):
    from tracker.store.db import get_engine

    engine = get_engine(demo_url)
    plan = get_plan(PLAN)
    tree, scopes = load_divisions(), resolve_scopes(plan)
    report = load_completeness(engine, plan, tree, scopes, ["2023-06", "2024-03", "2026-01"],
                               load_snapshot(engine, PLAN, "2024-03").config.reporting)
    expected = dict(zip(report.province["period"], report.province["expected"]))
    assert expected == {"2023-06": 183, "2024-03": 21, "2026-01": 0}
    summary = build_summary(load_facts(engine, PLAN, "2024-03")).overall
    assert "应报送的21个县（市、区）中" in summary and "应报送的183" not in summary


def test_the_demo_returns_keep_every_validation_rule_of_the_plan(demo_url):
    from tracker.store.db import get_engine

    plan = get_plan(PLAN)
    values = store.current_values(get_engine(demo_url), PLAN)
    wide = values.pivot_table(index=["region", "period"], columns="target", values="value")
    broken = []
    for (region, period), row in wide.iterrows():
        figures = {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
        broken += [(rule.id, region, period) for rule in plan.validation_rules if violated(rule, figures)]
    assert broken == []
    assert values["period"].max() <= "2025-12"
    over = values[values["target"] != "key_area_skill_training"]
    assert over["period"].max() == "2023-12"  # no figures for a target after its period


def test_the_target_page_names_the_counties_an_estimate_fills(demo_env):
    from tests.conftest import table_of
    from tests.test_app import app

    at = app(as_of="2023-09")
    at.session_state["target"] = "rural_labor_transfer"
    at.switch_page("pages/target.py").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    estimate = next(c for c in captions if c.startswith("估算（不计入实际数）"))
    assert "雨城区" in estimate and "按其本年最近一月数计入" in estimate  # named, and said to be an estimate
    table = table_of(at.table[0])
    assert "估算约" in table["备注"].iloc[0] and "182/183 县报送" in table["备注"].iloc[0]
