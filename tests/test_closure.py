"""Closing an ended plan (issue #18: "ended plans stay read-only and reachable"), on real SQLite and PostgreSQL: a
closed plan refuses every write in the core — returns, review decisions, judgements, explanations, measure updates,
allocations, reminders — with one formal Chinese message and nothing written, while every reading stays as it was;
reopening lets writes in again; only an administrator closes, only an ended plan, with a reason; the acts are
append-only and audited; the migration brings a database at 0012 up."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from loaders.plans import get_plan
from loaders.regions import load_divisions
from tests.conftest import PROJECT
from tests.intake_files import JUNE, MAY, MIANYANG, good_rows, import_bytes, xlsx
from tracker import store
from tracker.access import audit
from tracker.access.roles import Actor, PermissionDenied
from tracker.intake.allocations import import_allocations
from tracker.intake.milestones import set_status
from tracker.model.status import load_config
from tracker.review import approval, closure, corrections, explanations, judgement, reminders
from tracker.review.closure import ClosureError
from tracker.store import NewValue, record_submission
from tracker.store.closures import PlanClosed, closure_of, ensure_open

PLAN = get_plan("sichuan-2023-citizenization")
TREE = load_divisions()
CONFIG = load_config()
ADMIN = Actor("guanli", "admin", display_name="省人社厅管理员")
REVIEWER = Actor("shenhe", "province", display_name="省人社厅审核员")
MIANYANG_USER = Actor("mianyang", "prefecture", MIANYANG, "绵阳市人社局")
TODAY = date(2026, 12, 6)  # the 2023 plan's last target ended in December 2025
TABLES = ("submissions", "reported_values", "reviews", "current_figures", "delivery_judgements", "explanations",
          "milestone_updates", "evidence_files", "allocations", "reminders", "audit_log")


def _beijing_today() -> str:
    day = datetime.now(timezone(timedelta(hours=8))).date()
    return f"{day.year}年{day.month}月{day.day}日"


def _message() -> str:
    """The refusal, written out by hand."""
    return (f"《开展全省县域农民工市民化质量提升行动实施方案》已于{_beijing_today()}关闭"
            "（成效评估已报送，川人社函〔2026〕12号），不再接收报送、审核或修改。")


def _upload(engine, period="2023-06", actor=MIANYANG_USER):
    label = f"{period[:4]}年{int(period[5:])}月"
    rows = good_rows(JUNE if period == "2023-06" else MAY, period_label=label)
    return import_bytes(engine, xlsx(rows), f"绵阳{label}.xlsx", period=period, actor=actor)


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.scalar(sa.text(f"select count(*) from {t}")) for t in TABLES}


def _close(engine, actor=ADMIN, today=TODAY):
    return closure.close_plan(engine, actor, PLAN, "成效评估已报送", "川人社函〔2026〕12号", today=today)


def _allocation_sheet() -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["市（州）", "劳务品牌培训人数（人）"])
    for i, prefecture in enumerate(TREE.level("prefecture")):
        book.active.append([prefecture.short_name, 5000 + i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ refused writes

def test_a_closed_plan_refuses_every_write_with_one_chinese_message_and_writes_nothing(ready_engine):
    pending = _upload(ready_engine).submissions[0]               # June: waiting for review
    accepted = _upload(ready_engine, "2023-05").submissions[0]   # May: accepted, so May is locked
    approval.accept(ready_engine, REVIEWER, accepted)
    snapshot_before = store.current_values(ready_engine, PLAN.id)
    evaluation_before = _evaluation_rows(ready_engine)
    closed = _close(ready_engine)
    assert (closed.actor, closed.reason, closed.document) == ("省人社厅管理员", "成效评估已报送", "川人社函〔2026〕12号")
    before = _counts(ready_engine)

    outcome = _upload(ready_engine)  # the file path: refused before it is even read
    assert outcome.status == "refused" and [p.code for p in outcome.problems] == ["plan_closed"]
    assert outcome.problems[0].message() == _message()
    assert outcome.problems[0].message("en").startswith("“开展全省县域农民工市民化质量提升行动实施方案” was closed on ")
    with pytest.raises(PlanClosed) as refused, Session(ready_engine) as session, session.begin():
        record_submission(session, plan_id=PLAN.id, period="2023-07", prefecture_code=MIANYANG, uploader="脚本",
                          values=[NewValue("labor_brand_training", "510704", "2023-07", 1)])  # any other intake path
    assert str(refused.value) == _message()

    refusals = [
        lambda: approval.accept(ready_engine, REVIEWER, pending),
        lambda: approval.return_(ready_engine, REVIEWER, pending, "请核实"),
        lambda: approval.withdraw(ready_engine, REVIEWER, accepted, "误传"),
        lambda: approval.reopen(ready_engine, REVIEWER, PLAN.id, MIANYANG, "2023-05", "三台县需更正"),
        lambda: judgement.record_judgement(ready_engine, REVIEWER, PLAN, CONFIG, "key_area_skill_training",
                                           "at_risk", "两市未开班", date(2026, 1, 5)),
        lambda: corrections.return_cells(ready_engine, REVIEWER, accepted, [("labor_brand_training", None)],
                                         "请核实"),
        lambda: explanations.explain(ready_engine, MIANYANG_USER, PLAN, TREE, MIANYANG, "2023-06",
                                     ["labor_brand_training"], "全市培训集中在下半年"),
        lambda: set_status(ready_engine, PLAN, CONFIG, PLAN.milestones[0].id, "done", as_of="2025-12", note="已完成",
                           updated_by="省厅", actor=REVIEWER),
        lambda: reminders.remind(ready_engine, PLAN.id, pd.DataFrame(columns=["region", "prefecture"]), TREE,
                                 "2025-12", date(2026, 1, 10), REVIEWER, contacts=None, today=TODAY),
    ]
    for write in refusals:
        with pytest.raises(PlanClosed) as refused:
            write()
        assert str(refused.value) == _message()
    allocation = import_allocations(ready_engine, _allocation_sheet(), "分解.xlsx", PLAN, TREE, uploader="省厅",
                                    actor=REVIEWER)
    assert allocation.status == "refused" and [p.code for p in allocation.problems] == ["plan_closed"]

    assert _counts(ready_engine) == before  # nothing written, not even an audit entry
    assert approval.review_list(ready_engine, PLAN.id).set_index("id")["state"].to_dict() == {
        pending: "submitted", accepted: "accepted"}
    pd.testing.assert_frame_equal(store.current_values(ready_engine, PLAN.id), snapshot_before)  # reading stays
    assert _evaluation_rows(ready_engine) == evaluation_before


def _evaluation_rows(engine) -> list:
    from tracker.outputs.evaluation import build_evaluation, outcome_table

    return outcome_table(build_evaluation(engine, PLAN.id)).to_dict("records")


def test_the_guard_inside_a_transaction_rolls_back_what_that_transaction_wrote(ready_engine):
    """A closing that commits while a write is under way: the write's own check, after its first row, refuses
    it, and that row goes with the rollback."""
    _close(ready_engine)
    with pytest.raises(PlanClosed), Session(ready_engine) as session, session.begin():
        session.execute(sa.text("insert into submissions (plan_id, period, prefecture_code, uploader, status, "
                                "is_demo, n_values) values (:p, '2023-07', :c, 'x', 'accepted', false, 0)"),
                        {"p": PLAN.id, "c": MIANYANG})
        ensure_open(session, PLAN.id)
    assert store.submission_count(ready_engine, PLAN.id) == 0


# ------------------------------------------------------------------------------------------ reopening

def test_reopening_lets_returns_in_again_and_both_acts_are_audited(ready_engine):
    assert closure_of(ready_engine, PLAN.id) is None
    _close(ready_engine)
    assert _upload(ready_engine).status == "refused"
    with pytest.raises(ClosureError, match="已于.*关闭，无需再次关闭"):
        _close(ready_engine)
    with pytest.raises(ClosureError, match="重新开放须填写原因"):
        closure.reopen_plan(ready_engine, ADMIN, PLAN, "  ")
    closure.reopen_plan(ready_engine, ADMIN, PLAN, "三台县12月数据需更正")
    assert closure_of(ready_engine, PLAN.id) is None
    with pytest.raises(ClosureError, match="未关闭，无需重新开放"):
        closure.reopen_plan(ready_engine, ADMIN, PLAN, "再开一次")
    sid = _upload(ready_engine).submissions[0]
    approval.accept(ready_engine, REVIEWER, sid)  # and decisions too
    trail = audit.entries(ready_engine)
    acts = trail[trail["action"].isin(["close_plan", "reopen_plan"])]
    assert list(acts["action"]) == ["close_plan", "reopen_plan"] and set(acts["actor"]) == {"guanli"}
    assert set(acts["object"]) == {f"plan:{PLAN.id}"}
    assert list(acts["detail"]) == [{"reason": "成效评估已报送", "document": "川人社函〔2026〕12号"},
                                    {"reason": "三台县12月数据需更正", "document": None}]
    assert audit.action_label("close_plan") == "关闭方案"
    events = store.closures.history(ready_engine, PLAN.id)
    assert [(e["action"], e["reason"], e["actor"]) for e in events] == [
        ("close", "成效评估已报送", "省人社厅管理员"), ("reopen", "三台县12月数据需更正", "省人社厅管理员")]


def test_only_an_administrator_closes_only_an_ended_plan_and_with_a_reason(ready_engine):
    for who in (REVIEWER, MIANYANG_USER, Actor("kan", "viewer")):
        with pytest.raises(PermissionDenied):
            _close(ready_engine, actor=who)
    with pytest.raises(ClosureError, match="目标期限至2025年12月，尚未结束，不能关闭"):
        _close(ready_engine, today=date(2025, 12, 31))  # December's month itself is not past
    with pytest.raises(ClosureError, match="关闭须填写原因"):
        closure.close_plan(ready_engine, ADMIN, PLAN, " ", today=TODAY)
    with pytest.raises(ClosureError, match="没有量化目标"):
        closure.close_plan(ready_engine, ADMIN, get_plan("sichuan-2022-work-points"), "结束", today=TODAY)
    assert closure_of(ready_engine, PLAN.id) is None
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from plan_closures")) == 0
    assert audit.entries(ready_engine).empty
    assert _close(ready_engine, today=date(2026, 1, 1)).reason == "成效评估已报送"  # the first month after the end


def test_the_closing_acts_are_append_only(ready_engine):
    _close(ready_engine)
    with ready_engine.connect() as conn:
        before = conn.execute(sa.text("select * from plan_closures")).all()
    for statement in ("update plan_closures set action = 'reopen'", "delete from plan_closures"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), ready_engine.begin() as conn:
            conn.execute(sa.text(statement))
    with ready_engine.connect() as conn:
        assert conn.execute(sa.text("select * from plan_closures")).all() == before
    assert closure_of(ready_engine, PLAN.id) is not None


def test_the_migration_brings_a_database_at_0012_up(engine):
    from alembic import command

    from tracker.store.db import alembic_config

    command.upgrade(alembic_config(engine), "0012")
    assert not sa.inspect(engine).has_table("plan_closures")
    with engine.begin() as conn:  # a plan and a return, as an installation at 0012 has them
        conn.execute(sa.text("insert into plans (id, title, sha256) values (:i, :t, 'x')"),
                     {"i": PLAN.id, "t": PLAN.title.zh})
    command.upgrade(alembic_config(engine), "head")
    assert sa.inspect(engine).has_table("plan_closures")
    store.init_database(engine)
    _close(engine)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("delete from plan_closures"))
    assert _upload(engine).status == "refused"


# ------------------------------------------------------------------------------------------ the pages

def _app(monkeypatch, engine, account: Actor | None, page: str | None = None) -> AppTest:
    """The app under AppTest signed in as ``account`` (None: no accounts exist), on ``page`` if given."""
    from tracker.access import sessions
    from tracker.access.accounts import add_user
    from tracker.store.db import database_url

    monkeypatch.setenv("TRACKER_SECRET_KEY", "k" * 40)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    if account is not None:
        add_user(engine, ADMIN, account.username, "a long enough secret", account.role, account.prefecture,
                 account.display_name)
        at.session_state["_session_token"] = sessions.issue(engine, account, sessions.secret_key(database_url()))
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_administrator_closes_the_plan_on_its_evaluation_page_and_can_reopen_it(ready_engine, monkeypatch):
    at = _app(monkeypatch, ready_engine, ADMIN)
    assert [t.value for t in at.title] == ["成效评估"]  # an ended plan opens here
    assert any("计划期已结束，尚未关闭：仍可补报、审核；成效评估报送后由管理员关闭" in c.value for c in at.caption)
    at.text_input(key="closure_reason").input("成效评估已报送")  # a form: sent with its button
    at.text_input(key="closure_document").input("川人社函〔2026〕12号")
    next(b for b in at.button if b.label == "关闭方案").click().run()
    assert not at.exception, [e.value for e in at.exception]
    standing = closure_of(ready_engine, PLAN.id)
    assert (standing.actor, standing.reason, standing.document) == ("省人社厅管理员", "成效评估已报送",
                                                                    "川人社函〔2026〕12号")
    assert any("已关闭《开展全省县域农民工市民化质量提升行动实施方案》，此后只读" in s.value for s in at.success)
    assert any(i.value == f"已关闭 · 只读：省人社厅管理员于{_beijing_today()}关闭（成效评估已报送，川人社函〔2026〕12号）。"
               for i in at.info)
    assert not [t for t in at.text_input if t.key == "closure_document"]  # now the reopen form
    at.text_input(key="closure_reason").input("三台县12月数据需更正")
    next(b for b in at.button if b.label == "重新开放").click().run()
    assert closure_of(ready_engine, PLAN.id) is None

    province = _app(monkeypatch, ready_engine, REVIEWER)
    assert not [t for t in province.text_input if t.key == "closure_reason"]  # not the province's act


def _templates(at: AppTest) -> list:
    return [b for b in at.get("download_button") if "模板" in b.label]


def test_the_upload_page_of_a_closed_plan_says_so_and_offers_no_uploader(ready_engine, monkeypatch):
    before = _app(monkeypatch, ready_engine, None, "pages/upload.py")
    assert len(before.get("file_uploader")) == 2 and _templates(before) and not before.info  # returns, allocations
    _close(ready_engine)
    at = _app(monkeypatch, ready_engine, None, "pages/upload.py")
    assert [t.value for t in at.title] == ["上报数据"]
    lines = [i.value for i in at.info]
    assert lines == [f"《开展全省县域农民工市民化质量提升行动实施方案》已于{_beijing_today()}关闭，只读：不再接收报送、审核或修改。"]
    assert not at.get("file_uploader") and not _templates(at)
    assert any(h.value.endswith("的报送记录") for h in at.subheader)  # its submissions are still listed

    review = _app(monkeypatch, ready_engine, None, "pages/review.py")
    assert any("只读" in i.value for i in review.info)
    assert not [b for b in review.button if b.key in ("review_accept", "review_return", "review_withdraw")]
