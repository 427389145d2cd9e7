"""``tracker`` commands: local accounts and the audit trail."""
from __future__ import annotations

import argparse
import json
import sys

from tracker.cli.options import Parser, UsageError, open_engine, prefecture_code


def _password(prompt: str) -> str:
    """From a hidden prompt on a terminal, or one line of standard input otherwise; never an argument."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("再输入一次：") != first:
            raise UsageError("两次输入的密码不一致")
        return first
    line = sys.stdin.readline().rstrip("\n")
    if not line:
        raise UsageError("标准输入中没有密码（应为一行）")
    return line


def cmd_user(args: argparse.Namespace) -> int:
    from tracker.access.accounts import (
        AccountError,
        add_user,
        disable_user,
        list_users,
        set_password,
    )
    from tracker.access.roles import shell_actor
    from tracker.store import init_database

    engine = open_engine()
    init_database(engine)
    admin = shell_actor()
    try:
        if args.action == "add":
            add_user(engine, admin, args.name, _password(f"{args.name} 的密码："), args.role,
                     prefecture_code(args.prefecture), args.display)
            print(f"已添加用户 {args.name}（{args.role}）")
        elif args.action == "disable":
            disable_user(engine, admin, args.name)
            print(f"已停用用户 {args.name}")
        elif args.action == "passwd":
            set_password(engine, admin, args.name, _password(f"{args.name} 的新密码："))
            print(f"已更改 {args.name} 的密码")
        else:
            for row in list_users(engine).itertuples(index=False):
                state = "启用" if row.active else "停用"
                print(f"{row.username}\t{row.display_name}\t{row.role}\t{row.prefecture_code or '—'}\t{state}")
    except AccountError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from tracker.access.audit import entries
    from tracker.store.db import has_schema

    engine = open_engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：请先运行 tracker init")
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since).replace(tzinfo=timezone.utc)
        except ValueError as exc:
            raise UsageError(f"日期格式应为 YYYY-MM-DD：{args.since!r}") from exc
    frame = entries(engine, since)
    if args.format == "json":
        json.dump([{**row, "at": row["at"].isoformat()} for row in frame.to_dict("records")], sys.stdout,
                  ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        for row in frame.itertuples(index=False):
            print(f"{row.at:%Y-%m-%d %H:%M:%S}\t{row.actor}\t{row.action}\t{row.object}\t{(row.sha256 or '')[:12]}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the user, audit commands."""
    p = sub.add_parser("user", help="本地账号：add | disable | passwd | list（密码从隐藏提示或标准输入读取）")
    usub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    u = usub.add_parser("add")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=("admin", "province", "prefecture", "viewer"))
    u.add_argument("--prefecture", help="市（州）代码或名称（prefecture 角色必填）")
    u.add_argument("--display", help="显示名")
    for action in ("disable", "passwd"):
        usub.add_parser(action).add_argument("name")
    usub.add_parser("list")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="审计记录（只增不改）")
    p.add_argument("--since", help="起始日期 YYYY-MM-DD")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_audit)
