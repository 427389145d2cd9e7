"""``tracker`` commands: setting up and keeping the database: init, demo, backup, restore."""
from __future__ import annotations

import argparse
import sys

from tracker.cli.options import UsageError, open_engine


def cmd_init(args: argparse.Namespace) -> int:
    from loaders.plans import load_plans
    from tracker.store import init_database

    engine = open_engine()
    init_database(engine)
    plans = load_plans()
    print(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}；方案 {len(plans)} 个：{', '.join(plans)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from loaders.plans import get_plan
    from loaders.regions import load_divisions, resolve_scopes
    from tracker.store import init_database
    from tracker.store.demo import demo_needed, load_demo

    plan = get_plan(args.plan)
    engine = open_engine()
    init_database(engine)
    if not demo_needed(engine, plan.id):
        if args.if_empty:
            print(f"方案 {plan.id} 已有数据，未写入示例数据。")
            return 0
        print(f"方案 {plan.id} 已有数据：示例数据只写入空数据库（可加 --if-empty 跳过）。", file=sys.stderr)
        return 1
    count = load_demo(engine, plan, load_divisions(), resolve_scopes(plan))
    print(f"已写入示例数据：方案 {plan.id}，{count} 个县级月度数值（标记为示例数据）。")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker.store.backup import backup
    from tracker.store.db import has_schema

    engine = open_engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：没有可备份的内容")
    counts = backup(engine, Path(args.output))
    print(f"已备份到 {args.output}：" + "，".join(f"{k} {v}" for k, v in counts.items() if v))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker.store.backup import BackupError, restore

    try:
        counts = restore(open_engine(), Path(args.file))
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    print(f"已从 {args.file} 恢复：" + "，".join(f"{k} {v}" for k, v in counts.items() if v))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the init, demo, backup, restore commands."""
    p = sub.add_parser("init", help="创建或迁移数据库，载入方案和行政区划（可重复运行）")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="向空数据库写入示例数据（2023–2025 年县级月度数据，标记为示例）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--if-empty", action="store_true", help="已有数据时跳过而不报错")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="备份整个数据库到一个文件")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复到一个新建的空数据库")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)
