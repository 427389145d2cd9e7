"""``tracker`` commands: a plan as a whole: close an ended plan once its evaluation has gone upward, reopen it."""
from __future__ import annotations

import argparse
import sys

from tracker.cli.options import Parser, open_engine


def cmd_plan(args: argparse.Namespace) -> int:
    """关闭 / 重新开放, taken by the shell's actor (an administrator by position) and audited."""
    from loaders.plans import get_plan
    from tracker.access.roles import shell_actor
    from tracker.review.closure import ClosureError, close_plan, reopen_plan
    from tracker.store import init_database

    plan = get_plan(args.plan_id)
    engine = open_engine()
    init_database(engine)
    try:
        if args.action == "close":
            closure = close_plan(engine, shell_actor(), plan, args.reason, args.document)
            print(f"已关闭《{plan.title.zh}》（{closure.date_text()}，{closure.why()}）：此后只读，"
                  "不再接收报送、审核或修改")
        else:
            reopen_plan(engine, shell_actor(), plan, args.reason)
            print(f"已重新开放《{plan.title.zh}》（{args.reason.strip()}）：可再报送、审核和修改；处理完毕后请再次关闭")
    except ClosureError as exc:
        print(f"tracker: 未执行：{exc}", file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the plan command."""
    p = sub.add_parser("plan", help="方案：close 关闭已结束的方案（成效评估报送后，此后只读），reopen 重新开放")
    psub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    c = psub.add_parser("close", help="关闭已结束的方案：此后不再接收报送、审核或修改（须写明原因）")
    c.add_argument("plan_id", metavar="PLAN_ID", help="方案 id")
    c.add_argument("--reason", required=True, help="关闭原因，如“成效评估已报送”")
    c.add_argument("--document", help="文号，如“川人社函〔2026〕12号”")
    c.set_defaults(func=cmd_plan)
    r = psub.add_parser("reopen", help="重新开放已关闭的方案（须写明原因）")
    r.add_argument("plan_id", metavar="PLAN_ID", help="方案 id")
    r.add_argument("--reason", required=True, help="重新开放的原因")
    r.set_defaults(func=cmd_plan)
