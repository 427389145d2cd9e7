"""催报 (#17): after the deadline each prefecture with counties missing gets one formal notice by e-mail (a local
SMTP server, aiosmtpd) and its group robot (a local HTTP receiver, apprise's json://); after N more days one
escalation; never twice for a prefecture, month and stage; every notice recorded and audited; --dry-run sends and
records nothing. Nothing leaves the machine."""
from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from loaders.plans import get_plan
from loaders.regions import load_divisions, resolve_scopes
from tests.browsing import free_port
from tests.intake_files import MIANYANG, import_month
from tracker.access import audit
from tracker.access.roles import Actor, PermissionDenied
from tracker.model.status import load_config
from tracker.progress.completeness import deadline_of, load_completeness
from tracker.review import reminders

PLAN = get_plan("sichuan-2023-citizenization")
TREE = load_divisions()
RULE = load_config().reporting
OFFICE = Actor("shenhe", "province", display_name="省人社厅审核员")
DEYANG = "510600"


@pytest.fixture
def smtp():
    """A local SMTP server that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    handler = Keep()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler.messages
    controller.stop()


@pytest.fixture
def robot():
    """A local HTTP receiver standing in for a group robot's webhook."""
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


@pytest.fixture
def contacts(tmp_path, robot, monkeypatch):
    url, _ = robot
    path = tmp_path / "contacts.yaml"
    path.write_text(yaml.safe_dump({
        "office": {"name": "省人力资源社会保障厅就业促进处", "phone": "028-12345678"},
        "escalate_after_days": 5,
        "prefectures": {DEYANG: {"email": ["deyang@example.gov.cn"], "escalation": ["deyang-lead@example.gov.cn"],
                                 "robots": [url]}},
    }, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("TRACKER_CONTACTS_FILE", str(path))
    return path


def _run(engine, smtp_port, today, dry_run=False, actor=OFFICE, period="2023-06"):
    report = load_completeness(engine, PLAN, TREE, resolve_scopes(PLAN), [period], RULE)
    env = {"TRACKER_SMTP_HOST": "127.0.0.1", "TRACKER_SMTP_PORT": str(smtp_port), "TRACKER_SMTP_FROM": "tracker@test"}
    return reminders.remind(engine, PLAN.id, report.overdue(period), TREE, period, deadline_of(period, RULE).date(),
                            actor, today=today, dry_run=dry_run, env=env)


def test_no_notice_before_the_deadline_and_a_dry_run_sends_and_records_nothing(ready_engine, smtp, robot, contacts):
    port, mails = smtp
    assert _run(ready_engine, port, date(2023, 7, 10)) == []  # the 10th is the deadline's own day
    due = _run(ready_engine, port, date(2023, 7, 11), dry_run=True)
    assert len(due) == 21 and {n.stage for n in due} == {"first"}  # nobody reported June: every prefecture
    assert mails == [] and robot[1] == [] and reminders.sent(ready_engine, PLAN.id) == []


def test_a_late_prefecture_gets_one_formal_notice_by_mail_and_robot_then_one_escalation(
        ready_engine, smtp, robot, contacts):
    port, mails = smtp
    import_month(ready_engine, "2023-06")  # 绵阳 reported: it is not reminded
    first = _run(ready_engine, port, date(2023, 7, 12))
    names = {n.prefecture for n in first}
    assert MIANYANG not in names and DEYANG in names and len(first) == 20
    deyang = next(n for n in first if n.prefecture == DEYANG)
    assert deyang.outcome == {"email": "sent", "robots": "sent"}
    assert [n.outcome for n in first if n.prefecture != DEYANG][0] == {"none": "该市（州）未配置联系人"}
    (to, content), = mails
    assert to == ["deyang@example.gov.cn"]
    body = robot[1][0]["message"]
    assert body.startswith("德阳市人力资源社会保障局：") and "2023年6月数据应于2023年7月10日前报送" in body
    assert "旌阳区" in body and "028-12345678" in body and "6 个县" not in body and "以下6个县（市、区）" in body
    assert "催报德阳市2023年6月" in robot[1][0]["title"]

    assert _run(ready_engine, port, date(2023, 7, 13)) == []  # the next day's cron run: nothing twice
    assert len(mails) == 1 and len(robot[1]) == 1
    assert _run(ready_engine, port, date(2023, 7, 15)) == []  # 5 days after the deadline: not yet overdue enough
    second = _run(ready_engine, port, date(2023, 7, 16))
    assert {n.stage for n in second} == {"escalation"} and len(second) == 20
    assert mails[-1][0] == ["deyang-lead@example.gov.cn"] and "逾期6天" in robot[1][-1]["message"]
    assert _run(ready_engine, port, date(2023, 7, 30)) == []

    recorded = reminders.sent(ready_engine, PLAN.id, "2023-06")
    assert len(recorded) == 40 and {(r["stage"]) for r in recorded} == {"first", "escalation"}
    row = next(r for r in recorded if r["prefecture"] == DEYANG and r["stage"] == "first")
    assert row["recipients"] == ["deyang@example.gov.cn", "json://…"] and row["actor"] == "省人社厅审核员"
    assert len(row["counties"]) == 6
    trail = audit.entries(ready_engine)
    assert (trail["action"] == "remind").sum() == 40


def test_a_failing_channel_is_recorded_as_such_and_only_the_office_reminds(ready_engine, robot, contacts):
    dead = free_port()  # nothing listens there
    notices = _run(ready_engine, dead, date(2023, 7, 12))
    deyang = next(n for n in notices if n.prefecture == DEYANG)
    assert deyang.outcome["robots"] == "sent" and deyang.outcome["email"].startswith("ConnectionRefusedError")
    for who in (Actor("mianyang", "prefecture", MIANYANG), Actor("kan", "viewer")):
        with pytest.raises(PermissionDenied):
            _run(ready_engine, dead, date(2023, 7, 12), actor=who)


def test_the_command_line_reminds_once_and_without_a_contacts_file_says_so(
        ready_engine, smtp, contacts, monkeypatch, capsys):
    from tracker.cli import main

    port, mails = smtp
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
    assert main(["remind", "--as-of", "2023-06", "--today", "2023-07-12", "--dry-run", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 21 and mails == []
    assert main(["remind", "--as-of", "2023-06", "--today", "2023-07-12"]) == 0
    out = capsys.readouterr().out
    assert "已发送\t催报\t德阳市" in out and len(mails) == 1
    assert main(["remind", "--as-of", "2023-06", "--today", "2023-07-12"]) == 0
    assert "没有需要发送的催报" in capsys.readouterr().out and len(mails) == 1
    monkeypatch.setenv("TRACKER_CONTACTS_FILE", str(contacts.parent / "missing.yaml"))
    assert main(["remind", "--as-of", "2023-07", "--today", "2023-08-12"]) == 1
    assert "未找到催报联系人文件" in capsys.readouterr().err


def test_the_reporting_page_shows_whats_due_sends_it_once_and_lists_who_was_reminded(
        ready_engine, smtp, robot, contacts, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT, table_of

    port, mails = smtp
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = "2023-06"
    at.run()
    at.switch_page("pages/completeness.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("本月尚未发送催报" in c.value for c in at.caption)
    assert any("应发催报 21 份" in m.value for m in at.markdown)
    at.button(key="remind_send").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已发送催报 21 份" in s.value for s in at.success) and len(mails) == 1
    table = table_of(at.table[-1])
    assert len(table) == 21 and set(table["类别"]) == {"催报"}
    assert table.set_index("地区").loc["德阳市", "结果"] == "邮件：已发送；群机器人：已发送"
    # long overdue (the deadline was in 2023): what is due now is the escalation, never the first notice again
    at.button(key="remind_send").click().run()
    assert len(mails) == 2 and mails[-1][0] == ["deyang-lead@example.gov.cn"]
    assert set(table_of(at.table[-1])["类别"]) == {"催报", "二次提醒（逾期）"}
    assert any("没有需要发送的催报" in c.value for c in at.caption)
