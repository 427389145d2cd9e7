"""催报: reminders to prefectures whose counties have no accepted return after the deadline, with escalation.

After the deadline (the 10th of the following month, ``targets/progress.yaml`` ``reporting``) every prefecture
with counties still missing gets a notice in formal Chinese: which counties, which month, the deadline, whom to
contact. After ``escalate_after_days`` more days without their returns a second notice goes to the prefecture's
escalation contact. Notices go out by e-mail over SMTP (the standard library's ``smtplib``; settings from the
environment) and, where a prefecture has one, to a WeCom / DingTalk / Feishu group robot through apprise, which
speaks those services' protocols. Each (prefecture, month, stage) is sent at most once — the table ``reminders``
has that as its unique key — so ``tracker remind`` is safe to run daily from cron; each is recorded with what every
channel answered, and audited.

Contacts are deployment data, not code: a YAML file (``TRACKER_CONTACTS_FILE``, default ``contacts.yaml`` beside
the app; ``deploy/contacts.example.yaml`` shows its shape)::

    office: {name: 省人力资源社会保障厅就业促进处, phone: 028-00000000}
    escalate_after_days: 5
    prefectures:
      "510700": {email: [mianyang@example.gov.cn], escalation: [mianyang-lead@example.gov.cn],
                 robots: ["wecombot://KEY"]}
"""
from __future__ import annotations

import json
import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import yaml
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.access.audit import record
from tracker.access.roles import Actor
from tracker.i18n import day_label, month_label
from tracker.model.regions import RegionTree
from tracker.store.closures import PlanClosed, closure_of, ensure_open
from tracker.store.models import Reminder

STAGES = ("first", "escalation")


class ReminderError(ValueError):
    """A reminder run that cannot go ahead (no contacts file, a malformed one); the message says why."""


@dataclass(frozen=True)
class Contacts:
    office_name: str
    office_phone: str
    escalate_after_days: int
    email: Mapping[str, tuple[str, ...]]        # prefecture → addresses of the first notice
    escalation: Mapping[str, tuple[str, ...]]   # prefecture → addresses of the escalation
    robots: Mapping[str, tuple[str, ...]]       # prefecture → apprise URLs of its group robots


def contacts_path() -> Path:
    return Path(os.environ.get("TRACKER_CONTACTS_FILE") or Path.cwd() / "contacts.yaml")


def load_contacts(path: Path | None = None) -> Contacts:
    path = Path(path or contacts_path())
    if not path.exists():
        raise ReminderError(f"未找到催报联系人文件 {path}（格式见 deploy/contacts.example.yaml）")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        office = data.get("office") or {}
        rows = {str(code): spec or {} for code, spec in (data.get("prefectures") or {}).items()}
        return Contacts(
            office_name=str(office.get("name", "省人力资源社会保障厅")), office_phone=str(office.get("phone", "")),
            escalate_after_days=int(data.get("escalate_after_days", 5)),
            email={c: tuple(s.get("email") or ()) for c, s in rows.items()},
            escalation={c: tuple(s.get("escalation") or ()) for c, s in rows.items()},
            robots={c: tuple(s.get("robots") or ()) for c, s in rows.items()},
        )
    except (yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
        raise ReminderError(f"催报联系人文件 {path} 格式有误：{exc}") from exc


@dataclass(frozen=True)
class Notice:
    prefecture: str
    prefecture_name: str
    period: str
    stage: str
    counties: tuple[str, ...]          # codes
    county_names: tuple[str, ...]
    deadline: date
    recipients: tuple[str, ...]
    robots: tuple[str, ...]
    subject: str
    body: str
    outcome: dict = field(default_factory=dict, compare=False)


def notice_text(prefecture_name: str, period: str, stage: str, county_names: tuple[str, ...], deadline: date,
                contacts: Contacts, today: date) -> tuple[str, str]:
    """The notice's subject and body, in the formal Chinese an office sends (deterministic: the same facts give
    the same words)."""
    month = month_label(period)
    names = "、".join(county_names)
    due, dated = day_label(deadline), day_label(today)
    overdue = (today - deadline).days
    contact = contacts.office_name + (f"（电话 {contacts.office_phone}）" if contacts.office_phone else "")
    if stage == "first":
        subject = f"关于催报{prefecture_name}{month}农民工市民化工作月报的通知"
        body = (f"{prefecture_name}人力资源社会保障局：\n\n"
                f"按照全省县域农民工市民化质量提升行动月报制度，{month}数据应于{due}前报送。截至"
                f"{dated}，你市（州）以下{len(county_names)}个县（市、区）"
                f"尚无经审核接收的报表：{names}。\n\n"
                f"请督促上述县（市、区）尽快完成填报，经市（州）汇总后通过“上报数据”页面报送。"
                f"如有困难，请与{contact}联系。\n\n{contacts.office_name}\n{dated}")
    else:
        subject = f"关于{prefecture_name}{month}月报逾期未报的提醒（第二次）"
        body = (f"{prefecture_name}人力资源社会保障局负责同志：\n\n"
                f"{month}农民工市民化工作月报已逾期{overdue}天（报送截止日{due}），经前次催报，以下"
                f"{len(county_names)}个县（市、区）仍无经审核接收的报表：{names}。\n\n"
                f"请督促尽快报送；逾期情况将在月度调度会通报。如有困难，请与{contact}联系。\n\n"
                f"{contacts.office_name}\n{dated}")
    return subject, body


def sent(engine: Engine, plan_id: str, period: str | None = None) -> list[dict]:
    """The reminders recorded for a plan (one month, or all), oldest first."""
    r = Reminder
    query = select(r.prefecture_code, r.period, r.stage, r.counties, r.recipients, r.outcome, r.actor,
                   r.sent_at).where(r.plan_id == plan_id).order_by(r.id)
    if period is not None:
        query = query.where(r.period == period)
    with engine.connect() as conn:
        return [{"prefecture": row.prefecture_code, "period": row.period, "stage": row.stage,
                 "counties": json.loads(row.counties), "recipients": json.loads(row.recipients),
                 "outcome": json.loads(row.outcome), "actor": row.actor, "sent_at": row.sent_at}
                for row in conn.execute(query)]


def due_notices(missing, tree: RegionTree, period: str, deadline: date, contacts: Contacts,
                already: set[tuple[str, str]], today: date) -> list[Notice]:
    """The notices due for ``period`` on ``today``: a first notice to each prefecture with counties missing after
    the ``deadline`` (``missing``: a frame of region, prefecture — ``Completeness.overdue``),
    an escalation once ``escalate_after_days`` more have passed, none already sent (``already``: (prefecture,
    stage))."""
    if today <= deadline:
        return []
    out = []
    for prefecture, rows in missing.groupby("prefecture", sort=True):
        codes = tuple(rows["region"])
        names = tuple(tree[c].name for c in codes)
        stages = ["first"]
        if today > deadline + timedelta(days=contacts.escalate_after_days):
            stages.append("escalation")
        for stage in stages:
            if (prefecture, stage) in already or (stage == "escalation" and (prefecture, "first") not in already):
                continue  # escalate only what a first notice asked for and the prefecture let pass
            subject, body = notice_text(tree[prefecture].name, period, stage, names, deadline, contacts, today)
            recipients = (contacts.email if stage == "first" else contacts.escalation).get(prefecture, ())
            out.append(Notice(prefecture, tree[prefecture].name, period, stage, codes, names, deadline, recipients,
                              contacts.robots.get(prefecture, ()), subject, body))
    return out


def _smtp_settings(env: Mapping[str, str]) -> dict | None:
    host = env.get("TRACKER_SMTP_HOST")
    if not host:
        return None
    return {"host": host, "port": int(env.get("TRACKER_SMTP_PORT", "25")), "user": env.get("TRACKER_SMTP_USER"),
            "password": env.get("TRACKER_SMTP_PASSWORD"), "sender": env.get("TRACKER_SMTP_FROM", "tracker@localhost"),
            "starttls": env.get("TRACKER_SMTP_STARTTLS", "") in ("1", "true", "yes")}


def _send_mail(notice: Notice, smtp: dict) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = notice.subject, smtp["sender"], ", ".join(notice.recipients)
    message["Date"], message["Message-ID"] = formatdate(localtime=True), make_msgid()
    message.set_content(notice.body)
    with smtplib.SMTP(smtp["host"], smtp["port"], timeout=20) as client:
        if smtp["starttls"]:
            client.starttls()
        if smtp["user"]:
            client.login(smtp["user"], smtp["password"] or "")
        client.send_message(message)


def _send_robots(notice: Notice) -> None:
    import apprise

    robots = apprise.Apprise()
    for url in notice.robots:
        if not robots.add(url):
            raise ReminderError(f"无法识别的群机器人地址：{url.split('://')[0]}://…")
    if not robots.notify(body=notice.body, title=notice.subject):
        raise ReminderError("群机器人未确认收到")


def _deliver(notice: Notice, smtp: dict | None) -> dict[str, str]:
    """Send a notice on every channel it has; what each answered ("sent", or the error)."""
    outcome: dict[str, str] = {}
    if notice.recipients:
        try:
            if smtp is None:
                raise ReminderError("未配置邮件服务器（TRACKER_SMTP_HOST）")
            _send_mail(notice, smtp)
            outcome["email"] = "sent"
        except (OSError, smtplib.SMTPException, ReminderError) as exc:
            outcome["email"] = f"{type(exc).__name__}: {exc}"
    if notice.robots:
        try:
            _send_robots(notice)
            outcome["robots"] = "sent"
        except Exception as exc:  # apprise's own errors, a refused URL, a network failure
            outcome["robots"] = f"{type(exc).__name__}: {exc}"
    if not outcome:
        outcome["none"] = "该市（州）未配置联系人"
    return outcome


def remind(engine: Engine, plan_id: str, missing, tree: RegionTree, period: str, deadline: date,
           actor: Actor, contacts: Contacts | None = None, today: date | None = None, dry_run: bool = False,
           env: Mapping[str, str] = os.environ) -> list[Notice]:
    """Send (or, with ``dry_run``, only list) the notices due for ``period`` (``missing``, ``deadline``: as
    ``due_notices`` takes them, from ``tracker.progress.completeness``, which the caller reads: the review
    layer comes before progress); each sent one is recorded and audited, with what every channel answered. A
    notice whose channels all failed is recorded too (so it is seen on the page) — it is not sent again on its
    own; the office decides. Province users and administrators only. A closed plan sends nothing, dry run or not:
    ``PlanClosed`` (checked again before each notice goes out)."""
    actor.require("approve")
    if (closure := closure_of(engine, plan_id)) is not None:
        raise PlanClosed(closure)
    contacts = contacts or load_contacts()
    today = today or datetime.now().date()
    already = {(r["prefecture"], r["stage"]) for r in sent(engine, plan_id, period)}
    notices = due_notices(missing, tree, period, deadline, contacts, already, today)
    if dry_run:
        return notices
    smtp = _smtp_settings(env)
    done = []
    for notice in notices:
        key = (Reminder.plan_id == plan_id, Reminder.prefecture_code == notice.prefecture,
               Reminder.period == notice.period, Reminder.stage == notice.stage)
        try:
            with Session(engine) as session, session.begin():
                # one sender per notice: on PostgreSQL a lock on its key held while it is sent and recorded, so
                # two runs at once (two servers' cron jobs) cannot both send it; the unique key backs it up
                if session.get_bind().dialect.name == "postgresql":
                    session.execute(text("select pg_advisory_xact_lock(hashtext(:k))"),
                                    {"k": f"remind:{plan_id}:{notice.prefecture}:{notice.period}:{notice.stage}"})
                if session.scalar(select(Reminder.id).where(*key)) is not None:
                    continue  # another run sent it since this one looked
                ensure_open(session, plan_id)  # closed since this run began: send nothing more
                outcome = _deliver(notice, smtp)
                session.add(Reminder(plan_id=plan_id, prefecture_code=notice.prefecture, period=notice.period,
                                     stage=notice.stage, counties=json.dumps(list(notice.counties)),
                                     recipients=json.dumps([*notice.recipients, *(u.split("://")[0] + "://…"
                                                                                 for u in notice.robots)]),
                                     outcome=json.dumps(outcome, ensure_ascii=False), actor=actor.label))
                record(session, actor, "remind", f"prefecture:{notice.prefecture}",
                       {"plan": plan_id, "period": notice.period, "stage": notice.stage,
                        "counties": list(notice.counties), "outcome": outcome})
        except IntegrityError:
            continue
        done.append(Notice(**{**notice.__dict__, "outcome": outcome}))
    return done
