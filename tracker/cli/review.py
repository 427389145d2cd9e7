"""``tracker`` commands: 审核 from the server's shell: list, accept, return, return single figures, reopen."""
from __future__ import annotations

import argparse
import json
import sys

from tracker.cli.options import Parser, county_code, month, open_engine, prefecture_code


def state_text(state: str, counting: int, n_values: int, lang: str = "zh") -> str:
    from tracker.i18n import t

    return t(f"review.state.{state}", lang, counting=counting, n=n_values)


def _plain(value: object) -> object:
    """A frame's cell as JSON has it: times as ISO text, missing as null."""
    import pandas as pd

    if value is None or (not isinstance(value, (str, bool)) and pd.isna(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def cmd_review(args: argparse.Namespace) -> int:
    """审核 from the server's shell: the same decisions as the page, taken by the shell's actor and audited."""
    from loaders.plans import get_plan
    from tracker.access.roles import shell_actor
    from tracker.i18n import month_label
    from tracker.review.approval import (
        ReviewError,
        accept,
        reopen,
        return_,
        review_list,
        withdraw,
    )
    from tracker.store import init_database

    plan = get_plan(args.plan)
    engine = open_engine()
    init_database(engine)
    actor = shell_actor()
    try:
        if args.action == "accept":
            accept(engine, actor, args.id)
            print(f"已接收报送 {args.id}：数据计入进度，该月已锁定")
        elif args.action == "return":
            return_(engine, actor, args.id, args.reason)
            print(f"已退回报送 {args.id}：{args.reason.strip()}")
        elif args.action == "return-cells":
            from tracker.review.corrections import return_cells

            counties = [county_code(c) for c in args.county] or [None]
            cells = [(args.target, c) for c in counties]
            return_cells(engine, actor, args.id, cells, args.reason)
            where = "、".join(c for c in args.county) or "整列"
            print(f"已退回报送 {args.id} 中 {args.target}（{where}）的数据：{args.reason.strip()}；其余数据计入进度")
        elif args.action == "withdraw":
            withdraw(engine, actor, args.id, args.reason)
            print(f"已撤回报送 {args.id}：其数据不再计入进度，记录保留：{args.reason.strip()}")
        elif args.action == "reopen":
            prefecture = prefecture_code(args.prefecture)
            reopen(engine, actor, plan.id, prefecture, args.period, args.reason)
            print(f"已重新开放 {prefecture} {args.period}：可以重新报送")
        else:
            frame = review_list(engine, plan.id, prefecture_code(args.prefecture),
                                [args.status] if args.status else None)
            if args.format == "json":
                json.dump([{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")],
                          sys.stdout, ensure_ascii=False, indent=2)
                sys.stdout.write("\n")
            for row in frame.itertuples(index=False) if args.format == "table" else ():
                reason = f"\t{row.reason}" if isinstance(row.reason, str) else ""
                print(f"{row.id}\t{row.prefecture_name}\t{month_label(row.period)}\t{row.uploader}\t"
                      f"{row.created_at:%Y-%m-%d %H:%M}\t{row.n_values}\t{state_text(row.state, row.counting, row.n_values)}"
                      f"{'（已锁定）' if row.locked else ''}{reason}")
    except ReviewError as exc:
        print(f"tracker: 未执行：{exc}", file=sys.stderr)
        return 1
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    """催报 from cron: the notices due for a month, sent once each (``--dry-run``: listed, nothing sent)."""
    from datetime import date

    from tracker.access.roles import shell_actor
    from tracker.cli.options import plan_context
    from tracker.model.status import load_config
    from tracker.progress.completeness import deadline_of, load_completeness
    from tracker.review.reminders import ReminderError, remind
    from tracker.store import init_database
    from tracker.store.closures import PlanClosed

    plan, tree, scopes = plan_context(args.plan)
    engine = open_engine()
    init_database(engine)
    rule = load_config().reporting
    today = date.fromisoformat(args.today) if args.today else None
    report = load_completeness(engine, plan, tree, scopes, [args.as_of], rule)
    try:
        notices = remind(engine, plan.id, report.overdue(args.as_of), tree, args.as_of,
                         deadline_of(args.as_of, rule).date(), shell_actor(), today=today, dry_run=args.dry_run)
    except ReminderError as exc:
        print(f"tracker: 未执行：{exc}", file=sys.stderr)
        return 1
    except PlanClosed as exc:  # nothing to send, and nothing wrong: a daily cron run of it stays quiet
        print(f"未发送催报：{exc}", file=sys.stderr if args.format == "json" else sys.stdout)
        if args.format == "json":
            print("[]")
        return 0
    if args.format == "json":
        json.dump([{"prefecture": n.prefecture, "prefecture_name": n.prefecture_name, "period": n.period,
                    "stage": n.stage, "counties": list(n.counties), "recipients": list(n.recipients),
                    "subject": n.subject, "outcome": n.outcome} for n in notices],
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    verb = "应发（未发送）" if args.dry_run else "已发送"
    for n in notices:
        stage = "催报" if n.stage == "first" else "二次提醒"
        print(f"{verb}\t{stage}\t{n.prefecture_name}\t{len(n.counties)} 个县（市、区）\t"
              f"{'、'.join(n.recipients) or '—'}\t{json.dumps(n.outcome, ensure_ascii=False) if n.outcome else ''}")
    if not notices:
        print(f"{args.as_of}：没有需要发送的催报")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the review and remind commands."""
    p = sub.add_parser("remind", help="催报：截止日后向仍有县（市、区）未报的市（州）发送通知，逾期 N 天再提醒；每月每阶段只发一次，"
                                      "可每日由 cron 运行")
    p.add_argument("--as-of", required=True, type=month, help="报告期 YYYY-MM")
    p.add_argument("--dry-run", action="store_true", help="只列出应发的通知，不发送、不记录")
    p.add_argument("--today", help=argparse.SUPPRESS)  # tests: the day the run is taken to be
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.set_defaults(func=cmd_remind)
    p = sub.add_parser("review", help="审核市（州）报送：list 列出，accept 接收，return 退回，return-cells 退回部分数据，"
                                      "reopen 重新开放已锁定的月份，withdraw 撤回误传的报送")
    rsub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    r = rsub.add_parser("list", help="报送及其审核状态，最新在前")
    r.add_argument("--status", choices=("submitted", "accepted", "returned", "partly_superseded", "superseded",
                                        "withdrawn"),
                   help="只列出此状态（submitted 即待审核）")
    r.add_argument("--prefecture", help="市（州）代码或名称")
    r.add_argument("--format", choices=("table", "json"), default="table")
    r = rsub.add_parser("accept", help="接收报送：数据计入进度，该市（州）该月锁定")
    r.add_argument("id", type=int, help="报送编号")
    r = rsub.add_parser("return", help="退回报送（须写明原因，市州可见）")
    r.add_argument("id", type=int, help="报送编号")
    r.add_argument("--reason", required=True, help="退回原因")
    r = rsub.add_parser("return-cells", help="退回报送中的部分数据（某指标的某些县，或整列；须写明原因）：其余数据计入进度，"
                                             "市州只能更正退回的数据")
    r.add_argument("id", type=int, help="报送编号")
    r.add_argument("--target", required=True, help="指标编号（tracker progress 所列）")
    r.add_argument("--county", action="append", default=[], help="县（市、区）代码或名称，可重复；不给即整列")
    r.add_argument("--reason", required=True, help="退回原因")
    r = rsub.add_parser("withdraw", help="撤回误传的报送（须写明原因）：其数据立即不再计入，记录与审计保留")
    r.add_argument("id", type=int, help="报送编号")
    r.add_argument("--reason", required=True, help="撤回原因")
    r = rsub.add_parser("reopen", help="重新开放已锁定的市（州）月份（须写明原因）")
    r.add_argument("--prefecture", required=True, help="市（州）代码或名称")
    r.add_argument("--period", required=True, type=month, help="报告期 YYYY-MM")
    r.add_argument("--reason", required=True, help="重新开放的原因")
    for r in rsub.choices.values():
        r.add_argument("--plan", default="sichuan-2023-citizenization")
        r.set_defaults(func=cmd_review)
