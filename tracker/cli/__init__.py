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


def _resolve_prefecture(text: str | None) -> str | None:
    """A prefecture given as a code or a name (绵阳, 绵阳市, 凉山州) → its code; unknown → usage error."""
    if not text:
        return None
    from loaders.regions import load_divisions
    from .textnorm import norm

    tree = load_divisions()
    if text in tree and tree[text].level == "prefecture":
        return text
    for region in tree.level("prefecture"):
        if norm(text) in {norm(region.name), norm(region.short_name), norm(region.short_name.removesuffix("州"))}:
            return region.code
    raise UsageError(f"未知的市（州）：{text!r}")


def _plan_context(plan_id: str):
    from loaders.regions import load_divisions, resolve_scopes
    from .snapshot import get_plan

    plan = get_plan(plan_id)
    return plan, load_divisions(), resolve_scopes(plan)


def cmd_template(args: argparse.Namespace) -> int:
    from .template import build_template

    plan, tree, scopes = _plan_context(args.plan)
    prefecture = _resolve_prefecture(args.prefecture)
    data = build_template(plan, tree, args.period, prefecture, scopes)
    with open(args.output, "wb") as handle:
        handle.write(data)
    who = tree[prefecture].name if prefecture else tree.province.name
    print(f"已生成模板：{args.output}（{who}，报告期 {args.period}）")
    return 0


def _problem_lines(problems, lang: str = "zh") -> list[str]:
    from .i18n import t

    lines = []
    for p in problems:
        where = " ".join(x for x in (p.location(lang), p.county or "") if x)
        lines.append(f"  {t('severity.' + p.severity, lang)} [{p.code}] {where}：{p.message(lang)}")
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    import getpass
    from pathlib import Path

    from .status import load_config
    from .store import init_database
    from .submissions import import_file
    from .intake import Lookups

    plan, tree, scopes = _plan_context(args.plan)
    prefecture = _resolve_prefecture(args.prefecture)
    engine = _engine()
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
        results.append(import_file(engine, data, Path(name).name, plan, tree, scopes, checks,
                                   uploader=args.uploader or getpass.getuser(), period=args.period,
                                   prefecture=prefecture, accept_warnings=args.accept_warnings,
                                   dry_run=args.dry_run, lookups=lookups, preview=False))
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
            print("\n".join(_problem_lines(r.problems)))
            if r.needs_confirmation:
                print("  有警告：核实后加 --accept-warnings 再导入。")
    return 0 if all(r.status in ("imported", "unchanged") for r in results) else 1


def cmd_allocate(args: argparse.Namespace) -> int:
    import getpass
    from pathlib import Path

    from .allocations import allocation_summary, import_allocations
    from .store import current_allocations, init_database
    from .units import format_quantity, format_percent

    plan, tree, _ = _plan_context(args.plan)
    engine = _engine()
    init_database(engine)
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取文件 {args.file}：{exc.strerror}") from exc
    outcome = import_allocations(engine, data, Path(args.file).name, plan, tree,
                                 uploader=args.uploader or getpass.getuser(), dry_run=args.dry_run)
    print(f"{outcome.file_name}：{'已导入' if outcome.status == 'imported' else '未导入'}；分解数 {len(outcome.rows)} 个")
    print("\n".join(_problem_lines(outcome.problems)))
    if outcome.status == "imported":
        summary = allocation_summary(plan, current_allocations(engine, plan.id) if not args.dry_run
                                     else outcome.rows, tree)
        for row in summary.itertuples(index=False):
            if row.allocated_sum is not None:
                print(f"  {row.target_name}：各市（州）合计 {format_quantity(row.allocated_sum, row.unit)}，"
                      f"省目标 {format_quantity(row.provincial, row.unit)}（{format_percent(row.ratio)}）")
    return 0 if outcome.status == "imported" else 1


def cmd_report(args: argparse.Namespace) -> int:
    from .db import has_schema
    from .exports import monthly_report, workbook_sheet_names
    from .i18n import month_label, t

    engine = _engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：请先运行 tracker init")
    data = monthly_report(engine, args.plan, args.as_of, args.lang)
    try:
        with open(args.output, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise UsageError(f"无法写入文件 {args.output}：{exc.strerror}") from exc
    print(t("report.cli.done", args.lang, path=args.output, sheets=len(workbook_sheet_names(data)),
            month=month_label(args.as_of, args.lang)))
    return 0


def cmd_milestone(args: argparse.Namespace) -> int:
    import getpass
    from datetime import date
    from pathlib import Path

    from .milestones import Evidence, MilestoneError, history, set_status
    from .periods import month_of
    from .snapshot import get_plan
    from .status import load_config
    from .store import init_database

    plan = get_plan(args.plan)
    config = load_config()
    engine = _engine()
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
    from .access import shell_actor
    from .accounts import AccountError, add_user, disable_user, list_users, set_password
    from .store import init_database

    engine = _engine()
    init_database(engine)
    admin = shell_actor()
    try:
        if args.action == "add":
            add_user(engine, admin, args.name, _password(f"{args.name} 的密码："), args.role,
                     _resolve_prefecture(args.prefecture), args.display)
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

    from .audit import entries
    from .db import has_schema

    engine = _engine()
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


def _plain(value: object) -> object:
    """A frame's cell as JSON has it: times as ISO text, missing as null."""
    import pandas as pd

    if value is None or (not isinstance(value, (str, bool)) and pd.isna(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def cmd_review(args: argparse.Namespace) -> int:
    """审核 from the server's shell: the same decisions as the page, taken by the shell's actor and audited."""
    from .access import shell_actor
    from .approval import ReviewError, accept, reopen, return_, review_list
    from .i18n import month_label, t
    from .snapshot import get_plan
    from .store import init_database

    plan = get_plan(args.plan)
    engine = _engine()
    init_database(engine)
    actor = shell_actor()
    try:
        if args.action == "accept":
            accept(engine, actor, args.id)
            print(f"已接收报送 {args.id}：数据计入进度，该月已锁定")
        elif args.action == "return":
            return_(engine, actor, args.id, args.reason)
            print(f"已退回报送 {args.id}：{args.reason.strip()}")
        elif args.action == "reopen":
            prefecture = _resolve_prefecture(args.prefecture)
            reopen(engine, actor, plan.id, prefecture, args.period, args.reason)
            print(f"已重新开放 {prefecture} {args.period}：可以重新报送")
        else:
            frame = review_list(engine, plan.id, _resolve_prefecture(args.prefecture),
                                [args.status] if args.status else None)
            if args.format == "json":
                json.dump([{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")],
                          sys.stdout, ensure_ascii=False, indent=2)
                sys.stdout.write("\n")
            for row in frame.itertuples(index=False) if args.format == "table" else ():
                reason = f"\t{row.reason}" if isinstance(row.reason, str) else ""
                print(f"{row.id}\t{row.prefecture_name}\t{month_label(row.period)}\t{row.uploader}\t"
                      f"{row.created_at:%Y-%m-%d %H:%M}\t{row.n_values}\t{t('review.state.' + row.state)}"
                      f"{'（已锁定）' if row.locked else ''}{reason}")
    except ReviewError as exc:
        print(f"tracker: 未执行：{exc}", file=sys.stderr)
        return 1
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .backup import backup
    from .db import has_schema

    engine = _engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：没有可备份的内容")
    counts = backup(engine, Path(args.output))
    print(f"已备份到 {args.output}：" + "，".join(f"{k} {v}" for k, v in counts.items() if v))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .backup import BackupError, restore

    try:
        counts = restore(_engine(), Path(args.file))
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    print(f"已从 {args.file} 恢复：" + "，".join(f"{k} {v}" for k, v in counts.items() if v))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .extract import ExtractError, extract_file, write_draft

    try:
        draft = extract_file(Path(args.file), plan_id=args.plan_id, year=args.year)
    except ExtractError as exc:
        raise UsageError(str(exc)) from exc
    try:
        output, side = write_draft(draft, Path(args.output))
        if args.text_out:
            Path(args.text_out).write_text(draft.raw, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"无法写入文件 {exc.filename}：{exc.strerror}") from exc
    print(f"已起草：{output}（任务 {len(draft.tasks)} 项、量化目标 {len(draft.targets)} 项、工作措施 "
          f"{len(draft.milestones)} 项、未作为目标的数字 {len(draft.skipped)} 个；需复核 {draft.needs_review()} 项）；"
          f"各字段置信度见文件中的注释和 {side}")
    if not draft.source_fixed and not args.text_out:
        print(f"引文摘自原文：保存为方案前，请把原文存为 targets/{draft.source_text}（可用 --text-out）")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """汇报材料: the presentation mode's slides as .pptx or .pdf."""
    from pathlib import Path

    from .db import has_schema
    from .deck import BrowserNotFound, FontNotFound, write_deck
    from .i18n import month_label, t
    from .slides import load_deck

    if Path(args.output).suffix.lower() not in (".pptx", ".pdf"):
        raise UsageError(t("brief.bad_suffix", args.lang, path=args.output))
    engine = _engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：请先运行 tracker init")
    deck = load_deck(engine, args.plan, args.as_of, args.lang)
    try:
        count = write_deck(deck, args.output)
    except (FontNotFound, BrowserNotFound) as exc:
        print(f"tracker: 错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        raise UsageError(f"无法写入文件 {args.output}：{exc.strerror}") from exc
    print(t("brief.done", args.lang, path=args.output, slides=count, month=month_label(args.as_of, args.lang)))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """情况汇报: the written report from the same figures, as Markdown (stdout or file) or Word."""
    from .db import has_schema
    from .i18n import t
    from .summary import build_summary, load_facts, summary_docx

    output = args.output
    fmt = args.format or ("docx" if output and output.lower().endswith(".docx") else "md")
    if fmt == "docx" and not output:
        raise UsageError("--format docx 需要输出文件：-o FILE.docx")
    engine = _engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：请先运行 tracker init")
    summary = build_summary(load_facts(engine, args.plan, args.as_of), args.lang)
    data = summary_docx(summary) if fmt == "docx" else summary.markdown().encode("utf-8")
    if not output:
        sys.stdout.write(summary.markdown())
        return 0
    try:
        with open(output, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise UsageError(f"无法写入文件 {output}：{exc.strerror}") from exc
    print(t("summary.cli.done", args.lang, path=output))
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

    p = sub.add_parser("template", help="生成月报模板（.xlsx）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--period", required=True, type=_month, help="报告期 YYYY-MM")
    p.add_argument("--prefecture", help="市（州）代码或名称；不给则为全省")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import", help="导入县级月报（每个文件一个事务：有错误则不写入）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--period", type=_month, help="报告期 YYYY-MM（文件中写明时可省略；不一致则报错）")
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

    p = sub.add_parser("report", help="生成月度进度报告（.xlsx：总览、各指标分市州、工作任务、数据说明）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=_month, help="截至月份 YYYY-MM")
    p.add_argument("-o", "--output", required=True, help="输出文件 FILE.xlsx")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="报告语言（默认中文）")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("user", help="本地账号：add | disable | passwd | list（密码从隐藏提示或标准输入读取）")
    usub = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
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

    p = sub.add_parser("review", help="审核市（州）报送：list 列出，accept 接收，return 退回，reopen 重新开放已锁定的月份")
    rsub = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    r = rsub.add_parser("list", help="报送及其审核状态，最新在前")
    r.add_argument("--status", choices=("submitted", "accepted", "returned", "superseded"),
                   help="只列出此状态（submitted 即待审核）")
    r.add_argument("--prefecture", help="市（州）代码或名称")
    r.add_argument("--format", choices=("table", "json"), default="table")
    r = rsub.add_parser("accept", help="接收报送：数据计入进度，该市（州）该月锁定")
    r.add_argument("id", type=int, help="报送编号")
    r = rsub.add_parser("return", help="退回报送（须写明原因，市州可见）")
    r.add_argument("id", type=int, help="报送编号")
    r.add_argument("--reason", required=True, help="退回原因")
    r = rsub.add_parser("reopen", help="重新开放已锁定的市（州）月份（须写明原因）")
    r.add_argument("--prefecture", required=True, help="市（州）代码或名称")
    r.add_argument("--period", required=True, type=_month, help="报告期 YYYY-MM")
    r.add_argument("--reason", required=True, help="重新开放的原因")
    for r in rsub.choices.values():
        r.add_argument("--plan", default="sichuan-2023-citizenization")
        r.set_defaults(func=cmd_review)

    p = sub.add_parser("backup", help="备份整个数据库到一个文件")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="从备份恢复到一个新建的空数据库")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("milestone", help="工作任务（里程碑）状态：set 记录新状态，history 查看记录")
    msub = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    m = msub.add_parser("set", help="记录一条新状态（历史保留）")
    m.add_argument("id", help="工作任务 id（见方案 YAML）")
    m.add_argument("status", help="not_started|in_progress|done|delayed 或 未启动|推进中|已完成|滞后")
    m.add_argument("--note", help="说明")
    m.add_argument("--as-of", type=_month, help="状态所指的月份（默认本月）")
    m.add_argument("--evidence", help="佐证材料文件")
    m.add_argument("--by", help="更新人（默认当前系统用户）")
    m.add_argument("--plan", default="sichuan-2023-citizenization")
    m.set_defaults(func=cmd_milestone)
    m = msub.add_parser("history", help="状态记录，最新在前")
    m.add_argument("id", nargs="?", help="只看这一项")
    m.add_argument("--plan", default="sichuan-2023-citizenization")
    m.set_defaults(func=cmd_milestone)

    p = sub.add_parser("extract", help="从方案原文（.txt/.docx）按规则起草方案 YAML（目标、任务、工作措施），供人工审阅")
    p.add_argument("file", metavar="FILE", help="方案原文 .txt 或 .docx（简体或繁体）")
    p.add_argument("--plan-id", help="方案 id（默认取自文件名）")
    p.add_argument("--year", type=int, help="方案年度（原文未写印发日期时用于推定期间）")
    p.add_argument("-o", "--output", required=True, help="输出草稿 DRAFT.yaml（另写 DRAFT.review.json）")
    p.add_argument("--text-out", help="另存原文（引文所引的文字，UTF-8），如 targets/sources/ID.txt")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("brief", help="生成汇报材料（汇报模式的幻灯片：.pptx 或 .pdf，含讲稿）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=_month, help="截至月份 YYYY-MM")
    p.add_argument("-o", "--output", required=True, help="输出文件 FILE.pptx 或 FILE.pdf")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言（默认中文）")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("summary", help="生成情况汇报（按模板由各项数字写成的文字汇报：Markdown 或 Word）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=_month, help="截至月份 YYYY-MM")
    p.add_argument("--format", choices=("md", "docx"), help="md（默认，打印到屏幕或写入 -o）或 docx（需 -o）")
    p.add_argument("-o", "--output", help="输出文件 FILE.md 或 FILE.docx")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言（默认中文）")
    p.set_defaults(func=cmd_summary)
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
