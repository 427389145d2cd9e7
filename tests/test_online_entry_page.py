"""网上填报 on the upload page under AppTest: figures typed in the grid are checked, shown, confirmed and recorded
as a file is — the same problems in the same places, nothing stored before the commit, the receipt, the history
saying the return was entered online, a prefecture's own month only and a locked month refused."""
from __future__ import annotations

import json

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plans
from loaders.regions import load_divisions, resolve_scopes
from tests.conftest import PROJECT, shown, table_of
from tests.test_signin import (
    _accounts,
    _signed_in,
    app_db,  # noqa: F401 (the fixture: a SQLite database with the accounts)
)
from tests.test_upload_page import counts
from tracker.access.roles import Actor
from tracker.intake.entry import entry_grid
from tracker.review.approval import accept

PLAN = load_plans()["sichuan-2023-citizenization"]
MIANYANG = "510700"
GRID = entry_grid(PLAN, load_divisions(), "2023-06", MIANYANG, resolve_scopes(PLAN))
TARGETS = list(GRID.columns[2:])
EDITOR = f"entry_{MIANYANG}_2023-06"


def typed(bad: dict[tuple[int, str], str] | None = None, first: int = 300_000) -> dict:
    """The data editor's edit state for a clean June typed into every cell (as text, as the grid holds it)."""
    rows = {i: {target: str((first, 20_000, 50, 2, 500, 3)[j] + i) for j, target in enumerate(TARGETS)}
            for i in range(len(GRID))}
    for (i, target), value in (bad or {}).items():
        rows[i][target] = value
    return {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def online_page(at: AppTest | None = None) -> AppTest:
    if at is None:
        at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
        at.session_state["as_of"] = "2023-06"
        at.run()
    at.switch_page("pages/upload.py").run()
    if not at.selectbox(key="upload_prefecture").disabled:  # a prefecture user's is fixed to its own
        at.selectbox(key="upload_prefecture").set_value(MIANYANG)
    at.selectbox(key="upload_period").set_value("2023-06").run()
    at.segmented_control(key="upload_mode").set_value("online").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def check(at: AppTest, edits: dict) -> AppTest:
    at.session_state[EDITOR] = edits
    at.run()
    at.button(key=f"entry_check_{MIANYANG}_2023-06").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def commits(at: AppTest) -> list:
    return [b for b in at.button if b.key and b.key.startswith("commit_online_")]


def test_the_grid_shows_the_templates_counties_and_targets_under_their_names(ready_engine):
    at = online_page()
    editor = at.data_editor(key=EDITOR)
    assert list(editor.value["county"]) == list(GRID["county"]) and len(editor.value) == 9
    columns = json.loads(editor.proto.columns)  # what the browser draws: headings with units, codes locked
    assert columns[TARGETS[0]]["label"] == "农村劳动力转移就业人数（人）"
    assert columns[TARGETS[0]]["type_config"]["type"] == "text"  # "待报" reaches the reader as typed
    assert columns["county"]["disabled"] and columns["county_name"]["disabled"]
    assert not columns[TARGETS[0]].get("disabled")
    assert "涪城区" in set(editor.value["county_name"])
    assert [u.key for u in at.file_uploader] == ["allocation_file"]  # entering online: no return upload


def test_figures_entered_in_the_grid_are_checked_committed_and_listed_as_entered_online(ready_engine):
    at = check(online_page(), typed())
    assert [s.value for s in at.subheader][0] == "网上填报：绵阳市，2023年6月"
    assert "识别到 54 个数值；0 个错误，0 个警告。" in [m.value for m in at.markdown]
    assert table_of(at.table[0]).shape[0] == 54  # the preview, as for a file
    assert counts(ready_engine) == (0, 0)  # the check writes nothing
    commits(at)[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert counts(ready_engine) == (1, 54)
    assert any("已导入：报送编号 1；数值 54 个；新增 54 个" in s.value for s in at.success)
    history = next(table_of(x) for x in at.table if "文件" in table_of(x))
    assert list(history["方式"]) == ["网上填报"] and list(history["文件"]) == ["网上填报-510700-2023-06.xlsx"]
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select value from reported_values where region_code = '510703' and "
                                   "target_id = :t"), {"t": TARGETS[0]}) == 300_000

    # the page opened again: the grid starts from what was stored; the same figures again change nothing
    again = online_page()
    assert again.data_editor(key=EDITOR).value[TARGETS[0]].iloc[0] == "300000"
    check(again, typed())
    assert any("完全相同" in i.value for i in again.info) and not commits(again)


def test_a_bad_cell_is_refused_with_its_problem_shown_and_nothing_stored(ready_engine):
    at = check(online_page(), typed({(2, "labor_brand_training"): "待报", (5, "rural_wealth_leaders"): "-5"}))
    listed = next(shown(m.value) for m in at.markdown if "🔴" in m.value)
    assert "安州区" in listed and "“劳务品牌培训人数”应为数字，填写的是“待报”" in listed
    assert "“遴选农村致富带头人数”不能为负数：“-5”" in listed
    preview = table_of(at.table[1])
    bad = preview[preview["单元格"] == "数据!G8"]
    assert list(bad["填写内容"]) == ["待报"] and "应为数字" in bad["问题"].iloc[0]
    assert any("有错误，不能导入" in e.value for e in at.error) and not commits(at)
    assert counts(ready_engine) == (0, 0)
    # typed on since the check: the old check is not offered for a commit
    at.session_state[EDITOR] = typed()
    at.run()
    assert any("再点“检查”" in i.value for i in at.info) and not at.error


def test_a_prefecture_enters_its_own_month_for_review_and_a_locked_month_is_refused(app_db):  # noqa: F811
    _accounts(app_db)
    at = online_page(_signed_in("mianyang", as_of="2023-06"))
    box = at.selectbox(key="upload_prefecture")
    assert (box.options, box.disabled) == (["绵阳市"], True)
    check(at, typed())
    commits(at)[0].click().run()
    assert any("待审核" in s.value for s in at.success)
    with app_db.connect() as conn:
        submission, uploader, status = conn.execute(sa.text("select id, uploader, status from submissions")).one()
    assert (uploader, status) == ("绵阳市人社局", "submitted")
    accept(app_db, Actor("sheng", "province"), submission)  # the month is locked now

    check(at, typed(first=400_000))  # a correction after acceptance: refused as a file would be
    assert any("已审核接收并锁定" in m.value for m in at.markdown) and not commits(at)
    assert counts(app_db) == (1, 54)
