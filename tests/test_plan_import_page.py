"""The page 导入新方案 under AppTest: upload a plan's text, see the draft in editable tables with each target's
sentence marked, save it as a plan file only when the loader accepts it and never over an existing file without
the tick. Saving goes to a temporary folder (``tracker.extract.draft.PLANS_DIR``), never to the real targets/."""
from __future__ import annotations

import hashlib

import pytest
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plan
from tests.conftest import PROJECT, shown
from tracker import TARGETS_DIR

SOURCE_2023 = (TARGETS_DIR / "sources" / "sichuan-2023-county-citizenization-plan.txt").read_bytes()
SOURCE_2022 = (TARGETS_DIR / "sources" / "sichuan-2022-work-points-news.txt").read_bytes()


@pytest.fixture
def plans_dir(tmp_path, monkeypatch):
    directory = tmp_path / "targets"
    directory.mkdir()
    monkeypatch.setattr("tracker.extract.draft.PLANS_DIR", directory)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    return directory


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def page(name: str, data: bytes, lang: str | None = None, edits: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=90)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/plan_import.py").run()
    assert not at.exception, [e.value for e in at.exception]
    for key, value in (edits or {}).items():
        at.session_state[key] = value
    at.file_uploader(key="plan_import_file").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def save(at: AppTest) -> AppTest:
    at.button(key=f"plan_import_save_{digest(at.file_uploader(key='plan_import_file').value.getvalue())}").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_draft_is_shown_as_editable_tables_with_the_sources_marked(plans_dir):
    at = page("方案.txt", SOURCE_2023)
    assert "7 项量化目标、46 项工作措施" in at.info[0].value
    targets, measures = at.data_editor
    assert targets.editing_mode == "fixed" and measures.editing_mode == "fixed"
    assert targets.value.shape[0] == 7 and measures.value.shape[0] == 46
    assert sorted(targets.value["value"]) == sorted([25_000_000, 2_206_000, 33_000, 500, 100_000, 500, 100_000])
    marked = next(m.value for m in at.markdown if "农村劳动力转移就业人数" in m.value)
    assert ":blue[**2500万人**]" in marked and ":red[**左右**]" in marked
    assert ":green[**2023年**]" in marked
    assert any(shown(c.value) == "—— 二、重点任务 (一)提高就业质量" for c in at.caption)
    assert any("容差 ±2%" in shown(c.value) for c in at.caption)
    assert [b.label for b in at.get("download_button")] == ["下载方案草稿（YAML，含置信度注释）", "下载复核信息（JSON）"]


def test_saving_writes_a_plan_the_loader_accepts(plans_dir):
    at = page("方案.txt", SOURCE_2023)
    at.text_input(key=f"plan_import_id_{digest(SOURCE_2023)}").set_value("county-2023")
    save(at)
    assert any("已保存：targets/county-2023.yaml（7 项量化目标、46 项工作措施）" in s.value for s in at.success)
    plan = load_plan(plans_dir / "county-2023.yaml")
    assert plan.id == "county-2023" and len(plan.targets) == 7
    assert (plans_dir / "sources" / "county-2023.txt").read_bytes() == SOURCE_2023


def test_an_existing_plan_is_overwritten_only_with_the_tick(plans_dir):
    save(page("方案.txt", SOURCE_2023))
    path = plans_dir / "plan-2023.yaml"
    before = path.read_text(encoding="utf-8")
    at = page("方案.txt", SOURCE_2023)
    at.text_input(key=f"plan_import_title_{digest(SOURCE_2023)}").set_value("改过的名称")
    save(at)
    assert any("已存在" in e.value for e in at.error) and path.read_text(encoding="utf-8") == before
    at.checkbox(key=f"plan_import_overwrite_{digest(SOURCE_2023)}").check()
    save(at)
    assert at.success and load_plan(path).title.zh == "改过的名称"


def test_edits_in_the_table_reach_the_saved_plan(plans_dir):
    key = f"plan_import_targets_{digest(SOURCE_2023)}"
    edits = {key: {"edited_rows": {"0": {"include": False}, "1": {"id": "poverty_labor_transfer"}},
                   "added_rows": [], "deleted_rows": []}}
    save(page("方案.txt", SOURCE_2023, edits=edits))
    plan = load_plan(plans_dir / "plan-2023.yaml")
    assert len(plan.targets) == 6 and plan.targets[0].id == "poverty_labor_transfer"


def test_an_invalid_plan_is_refused_with_the_loaders_chinese_message(plans_dir):
    at = page("方案.txt", SOURCE_2023)
    at.text_input(key=f"plan_import_id_{digest(SOURCE_2023)}").set_value("Bad Id")
    save(at)
    assert any("方案未通过校验" in e.value and "格式不符" in e.value for e in at.error)
    assert list(plans_dir.iterdir()) == []


def test_traditional_news_text_gives_measures_only_in_english_too(plans_dir):
    at = page("news.txt", SOURCE_2022, lang="en")
    assert "Found 4 tasks, 0 quantitative targets and 15 measures" in at.info[0].value
    assert any("pinyin artefacts" in c.value for c in at.caption)
    assert len(at.data_editor) == 1 and at.data_editor[0].value.shape[0] == 15


def test_an_unreadable_file_is_refused(plans_dir):
    at = page("plan.docx", b"not a word file")
    assert any("不是有效的 .docx" in shown(e.value) for e in at.error)
    assert not at.data_editor
