"""``tracker`` commands: drafting a plan YAML from a policy text."""
from __future__ import annotations

import argparse

from tracker.cli.options import UsageError


def cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker.extract import ExtractError, extract_file, write_draft

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


def register(sub: argparse._SubParsersAction) -> None:
    """Add the extract command."""
    p = sub.add_parser("extract", help="从方案原文（.txt/.docx）按规则起草方案 YAML（目标、任务、工作措施），供人工审阅")
    p.add_argument("file", metavar="FILE", help="方案原文 .txt 或 .docx（简体或繁体）")
    p.add_argument("--plan-id", help="方案 id（默认取自文件名）")
    p.add_argument("--year", type=int, help="方案年度（原文未写印发日期时用于推定期间）")
    p.add_argument("-o", "--output", required=True, help="输出草稿 DRAFT.yaml（另写 DRAFT.review.json）")
    p.add_argument("--text-out", help="另存原文（引文所引的文字，UTF-8），如 targets/sources/ID.txt")
    p.set_defaults(func=cmd_extract)
