"""``tracker`` commands: what leaves the tracker: progress (table or JSON), the monthly report, the deck and the 情况汇报."""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from tracker.cli.options import UsageError, month, open_engine


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


JSON_FIELDS = ("target", "region", "region_name", "actual", "target_value", "expected", "completion", "pace",
               "status", "unit", "comparator", "kind", "reported", "expected_reporters", "projection", "share",
               "coverage", "coverage_basis", "estimate", "estimated", "period_start", "period_end")


def progress_rows(engine, plan_id: str, as_of: str, level: str) -> list[dict]:
    """The rows ``tracker progress --format json`` prints, for reuse by tests and exports."""
    from tracker.progress.snapshot import load_snapshot

    snapshot = load_snapshot(engine, plan_id, as_of)
    frame = snapshot.rows(level)
    rows = []
    for record in frame.to_dict("records"):
        row = {key: _clean(record[key]) for key in JSON_FIELDS}
        row["judged_month"] = record["month"] if isinstance(record["month"], str) else None
        row["estimated"] = list(row["estimated"] or ())
        row["reported"] = int(row["reported"])
        row["expected_reporters"] = int(row["expected_reporters"])
        rows.append(row)
    return rows


def _format_table(rows: list[dict], plan_id: str, as_of: str) -> str:
    from loaders.plans import get_plan
    from tracker.model.status import load_config
    from tracker.model.units import format_percent, format_quantity

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
    from tracker.store.db import has_schema

    engine = open_engine()
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


def cmd_report(args: argparse.Namespace) -> int:
    from tracker.i18n import month_label, t
    from tracker.outputs.exports import monthly_report, workbook_sheet_names
    from tracker.store.db import has_schema

    engine = open_engine()
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


def cmd_brief(args: argparse.Namespace) -> int:
    """汇报材料: the presentation mode's slides as .pptx or .pdf."""
    from pathlib import Path

    from tracker.i18n import month_label, t
    from tracker.outputs.deck import BrowserNotFound, write_deck
    from tracker.outputs.fonts import FontNotFound
    from tracker.outputs.slides import load_deck
    from tracker.store.db import has_schema

    if Path(args.output).suffix.lower() not in (".pptx", ".pdf"):
        raise UsageError(t("brief.bad_suffix", args.lang, path=args.output))
    engine = open_engine()
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
    from tracker.i18n import t
    from tracker.outputs.summary import build_summary, load_facts, summary_docx
    from tracker.store.db import has_schema

    output = args.output
    fmt = args.format or ("docx" if output and output.lower().endswith(".docx") else "md")
    if fmt == "docx" and not output:
        raise UsageError("--format docx 需要输出文件：-o FILE.docx")
    engine = open_engine()
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


def cmd_evaluate(args: argparse.Namespace) -> int:
    """成效评估: the closing account of an ended plan, as Markdown (stdout or file), Word or PDF."""
    from datetime import date

    from loaders.plans import get_plan
    from tracker.i18n import month_label, t
    from tracker.model.periods import month_of
    from tracker.outputs.documents import report_docx, report_pdf
    from tracker.outputs.evaluation import build_evaluation, evaluation_report
    from tracker.outputs.fonts import FontNotFound
    from tracker.store.db import has_schema

    plan = get_plan(args.plan)
    if plan.end is None:
        raise UsageError(t("evaluation.no_targets", args.lang))
    if not plan.ended(month_of(date.today())):
        raise UsageError(t("evaluation.not_ended", args.lang, end=month_label(plan.end, args.lang)))
    suffix = Path(args.output).suffix.lower() if args.output else ".md"
    if suffix not in (".md", ".docx", ".pdf"):
        raise UsageError("输出文件应为 .md、.docx 或 .pdf")
    engine = open_engine()
    if not has_schema(engine):
        raise UsageError("数据库尚未初始化：请先运行 tracker init")
    report = evaluation_report(build_evaluation(engine, plan.id), args.lang)
    if not args.output:
        sys.stdout.write(report.markdown())
        return 0
    try:
        data = {".md": lambda: report.markdown().encode("utf-8"), ".docx": lambda: report_docx(report),
                ".pdf": lambda: report_pdf(report, args.lang)}[suffix]()
    except FontNotFound as exc:
        print(f"tracker: 错误：{exc}", file=sys.stderr)
        return 1
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"无法写入文件 {args.output}：{exc.strerror}") from exc
    print(t("evaluation.cli.done", args.lang, path=args.output))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the progress, report, brief, summary commands."""
    p = sub.add_parser("progress", help="各目标进度")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=month, help="截至月份 YYYY-MM")
    p.add_argument("--level", choices=("province", "prefecture", "county"), default="province")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("report", help="生成月度进度报告（.xlsx：总览、各指标分市州、工作任务、数据说明）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=month, help="截至月份 YYYY-MM")
    p.add_argument("-o", "--output", required=True, help="输出文件 FILE.xlsx")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="报告语言（默认中文）")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("brief", help="生成汇报材料（汇报模式的幻灯片：.pptx 或 .pdf，含讲稿）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=month, help="截至月份 YYYY-MM")
    p.add_argument("-o", "--output", required=True, help="输出文件 FILE.pptx 或 FILE.pdf")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言（默认中文）")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("summary", help="生成情况汇报（按模板由各项数字写成的文字汇报：Markdown 或 Word）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("--as-of", required=True, type=month, help="截至月份 YYYY-MM")
    p.add_argument("--format", choices=("md", "docx"), help="md（默认，打印到屏幕或写入 -o）或 docx（需 -o）")
    p.add_argument("-o", "--output", help="输出文件 FILE.md 或 FILE.docx")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言（默认中文）")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("evaluate", help="生成成效评估（方案结束后：各目标到期完成情况、分年度、分地区、工作任务、报送情况）")
    p.add_argument("--plan", default="sichuan-2023-citizenization")
    p.add_argument("-o", "--output", help="输出文件 FILE.md、FILE.docx 或 FILE.pdf（不给则打印 Markdown）")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言（默认中文）")
    p.set_defaults(func=cmd_evaluate)
