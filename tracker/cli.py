"""The ``tracker`` command line: set up the database, load demo data, report progress.

Usage errors (unknown plan, malformed month) exit with status 2 and one line on stderr, never a traceback: the
command is run by office staff and by scripts, and both need a message they can act on.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from .periods import parse_month


class UsageError(Exception):
    """A mistake in how the command was called; exit 2."""


def _engine():
    from .db import get_engine

    return get_engine()


def _month(text: str) -> str:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_init(args: argparse.Namespace) -> int:
    from loaders.plans import load_plans
    from .store import init_database

    engine = _engine()
    init_database(engine)
    plans = load_plans()
    print(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}；方案 {len(plans)} 个：{', '.join(plans)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from loaders.regions import load_divisions, resolve_scopes
    from .demo import demo_needed, load_demo
    from .snapshot import get_plan
    from .store import init_database

    plan = get_plan(args.plan)
    engine = _engine()
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


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


JSON_FIELDS = ("target", "region", "region_name", "actual", "target_value", "expected", "completion", "pace",
               "status", "unit", "comparator", "kind", "reported", "expected_reporters", "projection", "share",
               "period_start", "period_end")


def progress_rows(engine, plan_id: str, as_of: str, level: str) -> list[dict]:
    """The rows ``tracker progress --format json`` prints, for reuse by tests and exports."""
    from .snapshot import load_snapshot

    snapshot = load_snapshot(engine, plan_id, as_of)
    frame = snapshot.rows(level)
    rows = []
    for record in frame.to_dict("records"):
        row = {key: _clean(record[key]) for key in JSON_FIELDS}
        row["reported"] = int(row["reported"])
        row["expected_reporters"] = int(row["expected_reporters"])
        rows.append(row)
    return rows


def _format_table(rows: list[dict], plan_id: str, as_of: str) -> str:
    from .snapshot import get_plan
    from .status import load_config
    from .units import format_percent, format_quantity

    plan = get_plan(plan_id)
    config = load_config()
    header = ["指标", "地区", "实际", "目标", "应达", "完成率", "进度", "状态", "报送"]
    lines = [header]
    for row in rows:
        unit = row["unit"]
        lines.append([
            plan.target(row["target"]).name.zh, row["region_name"],
            format_quantity(row["actual"], unit), format_quantity(row["target_value"], unit),
            format_quantity(row["expected"], unit), format_percent(row["completion"]), format_percent(row["pace"]),
            config.status(row["status"]).zh, f"{row['reported']}/{row['expected_reporters']}",
        ])
    widths = [max(_width(line[i]) for line in lines) for i in range(len(header))]
    out = [f"{plan.title.zh} · 截至 {as_of}"]
    for line in lines:
        out.append("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(line)).rstrip())
    return "\n".join(out)


def _width(text: str) -> int:
    """Display width: CJK characters take two terminal columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def cmd_progress(args: argparse.Namespace) -> int:
    from .db import has_schema

    engine = _engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：请先运行 tracker init")
    rows = progress_rows(engine, args.plan, args.as_of, args.level)
    if args.format == "json":
        json.dump({"plan": args.plan, "as_of": args.as_of, "level": args.level, "rows": rows}, sys.stdout,
                  ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(_format_table(rows, args.plan, args.as_of))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tracker", description="县域农民工市民化质量提升行动 目标跟踪")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("init", help="创建或迁移数据库，载入方案和行政区划（可重复运行）")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="向空数据库写入示例数据（2023–2025 年县级月度数据，标记为示例）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--if-empty", action="store_true", help="已有数据时跳过而不报错")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("progress", help="各目标进度")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=_month, help="截至月份 YYYY-MM")
    p.add_argument("--level", choices=("province", "prefecture", "county"), default="province")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_progress)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .snapshot import UnknownPlan

    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except (UsageError, UnknownPlan) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"tracker: 错误：{message}", file=sys.stderr)
        return 2
    except Exception as exc:  # a failure we did not foresee still gets one line, with its kind
        from loaders.plans import PlanFileError

        if isinstance(exc, PlanFileError):
            print(f"tracker: 方案文件有误：{'; '.join(exc.problems)}", file=sys.stderr)
            return 2
        print(f"tracker: 失败：{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
