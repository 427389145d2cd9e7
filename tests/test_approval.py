"""Review of prefecture returns (审核), on real SQLite and PostgreSQL with real .xlsx files: what counts before and
after a decision, the lock an acceptance puts on a month, reopening it, who may decide, and the audit trail."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import table_of
from tests.intake_files import JUNE, MAY, MIANYANG, expected, good_rows, import_bytes, row_counts, xlsx
from tracker import store
from tracker.access import audit
from tracker.access.roles import Actor, PermissionDenied
from tracker.model.status import CONFIG_FILE, load_config
from tracker.review import approval
from tracker.review.approval import ReviewError

PLAN = "sichuan-2023-citizenization"
REVIEWER = Actor("shenhe", "province", display_name="省人社厅审核员")
ADMIN = Actor("admin", "admin")
MIANYANG_USER = Actor("mianyang", "prefecture", MIANYANG, "绵阳市人社局")
DEYANG_USER = Actor("deyang", "prefecture", "510600")
VIEWER = Actor("kan", "viewer")
#: June figures a little higher: a corrected re-upload.
JUNE_FIXED = {target: [v + 1 for v in values] for target, values in JUNE.items()}


def upload(engine, figures=None, *, actor: Actor | None = MIANYANG_USER, period: str = "2023-06", **options):
    """A 绵阳 return for ``period`` imported as ``actor``, asserting it went in."""
    label = f"{period[:4]}年{int(period[5:])}月"
    rows = good_rows(figures or (JUNE if period == "2023-06" else MAY), period_label=label)
    outcome = import_bytes(engine, xlsx(rows), f"绵阳{label}.xlsx", period=period, actor=actor, **options)
    assert outcome.status == "imported", [(p.code, p.message()) for p in outcome.problems]
    return outcome.submissions[0]


def counted(engine, period: str = "2023-06") -> dict:
    frame = store.current_values(engine, PLAN, period_from=period, period_to=period)
    return {(r.target, r.region, r.period): r.value for r in frame.itertuples(index=False)}


def state(engine, submission: int) -> str:
    frame = approval.review_list(engine, PLAN)
    return frame.set_index("id").loc[submission, "state"]


# ------------------------------------------------------------------------------------------ what counts

def test_a_prefecture_return_waits_for_review_and_counts_once_accepted(ready_engine):
    sid = upload(ready_engine)
    assert state(ready_engine, sid) == "submitted"
    assert counted(ready_engine) == {}  # 待审核: stored, not counted
    assert not store.has_real_data(ready_engine, PLAN)
    assert list(approval.pending(ready_engine, PLAN)["id"]) == [sid]
    approval.accept(ready_engine, REVIEWER, sid)
    assert counted(ready_engine) == expected(JUNE)
    assert approval.pending(ready_engine, PLAN).empty
    assert state(ready_engine, sid) == "accepted"


def test_a_returned_submission_never_counts_and_the_prefecture_sees_the_reason(ready_engine):
    sid = upload(ready_engine)
    approval.return_(ready_engine, REVIEWER, sid, "  三台县转移就业人数与上月相比偏高，请核实  ")
    assert counted(ready_engine) == {}
    seen = approval.status_of(ready_engine, PLAN, MIANYANG)
    row = seen.set_index("id").loc[sid]
    assert (row["state"], row["reason"], row["reviewed_by"]) == ("returned", "三台县转移就业人数与上月相比偏高，请核实",
                                                                 "shenhe")
    assert row["reviewed_at"] is not None
    assert approval.status_of(ready_engine, PLAN, "510600").empty  # another prefecture sees nothing of it
    with pytest.raises(ReviewError, match="已退回"):
        approval.accept(ready_engine, REVIEWER, sid)
    assert counted(ready_engine) == {}
    again = upload(ready_engine, JUNE_FIXED)  # corrected and sent again: a new submission to review
    assert again != sid and list(approval.pending(ready_engine, PLAN)["id"]) == [again]


def test_the_same_file_sent_again_after_a_return_is_a_new_submission(ready_engine):
    data = xlsx(good_rows())
    [sid] = import_bytes(ready_engine, data, "绵阳.xlsx", actor=MIANYANG_USER).submissions
    approval.return_(ready_engine, REVIEWER, sid, "请补充说明")
    outcome = import_bytes(ready_engine, data, "绵阳.xlsx", actor=MIANYANG_USER)  # identical bytes
    assert outcome.status == "imported" and outcome.submissions != [sid]  # not "unchanged": it was returned
    assert state(ready_engine, outcome.submissions[0]) == "submitted"


def test_a_pending_re_upload_leaves_the_accepted_figures_in_place(ready_engine):
    first = upload(ready_engine, actor=REVIEWER)  # a reviewer's own import is accepted and locks nothing
    assert counted(ready_engine) == expected(JUNE)
    assert not approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    second = upload(ready_engine, JUNE_FIXED)
    assert state(ready_engine, second) == "submitted"
    assert counted(ready_engine) == expected(JUNE)  # the accepted figures stay while the re-upload waits
    assert state(ready_engine, first) == "accepted"
    approval.return_(ready_engine, REVIEWER, second, "数据有误")
    assert counted(ready_engine) == expected(JUNE)  # a returned one never replaces anything
    third = upload(ready_engine, JUNE_FIXED | {"rural_wealth_leaders": [9] * 9})
    approval.accept(ready_engine, REVIEWER, third)
    assert counted(ready_engine) == expected(JUNE_FIXED | {"rural_wealth_leaders": [9] * 9})
    assert state(ready_engine, first) == "superseded"


def test_a_return_restating_one_cell_leaves_the_rest_of_the_earlier_one_counting(ready_engine, capsys):
    from tracker.cli import main

    first = upload(ready_engine, actor=REVIEWER)
    n = sum(len(v) for v in JUNE.values())
    one_cell = {target: [None] * len(values) for target, values in JUNE.items()}
    one_cell["rural_wealth_leaders"][0] = JUNE["rural_wealth_leaders"][0] + 1   # one county's one figure, corrected
    upload(ready_engine, one_cell, actor=REVIEWER, accept_warnings=True)
    row = approval.review_list(ready_engine, PLAN).set_index("id").loc[first]
    assert (row["state"], row["counting"], row["n_values"]) == ("partly_superseded", n - 1, n)
    assert main(["review", "list"]) == 0
    assert f"部分被取代：{n - 1}/{n} 仍计入" in capsys.readouterr().out  # not 已被取代: all but one still count


def test_a_submission_replaced_before_review_cannot_be_accepted(ready_engine):
    first = upload(ready_engine)
    second = upload(ready_engine, JUNE_FIXED)
    assert state(ready_engine, first) == "superseded"
    assert list(approval.pending(ready_engine, PLAN)["id"]) == [second]
    with pytest.raises(ReviewError, match=f"已被报送 {second} 取代"):
        approval.accept(ready_engine, REVIEWER, first)
    with pytest.raises(ReviewError, match="取代"):
        approval.return_(ready_engine, REVIEWER, first, "原因")
    assert counted(ready_engine) == {}
    approval.accept(ready_engine, REVIEWER, second)
    assert counted(ready_engine) == expected(JUNE_FIXED)


def test_demo_data_stays_on_show_until_a_real_return_is_accepted(ready_engine):
    from loaders.plans import load_plans
    from loaders.regions import load_divisions, resolve_scopes
    from tracker.store.demo import load_demo

    plan = load_plans()[PLAN]
    load_demo(ready_engine, plan, load_divisions(), resolve_scopes(plan))
    with ready_engine.connect() as conn:
        assert set(conn.scalars(sa.text("select distinct status from submissions"))) == {"accepted"}
    sid = upload(ready_engine)
    assert store.shows_demo(ready_engine, PLAN)  # a pending return does not blank the dashboard
    approval.accept(ready_engine, REVIEWER, sid)
    assert not store.shows_demo(ready_engine, PLAN)
    assert counted(ready_engine) == expected(JUNE)


def test_a_review_changes_the_data_version_the_caches_key_on(ready_engine):
    sid = upload(ready_engine)
    before = store.data_version(ready_engine)
    approval.accept(ready_engine, REVIEWER, sid)
    assert store.data_version(ready_engine) != before


# ------------------------------------------------------------------------------------------ the lock

def test_an_accepted_month_is_locked_against_any_import(ready_engine):
    sid = upload(ready_engine)
    approval.accept(ready_engine, REVIEWER, sid)
    assert approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    before = (row_counts(ready_engine), len(audit.entries(ready_engine)))
    for who in (MIANYANG_USER, REVIEWER, None):  # None: the command line on the server
        for dry_run in (True, False):
            outcome = import_bytes(ready_engine, xlsx(good_rows(JUNE_FIXED)), "绵阳更正.xlsx", actor=who,
                                   dry_run=dry_run)
            assert outcome.status == "refused" and outcome.submissions == []
            [problem] = [p for p in outcome.problems if p.severity == "error"]
            assert problem.code == "month_locked"
            assert "绵阳市" in problem.message() and "2023-06" in problem.message()
            assert "锁定" in problem.message() and problem.sheet
    assert (row_counts(ready_engine), len(audit.entries(ready_engine))) == before
    assert counted(ready_engine) == expected(JUNE)
    assert upload(ready_engine, period="2023-05")  # another month of the same prefecture is open
    locked = approval.locked_months(ready_engine, PLAN)
    assert locked[["prefecture", "prefecture_name", "period", "submission", "accepted_by"]].values.tolist() == [
        [MIANYANG, "绵阳市", "2023-06", sid, "shenhe"]]


def test_a_month_accepted_while_an_import_is_checked_refuses_it_inside_its_transaction(ready_engine, monkeypatch):
    import tracker.intake.submissions as submissions

    sid = upload(ready_engine)
    real = submissions._locked_problems
    calls = []

    def accepted_meanwhile(conn, *args):
        calls.append(conn)
        if len(calls) == 1:  # the check before the transaction: a reviewer accepts right after it
            approval.accept(ready_engine, REVIEWER, sid)
            return []
        return real(conn, *args)

    monkeypatch.setattr(submissions, "_locked_problems", accepted_meanwhile)
    before = row_counts(ready_engine)
    outcome = import_bytes(ready_engine, xlsx(good_rows(JUNE_FIXED)), "绵阳更正.xlsx", actor=MIANYANG_USER)
    assert len(calls) == 2
    assert outcome.status == "refused" and outcome.submissions == [] and outcome.review_status is None
    assert [p.code for p in outcome.problems] == ["month_locked"]
    assert row_counts(ready_engine) == before  # the submission written in the transaction was rolled back
    assert list(audit.entries(ready_engine)["action"]) == ["import", "accept"]


def test_the_same_accepted_file_sent_again_is_unchanged_not_refused(ready_engine):
    data = xlsx(good_rows())  # once: openpyxl stamps the time into each file it writes
    [sid] = import_bytes(ready_engine, data, "绵阳.xlsx", actor=MIANYANG_USER).submissions
    approval.accept(ready_engine, REVIEWER, sid)
    assert import_bytes(ready_engine, data, "绵阳.xlsx", actor=MIANYANG_USER).status == "unchanged"


def test_reopening_needs_a_reason_unlocks_the_month_and_is_audited(ready_engine):
    sid = upload(ready_engine)
    approval.accept(ready_engine, REVIEWER, sid)
    with pytest.raises(ReviewError, match="原因"):
        approval.reopen(ready_engine, REVIEWER, PLAN, MIANYANG, "2023-06", "   ")
    assert approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    assert approval.reopen(ready_engine, REVIEWER, PLAN, MIANYANG, "2023-06", "三台县数据需更正") == sid
    assert not approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    assert approval.locked_months(ready_engine, PLAN).empty
    entry = audit.entries(ready_engine).iloc[-1]
    assert (entry["actor"], entry["action"], entry["object"]) == ("shenhe", "reopen", f"submission:{sid}")
    assert entry["detail"] == {"plan": PLAN, "prefecture": MIANYANG, "period": "2023-06", "reason": "三台县数据需更正"}
    assert list(approval.history(ready_engine, sid)["action"]) == ["accepted", "reopened"]
    with pytest.raises(ReviewError, match="未锁定"):
        approval.reopen(ready_engine, REVIEWER, PLAN, MIANYANG, "2023-06", "再开一次")
    assert counted(ready_engine) == expected(JUNE)  # reopened, the accepted figures still count
    fixed = upload(ready_engine, JUNE_FIXED)  # the month takes a correction again, to be reviewed
    assert counted(ready_engine) == expected(JUNE)
    approval.accept(ready_engine, REVIEWER, fixed)
    assert counted(ready_engine) == expected(JUNE_FIXED)
    assert approval.locked_months(ready_engine, PLAN)["submission"].tolist() == [fixed]


def test_accepting_the_counting_submission_again_locks_a_reopened_month_again(ready_engine):
    sid = upload(ready_engine)
    approval.accept(ready_engine, REVIEWER, sid)
    approval.reopen(ready_engine, REVIEWER, PLAN, MIANYANG, "2023-06", "误操作前的核对")
    approval.accept(ready_engine, REVIEWER, sid)  # nothing to correct after all
    assert approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    assert list(approval.history(ready_engine, sid)["action"]) == ["accepted", "reopened", "accepted"]


def test_an_accepted_submission_is_returned_only_after_its_month_is_reopened(ready_engine):
    first = upload(ready_engine, actor=REVIEWER)
    second = upload(ready_engine, JUNE_FIXED)
    approval.accept(ready_engine, REVIEWER, second)
    with pytest.raises(ReviewError, match="锁定"):
        approval.return_(ready_engine, REVIEWER, second, "发现错误")
    with pytest.raises(ReviewError, match="锁定"):
        approval.accept(ready_engine, REVIEWER, second)
    approval.reopen(ready_engine, REVIEWER, PLAN, MIANYANG, "2023-06", "发现错误")
    approval.return_(ready_engine, REVIEWER, second, "发现错误，退回更正")
    assert counted(ready_engine) == expected(JUNE)  # the earlier accepted figures count again
    assert state(ready_engine, first) == "accepted" and state(ready_engine, second) == "returned"
    assert not approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")


# ------------------------------------------------------------------------------------------ who may decide

@pytest.mark.parametrize("who", [MIANYANG_USER, DEYANG_USER, VIEWER], ids=["own-prefecture", "other", "viewer"])
def test_only_province_users_and_administrators_review(ready_engine, who):
    sid = upload(ready_engine)
    entries = len(audit.entries(ready_engine))
    with pytest.raises(PermissionDenied, match="无权"):
        approval.accept(ready_engine, who, sid)
    with pytest.raises(PermissionDenied, match="无权"):
        approval.return_(ready_engine, who, sid, "原因")
    approval.accept(ready_engine, ADMIN, sid)
    with pytest.raises(PermissionDenied, match="无权"):
        approval.reopen(ready_engine, who, PLAN, MIANYANG, "2023-06", "原因")
    assert approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    assert list(audit.entries(ready_engine)["action"])[entries:] == ["accept"]


def test_returning_needs_a_reason(ready_engine):
    sid = upload(ready_engine)
    for blank in ("", "   ", None):
        with pytest.raises(ReviewError, match="退回须填写原因"):
            approval.return_(ready_engine, REVIEWER, sid, blank)
    assert state(ready_engine, sid) == "submitted" and approval.history(ready_engine, sid).empty


def test_unknown_and_demo_submissions_are_not_reviewed(ready_engine):
    with pytest.raises(ReviewError, match="没有编号为 999"):
        approval.accept(ready_engine, REVIEWER, 999)
    from sqlalchemy.orm import Session

    with Session(ready_engine) as session, session.begin():
        demo = store.record_submission(session, plan_id=PLAN, period="2023-06", prefecture_code=MIANYANG,
                                       uploader="示例", values=[], is_demo=True)
    with pytest.raises(ReviewError, match="示例数据"):
        approval.accept(ready_engine, REVIEWER, demo)


# ------------------------------------------------------------------------------------------ configuration

def test_reviewers_and_the_shell_import_accepted_figures_directly(ready_engine):
    for who, period in ((REVIEWER, "2023-06"), (None, "2023-05")):
        sid = upload(ready_engine, actor=who, period=period)
        assert state(ready_engine, sid) == "accepted"
        assert not approval.is_locked(ready_engine, PLAN, MIANYANG, period)
    assert approval.pending(ready_engine, PLAN).empty


def test_the_full_flow_is_the_default(tmp_path):
    assert load_config().approval.auto_accept is False
    data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    data.pop("approval")
    path = tmp_path / "progress.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_config(path).approval.auto_accept is False  # an older file without the section


def test_auto_accept_keeps_the_simple_flow(ready_engine, tmp_path, monkeypatch):
    data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    data["approval"] = {"auto_accept": True}
    path = tmp_path / "progress.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    assert config.approval.auto_accept is True
    import tracker.model.status

    monkeypatch.setattr(tracker.model.status, "load_config", lambda path=path: config)
    first = upload(ready_engine)  # import_file reads the setting when not told
    assert state(ready_engine, first) == "accepted" and counted(ready_engine) == expected(JUNE)
    assert not approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    second = upload(ready_engine, JUNE_FIXED)  # nothing locked: a re-upload supersedes at once, as before
    assert counted(ready_engine) == expected(JUNE_FIXED) and state(ready_engine, second) == "accepted"
    assert approval.pending(ready_engine, PLAN).empty


# ------------------------------------------------------------------------------------------ the audit trail

def test_every_decision_is_audited_with_who_and_what_and_reviews_cannot_be_edited(ready_engine):
    first = upload(ready_engine)
    approval.return_(ready_engine, REVIEWER, first, "缺少说明")
    second = upload(ready_engine, JUNE_FIXED)
    approval.accept(ready_engine, ADMIN, second)
    approval.reopen(ready_engine, REVIEWER, PLAN, MIANYANG, "2023-06", "需更正")
    trail = audit.entries(ready_engine)
    assert list(trail["action"]) == ["import", "return", "import", "accept", "reopen"]
    assert list(trail["actor"]) == ["mianyang", "shenhe", "mianyang", "admin", "shenhe"]
    assert trail["at"].notna().all()
    assert trail.iloc[0]["detail"]["status"] == "submitted"
    assert trail.iloc[1]["object"] == f"submission:{first}"
    assert trail.iloc[1]["detail"] == {"plan": PLAN, "prefecture": MIANYANG, "period": "2023-06",
                                       "from": "submitted", "to": "returned", "reason": "缺少说明"}
    assert trail.iloc[3]["detail"]["to"] == "accepted" and trail.iloc[3]["object"] == f"submission:{second}"
    for statement in ("update reviews set reason = '改过'", "delete from reviews"):
        with pytest.raises(sa.exc.DBAPIError):
            with ready_engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert list(approval.history(ready_engine, first)["reason"]) == ["缺少说明"]


def test_a_refused_decision_writes_nothing(ready_engine):
    sid = upload(ready_engine)
    approval.return_(ready_engine, REVIEWER, sid, "退回")
    before = (len(audit.entries(ready_engine)), len(approval.history(ready_engine, sid)))
    with pytest.raises(ReviewError):
        approval.return_(ready_engine, REVIEWER, sid, "再退回")
    assert (len(audit.entries(ready_engine)), len(approval.history(ready_engine, sid))) == before


# ------------------------------------------------------------------------------------------ the command line

def test_the_command_line_lists_accepts_returns_and_reopens(ready_engine, capsys):
    from tracker.cli import main

    first = upload(ready_engine)
    second = upload(ready_engine, period="2023-05")
    assert main(["review", "list", "--status", "submitted", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["period"], r["state"], r["uploader"]) for r in listed] == [
        (second, "2023-05", "submitted", "测试"), (first, "2023-06", "submitted", "测试")]
    assert main(["review", "accept", str(first)]) == 0
    assert "已接收" in capsys.readouterr().out
    assert main(["review", "return", str(second)]) == 2  # --reason is required
    capsys.readouterr()
    assert main(["review", "return", str(second), "--reason", "  "]) == 1
    assert "原因" in capsys.readouterr().err
    assert main(["review", "return", str(second), "--reason", "5月数据缺少平武县"]) == 0
    capsys.readouterr()
    assert main(["review", "list"]) == 0
    out = capsys.readouterr().out
    assert "已退回\t5月数据缺少平武县" in out and "已接收（已锁定）" in out and "绵阳市" in out
    assert main(["review", "accept", str(first)]) == 1  # locked: accepted already
    assert "锁定" in capsys.readouterr().err
    assert main(["review", "reopen", "--prefecture", "绵阳", "--period", "2023-06", "--reason", "更正"]) == 0
    assert "已重新开放" in capsys.readouterr().out
    assert not approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")
    assert list(audit.entries(ready_engine)["action"])[-3:] == ["accept", "return", "reopen"]


# ------------------------------------------------------------------------------------------ the page

def _page(monkeypatch, engine, account: Actor | None):
    """The review page under AppTest, signed in as ``account`` (None: no accounts exist, the open mode)."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT
    from tracker.access import sessions
    from tracker.access.accounts import add_user
    from tracker.store.db import database_url

    monkeypatch.setenv("TRACKER_SECRET_KEY", "k" * 40)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["as_of"] = "2023-06"
    if account is not None:
        add_user(engine, ADMIN, account.username, "a long enough secret", account.role, account.prefecture)
        at.session_state["_session_token"] = sessions.issue(engine, account, sessions.secret_key(database_url()))
    at.run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_review_page_accepts_and_returns_submissions_and_the_prefecture_sees_why(ready_engine, monkeypatch):
    june = upload(ready_engine)
    may = upload(ready_engine, period="2023-05")
    at = _page(monkeypatch, ready_engine, REVIEWER)
    pending = table_of(at.table[0])
    assert list(pending["报送编号"]) == [june, may]  # in the order they arrived
    assert set(pending["审核状态"]) == {"待审核"} and set(pending["市（州）"]) == {"绵阳市"}
    at.selectbox(key="review_choice").set_value(june).run()
    at.button(key="review_accept").click().run()
    assert not at.exception
    assert any("已接收报送" in s.value for s in at.success)
    assert counted(ready_engine) == expected(JUNE)
    at.selectbox(key="review_choice").set_value(may).run()
    at.button(key="review_return").click().run()  # no reason: refused, in Chinese, nothing written
    assert any("退回须填写原因" in e.value for e in at.error)
    assert state(ready_engine, may) == "submitted"
    at.text_input(key="review_reason").input("平武县数据缺失").run()
    at.button(key="review_return").click().run()
    assert any("已退回报送" in s.value for s in at.success)
    assert state(ready_engine, may) == "returned"
    at.text_input(key="reopen_reason").input("三台县需更正").run()
    at.button(key="review_reopen").click().run()
    assert any("已重新开放" in s.value for s in at.success)
    assert not approval.is_locked(ready_engine, PLAN, MIANYANG, "2023-06")

    mine = _page(monkeypatch, ready_engine, MIANYANG_USER)
    assert not [b for b in mine.button if b.key in ("review_accept", "review_return", "review_reopen")]
    table = table_of(mine.table[0]).set_index("报送编号")
    assert table.loc[may, "审核状态"] == "已退回" and table.loc[may, "原因"] == "平武县数据缺失"
    assert table.loc[june, "审核状态"] == "已接收"


def test_a_viewer_has_no_review_page(ready_engine, monkeypatch):
    upload(ready_engine)
    with pytest.raises(ValueError, match="review.py"):  # not in a viewer's menu (tracker.access.sessions.may_see)
        _page(monkeypatch, ready_engine, VIEWER)
