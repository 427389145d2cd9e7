"""Returning one figure, not the whole month (退回单元格, #17), on real SQLite and PostgreSQL with real .xlsx files: the
returned cell stops counting and the rest counts, the prefecture sees which cells and why, a locked month takes a
correction of only those cells, and the return is corrected when a later submission carries them."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.intake_files import CODES, JUNE, MIANYANG, expected, good_rows, import_bytes, xlsx
from tracker import store
from tracker.access import audit
from tracker.access.roles import Actor, PermissionDenied
from tracker.review import approval, corrections
from tracker.review.approval import ReviewError

PLAN = "sichuan-2023-citizenization"
REVIEWER = Actor("shenhe", "province", display_name="省人社厅审核员")
MIANYANG_USER = Actor("mianyang", "prefecture", MIANYANG, "绵阳市人社局")
SANTAI = "510722"   # 三台县, the fourth county of 绵阳
LABOUR = "rural_labor_transfer"
BRAND = "labor_brand_training"


def _send(engine, figures, actor=MIANYANG_USER, name="绵阳2023年6月.xlsx"):
    return import_bytes(engine, xlsx(good_rows(figures, period_label="2023年6月")), name, period="2023-06",
                        actor=actor)


def upload(engine, figures=None, actor=MIANYANG_USER) -> int:
    outcome = _send(engine, figures or JUNE, actor)
    assert outcome.status == "imported", [(p.code, p.message()) for p in outcome.problems]
    return outcome.submissions[0]


def counted(engine) -> dict:
    frame = store.current_values(engine, PLAN, period_from="2023-06", period_to="2023-06")
    return {(r.target, r.region, r.period): r.value for r in frame.itertuples(index=False)}


def fixed(target: str, county: str, value: int) -> dict:
    figures = {t: list(v) for t, v in JUNE.items()}
    figures[target][CODES.index(county)] = value
    return figures


@pytest.fixture
def accepted(ready_engine):
    sid = upload(ready_engine)
    approval.accept(ready_engine, REVIEWER, sid)   # accepted by a review: the month is locked
    return ready_engine, sid


def test_a_returned_figure_stops_counting_and_the_rest_of_the_return_counts(accepted):
    engine, sid = accepted
    version = store.data_version(engine)
    corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, SANTAI)], "三台县转移就业人数比上月多5万，请核实")
    assert store.data_version(engine) != version   # the pages' cached snapshot is worked out again
    everything = expected(JUNE)
    del everything[(LABOUR, SANTAI, "2023-06")]
    assert counted(engine) == everything   # 53 of the 54 figures count; 三台's labour figure does not
    # the province's June figure for the target lacks exactly 三台's 165,000
    [cell] = corrections.returned_cells(engine, PLAN, MIANYANG)
    assert (cell.target_id, cell.county, cell.value, cell.state) == (LABOUR, SANTAI, 165000, "open")
    assert cell.reason == "三台县转移就业人数比上月多5万，请核实" and cell.actor == "shenhe"
    assert approval.is_locked(engine, PLAN, MIANYANG, "2023-06")   # the lock still covers the accepted cells
    assert corrections.returned_cells(engine, PLAN, "510600") == []   # another prefecture sees nothing of it


def test_a_locked_month_takes_a_correction_of_the_returned_cell_only(accepted):
    engine, sid = accepted
    corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, SANTAI)], "请核实")
    # the whole template sent again with another figure changed as well: refused at that cell, nothing stored
    before = sa.select(sa.func.count()).select_from(sa.table("submissions"))
    with engine.connect() as conn:
        n = conn.execute(before).scalar()
    wrong = fixed(LABOUR, SANTAI, 115000)
    wrong[BRAND][0] += 7   # 涪城区's labour-brand figure, accepted and not returned
    outcome = _send(engine, wrong)
    assert outcome.status == "refused"
    [problem] = [p for p in outcome.problems if p.severity == "error"]
    assert (problem.code, problem.county, problem.target) == ("cell_locked", CODES[0], BRAND)
    assert problem.cell and problem.sheet
    assert "涪城区" in problem.message() and "620" in problem.message() and "627" in problem.message()
    with engine.connect() as conn:
        assert conn.execute(before).scalar() == n
    # the returned cell corrected, every other figure as accepted: in, waiting for review
    fix = upload(engine, fixed(LABOUR, SANTAI, 115000))
    [cell] = corrections.returned_cells(engine, PLAN, MIANYANG)
    assert (cell.state, cell.corrected_by) == ("pending", fix)
    assert (LABOUR, SANTAI, "2023-06") not in counted(engine)   # not yet: the correction awaits review
    approval.accept(engine, REVIEWER, fix)
    assert counted(engine)[(LABOUR, SANTAI, "2023-06")] == 115000
    assert counted(engine) == expected(fixed(LABOUR, SANTAI, 115000))
    [cell] = corrections.returned_cells(engine, PLAN, MIANYANG)
    assert cell.state == "corrected"
    # corrected and accepted: the month is locked whole again
    again = _send(engine, fixed(LABOUR, SANTAI, 116000))
    assert [p.code for p in again.problems if p.severity == "error"] == ["month_locked"]


def test_a_column_returned_takes_every_county_of_the_target(accepted):
    engine, sid = accepted
    corrections.return_cells(engine, REVIEWER, sid, [(BRAND, None)], "劳务品牌培训口径有误，请按县重新填报")
    assert not any(target == BRAND for target, _, _ in counted(engine))
    assert len(counted(engine)) == 54 - 9
    figures = {t: list(v) for t, v in JUNE.items()}
    figures[BRAND] = [v - 20 for v in figures[BRAND]]
    fix = upload(engine, figures)
    approval.accept(engine, REVIEWER, fix)
    assert counted(engine) == expected(figures)
    assert [c.state for c in corrections.returned_cells(engine, PLAN, MIANYANG)] == ["corrected"]


def test_returning_cells_of_a_waiting_return_accepts_the_rest(ready_engine):
    sid = upload(ready_engine)
    assert counted(ready_engine) == {}
    corrections.return_cells(ready_engine, REVIEWER, sid, [(LABOUR, SANTAI), (BRAND, CODES[0])], "两处请核实")
    everything = expected(JUNE)
    del everything[(LABOUR, SANTAI, "2023-06")], everything[(BRAND, CODES[0], "2023-06")]
    assert counted(ready_engine) == everything
    assert approval.review_list(ready_engine, PLAN).set_index("id").loc[sid, "status"] == "accepted"
    assert approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    entries = audit.entries(ready_engine)
    assert list(entries["action"]) == ["import", "return_cells"] and entries.iloc[-1]["actor"] == "shenhe"
    assert audit.action_label("return_cells") == "退回部分数据"


def test_what_cannot_be_returned(accepted):
    engine, sid = accepted
    with pytest.raises(ReviewError, match="原因"):
        corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, SANTAI)], "  ")
    with pytest.raises(ReviewError, match="请选择"):
        corrections.return_cells(engine, REVIEWER, sid, [], "请核实")
    with pytest.raises(ReviewError, match="没有"):
        corrections.return_cells(engine, REVIEWER, sid, [("key_area_skill_training", SANTAI)], "请核实")
    with pytest.raises(ReviewError, match="没有"):
        corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, "510600")], "请核实")
    for who in (MIANYANG_USER, Actor("kan", "viewer")):
        with pytest.raises(PermissionDenied):
            corrections.return_cells(engine, who, sid, [(LABOUR, SANTAI)], "请核实")
    corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, SANTAI)], "请核实")
    with pytest.raises(ReviewError, match="已退回"):
        corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, SANTAI)], "再次")
    approval.return_(engine, REVIEWER, upload(engine, fixed(LABOUR, SANTAI, 150000)), "不对")  # a correction returned
    assert [c.state for c in corrections.returned_cells(engine, PLAN, MIANYANG)] == ["open"]
    with engine.connect() as conn:   # the returns are append-only in the database itself
        with pytest.raises(sa.exc.DatabaseError):
            with conn.begin():
                conn.execute(sa.text("update cell_returns set reason = 'x'"))
        with pytest.raises(sa.exc.DatabaseError):
            with conn.begin():
                conn.execute(sa.text("delete from cell_returns"))


def test_a_withdrawn_submission_leaves_nothing_to_correct(accepted):
    engine, sid = accepted
    corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, SANTAI)], "请核实")
    approval.withdraw(engine, REVIEWER, sid, "误传")
    [cell] = corrections.returned_cells(engine, PLAN, MIANYANG)
    assert cell.state == "void" and not cell.unresolved
    assert counted(engine) == {}
    assert upload(engine, fixed(BRAND, CODES[0], 700))   # the month is open again: any figure may be sent


def test_the_rule_holds_after_a_rebuild_of_the_current_figures(accepted):
    engine, sid = accepted
    corrections.return_cells(engine, REVIEWER, sid, [(LABOUR, SANTAI)], "请核实")
    before = counted(engine)
    with engine.begin() as conn:
        store.current.rebuild(conn, PLAN)
    assert counted(engine) == before and (LABOUR, SANTAI, "2023-06") not in before


# ------------------------------------------------------------------------------------------ the pages

def _page(monkeypatch, engine, account: Actor, page: str):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT
    from tracker.access import sessions
    from tracker.access.accounts import add_user
    from tracker.store.db import database_url

    monkeypatch.setenv("TRACKER_SECRET_KEY", "k" * 40)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["as_of"] = "2023-06"
    try:
        add_user(engine, Actor("admin", "admin"), account.username, "a long enough secret", account.role,
                 account.prefecture)
    except Exception:   # the account exists from an earlier page of the same test
        pass
    at.session_state["_session_token"] = sessions.issue(engine, account, sessions.secret_key(database_url()))
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_review_page_returns_one_figure_and_the_prefecture_sees_which_and_why(accepted, monkeypatch):
    import io

    import openpyxl

    from tests.conftest import table_of
    from tracker.intake.template import build_template

    engine, sid = accepted
    at = _page(monkeypatch, engine, REVIEWER, "pages/review.py")
    at.selectbox(key="cells_choice").set_value(sid).run()
    at.multiselect(key="cells_targets").set_value([LABOUR]).run()
    at.multiselect(key="cells_counties").set_value([SANTAI]).run()
    at.button(key="cells_return").click().run()    # no reason: refused, nothing returned
    assert any("退回数据须填写原因" in e.value for e in at.error)
    assert corrections.returned_cells(engine, PLAN) == []
    at.text_input(key="cells_reason").input("三台县比上月多5万，请核实").run()
    at.button(key="cells_return").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("中的 1 项数据" in s.value for s in at.success)
    assert (LABOUR, SANTAI, "2023-06") not in counted(engine) and len(counted(engine)) == 53
    listed = table_of(next(t for t in at.table if "退回的数值" in table_of(t).columns))
    assert list(listed["县（市、区）"]) == ["三台县"] and list(listed["退回的数值"]) == ["16.5万人"]
    assert list(listed["审核状态"]) == ["待更正"]

    upload_page = _page(monkeypatch, engine, MIANYANG_USER, "pages/upload.py")
    upload_page.selectbox(key="upload_period").set_value("2023-06").run()
    assert any("退回了2023年6月的 1 项数据" in w.value for w in upload_page.warning)
    shown = table_of(next(t for t in upload_page.table if "退回的数值" in table_of(t).columns))
    assert list(shown["原因"]) == ["三台县比上月多5万，请核实"]
    mine = _page(monkeypatch, engine, MIANYANG_USER, "pages/review.py")
    assert any("退回的数据（1）" in h.value for h in mine.subheader)

    # the month's template marks the cell, with the reason as its comment
    from loaders.plans import load_plans
    from loaders.regions import load_divisions, resolve_scopes

    plan = load_plans()[PLAN]
    book = openpyxl.load_workbook(io.BytesIO(build_template(plan, load_divisions(), "2023-06", MIANYANG,
                                                            resolve_scopes(plan), {(LABOUR, SANTAI): "请核实"})))
    sheet = book["数据"] if "数据" in book.sheetnames else book.worksheets[1]
    marked = [(c.row, c.column) for row in sheet.iter_rows() for c in row if c.comment is not None]
    assert len(marked) == 1
    row, column = marked[0]
    assert sheet.cell(row, 1).value == SANTAI and "农村劳动力转移就业" in sheet.cell(4, column).value
    assert "请核实" in sheet.cell(row, column).comment.text


def test_the_command_line_returns_one_figure(accepted, monkeypatch, capsys):
    from tracker.cli import main
    from tracker.store.db import database_url

    engine, sid = accepted
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url())
    assert main(["review", "return-cells", str(sid), "--target", LABOUR, "--county", "三台县",
                 "--reason", "请核实"]) == 0
    assert "已退回报送" in capsys.readouterr().out
    assert [(c.target_id, c.county) for c in corrections.returned_cells(engine, PLAN)] == [(LABOUR, SANTAI)]
    assert main(["review", "return-cells", str(sid), "--target", LABOUR, "--county", "三台县",
                 "--reason", "再次"]) == 1
    assert "已退回" in capsys.readouterr().err
    # 市中区 names two counties (内江, 乐山): a code is asked for
    assert main(["review", "return-cells", str(sid), "--target", LABOUR, "--county", "市中区", "--reason", "x"]) != 0
    assert "不唯一" in capsys.readouterr().err
