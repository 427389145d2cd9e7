"""The ``tracker`` command line: one module per group of commands, each adding its commands to the parser.

A new command goes in the module of its group (or a new module listed in ``GROUPS``); what every command
shares (usage errors, the database, months and prefectures from arguments) is in ``options``.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

from tracker.cli import accounts, database, extract, measures, plans, reports, returns, review
from tracker.cli.options import Parser, UsageError

#: The command groups, in the order ``tracker --help`` lists them.
GROUPS = (database, returns, review, reports, measures, plans, accounts, extract)


def build_parser() -> Parser:
    parser = Parser(prog="tracker", description="县域农民工市民化质量提升行动 目标跟踪")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from loaders.plans import UnknownPlan

    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except (UsageError, UnknownPlan) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"tracker: 错误：{message}", file=sys.stderr)
        return 2
    except Exception as exc:  # a failure we did not foresee still gets one line, with its kind
        from loaders.plans import PlanFileError
        from tracker.store import RevisionRewritten
        from tracker.store.closures import PlanClosed

        if isinstance(exc, PlanFileError):
            print(f"tracker: 方案文件有误：{'; '.join(exc.problems)}", file=sys.stderr)
            return 2
        if isinstance(exc, RevisionRewritten):
            print(f"tracker: 方案文件有误：{exc}", file=sys.stderr)
            return 2
        if isinstance(exc, PlanClosed):  # a write to a closed plan: refused, nothing written
            print(f"tracker: 未执行：{exc}", file=sys.stderr)
            return 1
        print(f"tracker: 失败：{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
