"""``tracker`` commands: county returns and allocations coming in: template, import, allocate."""
from __future__ import annotations

import argparse
import json
import sys

from tracker.cli.options import (
    UsageError,
    month,
    open_engine,
    plan_context,
    prefecture_code,
)


def problem_lines(problems, lang: str = "zh") -> list[str]:
    from tracker.i18n import t

    lines = []
    for p in problems:
        where = " ".join(x for x in (p.location(lang), p.county or "") if x)
        lines.append(f"  {t('severity.' + p.severity, lang)} [{p.code}] {where}：{p.message(lang)}")
    return lines


def cmd_template(args: argparse.Namespace) -> int:
    from tracker.intake.template import NothingDue, build_template

    plan, tree, scopes = plan_context(args.plan)
    prefecture = prefecture_code(args.prefecture)
    try:
        data = build_template(plan, tree, args.period, prefecture, scopes)
    except NothingDue as exc:
        raise UsageError(str(exc)) from exc
    with open(args.output, "wb") as handle:
        handle.write(data)
    who = tree[prefecture].name if prefecture else tree.province.name
    print(f"已生成模板：{args.output}（{who}，报告期 {args.period}）")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    import getpass
    from pathlib import Path

    from tracker.intake.reader import Lookups
    from tracker.intake.submissions import failed, import_file
    from tracker.model.status import load_config
    from tracker.store import init_database

    plan, tree, scopes = plan_context(args.plan)
    prefecture = prefecture_code(args.prefecture)
    engine = open_engine()
    init_database(engine)
    checks = load_config().checks
    lookups = Lookups.build(plan, tree)
    results = []
    for i, name in enumerate(args.files, start=1):
        if len(args.files) > 1:
            bar = "#" * (20 * i // len(args.files))
            print(f"\r[{bar:<20}] {i}/{len(args.files)} {Path(name).name}", end="", file=sys.stderr, flush=True)
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise UsageError(f"无法读取文件 {name}：{exc.strerror}") from exc
        try:
            results.append(import_file(engine, data, Path(name).name, plan, tree, scopes, checks,
                                       uploader=args.uploader or getpass.getuser(), period=args.period,
                                       prefecture=prefecture, accept_warnings=args.accept_warnings,
                                       dry_run=args.dry_run, lookups=lookups, preview=False))
        except Exception as exc:  # each file is its own transaction: one that fails leaves the next to be read
            results.append(failed(Path(name).name, data, exc))
    if len(args.files) > 1:
        print(file=sys.stderr)
    if args.format == "json":
        json.dump({"files": [r.as_dict() for r in results]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        labels = {"imported": "已导入", "refused": "未导入", "unchanged": "未变化（同一文件已导入）"}
        for r in results:
            status = labels[r.status] + ("（试运行，未写入）" if r.dry_run and r.status == "imported" else "")
            ids = "、".join(str(i) for i in r.submissions)
            print(f"{r.file_name}：{status}；数值 {r.values} 个" + (f"；报送编号 {ids}" if ids else "")
                  + f"；sha256 {r.sha256[:12]}…")
            print("\n".join(problem_lines(r.problems)))
            if r.needs_confirmation:
                print("  有警告：核实后加 --accept-warnings 再导入。")
    return 0 if all(r.status in ("imported", "unchanged") for r in results) else 1


def cmd_allocate(args: argparse.Namespace) -> int:
    import getpass
    from pathlib import Path

    from tracker.intake.allocations import allocation_summary, import_allocations
    from tracker.model.units import format_percent, format_quantity
    from tracker.store import current_allocations, init_database

    plan, tree, _ = plan_context(args.plan)
    engine = open_engine()
    init_database(engine)
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取文件 {args.file}：{exc.strerror}") from exc
    outcome = import_allocations(engine, data, Path(args.file).name, plan, tree,
                                 uploader=args.uploader or getpass.getuser(), dry_run=args.dry_run)
    print(f"{outcome.file_name}：{'已导入' if outcome.status == 'imported' else '未导入'}；分解数 {len(outcome.rows)} 个")
    print("\n".join(problem_lines(outcome.problems)))
    if outcome.status == "imported":
        summary = allocation_summary(plan, current_allocations(engine, plan.id) if not args.dry_run
                                     else outcome.rows, tree)
        for row in summary.itertuples(index=False):
            if row.allocated_sum is not None:
                print(f"  {row.target_name}：各市（州）合计 {format_quantity(row.allocated_sum, row.unit)}，"
                      f"省目标 {format_quantity(row.provincial, row.unit)}（{format_percent(row.ratio)}）")
    return 0 if outcome.status == "imported" else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the template, import, allocate commands."""
    p = sub.add_parser("template", help="生成月报模板（.xlsx）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--period", required=True, type=month, help="报告期 YYYY-MM")
    p.add_argument("--prefecture", help="市（州）代码或名称；不给则为全省")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import", help="导入县级月报（每个文件一个事务：有错误则不写入）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--period", type=month, help="报告期 YYYY-MM（文件中写明时可省略；不一致则报错）")
    p.add_argument("--prefecture", help="市（州）代码或名称（文件中写明时可省略；不一致则报错）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument("--accept-warnings", action="store_true", help="已核实警告，仍然导入")
    p.add_argument("--uploader", help="报送人（默认当前系统用户）")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("allocate", help="导入目标分解表（市州或县的分解目标）")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--uploader")
    p.set_defaults(func=cmd_allocate)
