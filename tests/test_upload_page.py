"""The upload page under AppTest: problems shown in place, nothing written until confirmed, a receipt after."""
from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plans
from loaders.regions import load_divisions, resolve_scopes
from tests.conftest import PROJECT, shown, table_of
from tracker.intake.template import build_template

PLAN = load_plans()["sichuan-2023-citizenization"]
MIANYANG = "510700"


def filled_template(period: str = "2023-06", bad: str | None = None, skip_last: bool = False) -> bytes:
    data = build_template(PLAN, load_divisions(), period, MIANYANG, resolve_scopes(PLAN))
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["数据"]
    for r in range(6, 15 if not skip_last else 14):
        for c, value in zip(range(3, 9), (300_000 + r, 20_000 + r, 50 + r, 2, 500 + r, 3)):
            sheet.cell(r, c, value)
    if bad:
        sheet["G8"] = bad
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_preview_marks_an_unreadable_cell_in_place_and_shows_no_none(ready_engine):
    at = upload_page([("绵阳6月.xlsx", filled_template(bad="待报"))])
    preview = table_of(at.table[1])
    bad = preview[preview["单元格"] == "数据!G8"]
    assert len(bad) == 1 and bad["填写内容"].iloc[0] == "待报" and bad["地区"].iloc[0] == "安州区"
    assert "应为数字" in bad["问题"].iloc[0] and bad["指标"].iloc[0] == "劳务品牌培训人数"
    shown_cells = {str(v) for column in preview.columns for v in preview[column]}
    assert not shown_cells & {"None", "nan", "<NA>"}, "a missing figure reads —"
    assert "—" in set(preview["现有数值"])  # nothing stored yet for June


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.scalar(sa.text("select count(*) from submissions")),
                conn.scalar(sa.text("select count(*) from reported_values")))


def upload_page(files: list[tuple[str, bytes]]) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["as_of"] = "2023-06"
    at.run()
    at.switch_page("pages/upload.py").run()
    at.selectbox(key="upload_prefecture").set_value(MIANYANG)
    at.selectbox(key="upload_period").set_value("2023-06").run()
    uploads = [(name, data, "application/octet-stream") for name, data in files]
    at.file_uploader(key="upload_files").set_value(uploads).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_bad_file_shows_its_problem_with_the_cell_and_writes_nothing(ready_engine):
    before = counts(ready_engine)
    at = upload_page([("绵阳6月.xlsx", filled_template(bad="十二"))])
    problems = table_of(at.table[0])
    assert list(problems["位置"]) == ["工作表“数据” G8"]
    assert "应为数字" in problems["说明"].iloc[0] and problems["地区"].iloc[0] == "安州区"
    listed = next(m.value for m in at.markdown if "🔴" in m.value)
    assert "工作表“数据” G8 安州区" in listed and "“劳务品牌培训人数”应为数字，填写的是“十二”" in listed
    assert any("有错误，不能导入" in e.value for e in at.error)
    assert not [b for b in at.button if b.key and b.key.startswith("commit_")]
    assert counts(ready_engine) == before


def test_a_clean_file_is_imported_on_confirmation_with_a_receipt(ready_engine):
    at = upload_page([("绵阳6月.xlsx", filled_template())])
    assert table_of(at.table[0]).shape[0] == 9 * 6  # the preview: nine counties × six targets (绵阳 has no
    # key-assistance county, so the seventh target has no column)
    assert counts(ready_engine) == (0, 0)  # the preview writes nothing
    next(b for b in at.button if b.key.startswith("commit_")).click().run()
    assert not at.exception
    assert counts(ready_engine) == (1, 54)
    assert any("已导入：报送编号 1" in s.value for s in at.success)
    history = table_of(at.table[-2]) if len(at.table) > 2 else table_of(at.table[-1])
    assert "绵阳6月.xlsx" in set(history["文件"])


def test_warnings_need_the_confirmation_tick_and_an_explanation_which_is_then_shown(ready_engine):
    from tracker.review.explanations import current

    at = upload_page([("缺县.xlsx", filled_template(skip_last=True))])
    problems = table_of(at.table[0])
    assert "代码" not in problems and len(problems) == 1 and "未填报" in problems["说明"].iloc[0]
    commit = next(b for b in at.button if b.key.startswith("commit_"))
    assert commit.disabled
    at.checkbox[0].check().run()
    assert next(b for b in at.button if b.key.startswith("commit_")).disabled  # ticked, but nothing explained
    at.text_area[0].input("江油市系统升级，下月补报").run()
    next(b for b in at.button if b.key.startswith("commit_")).click().run()
    assert counts(ready_engine) == (1, 48)
    said = current(ready_engine, PLAN.id, period="2023-06")
    # the warning names no target (a county missing): the prefecture's figures of every target are explained
    assert len(said) == 6 and {e.text for e in said} == {"江油市系统升级，下月补报"} and {e.county for e in said} == {None}
    target = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    target.session_state["as_of"] = "2023-06"
    target.session_state["target"] = "labor_brand_training"
    target.run()
    target.switch_page("pages/target.py").run()
    lines = [shown(m.value) for m in target.markdown if "据绵阳市说明" in shown(m.value)]
    assert lines and "江油市系统升级，下月补报" in lines[0]


def test_several_files_are_each_checked(ready_engine):
    at = upload_page([("好.xlsx", filled_template()), ("坏.xlsx", filled_template(bad="-5"))])
    assert [shown(h.value) for h in at.subheader][:2] == ["文件：好.xlsx", "文件：坏.xlsx"]
    assert len([b for b in at.button if b.key and b.key.startswith("commit_")]) == 1
