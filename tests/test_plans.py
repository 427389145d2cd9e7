"""Plan files: the real ones load and say what the plans say; broken ones are refused with a message that names the
file, the entry and the field, so an administrator can fix the YAML from the message alone."""
from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import pytest
import yaml

from loaders.plans import PlanFileError, load_plan, load_plans, source_text
from tracker import TARGETS_DIR

PLAN_2023 = "sichuan-2023-citizenization"
PLAN_2022 = "sichuan-2022-work-points"
FILE_2023 = TARGETS_DIR / "sichuan-2023-citizenization.yaml"
NUMERALS = "一二三四五六七八九十"


@pytest.fixture(scope="module")
def plans():
    return load_plans()


@pytest.fixture(scope="module")
def plan(plans):
    return plans[PLAN_2023]


def cited(plan):
    """Every (kind, entry) of a plan that carries a citation."""
    return [("tasks", t) for t in plan.tasks] + [("targets", t) for t in plan.targets] + [
        ("milestones", m) for m in plan.milestones
    ]


# --- the real plan files -----------------------------------------------------------------------------------------


def test_both_plan_files_in_targets_load(plans):
    assert set(plans) == {PLAN_2023, PLAN_2022}


def test_2023_plan_has_exactly_the_seven_targets_with_the_plans_values(plan):
    expected = {
        "rural_labor_transfer": 25_000_000,
        "poverty_labor_transfer": 2_206_000,
        "return_entrepreneurship_training": 33_000,
        "rural_wealth_leaders": 500,
        "labor_brand_training": 100_000,
        "rural_craftsman_training": 500,
        "key_area_skill_training": 100_000,
    }
    assert [t.id for t in plan.targets] == list(expected)
    assert {t.id: t.value for t in plan.targets} == expected


def test_2023_targets_comparators_units_kinds_and_periods(plan):
    got = {t.id: (t.comparator, t.unit, t.kind, t.period.start, t.period.end) for t in plan.targets}
    assert got == {
        "rural_labor_transfer": ("around", "人", "level", "2023-01", "2023-12"),
        "poverty_labor_transfer": ("at_least", "人", "level", "2023-01", "2023-12"),
        "return_entrepreneurship_training": ("at_least", "人", "flow", "2023-01", "2023-12"),
        "rural_wealth_leaders": ("at_least", "人", "flow", "2023-01", "2023-12"),
        "labor_brand_training": ("at_least", "人", "flow", "2023-01", "2023-12"),
        "rural_craftsman_training": ("at_least", "人", "flow", "2023-01", "2023-12"),
        "key_area_skill_training": ("at_least", "人次", "cumulative", "2023-01", "2025-12"),
    }


def test_around_target_states_its_tolerance_and_an_assumption_about_it(plan):
    around = [t for t in plan.targets if t.comparator == "around"]
    assert [t.id for t in around] == ["rural_labor_transfer"]
    target = around[0]
    assert target.tolerance is not None and 0 < target.tolerance < 1
    assert any("容差" in a.zh and "tolerance" in a.en for a in target.assumptions)


def test_every_assumption_of_the_2023_plan_reads_in_both_languages(plan):
    from tracker.model.plan import LocalText

    assumptions = [a for t in plan.targets for a in t.assumptions]
    assert assumptions and all(isinstance(a, LocalText) for a in assumptions)


def test_key_area_target_is_scoped_to_a_region_set(plan):
    target = plan.target("key_area_skill_training")
    assert target.scope is not None
    assert target.scope.region_set == "key_assistance_counties"
    assert all(t.scope is None for t in plan.targets if t.id != "key_area_skill_training")


def test_2023_plan_has_the_seven_tasks_in_order(plan):
    assert [(t.number, t.title.zh) for t in plan.tasks] == [
        (1, "提高就业质量"),
        (2, "鼓励返乡创业"),
        (3, "提升技能水平"),
        (4, "强化权益保障"),
        (5, "推动参保扩面"),
        (6, "加强公共服务供给"),
        (7, "提升基层服务能力"),
    ]


@pytest.mark.parametrize("plan_id", [PLAN_2023, PLAN_2022])
def test_every_citation_sentence_occurs_verbatim_in_the_plans_source_text(plans, plan_id):
    plan = plans[plan_id]
    text = source_text(plan)
    missing = [f"{kind}:{item.id}" for kind, item in cited(plan) if item.citation.sentence not in text]
    assert missing == []


@pytest.mark.parametrize("plan_id", [PLAN_2023, PLAN_2022])
def test_every_citation_section_names_the_entrys_task(plans, plan_id):
    plan = plans[plan_id]
    wrong = []
    for kind, item in cited(plan):
        task = item if kind == "tasks" else plan.task(item.task)
        if task.title.zh not in item.citation.section:
            wrong.append(f"{kind}:{item.id}: {item.citation.section}")
    assert wrong == []


def test_2023_sections_are_the_plans_task_headings(plan):
    text = source_text(plan)
    for kind, item in cited(plan):
        task = item if kind == "tasks" else plan.task(item.task)
        heading = f"({NUMERALS[task.number - 1]}){task.title.zh}"
        assert item.citation.section == f"二、重点任务 {heading}", f"{kind}:{item.id}"
        assert f"\n{heading}。" in text


def test_2023_citations_lie_in_their_tasks_paragraph(plan):
    """A sentence cited for a task must come from that task's paragraph, not from a neighbouring one."""
    text = source_text(plan)
    paragraphs = {}
    for task in plan.tasks:
        start = text.index(f"\n({NUMERALS[task.number - 1]}){task.title.zh}。") + 1
        paragraphs[task.id] = text[start:text.index("\n", start)]
    for kind, item in cited(plan):
        task_id = item.id if kind == "tasks" else item.task
        assert item.citation.sentence in paragraphs[task_id], f"{kind}:{item.id}"


@pytest.mark.parametrize("plan_id", [PLAN_2023, PLAN_2022])
def test_milestones_cite_whole_sentences(plans, plan_id):
    plan = plans[plan_id]
    text = source_text(plan)
    for milestone in plan.milestones:
        sentence = milestone.citation.sentence
        assert sentence.endswith("。"), milestone.id
        assert "。" not in sentence[:-1], milestone.id
        before = text[: text.index(sentence)].rstrip(" ")
        assert before == "" or before[-1] in "。\n", milestone.id


@pytest.mark.parametrize("plan_id", [PLAN_2023, PLAN_2022])
def test_every_task_has_at_least_one_milestone(plans, plan_id):
    plan = plans[plan_id]
    with_milestones = {m.task for m in plan.milestones}
    assert [t.id for t in plan.tasks if t.id not in with_milestones] == []


@pytest.mark.parametrize("plan_id", [PLAN_2023, PLAN_2022])
def test_milestone_and_target_departments_are_their_tasks_departments(plans, plan_id):
    plan = plans[plan_id]
    wrong = [
        item.id
        for item in (*plan.targets, *plan.milestones)
        if item.departments != plan.task(item.task).departments
    ]
    assert wrong == []


def test_2023_milestones_cover_every_measure_sentence_of_the_tasks(plan):
    """Each sentence of a task paragraph is cited by a milestone, except the closing list of departments and the
    sentences that are the targets' own citations (which may, but need not, be cited by a milestone too)."""
    text = source_text(plan)
    cited_sentences = {m.citation.sentence for m in plan.milestones} | {t.citation.sentence for t in plan.targets}
    for task in plan.tasks:
        heading = f"({NUMERALS[task.number - 1]}){task.title.zh}。"
        start = text.index(f"\n{heading}") + 1 + len(heading)
        paragraph = text[start:text.index("\n", start)]
        for sentence in re.findall(r"[^。]+。", paragraph):
            assert sentence in cited_sentences, sentence


def test_2022_plan_is_milestones_only_of_the_leading_group(plans):
    plan = plans[PLAN_2022]
    assert plan.targets == ()
    assert [t.id for t in plan.tasks] == ["employment_support", "rights_protection", "public_services"]
    assert all(item.departments.all() == ("migrant_work_group",) for item in (*plan.tasks, *plan.milestones))
    assert all(item.departments.lead is None for item in (*plan.tasks, *plan.milestones))  # the text names no lead
    assert plan.source.issued is None


# --- broken plan files are refused -------------------------------------------------------------------------------


def _index(entries: list[dict], entry_id: str) -> int:
    return next(i for i, e in enumerate(entries) if e["id"] == entry_id)


def _target(data: dict, target_id: str = "rural_wealth_leaders") -> dict:
    return data["targets"][_index(data["targets"], target_id)]


def _duplicate_target(data):
    data["targets"].append(copy.deepcopy(_target(data)))


def _set_period(**period):
    return lambda data: _target(data)["period"].update(period)


BROKEN = {
    "unknown key on a target": (lambda d: _target(d).update(colour="red"), "rural_wealth_leaders", "colour"),
    "duplicate target id": (_duplicate_target, "rural_wealth_leaders", ".id"),
    "unknown responsible department": (
        lambda d: _target(d)["departments"].update(responsible=["tourism"]), "rural_wealth_leaders",
        "departments.responsible"),
    "unknown department on a milestone": (
        lambda d: d["milestones"][_index(d["milestones"], "county_labor_brands")]["departments"].update(
            responsible=["hrss", "tourism"]), "county_labor_brands", "departments.responsible"),
    "a lead the list does not hold": (
        lambda d: _target(d)["departments"].update(lead="finance"), "rural_wealth_leaders", "lead"),
    "zero value": (lambda d: _target(d).update(value=0), "rural_wealth_leaders", "value"),
    "negative value": (lambda d: _target(d).update(value=-5), "rural_wealth_leaders", "value"),
    "month 13": (_set_period(end="2023-13"), "rural_wealth_leaders", "period.end"),
    "slash in month": (_set_period(start="2023/06"), "rural_wealth_leaders", "period.start"),
    "end before start": (_set_period(start="2023-06", end="2023-05"), "rural_wealth_leaders", "period"),
    "around without tolerance": (
        lambda d: _target(d, "rural_labor_transfer").pop("tolerance"), "rural_labor_transfer", "tolerance"),
    "tolerance without around": (
        lambda d: _target(d).update(tolerance=0.05), "rural_wealth_leaders", "tolerance"),
    "months aggregation contradicting kind and reporting": (
        lambda d: _target(d)["aggregation"].update(months="sum"), "rural_wealth_leaders", "aggregation.months"),
    "cumulative target aggregated as latest": (
        lambda d: _target(d, "key_area_skill_training")["aggregation"].update(months="latest"),
        "key_area_skill_training", "aggregation.months"),
    "missing required field on a target": (lambda d: _target(d).pop("kind"), "rural_wealth_leaders", "kind"),
    "missing citation on a milestone": (
        lambda d: d["milestones"][_index(d["milestones"], "county_labor_brands")].pop("citation"),
        "county_labor_brands", "citation"),
    "unknown unit": (lambda d: _target(d).update(unit="kg"), "rural_wealth_leaders", "unit"),
    "milestone of an unknown task": (
        lambda d: d["milestones"][_index(d["milestones"], "county_labor_brands")].update(task="tourism"),
        "county_labor_brands", "task"),
}


def _write_broken(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(FILE_2023.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "broken-plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_unmodified_dump_of_the_2023_plan_loads(tmp_path):
    """The broken variants below differ from a loadable file only by their mutation."""
    plan = load_plan(_write_broken(tmp_path, lambda data: None))
    assert plan.id == PLAN_2023


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_plan_is_refused_naming_file_entry_and_field(tmp_path, case):
    mutate, entry_id, field = BROKEN[case]
    path = _write_broken(tmp_path, mutate)
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    message = str(info.value)
    assert path.name in message
    assert f"id={entry_id}" in message
    assert field in message
    # every problem names its file, so a list of problems from several files stays readable
    assert all(p.startswith(f"{path.name}: ") for p in info.value.problems)


def test_duplicate_id_names_the_second_entry_and_the_first(tmp_path):
    data = yaml.safe_load(FILE_2023.read_text(encoding="utf-8"))
    first = _index(data["targets"], "rural_wealth_leaders")
    path = _write_broken(tmp_path, _duplicate_target)
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    last = len(data["targets"])
    assert info.value.problems == [
        f"{path.name}: targets[{last}](id=rural_wealth_leaders).id: 重复的 id（与 targets[{first}] 相同）"
    ]


def test_yaml_syntax_error_is_refused_naming_file_and_line(tmp_path):
    lines = FILE_2023.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip() == "tasks:")
    lines[number + 1] = "  - id: employment, number: [1"
    path = tmp_path / "syntax-error.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    message = str(info.value)
    assert path.name in message
    assert "YAML" in message
    assert re.search(r"line \d+", message)


def test_two_files_with_the_same_plan_id_are_refused(tmp_path):
    # load_plan always validates departments against targets/departments.yaml (load_departments' default), so the
    # directory needs only the plan files; a departments.yaml copied here would be read as a plan file.
    shutil.copy(FILE_2023, tmp_path / "a-plan.yaml")
    shutil.copy(FILE_2023, tmp_path / "b-plan.yaml")
    with pytest.raises(PlanFileError) as info:
        load_plans(tmp_path)
    assert info.value.problems == [f"b-plan.yaml: id: 方案 id {PLAN_2023!r} 与另一文件重复"]


def test_a_directory_of_distinct_plans_loads(tmp_path):
    shutil.copy(FILE_2023, tmp_path / "a-plan.yaml")
    assert list(load_plans(tmp_path)) == [PLAN_2023]


def test_a_relative_target_works_out_its_value_from_a_stated_baseline_or_leaves_it_to_the_data():
    from tracker.model.plan import Target

    base = {"id": "income", "name": {"zh": "人均收入", "en": "Income"}, "task": "t",
            "departments": {"responsible": ["hrss"]}, "unit": "元", "comparator": "at_least", "kind": "level",
            "period": {"start": "2023-01", "end": "2023-12"}, "reporting": "month_end",
            "aggregation": {"regions": "sum", "months": "latest"},
            "citation": {"section": "一、目标", "sentence": "城镇居民人均可支配收入增长9%"}}
    stated = Target.model_validate({**base, "relative": {"change": "percent", "amount": 9,
                                                          "baseline": {"period": "2022-12", "value": 40_000}}})
    assert stated.value == pytest.approx(43_600)  # 40,000 × 1.09
    from_data = Target.model_validate({**base, "relative": {"change": "multiple", "amount": 2,
                                                             "baseline": {"period": "2022-12"}}})
    assert from_data.value is None and from_data.relative.apply(150) == 300  # 翻一番 of each region's own figure
    for wrong, where in (({"relative": {"change": "points", "amount": 2, "baseline": {"period": "2022-12"}}}, "points"),
                         ({"relative": {"change": "percent", "amount": 9, "baseline": {"period": "2023-06"}}},
                          "基期"),
                         ({"value": 1, "relative": {"change": "percent", "amount": 9,
                                                    "baseline": {"period": "2022-12", "value": 100}}}, "不一致"),
                         ({}, "value")):
        with pytest.raises(ValueError, match=where):
            Target.model_validate({**base, **wrong})
