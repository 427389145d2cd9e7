"""``tracker`` commands: the qualitative measures (工作任务): record a status, show the history."""
from __future__ import annotations

import argparse

from tracker.cli.options import Parser, UsageError, month, open_engine


def cmd_milestone(args: argparse.Namespace) -> int:
    import getpass
    from datetime import date
    from pathlib import Path

    from loaders.plans import get_plan
    from tracker.intake.milestones import Evidence, MilestoneError, history, set_status
    from tracker.model.periods import month_of
    from tracker.model.status import load_config
    from tracker.store import init_database

    plan = get_plan(args.plan)
    config = load_config()
    engine = open_engine()
    init_database(engine)
    if args.action == "set":
        evidence = None
        if args.evidence:
            try:
                evidence = Evidence(Path(args.evidence).name, Path(args.evidence).read_bytes())
            except OSError as exc:
                raise UsageError(f"无法读取佐证材料 {args.evidence}：{exc.strerror}") from exc
        try:
            update = set_status(engine, plan, config, args.id, args.status, as_of=args.as_of or month_of(date.today()),
                                note=args.note, updated_by=args.by or getpass.getuser(), evidence=evidence)
        except MilestoneError as exc:
            raise UsageError(str(exc)) from exc
        print(f"已记录：工作任务 {args.id} → {config.milestone_status(history(engine, plan.id, args.id).iloc[0]['status']).zh}"
              f"（更新编号 {update}）")
        return 0
    frame = history(engine, plan.id, args.id)
    for row in frame.itertuples(index=False):
        evidence = f"；佐证：{row.evidence}" if isinstance(row.evidence, str) else ""
        print(f"{row.created_at:%Y-%m-%d %H:%M} {row.milestone} {config.milestone_status(row.status).zh} "
              f"（{row.as_of}，{row.updated_by}）{row.note or ''}{evidence}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the milestone command."""
    p = sub.add_parser("milestone", help="工作任务（里程碑）状态：set 记录新状态，history 查看记录")
    msub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    m = msub.add_parser("set", help="记录一条新状态（历史保留）")
    m.add_argument("id", help="工作任务 id（见方案 YAML）")
    m.add_argument("status", help="not_started|in_progress|done|delayed 或 未启动|推进中|已完成|滞后")
    m.add_argument("--note", help="说明")
    m.add_argument("--as-of", type=month, help="状态所指的月份（默认本月）")
    m.add_argument("--evidence", help="佐证材料文件")
    m.add_argument("--by", help="更新人（默认当前系统用户）")
    m.add_argument("--plan", default="sichuan-2023-citizenization")
    m.set_defaults(func=cmd_milestone)
    m = msub.add_parser("history", help="状态记录，最新在前")
    m.add_argument("id", nargs="?", help="只看这一项")
    m.add_argument("--plan", default="sichuan-2023-citizenization")
    m.set_defaults(func=cmd_milestone)
