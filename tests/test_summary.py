"""情况汇报 (tracker.outputs.summary, ``tracker summary``, the 情况汇报 page): a short formal report whose every number is a
number of ``tracker progress`` (or of the month's reporting completeness), written deterministically."""
from __future__ import annotations

import io
import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT, shown
from tracker.cli import main
from tracker.cli.reports import progress_rows
from tracker.i18n import task_label
from tracker.model.units import format_percent, format_quantity

PLAN = "sichuan-2023-citizenization"
MONTHS = ["2023-03", "2023-09", "2023-12", "2024-06", "2025-12"]
QUANTITY = re.compile(r"\d+(?:\.\d+)?(?:万|亿)?(?:人次|人)(?![数次])")
PERCENT = re.compile(r"\d+(?:\.\d+)?%")


def _facts(url: str, as_of: str):
    from tracker.outputs.summary import load_facts
    from tracker.store.db import get_engine

    return load_facts(get_engine(url), PLAN, as_of)


def _summary(url: str, as_of: str, lang: str = "zh"):
    from tracker.outputs.summary import build_summary

    return build_summary(_facts(url, as_of), lang)


def _allowed(url: str, as_of: str) -> tuple[set[str], set[str]]:
    """Every quantity and percentage ``tracker progress`` prints for the month (province and prefectures), and the
    month's reporting rate."""
    from tracker.store.db import get_engine

    engine = get_engine(url)
    quantities, percents = set(), set()
    for level in ("province", "prefecture"):
        for row in progress_rows(engine, PLAN, as_of, level):
            for key in ("actual", "target_value", "expected"):
                quantities.add(format_quantity(row[key], row["unit"]))
            for key in ("completion", "pace", "coverage"):
                percents.add(format_percent(row[key]))
            if row["actual"] is not None and row["target_value"] is not None:  # "（差15人）": target − actual
                quantities.add(format_quantity(math.ceil(row["target_value"] * (0.98 if row["comparator"] == "around"
                                                                               else 1) - row["actual"]), row["unit"]))
    facts = _facts(url, as_of)
    percents.add(format_percent(facts.reporting.rate))
    return quantities, percents


@pytest.mark.parametrize("as_of", MONTHS)
def test_every_number_in_the_summary_is_a_number_of_tracker_progress(demo_url, as_of):
    from loaders.plans import load_plans

    summary = _summary(demo_url, as_of)
    quantities, percents = _allowed(demo_url, as_of)
    quantities |= {format_quantity(t.value, t.unit) for t in load_plans()[PLAN].targets}
    text = "\n".join(summary.paragraphs())
    found_q = QUANTITY.findall(text)
    found_p = PERCENT.findall(text)
    assert found_q and found_p
    assert set(found_q) <= quantities, set(found_q) - quantities
    assert set(found_p) <= percents, set(found_p) - percents


@pytest.mark.parametrize("as_of", MONTHS)
def test_the_summary_names_the_targets_ahead_and_behind_with_their_figures(demo_url, as_of):
    from loaders.plans import get_plan
    from tracker.store.db import get_engine

    plan = get_plan(PLAN)
    summary = _summary(demo_url, as_of)
    overall = summary.overall
    for row in progress_rows(get_engine(demo_url), PLAN, as_of, "province"):
        name = plan.target(row["target"]).name.zh
        clause = name + format_quantity(row["actual"], row["unit"])
        lists = {key: overall.split(key, 1)[1].split("。", 1)[0] if key in overall else ""
                 for key in ("达到或快于序时进度的有：", "慢于序时进度的有：", "暂不能判断进度的有：")}
        # every target in exactly one list, chosen by its pace (not its status word)
        assert sum(clause in found for found in lists.values()) == 1, name
        if row["pace"] is not None and row["status"] not in ("completed", "completed_early", "attained"):
            key = "达到或快于序时进度的有：" if row["pace"] >= 1 else "慢于序时进度的有："
            assert clause in lists[key] and format_percent(row["pace"]) in lists[key], name
        if row["status"] in ("completed", "completed_early", "attained"):
            assert clause in lists["达到或快于序时进度的有："], name
        if row["pace"] is None and row["status"] not in ("completed", "completed_early", "attained"):
            assert clause in lists["暂不能判断进度的有："] or "尚无报送数据" in lists["暂不能判断进度的有："], name
    assert overall.startswith(f"截至{as_of[:4]}年{int(as_of[5:])}月，方案确定的7项量化指标中")


def test_one_paragraph_per_task_in_order_and_the_overall_one_first(demo_url):
    from loaders.plans import get_plan

    plan = get_plan(PLAN)
    summary = _summary(demo_url, "2024-06")
    assert len(summary.tasks) == len(plan.tasks) == 7
    for paragraph, task in zip(summary.tasks, plan.tasks):
        assert paragraph.startswith(task_label(task.number, task.title.zh) + "。")
    markdown = summary.markdown()
    assert markdown.index("一、总体情况") < markdown.index("（一）") < markdown.index("（七）")
    assert "示例数据" in markdown.split("一、总体情况")[0], "demo data is said before anything else"


def test_the_summary_names_the_prefectures_departments_and_counties_furthest_behind(demo_url):
    from loaders.regions import load_divisions
    from tracker.outputs.summary import region_name

    as_of = "2023-09"  # every target in force; 雨城区 has not reported
    facts = _facts(demo_url, as_of)
    summary = _summary(demo_url, as_of)
    tree = load_divisions()
    worst_prefecture = facts.prefectures_behind()[0]
    assert f"{region_name(tree, worst_prefecture[0])}（{worst_prefecture[1]}项）" in summary.overall
    worst_department = facts.departments_behind()[0]
    assert f"{facts.department(worst_department[0])}（{worst_department[1]}项）" in summary.overall
    assert facts.reporting.missing, "the demo month has counties without a return"
    for county in facts.reporting.missing[:10]:
        assert f"{region_name(tree, county['prefecture'])}{tree[county['region']].name}" in summary.overall
    assert f"已报送{facts.reporting.reported}个" in summary.overall
    for fact in facts.targets:   # the prefecture furthest behind on each target, in its task's paragraph
        if fact.lagging:
            paragraph = next(p for p in summary.tasks if fact.target.name.zh in p)
            assert region_name(tree, fact.lagging[0]["region"]) in paragraph
    for measure in facts.delayed():
        paragraph = next(p for p, task in zip(summary.tasks, facts.snap.plan.tasks) if task.id == measure.task)
        assert measure.name.zh in paragraph and facts.responsible(measure.departments) in paragraph


def test_the_summary_is_deterministic_and_the_command_prints_it(demo_env, capsys):
    first = _summary(demo_env, "2023-09").markdown()
    assert _summary(demo_env, "2023-09").markdown() == first
    assert main(["summary", "--as-of", "2023-09"]) == 0
    assert capsys.readouterr().out == first


def test_the_summary_as_word_and_markdown_files(demo_env, tmp_path, capsys):
    from docx import Document
    from docx.oxml.ns import qn

    out = tmp_path / "情况汇报.docx"
    assert main(["summary", "--as-of", "2023-09", "--format", "docx", "-o", str(out)]) == 0
    assert "已生成情况汇报" in capsys.readouterr().out
    doc = Document(io.BytesIO(out.read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    summary = _summary(demo_env, "2023-09")
    assert texts[0] == summary.title
    assert summary.overall in texts and all(p in texts for p in summary.tasks)
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs}
    assert fonts <= {"Noto Serif CJK SC", "Noto Sans CJK SC"}
    md = tmp_path / "s.md"
    assert main(["summary", "--as-of", "2023-09", "-o", str(md)]) == 0
    assert md.read_text(encoding="utf-8") == summary.markdown()


def test_the_summary_in_english(demo_url):
    summary = _summary(demo_url, "2023-09", lang="en")
    assert summary.overall.startswith("As of Sep 2023, the plan's 7 quantitative targets")
    assert summary.tasks[0].startswith("Task 1: Improve employment quality.")
    assert not re.search(r"[\u4e00-\u9fff]", summary.tasks[3]), "no Chinese in a task without regions"


@pytest.mark.parametrize("args, message", [
    (["summary", "--as-of", "2023-09", "--format", "docx"], "-o FILE.docx"),
    (["summary", "--as-of", "2023-13"], "2023-13"),
    (["summary"], "--as-of"),
    (["summary", "--as-of", "2023-09", "--plan", "nope"], "未知方案"),
    (["summary", "--as-of", "2023-09", "--format", "pdf"], "pdf"),
])
def test_summary_usage_errors_exit_2_with_one_line(demo_env, capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_summary_page_shows_the_report(demo_env):
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["as_of"] = "2023-09"
    at.run()
    at.switch_page("pages/summary.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(shown(m.value) for m in at.markdown)
    summary = _summary(demo_env, "2023-09")
    assert summary.overall in text and summary.tasks[2] in text
    assert {b.proto.label for b in at.get("download_button")} >= {"下载（Word）", "下载（Markdown）"}
