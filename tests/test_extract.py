"""Drafting a plan from its text (tracker.extract, ``tracker extract``): the 2023 plan gives back the hand-made
YAML's seven targets field by field; short passages written for these tests pin each rule (units, comparators,
periods, kinds, departments, ranges, nesting, yearly rates, baselines, false positives, Traditional characters,
pinyin artefacts, ASCII punctuation, lost line breaks); drafts load with the plan loader and save only when valid."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from loaders.plans import PlanFileError, load_plan, load_plans
from tests.conftest import shown
from tracker import TARGETS_DIR
from tracker.cli import main
from tracker.extract import (
    ExtractError,
    SaveRefused,
    apply_edits,
    build_draft,
    extract_bytes,
    extract_file,
    highlight_markdown,
    milestones_table,
    review,
    save_plan,
    targets_table,
    to_yaml,
    write_draft,
)
from tracker.extract.text import normalize

SOURCE_2023 = TARGETS_DIR / "sources" / "sichuan-2023-county-citizenization-plan.txt"
SOURCE_2022 = TARGETS_DIR / "sources" / "sichuan-2022-work-points-news.txt"
HAND_2023 = load_plan(TARGETS_DIR / "sichuan-2023-citizenization.yaml")
HAND_2022 = load_plan(TARGETS_DIR / "sichuan-2022-work-points.yaml")
TEXT_2023 = SOURCE_2023.read_text(encoding="utf-8")
DEPTS = "（人力资源社会保障厅、省发展改革委按职责分工负责）"


def draft_of(*sentences: str, departments: str = DEPTS, year: int | None = 2023, heading: str = "（一）提高就业质量。"):
    return build_draft(heading + "".join(sentences) + departments, "passage.txt", plan_id="passage", year=year)


def only(draft):
    assert len(draft.targets) == 1, [(t.name, t.value) for t in draft.targets]
    return draft.targets[0]


def loaded(draft, tmp_path):
    """The draft as the plan loader reads it from the file ``tracker extract`` writes."""
    path = tmp_path / f"{draft.plan_id}.yaml"
    write_draft(draft, path)
    return load_plan(path)


def signature(plan, target):
    """What a target must agree on with the hand-made plan (ids may differ): value, unit, comparator, tolerance,
    kind, period, reporting, aggregation, task title, departments."""
    return (target.value, target.unit, target.comparator, target.tolerance, target.kind, target.period.start,
            target.period.end, target.reporting, target.aggregation.months, plan.task(target.task).title.zh,
            target.departments.lead, target.departments.responsible)


# --- the 2023 plan against the hand-made YAML ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    draft = extract_file(SOURCE_2023)
    path = tmp_path_factory.mktemp("seed") / "draft.yaml"
    write_draft(draft, path)
    return draft, load_plan(path), path


def test_seed_draft_loads_and_has_exactly_seven_targets(seed):
    draft, plan, _ = seed
    assert len(plan.targets) == 7
    assert draft.skipped == []  # no figure of the text was even considered and put aside


def test_seed_targets_match_the_hand_made_yaml_field_by_field(seed):
    _, plan, _ = seed
    for hand in HAND_2023.targets:
        found = [t for t in plan.targets if t.value == hand.value and t.unit == hand.unit
                 and t.citation.sentence == hand.citation.sentence]
        assert len(found) == 1, hand.id
        target = found[0]
        assert signature(plan, target) == signature(HAND_2023, hand), hand.id
        assert target.citation == hand.citation, hand.id
        assert target.departments == hand.departments, hand.id


def test_seed_tasks_issuers_title_and_date_match_the_hand_made_yaml(seed):
    _, plan, _ = seed
    assert [(t.number, t.title.zh, t.departments, t.citation) for t in plan.tasks] == \
        [(t.number, t.title.zh, t.departments, t.citation) for t in HAND_2023.tasks]
    assert plan.issuers == HAND_2023.issuers
    assert plan.title.zh == HAND_2023.title.zh
    assert plan.source.issued == HAND_2023.source.issued
    assert plan.source.text == HAND_2023.source.text  # the text already lies under targets/sources


def test_seed_milestones_are_the_hand_made_measures_one_per_sentence(seed):
    _, plan, _ = seed
    hand = {m.citation.sentence: HAND_2023.task(m.task).title.zh for m in HAND_2023.milestones}
    drafted = {m.citation.sentence: plan.task(m.task).title.zh for m in plan.milestones}
    assert drafted == hand
    assert all(m.departments == plan.task(m.task).departments for m in plan.milestones)
    assert all(m.citation.section == f"二、重点任务 {m.citation.section.split(' ', 1)[1]}" for m in plan.milestones)


def test_seed_citations_quote_the_text_verbatim(seed):
    _, plan, _ = seed
    for item in (*plan.tasks, *plan.targets, *plan.milestones):
        assert item.citation.sentence in TEXT_2023, item.id


def test_seed_yaml_carries_per_field_confidence_as_comments_and_a_review_file(seed):
    draft, plan, path = seed
    text = path.read_text(encoding="utf-8")
    assert text.count("# 置信度：") == len(plan.tasks) + len(plan.targets) + len(plan.milestones)
    assert "比较 0.60" in text and "需复核：比较" in text  # 开展…3.3万人: no comparator word
    side = json.loads((path.parent / "draft.review.json").read_text(encoding="utf-8"))
    around = next(t for t in side["targets"] if t["fields"]["comparator"]["value"] == "around")
    assert around["fields"]["comparator"] == {"value": "around", "confidence": 0.9, "evidence": "左右", "note": None}
    assert around["fields"]["tolerance"]["confidence"] < 0.7
    assert {m["kind"]: m["text"] for m in around["marks"]} == {
        "time": "2023年", "kind": "稳定在", "value": "2500万人", "comparator": "左右"}
    assert yaml.safe_load(text) == draft.plan_dict()
    reviewed = to_yaml(draft, review=False)
    assert "# 置信度" not in reviewed and yaml.safe_load(reviewed) == draft.plan_dict()


def test_seed_around_and_implied_comparators_are_stated_as_assumptions(seed):
    _, plan, _ = seed
    around = next(t for t in plan.targets if t.comparator == "around")
    assert around.tolerance == 0.02 and any("容差" in a and "左右" in a for a in around.assumptions)
    training = next(t for t in plan.targets if t.value == 33_000)
    assert any("未写比较词" in a and "不少于" in a for a in training.assumptions)
    cumulative = next(t for t in plan.targets if t.kind == "cumulative")
    assert any("起点" in a and "到2025年底" in a for a in cumulative.assumptions)
    assert any("重点帮扶地区" in a and "scope" in a for a in cumulative.assumptions)


def _traditional_with_pinyin(text: str) -> str:
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert(text)
    for char, pinyin in (("農", "nóng"), ("業", "yè"), ("務", "wù"), ("導", "dǎo"), ("創", "chuàng")):
        traditional = traditional.replace(char, f"{char}({pinyin})")
    return traditional


VARIANTS = {
    "lost line breaks": lambda s: s.replace("\n", ""),
    "full-width punctuation": lambda s: s.translate(str.maketrans({",": "，", "(": "（", ")": "）", ":": "："})),
    "ASCII full stops": lambda s: s.replace("。", "."),
    "Traditional with pinyin": _traditional_with_pinyin,
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_seed_variants_give_the_same_seven_targets(variant, tmp_path):
    text = VARIANTS[variant](TEXT_2023)
    draft = build_draft(text, "variant.txt", plan_id="variant")
    plan = loaded(draft, tmp_path)
    assert sorted(signature(plan, t) for t in plan.targets) == \
        sorted(signature(HAND_2023, t) for t in HAND_2023.targets)
    assert [t.title.zh for t in plan.tasks] == [t.title.zh for t in HAND_2023.tasks]
    assert len(plan.milestones) == len(HAND_2023.milestones)
    assert all(item.citation.sentence in text for item in (*plan.targets, *plan.milestones))


# --- the 2022 news text: Traditional, pinyin artefacts, measures only -----------------------------------------------


def test_2022_news_gives_measures_and_no_false_target(tmp_path):
    draft = extract_file(SOURCE_2022)
    plan = loaded(draft, tmp_path)
    assert draft.traditional and draft.pinyin > 100
    assert plan.targets == () and draft.skipped == []
    assert plan.issuers == ("migrant_work_group",)
    assert all(item.departments.all() == ("migrant_work_group",) for item in (*plan.tasks, *plan.milestones))
    drafted = {m.citation.sentence for m in plan.milestones}
    assert {m.citation.sentence for m in HAND_2022.milestones} <= drafted
    text = SOURCE_2022.read_text(encoding="utf-8")
    assert all(sentence in text for sentence in drafted)
    assert [t.title.zh for t in plan.tasks][1:] == [t.title.zh for t in HAND_2022.tasks]
    assert not any("(" in m.name.zh or "徐梦帆" in m.name.zh for m in plan.milestones)  # no pinyin, no byline


# --- units --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sentence, value, unit", [
    ("2023年开展农民工返乡创业培训3.3万人。", 33_000, "人"),
    ("2023年全省脱贫劳动力转移就业220.6万人以上。", 2_206_000, "人"),
    ("2023年全省农村劳动力转移就业稳定在2500万左右。", 25_000_000, "人"),
    ("2023年发放创业担保贷款1.2亿元。", 120_000_000, "元"),
    ("2023年参保率达到95%以上。", 95, "%"),
    ("2023年参保率达到95％以上。", 95, "%"),
    ("2023年新建零工市场20个。", 20, "个"),
    ("2023年扶持创业实体800家。", 800, "家"),
    ("2023年开展职业技能培训10万人次。", 100_000, "人次"),
    ("2023年遴选500名农村致富带头人。", 500, "人"),
    ("2023年培训家政服务人员１２万人。", 120_000, "人"),
    ("2023年培训家政服务人员1,200人。", 1_200, "人"),
    ("2023年建设10所技工学校。", 10, "个"),
    ("2023年支持500户家庭农场。", 500, "家"),
])
def test_values_are_normalised_to_base_units(sentence, value, unit, tmp_path):
    target = only(draft_of(sentence))
    assert (target.value, target.unit) == (value, unit)
    assert loaded(draft_of(sentence), tmp_path).targets[0].value == value


def test_a_mapped_or_implied_unit_is_noted_and_less_certain():
    school = only(draft_of("2023年建设10所技工学校。"))
    assert "原文单位“所”，按“个”计。" in school.assumptions and school.fields["unit"].confidence < 0.7
    implied = only(draft_of("2023年全省农村劳动力转移就业稳定在2500万左右。"))
    assert implied.fields["unit"].confidence < 0.7 and "推定" in implied.fields["unit"].note


# --- comparators --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("words, comparator, stated", [
    ("3.3万人以上", "at_least", True),
    ("不少于3.3万人", "at_least", True),
    ("不低于3.3万人", "at_least", True),
    ("至少3.3万人", "at_least", True),
    ("达到3.3万人", "at_least", True),
    ("3.3万人左右", "around", True),
    ("3.3万人以内", "at_most", True),
    ("不超过3.3万人", "at_most", True),
    ("3.3万人", "at_least", False),
])
def test_comparators_from_the_wording(words, comparator, stated):
    target = only(draft_of(f"2023年开展返乡创业培训{words}。"))
    assert target.value == 33_000 and target.comparator == comparator
    assert (target.fields["comparator"].confidence >= 0.7) == stated
    if not stated:
        assert any("未写比较词" in a and "不少于" in a for a in target.assumptions)
    if comparator == "around":
        assert target.tolerance == 0.02 and any(a.startswith("容差 ±2%") for a in target.assumptions)
    else:
        assert target.tolerance is None
    marked = {kind for _, _, kind in target.marks}
    assert ("comparator" in marked) == stated


# --- periods and kinds --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sentence, kind, start, end, reporting, months", [
    ("2023年开展返乡创业培训3.3万人。", "flow", "2023-01", "2023-12", "ytd", "latest"),
    ("实施技能提升工程,到2025年底,累计开展职业技能培训10万人次以上。", "cumulative", "2023-01", "2025-12", "ytd",
     "sum_of_years"),
    ("到2023年6月底,开展返乡创业培训1万人。", "flow", "2023-01", "2023-06", "ytd", "latest"),
    ("2023—2025年开展返乡创业培训30万人次。", "cumulative", "2023-01", "2025-12", "ytd", "sum_of_years"),
    ("2023年全省农村劳动力转移就业稳定在2500万人左右。", "level", "2023-01", "2023-12", "month_end", "latest"),
    ("到2025年,常住人口城镇化率达到60%。", "level", "2023-01", "2025-12", "month_end", "latest"),
    ("2023年全省脱贫劳动力转移就业220.6万人以上。", "level", "2023-01", "2023-12", "month_end", "latest"),
    ("2023年累计培训返乡创业人员1万人。", "flow", "2023-01", "2023-12", "ytd", "latest"),
    ("开展返乡创业培训1万人。", "flow", "2023-01", "2023-12", "ytd", "latest"),
])
def test_periods_and_kinds(sentence, kind, start, end, reporting, months, tmp_path):
    draft = draft_of(sentence)
    target = only(draft)
    assert (target.kind, target.start, target.end, target.reporting) == (kind, start, end, reporting)
    plan = loaded(draft, tmp_path)
    assert plan.targets[0].aggregation.months == months


def test_a_missing_year_or_start_is_an_assumption_with_low_confidence():
    no_year = only(draft_of("开展返乡创业培训1万人。"))
    assert any("未写年份" in a for a in no_year.assumptions) and no_year.fields["period"].confidence < 0.7
    deadline = only(draft_of("到2025年底,累计开展职业技能培训10万人次以上。"))
    assert any("起点为 2023 年 1 月" in a for a in deadline.assumptions)


def test_the_plan_year_comes_from_the_issue_date_when_not_given():
    text = "四川省人力资源和社会保障厅\n2023年7月17日\n一、重点任务\n（一）提高就业质量。到2025年底,累计培训10万人次。" + DEPTS
    target = only(build_draft(text, "p.txt"))
    assert (target.start, target.end) == ("2023-01", "2025-12")


def test_targets_stated_as_goals_form_their_own_task_without_measures(tmp_path):
    text = ("四川省人力资源和社会保障厅 四川省财政厅\n2024年3月1日\n关于促进农民工高质量充分就业的实施意见\n"
            "一、总体要求\n（一）指导思想。以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大精神。\n"
            "（二）主要目标。到2026年，全省农民工职业技能培训累计达到100万人次，新增返乡创业10万人以上，带动就业30万人；"
            "城镇常住人口基本公共服务覆盖率达到95%。\n"
            "二、主要任务\n（一）加强技能培训。推行订单式培训，每年开展订单式培训2万人次。"
            "（省人力资源社会保障厅牵头，省财政厅、省教育厅配合）\n"
            "三、保障措施\n（一）加强组织领导。各地要建立工作机制。\n")
    draft = build_draft(text, "opinions.txt")
    plan = loaded(draft, tmp_path)
    assert plan.title.zh == "关于促进农民工高质量充分就业的实施意见" and plan.source.issued == "2024-03-01"
    assert [(t.title.zh, t.departments.lead, t.departments.co) for t in plan.tasks] == [
        # 主要目标 names no departments: its issuers, none leading; 加强技能培训 marks 牵头 in its parenthesis
        ("主要目标", None, ("hrss", "finance")), ("加强技能培训", "hrss", ("finance", "education"))]
    goals = [t for t in plan.targets if t.task == plan.tasks[0].id]
    assert [(t.name.zh, t.value, t.kind, t.period.start, t.period.end) for t in goals] == [
        ("农民工职业技能培训人次", 1_000_000, "cumulative", "2024-01", "2026-12"),
        ("新增返乡创业人数", 100_000, "cumulative", "2024-01", "2026-12"),
        ("带动就业人数", 300_000, "cumulative", "2024-01", "2026-12"),
        ("城镇常住人口基本公共服务覆盖率", 95, "level", "2024-01", "2026-12")]
    assert [t.period.start for t in plan.targets if t.task == plan.tasks[1].id] == ["2024-01", "2025-01", "2026-01"]
    assert [m.name.zh for m in plan.milestones] == ["推行订单式培训"]


# --- departments --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("parenthesis, lead, co", [
    # A list in protocol order names no lead: every department is responsible, none is called 牵头.
    ("（人力资源社会保障厅、农业农村厅按职责分工负责）", None, ("hrss", "agriculture")),
    ("(省发展改革委、教育厅、人力资源社会保障厅、住房城乡建设厅、农业农村厅按职责分工负责)", None,
     ("ndrc", "education", "hrss", "housing", "agriculture")),
    ("（省发展改革委配合，人社厅牵头）", "hrss", ("ndrc",)),
    ("（省人力资源和社会保障厅、省医疗保障局、省总工会负责）", None, ("hrss", "healthcare_security", "trade_unions")),
    ("(人力資源社會保障廳、省醫保局按職責分工負責)", None, ("hrss", "healthcare_security")),
])
def test_departments_from_the_closing_parenthesis(parenthesis, lead, co):
    draft = draft_of("2023年开展返乡创业培训3.3万人。", departments=parenthesis)
    target = only(draft)
    assert (target.lead, target.co) == (lead, co)
    assert (draft.tasks[0].lead, draft.tasks[0].co) == (lead, co)


def test_unknown_departments_are_listed_not_invented():
    draft = draft_of("2023年开展返乡创业培训3.3万人。", departments="（省委组织部、人力资源社会保障厅按职责分工负责）")
    assert draft.unknown_departments == ("省委组织部",)
    assert (only(draft).lead, only(draft).co) == (None, ("hrss",))


def test_a_parenthesis_after_a_sentence_names_that_sentences_departments():
    draft = draft_of("2023年开展返乡创业培训3万人（教育厅负责）。", "2023年遴选500名农村致富带头人。",
                     departments="（人力资源社会保障厅负责）")
    assert [(t.value, t.co) for t in draft.targets] == [(30_000, ("education",)), (500, ("hrss",))]


def test_without_a_parenthesis_the_issuers_are_responsible_with_low_confidence():
    text = "四川省人力资源和社会保障厅 四川省教育厅\n2023年7月17日\n一、工作目标\n到2025年底,累计培训农民工100万人次。\n" \
           "二、重点任务\n（一）提高就业质量。稳定就业岗位。（人力资源社会保障厅负责）"
    draft = build_draft(text, "goals.txt")
    target = only(draft)
    assert draft.tasks[0].title == "工作目标" and target.task == draft.tasks[0].id
    assert (target.lead, target.co) == (None, ("hrss", "education"))
    assert target.fields["departments"].confidence < 0.7
    assert [m.task for m in draft.milestones] == [draft.tasks[1].id]  # goals give targets, not measures


# --- ranges, nesting, yearly rates, baselines ---------------------------------------------------------------------


@pytest.mark.parametrize("words, low, high, unit", [
    ("5-10个", 5, 10, "个"), ("5—10个", 5, 10, "个"), ("5至10个", 5, 10, "个"), ("5万-10万人", 50_000, 100_000, "人"),
])
def test_a_range_is_at_least_its_lower_bound_with_the_range_stated(words, low, high, unit, tmp_path):
    draft = draft_of(f"到2023年底,建设县级公共实训基地{words}。")
    target = only(draft)
    assert (target.value, target.unit, target.comparator) == (low, unit, "at_least")
    assert any(words in a and f"上限 {high}" in a for a in target.assumptions)
    loaded(draft, tmp_path)


def test_a_nested_target_is_separate_with_its_parent_noted_and_a_rule(tmp_path):
    draft = draft_of("2023年全省新增城镇就业10万人（含脱贫劳动力2万人），其中返乡创业不少于1.5万人。")
    parent, included, part = draft.targets
    assert (parent.value, included.value, part.value) == (100_000, 20_000, 15_000)
    assert included.parent == parent.id and part.parent == parent.id and parent.parent is None
    assert included.name == "新增城镇就业人数（其中：脱贫劳动力）"
    assert any(parent.name in a and "含脱贫劳动力2万人" in a for a in included.assumptions)
    assert part.comparator == "at_least" and part.fields["comparator"].evidence == "不少于"
    assert (included.kind, included.start, included.end) == (parent.kind, parent.start, parent.end)
    plan = loaded(draft, tmp_path)
    rules = {(r.left.expression, r.operator, r.right.expression) for r in plan.validation_rules}
    assert rules == {(included.id, "less_than_or_equal_to", parent.id), (part.id, "less_than_or_equal_to", parent.id)}


def test_a_parenthesis_without_a_figure_is_not_nested():
    draft = draft_of("整合利用企业、职业院校(含技工学校),2023年培训1万人。")
    assert only(draft).parent is None


def test_a_yearly_rate_is_one_flow_target_per_year_up_to_the_deadline(tmp_path):
    draft = draft_of("到2025年,每年培训农民工5万人次。")
    assert [(t.id.rsplit("_", 1)[1], t.start, t.end, t.kind, t.value) for t in draft.targets] == [
        ("2023", "2023-01", "2023-12", "flow", 50_000), ("2024", "2024-01", "2024-12", "flow", 50_000),
        ("2025", "2025-01", "2025-12", "flow", 50_000)]
    assert all("按年拆分" in " ".join(t.assumptions) for t in draft.targets)
    assert len(loaded(draft, tmp_path).targets) == 3


def test_a_yearly_rate_without_a_deadline_runs_to_the_plans_horizon_or_its_first_year():
    draft = draft_of("年培训家政服务人员3000名。", "到2024年底,累计建设基地10个。")
    assert [(t.id, t.start) for t in draft.targets] == [
        ("task1_target1_2023", "2023-01"), ("task1_target1_2024", "2024-01"), ("task1_target2", "2023-01")]
    assert [t.start for t in draft_of("每年培训农民工5万人次。").targets] == ["2023-01"]
    assert [t.start for t in draft_of("2023—2025年每年新增就业1万人。").targets] == ["2023-01", "2024-01", "2025-01"]


@pytest.mark.parametrize("sentence, values, skipped, reason", [
    ("在现有200家的基础上,2023年新增扶持创业实体100家。", [100], "200家", "baseline"),
    ("2022年全省已培训2万人,2023年培训3万人。", [30_000], "2万人", "past"),
    ("2022年全省农村劳动力转移就业2491万人。", [], "2491万人", "past"),
    # A change against another region's level is no target of this plan's own figures.
    ("2023年农村居民人均可支配收入增幅高于全省平均水平2个百分点。", [], "2个百分点", "relative"),
])
def test_baselines_past_figures_and_relative_changes_are_not_targets(sentence, values, skipped, reason):
    draft = draft_of(sentence)
    assert [t.value for t in draft.targets] == values
    assert [(s.text, s.reason) for s in draft.skipped] == [(skipped, reason)]
    assert draft.skipped[0].sentence == sentence


def test_a_baseline_does_not_lend_its_year_to_a_later_clause():
    draft = draft_of("2022年全省已培训2万人,失业率控制在5.5%以内。")
    target = only(draft)
    assert (target.value, target.comparator, target.start) == (5.5, "at_most", "2023-01")


def test_dates_document_numbers_and_chinese_numerals_are_never_targets():
    draft = draft_of("按照人社部发〔2023〕8号要求,9部门于2023年7月17日联合印发通知,深入贯彻党的二十大精神和省委十二届二次、"
                     "三次全会精神,实施农民工服务保障十大专项行动和工伤预防五年行动计划,建设县乡村三级劳务服务体系,"
                     "打造一批示范站点。")
    assert draft.targets == [] and draft.skipped == []
    assert len(draft.milestones) == 1


# --- text forms: Traditional, pinyin, ASCII punctuation, lost line breaks, .docx, encodings -------------------------


def test_traditional_text_with_pinyin_and_ascii_punctuation(tmp_path):
    text = ("（二）鼓勵返鄉創業。提升農(nóng)民工創業能力,2023年開展農(nóng)民工返鄉創業培訓3.3萬人,遴選500名"
            "農(nóng)村致富帶頭人。(人力資源社會保障廳、農業農村廳按職責分工負責)")
    draft = build_draft(text, "trad.txt", plan_id="trad")
    assert draft.traditional and draft.pinyin == 3
    assert [(t.name, t.value, t.lead, t.co) for t in draft.targets] == [
        ("农民工返乡创业培训人数", 33_000, None, ("hrss", "agriculture")),
        ("遴选农村致富带头人数", 500, None, ("hrss", "agriculture"))]
    assert draft.tasks[0].title == "鼓励返乡创业"
    plan = loaded(draft, tmp_path)
    assert all(t.citation.sentence in text for t in plan.targets)
    assert plan.targets[0].citation.sentence.startswith("提升農(nóng)民工")


def test_normalisation_keeps_the_way_back_to_the_original():
    raw = "近日,《四川省農(nóng)民工工作要點》印發.四 川 省 教 育 厅培训1,200人."
    norm = normalize(raw)
    assert norm.text == "近日，《四川省农民工工作要点》印发。四川省教育厅培训1200人。"
    start = norm.text.index("农民工")
    assert norm.raw_slice(start, start + 3) == "農(nóng)民工"
    assert norm.label(0, 3) == "近日,"  # a label keeps the original's ASCII punctuation


def test_lost_line_breaks_between_sections_and_tasks():
    text = ("二、重点任务(一)提高就业质量。稳定就业岗位,2023年全省新增就业10万人。(省发展改革委负责)(二)鼓励返乡创业。"
            "2023年开展返乡创业培训3万人。(人力资源社会保障厅负责)三、有关要求(一)加强组织领导。各地要加强领导。")
    draft = build_draft(text, "flat.txt")
    assert [(t.title, t.co) for t in draft.tasks] == [("提高就业质量", ("ndrc",)), ("鼓励返乡创业", ("hrss",))]
    assert [(t.value, t.task, t.section) for t in draft.targets] == [
        (100_000, "task1", "二、重点任务 (一)提高就业质量"), (30_000, "task2", "二、重点任务 (二)鼓励返乡创业")]
    assert [m.name for m in draft.milestones] == ["稳定就业岗位"]  # 有关要求 gives no measures


def test_docx_and_gb18030_input(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("二、重点任务")
    document.add_paragraph("（一）鼓励返乡创业。2023年开展农民工返乡创业培训3.3万人。（人力资源社会保障厅负责）")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "（二）提升技能水平。2023年开展劳务品牌培训10万人。"
    table.rows[0].cells[1].text = "（教育厅负责）"
    path = tmp_path / "plan.docx"
    document.save(path)
    draft = extract_file(path, plan_id="docx-plan")
    assert [(t.value, t.co) for t in draft.targets] == [(33_000, ("hrss",)), (100_000, ("education",))]
    text = "（一）鼓励返乡创业。2023年开展农民工返乡创业培训3.3万人。" + DEPTS
    assert only(extract_bytes(text.encode("gb18030"), "plan.txt")).value == 33_000


@pytest.mark.parametrize("data, name, message", [
    (b"%PDF-1.4", "plan.pdf", "不支持的文件类型：.pdf"),
    (b"not a zip", "plan.docx", "不是有效的 .docx"),
    (b"only ascii", "plan.txt", "没有中文"),
])
def test_unreadable_input_is_refused_in_one_chinese_line(data, name, message):
    with pytest.raises(ExtractError, match=message) as info:
        extract_bytes(data, name)
    assert "\n" not in str(info.value)


# --- measures -----------------------------------------------------------------------------------------------------


def test_a_measure_is_a_sentence_with_work_in_it_not_a_bare_target():
    draft = draft_of("持续提升技能素质和稳定就业能力。", "2023年开展劳务品牌培训10万人。",
                     "打造一批培训品牌,2023年开展劳务品牌培训10万人以上。")
    assert [m.name for m in draft.milestones] == ["提升技能素质和稳定就业能力", "打造一批培训品牌"]
    assert all(m.confidence >= 0.7 for m in draft.milestones)


# --- the draft as YAML, the review file, highlighting --------------------------------------------------------------


def test_highlighted_sentence_marks_value_comparator_deadline_and_kind(seed):
    draft, _, _ = seed
    target = next(t for t in draft.targets if t.comparator == "around")
    text = highlight_markdown(target.sentence, target.marks)
    for part in (":blue[**2500万人**]", ":red[**左右**]", ":green[**2023年**]",
                 ":orange[**稳定在**]"):
        assert part in text
    assert shown(re.sub(r":[a-z]+\[\*\*(.*?)\*\*\]", r"\1", text)) == target.sentence


def test_review_lists_every_field_with_its_confidence_and_the_skipped_figures():
    draft = draft_of("在现有200家的基础上,2023年新增扶持创业实体100家。")
    data = review(draft)
    fields = data["targets"][0]["fields"]
    assert set(fields) == {"name", "value", "unit", "comparator", "kind", "period", "task", "departments"}
    assert all(0 <= f["confidence"] <= 1 for f in fields.values())
    assert data["not_targets"][0]["reason"] == "baseline" and data["not_targets"][0]["text"] == "200家"
    json.dumps(data, ensure_ascii=False)


# --- editing and saving -------------------------------------------------------------------------------------------


@pytest.fixture
def small_draft():
    return draft_of("稳定就业岗位,2023年全省新增城镇就业10万人（含脱贫劳动力2万人）。",
                    "2023年开展返乡创业培训3.3万人左右。")


def test_save_writes_a_plan_the_loader_accepts_and_the_text_it_quotes(small_draft, tmp_path):
    path = save_plan(small_draft, tmp_path)
    assert path == tmp_path / "passage.yaml"
    plan = load_plans(tmp_path)["passage"]
    text = (tmp_path / plan.source.text).read_text(encoding="utf-8")
    assert all(item.citation.sentence in text for item in (*plan.targets, *plan.milestones))
    assert "# 置信度" not in path.read_text(encoding="utf-8")  # the reviewed file drops the review comments


def test_save_never_overwrites_without_the_tick(small_draft, tmp_path):
    path = save_plan(small_draft, tmp_path)
    before = path.read_text(encoding="utf-8")
    edited = apply_edits(small_draft, title="另一个名称")
    with pytest.raises(SaveRefused, match="已存在"):
        save_plan(edited, tmp_path)
    assert path.read_text(encoding="utf-8") == before
    save_plan(edited, tmp_path, overwrite=True)
    assert load_plan(path).title.zh == "另一个名称"


def test_save_refuses_another_plans_id(small_draft, tmp_path):
    (tmp_path / "other.yaml").write_text("id: passage\n", encoding="utf-8")
    with pytest.raises(SaveRefused, match="已被 targets/other.yaml 使用"):
        save_plan(small_draft, tmp_path)
    assert not (tmp_path / "passage.yaml").exists()


def test_an_invalid_edit_is_refused_with_the_loaders_message_and_nothing_written(small_draft, tmp_path):
    frame = targets_table(small_draft)
    frame.loc[0, "comparator"] = "around"
    frame.loc[0, "tolerance"] = None
    with pytest.raises(PlanFileError) as info:
        save_plan(apply_edits(small_draft, frame), tmp_path)
    assert any("passage.yaml: targets[0](id=task1_target1): comparator 为 around 时须给出 tolerance" in p
               for p in info.value.problems)
    with pytest.raises(PlanFileError, match="格式不符"):
        save_plan(apply_edits(small_draft, plan_id="Bad Id"), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_edits_from_the_tables_reach_the_plan(small_draft, tmp_path):
    targets = targets_table(small_draft)
    assert list(targets["id"]) == ["task1_target1", "task1_target2", "task1_target3"]
    targets.loc[1, "include"] = False  # the nested target goes, and with it its rule
    targets.loc[0, "id"] = "urban_jobs"
    targets.loc[0, "kind"] = "level"
    targets.loc[2, "co"] = "education、agriculture"
    measures = milestones_table(small_draft)
    measures.loc[0, "name"] = "稳岗"
    plan = load_plan(save_plan(apply_edits(small_draft, targets, measures, plan_id="edited"), tmp_path))
    assert [t.id for t in plan.targets] == ["urban_jobs", "task1_target3"]
    assert (plan.targets[0].reporting, plan.targets[0].aggregation.months) == ("month_end", "latest")
    assert plan.targets[1].departments.co == ("education", "agriculture")
    assert plan.validation_rules == () and plan.milestones[0].name.zh == "稳岗"
    assert (tmp_path / "sources" / "edited.txt").exists()


# --- the command line ---------------------------------------------------------------------------------------------


def test_cli_writes_a_draft_the_loader_accepts(tmp_path, capsys):
    output = tmp_path / "draft.yaml"
    assert main(["extract", str(SOURCE_2023), "--plan-id", "draft-2023", "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert "已起草" in out and "量化目标 7 项" in out
    plan = load_plan(output)
    assert plan.id == "draft-2023" and len(plan.targets) == 7
    side = json.loads((tmp_path / "draft.review.json").read_text(encoding="utf-8"))
    assert len(side["targets"]) == 7 and side["plan"] == "draft-2023"


def test_cli_saves_the_text_and_reads_docx(tmp_path, capsys):
    import docx

    document = docx.Document()
    document.add_paragraph("（一）鼓励返乡创业。2023年开展农民工返乡创业培训3.3万人。（人力资源社会保障厅负责）")
    source = tmp_path / "方案.docx"
    document.save(source)
    output, text = tmp_path / "d.yaml", tmp_path / "d.txt"
    assert main(["extract", str(source), "--year", "2023", "-o", str(output), "--text-out", str(text)]) == 0
    plan = load_plan(output)
    assert plan.id == "plan-2023" and plan.targets[0].value == 33_000
    assert plan.targets[0].citation.sentence in text.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, content, message", [
    ("missing.txt", None, "找不到文件"),
    ("plan.pdf", b"%PDF", "不支持的文件类型：.pdf（只支持 .txt 和 .docx）"),
])
def test_cli_refuses_a_missing_file_or_an_unsupported_type_in_one_line(name, content, message, tmp_path, capsys):
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    assert main(["extract", str(source), "-o", str(tmp_path / "d.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tracker: 错误：") and message in err
    assert not (tmp_path / "d.yaml").exists()


# --- #18: what real plans write (the corpus in tests/plans is scored by tests/test_extract_corpus.py) ---------------


def relative_of(sentence: str, tmp_path, year: int | None = 2023):
    """The single target of a passage as the plan loader reads it from the draft file."""
    draft = draft_of(sentence, year=year)
    plan = loaded(draft, tmp_path)
    assert len(plan.targets) == 1, [(t.name.zh, t.relative) for t in plan.targets]
    return draft, plan.targets[0]


@pytest.mark.parametrize("sentence, change, amount, unit, comparator, baseline, stated", [
    ("2023年城镇居民人均可支配收入增长9%。", "percent", 9, "元", "at_least", "2022-12", False),
    ("2023年农民人均纯收入增长8%左右。", "percent", 8, "元", "around", "2022-12", False),
    ("2023年农民工参保人数比上年增长10%。", "percent", 10, "人", "at_least", "2022-12", True),
    ("2023年参保率提高2个百分点。", "points", 2, "%", "at_least", "2022-12", False),
    ("2023年城镇登记失业人数下降10%。", "percent", -10, "人", "at_most", "2022-12", False),
    ("到2025年,城乡居民人均可支配收入比2020年翻一番。", "multiple", 2, "元", "at_least", "2020-12", True),
])
def test_growth_is_a_target_relative_to_a_baseline(sentence, change, amount, unit, comparator, baseline, stated,
                                                    tmp_path):
    draft, target = relative_of(sentence, tmp_path)
    assert (target.relative.change, target.relative.amount, target.unit, target.comparator) == \
        (change, amount, unit, comparator)
    assert target.relative.baseline.period == baseline
    assert target.value is None and target.relative.baseline.value is None  # each region's own baseline, from data
    # A baseline the text does not name is the December before the period, said as an assumption.
    assert any("基期为" in a and "未写基期" in a for a in target.assumptions) == (not stated)
    if comparator == "around":
        assert target.tolerance == 0.02
    assert "相对目标" in targets_table(draft)["review"][0]
    assert any("人均指标" in a for a in target.assumptions) == ("人均" in sentence)


def test_a_stated_baseline_value_gives_the_targets_value(tmp_path):
    draft, target = relative_of("2023年城镇居民人均可支配收入比上年的40000元增长9%。", tmp_path)
    assert target.relative.baseline.value == 40_000 and target.value == pytest.approx(43_600)
    assert [(s.text, s.reason) for s in draft.skipped] == [("40000元", "baseline")]


def test_lists_share_their_words_and_each_subject_is_a_target(tmp_path):
    draft = draft_of("2023年城镇和农村居民人均可支配收入分别增长7%、8%左右,城镇居民人均可支配收入和农民人均纯收入均增长"
                     "10%左右。")
    assert [(t.name, t.relative["amount"], t.comparator) for t in draft.targets] == [
        ("城镇居民人均可支配收入", 7, "around"), ("农村居民人均可支配收入", 8, "around"),
        ("城镇居民人均可支配收入", 10, "around"), ("农民人均纯收入", 10, "around")]
    loaded(draft, tmp_path)


def _plan(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_the_plan_year_comes_from_the_text_not_today_and_a_vision_is_no_deadline():
    # 许昌's plan: no date of its own; it implements 豫办〔2021〕29号 (so it is issued in 2021 or later); goals to 2025
    # and a vision to 2035. 年培训… runs to 2025, not 2035, whatever year today is.
    text = _plan("根据《中共河南省委办公厅关于印发〈工作方案〉的通知》（豫办〔2021〕29号）精神，制定本工作方案。",
                 "一、目标任务", "到2025年，完成60万人次职业技能培训。", "到2035年，从业人员基本实现“人人持证”。",
                 "二、重点任务", "（一）先进制造业技能提升行动。年培训2万人次以上，1.7万人取得证书。")
    draft = build_draft(text, "xuchang.txt")
    assert draft.base_year == 2021
    assert [(t.value, t.start, t.end) for t in draft.targets if t.value == 600_000] == [(600_000, "2021-01", "2025-12")]
    for value in (20_000, 17_000):  # the second clause of the rate is a rate too
        assert [t.start[:4] for t in draft.targets if t.value == value] == ["2021", "2022", "2023", "2024", "2025"]
    # The document number of the plan itself beats a year the caller passes (e.g. today's).
    own = build_draft(_plan("闽政〔2015〕19号", "一、目标任务", "到2020年，每年开展农民工职业技能培训25万人次以上。"),
                      "fujian.txt", year=2026)
    assert own.base_year == 2015 and own.targets[0].start == "2015-01"
    assert review(own)["base_year_from"] == "文号 闽政〔2015〕19号"
    # A five-year plan's title, and a year that looks back is not the plan's.
    assert build_draft("山西发布了《“十四五”就业促进规划》，到2025年，城镇新增就业200万人以上。",
                       "shanxi.txt").base_year == 2021
    report = build_draft(_plan("刚刚过去的2015年，城镇新增就业116.8万人。", "2016年主要预期目标是：城镇新增就业110万人。"),
                         "report.txt")
    assert report.base_year == 2016
    assert [(t.value, t.start) for t in report.targets] == [(1_100_000, "2016-01")]
    assert [(s.text, s.reason) for s in report.skipped] == [("116.8万人", "past")]


def test_a_passage_that_looks_back_gives_results_not_targets():
    text = _plan("山西发布了《“十四五”就业促进规划》，到2025年，城镇新增就业200万人以上。",
                 "“十三五”以来，山西城镇新增就业累计达257.49万人，城镇登记失业率控制在4.5%以内。",
                 "从就业质量看，全省居民人均可支配收入年均增长7.1%。",
                 "根据规划，到2025年，城镇调查失业率控制在5.5%以内。")
    draft = build_draft(text, "news.txt")
    assert [(t.value, t.end) for t in draft.targets] == [(2_000_000, "2025-12"), (5.5, "2025-12")]
    assert [(s.text, s.reason) for s in draft.skipped] == [("257.49万人", "past"), ("4.5%", "past"), ("7.1%", "past")]


@pytest.mark.parametrize("sentence, reason, note", [
    ("结合我市“633”现代工业体系和4个千亿级产业集群发展,开展订单式培训。", None, None),
    ("——关于经济发展类目标（13个）。", "count", "方案自身条目的计数"),
    ("实施10大专项行动,建设县乡村三级服务体系。", "programme", "方案自身的行动、工程的个数"),
    ("粮食产量保持在180万吨以上。", "unit_unsupported", "吨"),
    ("人口自然增长率控制在6‰以内。", "unit_unsupported", "‰"),
    ("劳动年龄人口平均受教育年限达到10.9年。", "unit_unsupported", "年"),
])
def test_counts_in_names_settings_and_units_the_schema_lacks_are_listed_not_drafted(sentence, reason, note):
    draft = draft_of(sentence)
    assert draft.targets == []
    if reason is None:  # a slogan in quotes and the clusters the training serves
        assert [(s.text, s.reason) for s in draft.skipped] == [("633", "slogan"), ("4个", "context")]
    else:
        assert [(s.reason, s.note) for s in draft.skipped] == [(reason, note)]
    side = review(draft)
    assert all(s["reason_text"] for s in side["not_targets"])


def test_a_count_the_plan_sets_out_to_reach_is_a_target():
    target = only(draft_of("重点打造10个省级人力资源品牌。"))
    assert (target.value, target.unit, target.comparator) == (10, "个", "at_least")


def test_a_target_restated_later_is_drafted_once():
    draft = draft_of("到2025年,城镇新增就业200万人以上。", "就业规模不断扩大,到2025年,城镇新增就业200万人以上。")
    assert [t.value for t in draft.targets] == [2_000_000]
    assert [(s.reason, s.note) for s in draft.skipped] == [("restated", "同“城镇新增就业人数”（task1_target1）")]


@pytest.mark.parametrize("sentence, start, end", [
    ("“十四五”期间新改扩建普惠性幼儿园200所。", "2021-01", "2025-12"),
    ("计划用三年时间开展各类补贴性职业技能提升培训10万人次以上。", "2023-01", "2025-12"),
    ("2023至2025年,三年共开展补贴性职业技能培训180万人次以上。", "2023-01", "2025-12"),
])
def test_five_year_plans_and_durations_give_the_period(sentence, start, end):
    target = only(draft_of(sentence))
    assert (target.start, target.end, target.kind) == (start, end, "cumulative")


def test_a_news_text_carries_the_plans_deadline_to_a_figure_without_time():
    text = _plan("到2025年，江苏将打造全国高质量就业先行区，城镇新增就业目标人数500万人。",
                 "“十三五”期间，城镇累计新增就业725.87万人。",
                 "《规划》从就业结构、职业培训、工资收入、社会保障、权益维护方面，提出了一些体现就业质量的代表性指标：城镇新增就业500万人；")
    draft = build_draft(text, "jiangsu.txt", year=2021)
    assert [(t.value, t.start, t.end) for t in draft.targets] == [(5_000_000, "2021-01", "2025-12")]
    assert [s.reason for s in draft.skipped] == ["past", "restated"]


def test_a_goal_the_plan_lays_the_ground_for_is_not_its_target_and_identical_restatements_are_dropped():
    sentence = ("今后五年全省生产总值年均增长9%左右,为实现全省生产总值和城乡居民人均收入比2010年翻一番打下决定性基础。")
    text = _plan(sentence, sentence, "基本建成创新型省份,城镇化率达到58%以上。")
    draft = build_draft(text, "five-years.txt", year=2013)
    growth = [t for t in draft.targets if t.relative]
    assert [(t.start, t.relative["amount"], t.relative["baseline"]["period"]) for t in growth] == [
        (f"{y}-01", 9, f"{y - 1}-12") for y in range(2013, 2018)]  # 年均: every year against the one before
    # 今后五年 carries to the next sentence, which names no time of its own.
    assert [(t.value, t.start, t.end) for t in draft.targets if not t.relative] == [(58, "2013-01", "2017-12")]
    assert [(s.text, s.reason) for s in draft.skipped] == [
        ("翻一番", "context"), ("翻一番", "context"), ("9%", "restated")]


def test_the_count_of_a_plans_own_tasks_is_not_a_target():
    draft = draft_of("2025年重点抓好农机手技能提升培训等7项工作任务,计划培育高素质农民16231人。")
    assert [t.value for t in draft.targets] == [16_231]
    assert [(s.text, s.reason) for s in draft.skipped] == [("7项", "count")]
